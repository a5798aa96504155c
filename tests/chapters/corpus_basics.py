"""Answers to exercises 1-6 typed the way students type them: wrong in realistic ways, and right in
forms other than the reference. Each entry: (question, the student's cell, verdict, words the
message must contain). Written from how students answer, not from the checks' mistake lists.

Verdicts: "right", "wrong" (the message must name the mistake: it may not be one of the generic
fall-backs), "wrong-generic" (no typical slip to name; the message must still say what differs).
"""

CH01 = [
    ("q_1", "corr_by_hand = [1, 8, 1, 2, 21]", "right", ""),
    ("q_1", "corr_by_hand = (1, 8, 1, 2, 21)", "right", ""),
    ("q_1", "corr_by_hand = np.correlate(x_q, w_q, 'valid')", "right", ""),
    ("q_1", "corr_by_hand = [3, 8, 3, 18, 15]", "wrong", "flip"),                      # convolved instead
    ("q_1", "corr_by_hand = [1, 8, 1, 2]", "wrong", ""),                              # one window short
    ("q_1", "corr_by_hand = np.correlate(x_q, w_q, 'full')", "wrong", "full"),
    ("q_1", "corr_by_hand = [21, 2, 1, 8, 1]", "wrong", "reverse"),
    ("q_2", "conv_by_hand = np.convolve(x_q, w_q, mode='valid')", "right", ""),
    ("q_2", "conv_by_hand = [1, 8, 1, 2, 21]", "wrong", "flip"),
    ("q_2", "conv_by_hand = np.convolve(x_q, w_q)", "wrong", "full"),
    ("q_3.a", "len_valid = 50 - 7 + 1", "right", ""),
    ("q_3.a", "len_valid = np.int64(44)", "right", ""),
    ("q_3.a", "len_valid = 50 - 7", "wrong", ""),
    ("q_3.a", "len_valid = 44.0", "wrong", "whole"),
    ("q_3.a", "len_valid = '44'", "wrong", "quotes"),
    ("q_3.b", "len_full = 50 + 7 + 1", "wrong", "pad first"),
    ("q_3.b", "len_full = 50", "wrong", "same"),
    ("q_3.c", "len_strided = (40 + 2*2 - 5) // 2 + 1", "right", ""),
    ("q_3.c", "len_strided = (40 + 2 - 5) // 2 + 1", "wrong", ""),                   # padding on one side only
    ("q_3.c", "len_strided = (40 + 4 - 5) / 2 + 1", "wrong", "whole"),
    ("q_3.c", "len_strided = (40 - 5) // 2 + 1", "wrong", ""),                        # padding forgotten
    ("q_4", "rising_edge = [-1, 1]", "right", ""),
    ("q_4", "rising_edge = np.array([-1., 0., 1.])", "right", ""),
    ("q_4", "rising_edge = [1, -1]", "wrong", ""),
    ("q_4", "rising_edge = [1, 1]", "wrong", ""),
    ("q_5", "smooth5 = np.ones(5) / 5", "right", ""),
    ("q_5", "smooth5 = [0.2, 0.2, 0.2, 0.2, 0.2]", "right", ""),
    ("q_5", "smooth5 = np.ones(5)", "wrong", ""),
    ("q_5", "smooth5 = np.ones(3) / 3", "wrong", ""),
    ("q_6", """
def conv1d(x, w, stride=1, padding="valid"):
    return np.convolve(x, w, mode=padding)[::stride]
""", "wrong", "np.convolve"),
    ("q_6", """
def conv1d(x, w, stride=1, padding="valid"):
    x = np.asarray(x, float); w = np.asarray(w, float)[::-1]
    k = len(w)
    if padding == "full":
        x = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
    elif padding == "same":
        full = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
        out = np.array([full[i:i + k] @ w for i in range(len(full) - k + 1)])
        start = (k - 1) // 2
        return out[start:start + len(x)][::stride]
    return np.array([x[i:i + k] @ w for i in range(len(x) - k + 1)])[::stride]
""", "right", ""),
    ("q_6", """
def conv1d(x, w, stride=1, padding="valid"):
    x = np.asarray(x, float); w = np.asarray(w, float)
    k = len(w)
    if padding != "valid":
        x = np.pad(x, k - 1)
    out = np.array([np.sum(x[i:i + k] * w) for i in range(len(x) - k + 1)])
    if padding == "same":
        start = (k - 1) // 2
        out = out[start:start + len(x) - 2 * (k - 1)]
    return out[::stride]
""", "wrong", "flip"),
    ("q_6", """
def conv1d(x, w, stride=1, padding="valid"):
    w = w[::-1]
    out = []
    for i in range(0, len(x) - len(w) + 1, stride):
        out.append(sum(x[i:i + len(w)] * w))
    return out
""", "wrong", ""),
    ("q_7", "conv1d_layer_computes = 'b'", "right", ""),
    ("q_7", "conv1d_layer_computes = 'B)'", "right", ""),
    ("q_7", "conv1d_layer_computes = 'a'", "wrong", "flip"),
    ("q_7", "conv1d_layer_computes = 2", "wrong", "letters"),
    ("q_8", "flip_matters = 'a, b'", "right", ""),
    ("q_8", "flip_matters = 'a'", "wrong", "choose all"),
    ("q_8", "flip_matters = 'abc'", "wrong", "symmetric"),
]

CH02 = [
    ("q_1", "kernel = tf.constant([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=tf.float32)", "right", ""),
    ("q_1", "kernel = tf.constant(np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), tf.float32)", "right", ""),
    ("q_1", "kernel = tf.constant([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])", "wrong", "float32"),
    ("q_1", "kernel = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)", "wrong", "tf.constant"),
    ("q_1", "kernel = tf.constant([[0, 1, 0], [1, -5, 1], [0, 1, 0]], dtype=tf.float32)", "wrong", ""),
    ("q_2.a", "conv_fn = tf.nn.conv2d", "right", ""),
    ("q_2.a", "conv_fn = tf.nn.convolution", "right", ""),
    ("q_2.a", "conv_fn = tf.nn.conv2d(tf.ones((1, 4, 4, 1)), tf.ones((2, 2, 1, 1)), 1, 'SAME')", "wrong", "called"),
    ("q_2.a", "conv_fn = keras.layers.Conv2D", "wrong", "layer"),
    ("q_2.b", "relu_fn = tf.nn.relu", "right", ""),
    ("q_2.b", "relu_fn = tf.keras.activations.relu", "right", ""),
    ("q_2.b", "relu_fn = 'relu'", "wrong", ""),
    ("q_3", "out_shape = (480 - 5 + 1, 640 - 3 + 1)", "right", ""),
    ("q_3", "out_shape = [476, 638]", "right", ""),
    ("q_3", "out_shape = tf.TensorShape([476, 638])", "right", ""),
    ("q_3", "out_shape = (478, 636)", "wrong", "swapped"),
    ("q_3", "out_shape = (475, 637)", "wrong", "one short"),
    ("q_3", "out_shape = (476, 638, 1)", "wrong", "axes"),
    ("q_3", "out_shape = (1, 476, 638)", "wrong", "batch"),
    ("q_4", "predicted = np.array([[3, 0, 5], [6, 3, 0], [0, 7, 3]])", "right", ""),
    ("q_4", "predicted = np.array([[3, -2, 5], [6, 3, -2], [-2, 7, 3]])", "wrong", "before"),
    ("q_4", "predicted = np.maximum(signal.convolve2d(image_q, kernel_q, 'valid'), 0)", "wrong", "flip"),
    ("q_5", "horizontal_edges = 'b'", "right", ""),
    ("q_5", "horizontal_edges = 'a'", "wrong", ""),
    ("q_6", "vertical_edge = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]", "right", ""),
    ("q_6", "vertical_edge = np.array([[-1, 1]])", "right", ""),
    ("q_6", "vertical_edge = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]", "wrong", ""),
    ("q_6", "vertical_edge = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]", "wrong", "horizontal"),
    ("q_7", """
def conv2d(image, kernel):
    return signal.correlate2d(image, kernel, mode='valid')
""", "wrong", "scipy"),
    ("q_7", """
def conv2d(image, kernel):
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = (image[i:i+kh, j:j+kw] * kernel).sum()
    return out
""", "right", ""),
    ("q_7", """
def conv2d(image, kernel):
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh, W - kw))
    for i in range(H - kh):
        for j in range(W - kw):
            out[i, j] = np.sum(image[i:i+kh, j:j+kw] * kernel)
    return out
""", "wrong", "off by one"),
    ("q_7", """
def conv2d(image, kernel):
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = np.sum(image[i:i+kh, j:j+kw] * kernel[::-1, ::-1])
    return out
""", "wrong", "flipped"),
    ("q_8", "kernel_sum_effects = 'abc'", "right", ""),
    ("q_8", "kernel_sum_effects = ['a', 'b']", "wrong", "choose all"),
]

CH03 = [
    ("q_1.a", "kernel_shape_2d = (5, 3, 3, 32)", "right", ""),
    ("q_1.a", "kernel_shape_2d = keras.layers.Conv2D(32, (5, 3)).build((None, 64, 64, 3)) or (5, 3, 3, 32)",
     "right", ""),
    ("q_1.a", "kernel_shape_2d = (5, 3, 32)", "wrong", "channels"),
    ("q_1.a", "kernel_shape_2d = (32, 3, 5, 3)", "wrong", "PyTorch"),
    ("q_1.a", "kernel_shape_2d = (3, 5, 3, 32)", "wrong", "swapped"),
    ("q_1.b", "kernel_shape_3d = (3, 3, 3, 3, 8)", "right", ""),
    ("q_1.b", "kernel_shape_3d = (3, 3, 3, 16, 8)", "wrong", "frames"),
    ("q_2.a", "params_a = 3*3*3*64 + 64", "right", ""),
    ("q_2.a", "params_a = 3*3*3*64", "wrong", "bias"),
    ("q_2.a", "params_a = 3*3*64 + 64", "wrong", ""),
    ("q_2.b", "params_b = 3*3*64*128 + 128", "right", ""),
    ("q_2.b", "params_b = 3*3*3*128 + 128", "wrong", ""),
    ("q_2.c", "params_c = 5 * 5 * 3 * 16", "right", ""),
    ("q_2.c", "params_c = 5 * 5 * 3 * 16 + 16", "wrong", "bias"),
    ("q_3.a", "out_shape_2d = (26, 36, 8)", "right", ""),
    ("q_3.a", "out_shape_2d = (26, 36, 3)", "wrong", ""),
    ("q_3.a", "out_shape_2d = (None, 26, 36, 8)", "wrong", "batch"),
    ("q_3.a", "out_shape_2d = (36, 26, 8)", "wrong", ""),
    ("q_3.b", "out_shape_3d = (14, 60, 60, 4)", "right", ""),
    ("q_3.b", "out_shape_3d = (16, 60, 60, 4)", "wrong", ""),
    ("q_4", "batch_cf = np.transpose(batch_q, (0, 3, 1, 2))", "right", ""),
    ("q_4", "batch_cf = batch_q.reshape(2, 3, 5, 4)", "wrong", "reshape"),
    ("q_4", "batch_cf = np.moveaxis(batch_q, 0, -1)", "wrong", ""),
    ("q_5", """
def conv2d_multi(image, kernels):
    kh, kw, cin, cout = kernels.shape
    h, w, _ = image.shape
    out = np.zeros((h - kh + 1, w - kw + 1, cout))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            for o in range(cout):
                out[i, j, o] = np.sum(image[i:i+kh, j:j+kw, :] * kernels[:, :, :, o])
    return out
""", "right", ""),
    ("q_5", """
def conv2d_multi(image, kernels):
    kh, kw, cin, cout = kernels.shape
    h, w, _ = image.shape
    out = np.zeros((h - kh + 1, w - kw + 1, cout))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            for o in range(cout):
                out[i, j, o] = np.sum(image[i:i+kh, j:j+kw, 0] * kernels[:, :, 0, o])
    return out
""", "wrong", "first"),
    ("q_5", """
def conv2d_multi(image, kernels):
    from scipy.signal import correlate
    return np.stack([correlate(image, kernels[..., o], 'valid')[..., 0] for o in range(kernels.shape[-1])], -1)
""", "wrong", "scipy"),
    ("q_7", "gray_kernel = np.array([0.2125, 0.7154, 0.0721]).reshape(1, 1, 3, 1)", "right", ""),
    ("q_7", "gray_kernel = np.array([[[[0.2125], [0.7154], [0.0721]]]])", "right", ""),
    ("q_7", "gray_kernel = np.array([0.2125, 0.7154, 0.0721])", "wrong", "(kh, kw, cin, cout)"),
    ("q_7", "gray_kernel = np.array([0.2125, 0.7154, 0.0721]).reshape(1, 1, 1, 3)", "wrong", ""),
    ("q_8", "dense_equals = 'a'", "right", ""),
    ("q_8", "dense_equals = 'c'", "wrong", "last axis"),
]

CH04 = [
    ("q_1", "same_output = [[12, 16, 9], [24, 28, 15], [15, 17, 9]]", "right", ""),
    ("q_1", "same_output = [[1, 3, 5], [5, 12, 16], [11, 24, 28]]", "wrong", ""),     # padded top-left
    ("q_1", "same_output = [[12, 16], [24, 28]]", "wrong", "valid"),
    ("q_2", "weights3 = np.stack([np.ones((2, 2, 1)), 10 * np.ones((2, 2, 1)), -np.ones((2, 2, 1))], axis=-1)",
     "right", ""),
    ("q_2", "weights3 = np.stack([np.ones((2, 2)), 10 * np.ones((2, 2)), -np.ones((2, 2))])", "wrong", ""),
    ("q_3.a", "p_same_5 = (5 - 1) // 2", "right", ""),
    ("q_3.a", "p_same_5 = 5 // 2", "right", ""),
    ("q_3.a", "p_same_5 = 4", "wrong", ""),
    ("q_3.a", "p_same_5 = 5 / 2", "wrong", "whole"),
    ("q_3.b", "p_same_dilated = 3", "right", ""),
    ("q_3.b", "p_same_dilated = 1", "wrong", "dilation"),
    ("q_4", """
def conv_output_size(n, k, p=0, s=1, d=1):
    return (n + 2*p - d*(k-1) - 1) // s + 1
""", "right", ""),
    ("q_4", """
def conv_output_size(n, k, p=0, s=1, d=1):
    return (n + 2*p - k) // s + 1
""", "wrong", "dilation"),
    ("q_4", """
def conv_output_size(n, k, p=0, s=1, d=1):
    return (n + 2*p - (k + (k-1)*(d-1))) / s + 1
""", "wrong", "whole"),
    ("q_4", """
def conv_output_size(n, k, p=0, s=1, d=1):
    import math
    return math.floor((n + 2*p - (k + (k-1)*(d-1))) / s) + 1
""", "right", ""),
    ("q_5.a", "same_out = 5", "right", ""),
    ("q_5.a", "same_out = (10 - 5) // 2 + 1", "wrong", "valid"),
    ("q_5.a", "same_out = 10", "wrong", "stride"),
    ("q_5.b", "same_pads = (1, 2)", "right", ""),
    ("q_5.b", "same_pads = [1, 2]", "right", ""),
    ("q_5.b", "same_pads = (2, 2)", "wrong", ""),
    ("q_5.b", "same_pads = (2, 1)", "wrong", "bottom"),
    ("q_6.a", "rf_three_3x3 = 7", "right", ""),
    ("q_6.a", "rf_three_3x3 = 9", "wrong", ""),
    ("q_6.b", "rf_strided = 17", "right", ""),
    ("q_6.b", "rf_strided = 11", "wrong", ""),
    ("q_7", "why_stack = 'ab'", "right", ""),
    ("q_7", "why_stack = 'abc'", "wrong", "7×7"),
]

CH05 = [
    ("q_1", "def relu(x):\n    return np.maximum(x, 0)", "right", ""),
    ("q_1", "def relu(x):\n    return np.where(x > 0, x, 0)", "right", ""),
    ("q_1", "def relu(x):\n    return x * (x > 0)", "right", ""),
    ("q_1", "def relu(x):\n    x[x < 0] = 0\n    return x", "wrong", "in place"),
    ("q_1", "def relu(x):\n    return np.max(x, 0)", "wrong", "reduction"),
    ("q_1", "def relu(x):\n    return [max(v, 0) for v in x]", "wrong", ""),
    ("q_1", "def relu(x):\n    import tensorflow as tf\n    return tf.nn.relu(x).numpy()", "right", ""),
    ("q_2", "def relu_grad(x):\n    return (x > 0).astype(float)", "right", ""),
    ("q_2", "def relu_grad(x):\n    return np.heaviside(x, 0)", "right", ""),
    ("q_2", "def relu_grad(x):\n    return x > 0", "wrong", "booleans"),
    ("q_2", "def relu_grad(x):\n    return (x >= 0).astype(float)", "wrong", "x = 0"),
    ("q_2", "def relu_grad(x):\n    return np.maximum(x, 0)", "wrong", "ReLU itself"),
    ("q_3.a", "max_sigmoid_slope = 0.25", "right", ""),
    ("q_3.a", "max_sigmoid_slope = 0.5", "wrong", "value"),
    ("q_3.a", "max_sigmoid_slope = 1", "wrong", "tanh"),
    ("q_3.b", "factor_20 = 0.25 ** 20", "right", ""),
    ("q_3.b", "factor_20 = 0.25 * 20", "wrong", "multiplies"),
    ("q_3.b", "factor_20 = 0.5 ** 20", "wrong", ""),
    ("q_4.a", "W_single = W2_q @ W1_q", "right", ""),
    ("q_4.a", "W_single = W1_q @ W2_q", "wrong", ""),
    ("q_4.b", "b_single = W2_q @ b1_q + b2_q", "right", ""),
    ("q_4.b", "b_single = b1_q + b2_q", "wrong", ""),
    ("q_5.a", "binary_output = 'sigmoid'", "right", ""),
    ("q_5.a", "binary_output = 'Sigmoid'", "right", ""),
    ("q_5.a", "binary_output = 'softmax'", "wrong", "single unit"),
    ("q_5.b", "multiclass_output = 'softmax'", "right", ""),
    ("q_5.b", "multiclass_output = 'sigmoid'", "wrong", "sum to 1"),
    ("q_6", """
def chain_grad(x, weights, activation="sigmoid"):
    grad, h = 1.0, x
    for w in weights:
        z = w * h
        if activation == "sigmoid":
            h = sigmoid(z)
            grad *= w * h * (1 - h)
        else:
            h = max(z, 0)
            grad *= w * (1.0 if z > 0 else 0.0)
    return grad
""", "right", ""),
    ("q_6", """
def chain_grad(x, weights, activation="sigmoid"):
    grad, h = 1.0, x
    for w in weights:
        z = w * h
        if activation == "sigmoid":
            h = sigmoid(z)
            grad *= h * (1 - h)
        else:
            h = max(z, 0)
            grad *= 1.0 if z > 0 else 0.0
    return grad
""", "wrong", "weights are missing"),
    ("q_6", """
def chain_grad(x, weights, activation="sigmoid"):
    grad, h = 1.0, x
    for w in weights:
        z = w * h
        if activation == "sigmoid":
            h = sigmoid(z)
            grad *= w * h * (1 - h)
        else:
            h = max(z, 0)
            grad *= w * (1.0 if z >= 0 else 0.0)
    return grad
""", "wrong", "z = 0"),
    ("q_7", "dead_relu = 'ab'", "right", ""),
    ("q_7", "dead_relu = 'abd'", "wrong", "learning rate"),
]

CH06 = [
    ("q_1.a", "max_by_hand = np.array([[5, 7], [4, 8]])", "right", ""),
    ("q_1.a", "max_by_hand = [[5, 7], [4, 8]]", "right", ""),
    ("q_1.a", "max_by_hand = np.array([[5, 4], [7, 8]])", "wrong", "swapped"),
    ("q_1.a", "max_by_hand = np.array([[5, 7, 8], [4, 7, 8], [4, 6, 8]])", "wrong", "stride"),
    ("q_1.b", "avg_by_hand = np.array([[2.75, 2.5], [1.75, 4.75]])", "right", ""),
    ("q_1.b", "avg_by_hand = np.array([[11, 10], [7, 19]])", "wrong", "sums"),
    ("q_1.b", "avg_by_hand = np.array([[2, 2], [1, 4]])", "wrong", "rounded down"),
    ("q_1.b", "avg_by_hand = np.array([[2.75, 2.5], [1.75, 4.5]])", "wrong-generic", "index (1, 1)"),
    ("q_2", """
def max_pool2d(x, size=2, stride=2, padding="valid"):
    x = np.asarray(x, float)
    if padding == "same":
        out_h, out_w = -(-x.shape[0] // stride), -(-x.shape[1] // stride)
        th = max((out_h - 1) * stride + size - x.shape[0], 0)
        tw = max((out_w - 1) * stride + size - x.shape[1], 0)
        x = np.pad(x, ((th // 2, th - th // 2), (tw // 2, tw - tw // 2)), constant_values=-np.inf)
    H, W = x.shape
    oh, ow = (H - size) // stride + 1, (W - size) // stride + 1
    return np.array([[x[i*stride:i*stride+size, j*stride:j*stride+size].max() for j in range(ow)]
                     for i in range(oh)])
""", "right", ""),
    ("q_2", """
def max_pool2d(x, size=2, stride=2, padding="valid"):
    x = np.asarray(x, float)
    if padding == "same":
        out_h, out_w = -(-x.shape[0] // stride), -(-x.shape[1] // stride)
        th = max((out_h - 1) * stride + size - x.shape[0], 0)
        tw = max((out_w - 1) * stride + size - x.shape[1], 0)
        x = np.pad(x, ((th // 2, th - th // 2), (tw // 2, tw - tw // 2)))
    H, W = x.shape
    oh, ow = (H - size) // stride + 1, (W - size) // stride + 1
    return np.array([[x[i*stride:i*stride+size, j*stride:j*stride+size].max() for j in range(ow)]
                     for i in range(oh)])
""", "wrong", "zero"),
    ("q_2", """
def max_pool2d(x, size=2, stride=2, padding="valid"):
    import tensorflow as tf
    y = tf.nn.max_pool2d(np.asarray(x, np.float32)[None, :, :, None], size, stride, padding.upper())
    return y.numpy()[0, :, :, 0]
""", "wrong", "tensorflow"),
    ("q_3.a", "shape_a = (16, 16, 16)", "right", ""),
    ("q_3.a", "shape_a = (16, 16)", "wrong", "channels"),
    ("q_3.a", "shape_a = (16, 16, 8)", "wrong", "channels"),
    ("q_3.b", "shape_b = (7, 7, 8)", "right", ""),
    ("q_3.b", "shape_b = (8, 8, 8)", "wrong", "same"),
    ("q_3.c", "shape_c = (8, 8, 8)", "right", ""),
    ("q_3.c", "shape_c = (15, 15, 8)", "wrong", "ceil"),
    ("q_4.a", "params_gap = 448 + 170", "right", ""),
    ("q_4.a", "params_gap = 448 + 160", "wrong", ""),
    ("q_4.b", "params_flatten = 448 + 16*16*16*10 + 10", "right", ""),
    ("q_4.b", "params_flatten = 448 + 32*32*16*10 + 10", "wrong", ""),
    ("q_5.a", "cell_start = (1, 2)", "right", ""),
    ("q_5.a", "cell_start = (2, 1)", "wrong", ""),
    ("q_5.b", "cell_right = (1, 3)", "right", ""),
    ("q_5.b", "cell_right = (1, 2)", "wrong", ""),
    ("q_5.c", "cell_down = (1, 2)", "right", ""),
    ("q_5.c", "cell_down = (2, 2)", "wrong", ""),
    ("q_6", "receptive_field = 8", "right", ""),
    ("q_6", "receptive_field = 7", "wrong", ""),
    ("q_7", "gap_effects = 'abc'", "right", ""),
    ("q_7", "gap_effects = 'abcd'", "wrong", "where"),
]

CORPUS = {"ch01_convolution_1d": CH01, "ch02_convolution_2d": CH02, "ch03_convolution_3d": CH03,
          "ch04_padding_stride": CH04, "ch05_relu": CH05, "ch06_pooling": CH06}
