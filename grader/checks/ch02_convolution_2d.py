"""Checks for the exercise of chapter 2, "2D convolution and image filters".

TensorFlow is never imported here: a student's TensorFlow object can only exist if the
notebook imported TensorFlow already, so the checks look it up in ``sys.modules``.
"""
from __future__ import annotations


import numpy as np
from scipy import signal

from grader.engine.placeholder import ____
from grader.engine.values import loaded_object as _library_object
from grader.engine.questions import (ShapeQuestion, ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ObjectQuestion,
                              ValueQuestion, case, label_questions)
from grader.engine.values import describe, is_tensor, show_value, to_array

__all__ = ["____", "image_q", "kernel_q", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7", "q_8"]

# The classic 3×3 kernels of the lesson, used to name a kernel a student gives by mistake.
CLASSIC_KERNELS = {
    "edge detect": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "bottom Sobel": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "blur": np.ones((3, 3)) / 9,
}



def _is_keras_layer(value) -> bool:
    layer_class = _library_object("keras.layers.Layer")
    return layer_class is not None and isinstance(value, layer_class)


# ---- question 1: a kernel as a tensor -------------------------------------------------
SHARPEN = CLASSIC_KERNELS["sharpen"]


def _tensor_not_list(k):
    if is_tensor(k):
        return None
    if type(k) in (list, tuple) and to_array(k) is not None:
        return (f"`kernel` is a Python {type(k).__name__}. TensorFlow works on tensors: wrap the rows in "
                "`tf.constant(..., dtype=tf.float32)`.")
    if isinstance(k, np.ndarray):
        return ("`kernel` is a numpy array, not a TensorFlow tensor. `tf.constant(...)` makes a tensor "
                "(with `dtype=tf.float32`).")
    return f"`kernel` should be a TensorFlow tensor made with `tf.constant`, but it is {describe(k)}."


def _three_by_three(k):
    shape = tuple(to_array(k).shape)
    if shape == (3, 3):
        return None
    if shape in ((3, 3, 1, 1), (1, 3, 3, 1)):
        return (f"`kernel` has shape {shape}: that is the reshaping `tf.nn.conv2d` needs, and it comes later. "
                "Here give the plain 3×3 kernel, shape (3, 3).")
    return f"`kernel` has shape {shape}; a 3×3 kernel has shape (3, 3): three rows of three numbers."


def _sharpen_values(k):
    arr = to_array(k).astype(float)
    if np.allclose(arr, SHARPEN):
        return None
    for name, other in CLASSIC_KERNELS.items():
        if np.allclose(arr, other):
            return f"this is the {name} kernel; the question asks for sharpen: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]."
    if np.allclose(arr, -SHARPEN):
        return "every sign is reversed: the centre weight of sharpen is +5 and its four neighbours are −1."
    if np.allclose(arr, np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]])):
        return ("centre 4: that kernel sums to 0 and keeps only the edges. Sharpen adds the image back: the "
                "centre is 5, so the weights sum to 1.")
    wrong = np.argwhere(~np.isclose(arr, SHARPEN))
    r, c = (int(i) for i in wrong[0])
    return (f"{len(wrong)} of the 9 weights differ from sharpen; the first is at row {r}, column {c} "
            f"(you have {show_value(arr[r, c])}, sharpen has {SHARPEN[r, c]}).")


def _float32(k):
    name = getattr(getattr(k, "dtype", None), "name", None) or str(getattr(k, "dtype", "?"))
    if name == "float32":
        return None
    if name.startswith(("int", "uint")):
        return (f"the numbers are right, but the tensor's dtype is {name}: `tf.constant` makes whole numbers "
                "into integers. `tf.nn.conv2d` needs floats of the same type as the image: add "
                "`dtype=tf.float32`.")
    return (f"the numbers are right, but the tensor's dtype is {name}; images in TensorFlow are float32, and "
            "`tf.nn.conv2d` needs the kernel to match. Add `dtype=tf.float32`.")


q_1 = ObjectQuestion(
    "kernel", [_tensor_not_list, _three_by_three, _sharpen_values, _float32],
    hints=["`tf.constant` takes a nested list, one inner list per row, and a `dtype=` argument.",
           "Sharpen has 5 in the centre and −1 above, below, left and right of it; the corners are 0."],
    solution="A nested list of rows, made into a float32 tensor:",
    solution_code="import tensorflow as tf\n"
                  "kernel = tf.constant([[0, -1, 0],\n"
                  "                      [-1, 5, -1],\n"
                  "                      [0, -1, 0]], dtype=tf.float32)",
    on_correct="A float32 tensor of shape (3, 3): ready to be reshaped to (3, 3, 1, 1) for `tf.nn.conv2d`.",
)


# ---- question 2: the TensorFlow functions ---------------------------------------------
def _called_or_named(var: str, want: str):
    def check(f):
        if is_tensor(f):
            return (f"`{var}` is a tensor: you *called* a function and stored its result. Give the function "
                    f"itself, without parentheses: `{var} = {want}`.")
        if type(f) is str:
            return f"`{var}` is a string. Give the function object itself, without quotes: `{var} = {want}`."
        return None
    return check


def _known_mistakes(var: str, table: dict[str, str]):
    def check(f):
        for path, says in table.items():
            obj = _library_object(path)
            if obj is not None and f is obj:
                return says
        return None
    return check


def _is(var: str, paths: tuple, what: str):
    """The answer must be one of the functions in ``paths`` (functions that do the same job are all right)."""
    def check(f):
        if any(_library_object(path) is not None and f is _library_object(path) for path in paths):
            return None
        if _is_keras_layer(f):
            return (f"`{var}` is a Keras layer object. A layer holds its own weights; here we want a plain "
                    f"function that applies the kernel we give it.")
        if not callable(f):
            return f"`{var}` should be a function, but it is {describe(f)}."
        name = getattr(f, "__name__", None)
        name = name if type(name) is str else type(f).__name__
        return f"`{var}` is `{name}`; the question asks for {what} from TensorFlow's `tf.nn` module."
    return check


_CONV_MISTAKES = {
    "tensorflow.nn.conv1d": "`tf.nn.conv1d` slides a kernel along one axis (signals, chapter 1). An image has two "
                            "spatial axes: use the 2-D function, `tf.nn.conv2d`.",
    "tensorflow.nn.conv3d": "`tf.nn.conv3d` slides along three axes (volumes, video). An image has two: "
                            "use `tf.nn.conv2d`.",
    "tensorflow.nn.depthwise_conv2d": "`tf.nn.depthwise_conv2d` filters each channel separately (chapter 13, depthwise-separable "
                                      "convolution). "
                                      "The ordinary 2-D convolution is `tf.nn.conv2d`.",
    "keras.layers.Conv2D": "`keras.layers.Conv2D` is a layer class: it creates and learns its own kernel. Here we "
                           "apply our own kernel, which the plain function `tf.nn.conv2d` does.",
    "keras.ops.conv": "`keras.ops.conv` is Keras's backend-independent convolution; its arguments are named "
                      "differently (`inputs`, `kernel`). Give TensorFlow's own function, `tf.nn.conv2d`.",
    "tensorflow.nn.relu": "`tf.nn.relu` is the detection step (question b); the filtering step is the "
                          "convolution, `tf.nn.conv2d`.",
}

_RELU_MISTAKES = {
    "tensorflow.nn.sigmoid": "`tf.nn.sigmoid` squashes every value into (0, 1), so negative responses still "
                             "come out positive. ReLU keeps positive values and sets negative ones to 0: "
                             "`tf.nn.relu`.",
    "tensorflow.math.sigmoid": "`tf.math.sigmoid` squashes every value into (0, 1); ReLU keeps positive values and "
                               "sets negative ones to 0: `tf.nn.relu`.",
    "tensorflow.nn.relu6": "`tf.nn.relu6` also caps the output at 6. The plain rectifier is `tf.nn.relu`.",
    "tensorflow.nn.leaky_relu": "`tf.nn.leaky_relu` lets a small part of the negative values through. The plain "
                                "ReLU, which sets them to 0, is `tf.nn.relu`.",
    "tensorflow.nn.elu": "`tf.nn.elu` gives negative inputs a negative output. ReLU sets them to 0: `tf.nn.relu`.",
    "tensorflow.nn.tanh": "`tanh` squashes into (−1, 1) and keeps the sign. ReLU sets negatives to 0: `tf.nn.relu`.",
    "tensorflow.math.tanh": "`tanh` squashes into (−1, 1) and keeps the sign. ReLU sets negatives to 0: "
                            "`tf.nn.relu`.",
    "tensorflow.nn.softmax": "`softmax` turns a vector into probabilities (for a classifier's output). The "
                             "detection step is ReLU: `tf.nn.relu`.",
    "tensorflow.math.abs": "`abs` turns negative values positive instead of dropping them, so an edge of the "
                           "wrong direction would still be detected. ReLU sets them to 0: `tf.nn.relu`.",
    "keras.layers.ReLU": "`keras.layers.ReLU` is a layer class, for building models. The plain function is "
                         "`tf.nn.relu`.",
    "tensorflow.nn.conv2d": "`tf.nn.conv2d` is the filtering step (question a); the detection step is "
                            "`tf.nn.relu`.",
}

q_2 = MultipartQuestion(
    a=ObjectQuestion(
        "conv_fn", [_called_or_named("conv_fn", "tf.nn.conv2d"), _known_mistakes("conv_fn", _CONV_MISTAKES),
                    _is("conv_fn", ("tensorflow.nn.conv2d", "tensorflow.nn.convolution"),
                        "the 2-D convolution function")],
        hints=["TensorFlow's neural-network operations are in the module `tf.nn`. The convolution for images "
               "has a '2d' in its name."],
        solution="The function itself, not a call:", solution_code="import tensorflow as tf\nconv_fn = tf.nn.conv2d"),
    b=ObjectQuestion(
        "relu_fn", [_called_or_named("relu_fn", "tf.nn.relu"), _known_mistakes("relu_fn", _RELU_MISTAKES),
                    _is("relu_fn", ("tensorflow.nn.relu", "keras.activations.relu", "keras.ops.relu"),
                        "the ReLU function")],
        hints=["ReLU (rectified linear unit) is in `tf.nn` too; its name is its abbreviation."],
        solution="The function itself, not a call:", solution_code="import tensorflow as tf\nrelu_fn = tf.nn.relu"),
)


# ---- question 3: output size per axis -------------------------------------------------
q_3 = ShapeQuestion(
    "out_shape", (476, 638), axes=("rows", "columns"),
    mistakes=[
        Mistake("one short on each axis: there are H − kh + 1 window positions down and W − kw + 1 across.",
                value=(475, 637)),
        Mistake("rows and columns are swapped in the kernel: the 5 goes with the 480 rows, the 3 with the 640 "
                "columns (shapes are (rows, columns)).", value=(478, 636)),
        Mistake("this is (width, height); numpy and TensorFlow write shapes as (rows, columns) = (height, width).",
                value=(638, 476)),
        Mistake("this is the 'full' output (H + kh − 1, W + kw − 1), with zero padding all round; 'valid' keeps "
                "only the windows that fit inside the image.", value=(484, 642)),
        Mistake("this is the 'same' output, which needs zero padding; 'valid' is smaller.", value=(480, 640)),
        Mistake("one too many on each axis: the + 1 counts the first window; H − kh alone is how far it moves.",
                value=(477, 639)),
    ],
    hints=["Each axis works like chapter 1: n − k + 1, once for the rows and once for the columns.",
           "Rows: 480 − 5 + 1. Columns: 640 − 3 + 1."],
    solution="Per axis, n − k + 1: (480 − 5 + 1, 640 − 3 + 1) = (476, 638).",
    solution_code="out_shape = (480 - 5 + 1, 640 - 3 + 1)",
)


# ---- question 4: predict conv + ReLU ----------------------------------------------------
image_q = np.array([[1, 0, 2, 1],
                    [3, 1, 0, 2],
                    [0, 2, 1, 0],
                    [2, 0, 3, 1]])
kernel_q = np.array([[1, -1],
                     [0, 2]])


def _filtered():
    return signal.correlate2d(image_q, kernel_q, mode="valid")


def _relu(a):
    return np.maximum(a, 0)


q_4 = ValueQuestion(
    "predicted", lambda: _relu(_filtered()),
    mistakes=[
        Mistake("these are the convolution outputs *before* ReLU: ReLU then sets every negative value to 0.",
                value=_filtered),
        Mistake("the kernel is flipped: that is `convolve2d`. `tf.nn.conv2d` slides the kernel as it is, so the "
                "window's top-left value meets the kernel's top-left weight 1.",
                value=lambda: _relu(signal.convolve2d(image_q, kernel_q, mode="valid"))),
        Mistake("two things: the kernel is flipped (`tf.nn.conv2d` does not flip it) and ReLU is missing.",
                value=lambda: signal.convolve2d(image_q, kernel_q, mode="valid")),
        Mistake("negative values became positive: ReLU does not take the absolute value, it sets negatives to 0.",
                value=lambda: np.abs(_filtered())),
        Mistake("rows and columns are swapped: `predicted[i, j]` is the window whose top-left corner is in row i, "
                "column j of the image.", value=lambda: _relu(_filtered()).T),
        Mistake("the numbers are right, but they still have TensorFlow's batch and channel axes (shape "
                "(1, 3, 3, 1)): remove them with `tf.squeeze(...)`.",
                when=lambda a: a.shape == (1, 3, 3, 1) and np.allclose(a[0, :, :, 0], _relu(_filtered()))),
        Mistake("with padding 'VALID' the 2×2 kernel fits at 4 − 2 + 1 = 3 positions per axis: the answer is 3×3.",
                when=lambda a: a.shape in ((4, 4), (5, 5), (2, 2))),
    ],
    hints=["Put the kernel on the top-left 2×2 window [[1, 0], [3, 1]]: 1·1 + 0·(−1) + 3·0 + 1·2 = 3. That is "
           "`predicted[0, 0]` (positive, so ReLU keeps it). Move one column right and repeat.",
           "The output is 3×3. For each window: top-left − top-right + 2·bottom-right; then replace negatives by 0."],
    solution="Slide the kernel (not flipped) over the 9 positions, then apply ReLU:",
    solution_code="predicted = np.array([[3, 0, 5],\n"
                  "                      [6, 3, 0],\n"
                  "                      [0, 7, 3]])\n"
                  "# = np.maximum(scipy.signal.correlate2d(image_q, kernel_q, mode='valid'), 0)\n"
                  "# before ReLU: [[3, -2, 5], [6, 3, -2], [-2, 7, 3]]",
)


# ---- question 5: which kernel finds horizontal edges ----------------------------------
q_5 = ChoiceQuestion(
    "horizontal_edges", "b",
    {"a": "[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]",
     "b": "[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]",
     "c": "[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]",
     "d": "[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]",
     "e": "[[1, 1, 1], [1, 1, 1], [1, 1, 1]] / 9"},
    why_not={"a": "(a) is the edge-detect kernel: it compares the centre with all 8 neighbours, so it responds to "
                  "edges in every direction, not to horizontal ones in particular.",
             "c": "(c) subtracts the left column from the right column: it responds to *vertical* edges "
                  "(brightness changing from left to right). Turn it by 90°.",
             "d": "(d) is sharpen: it sums to 1, keeps the image and exaggerates every edge. It does not pick "
                  "out one direction.",
             "e": "(e) is blur: all weights are positive, so it averages; it responds to brightness, not to edges."},
    hints=["A horizontal edge is a place where brightness changes as you go *down* the image. Which kernel "
           "compares the row below with the row above?"],
    solution="(b), the bottom Sobel kernel: it subtracts the row above from the row below (the middle column "
             "counts double), so it is positive where the image gets brighter going down: a horizontal edge. "
             "Each column of the kernel sums to 0, so a change of brightness from left to right cancels out.",
    solution_code='horizontal_edges = "b"',
)


# ---- question 6: design a vertical-edge detector ---------------------------------------
_STEP_LR = np.zeros((6, 6))
_STEP_LR[:, 3:] = 1            # dark on the left, bright on the right
_STEP_TB = _STEP_LR.T.copy()   # dark on top, bright below


def _as_2d_kernel(k):
    arr = to_array(k)
    if arr is None:
        return f"`vertical_edge` should be a 2-D list or array of numbers, but it is {describe(k)}."
    if arr.ndim != 2:
        return (f"`vertical_edge` has {arr.ndim} dimension(s), shape {arr.shape}: give a 2-D kernel, a list "
                "of rows such as [[a, b, c], [d, e, f], [g, h, i]].")
    if not (1 <= arr.shape[0] <= 5 and 1 <= arr.shape[1] <= 5):
        return f"`vertical_edge` has shape {arr.shape}; give a small kernel, at most 5×5 (3×3 is usual)."
    return None


def _flat_gives_zero(k):
    arr = to_array(k).astype(float)
    total = arr.sum()
    if abs(total) < 1e-9:
        return None
    if np.all(arr >= 0):
        return ("all weights are ≥ 0: such a kernel adds up brightness (a blur, or a copy of the image) instead "
                "of comparing neighbours. An edge detector's weights sum to 0, so a flat patch gives 0.")
    return (f"the weights sum to {total:g}, not 0: a flat grey patch of brightness c would give {total:g}·c, so "
            "flat regions would look like edges.")


def _response(image, k):
    return signal.correlate2d(image, to_array(k).astype(float), mode="valid")


def _vertical_not_horizontal(k):
    lr, tb = _response(_STEP_LR, k), _response(_STEP_TB, k)
    sees_horizontal = np.abs(tb).max() > 1e-9
    sees_vertical = np.abs(lr).max() > 1e-9
    if sees_horizontal and not sees_vertical:
        return ("this kernel detects *horizontal* edges (brightness changing from top to bottom), like bottom "
                "Sobel. Turn it by 90°: compare the right column with the left one.")
    if not sees_vertical:
        return "this kernel gives 0 on a vertical edge: it must weigh the left and right columns differently."
    if sees_horizontal:
        return ("it responds to horizontal edges too (like the edge-detect kernel, which sees every direction). "
                "Make every row of the kernel sum to 0: then a change from top to bottom cancels out.")
    return None


def _dark_to_bright(k):
    lr = _response(_STEP_LR, k)
    if lr.max() <= 1e-9 and lr.min() < -1e-9:
        return ("the signs are reversed: on a dark-left / bright-right edge this kernel gives a negative value, "
                "which ReLU would erase. It detects bright-to-dark edges. Swap the signs.")
    if lr.min() < -1e-9:
        return ("on a dark-to-bright edge this kernel gives a positive *and* a negative response (a second "
                "difference, like [1, -2, 1] in each row). We want one positive response: negative weights on "
                "the left, positive ones on the right.")
    return None


q_6 = ObjectQuestion(
    "vertical_edge", [_as_2d_kernel, _flat_gives_zero, _vertical_not_horizontal, _dark_to_bright],
    hints=["On a flat patch the output must be 0, so the weights must sum to 0. With cross-correlation the left "
           "column of the kernel lies on the left of the window.",
           "Negative weights on the left column, positive ones on the right, zeros in the middle: a left-to-right "
           "version of bottom Sobel."],
    solution="Bottom Sobel turned by 90° (the 'right Sobel' kernel): it subtracts the left column from the right "
             "one, so it is positive where the image gets brighter to the right. Every row sums to 0, so "
             "horizontal edges cancel out. [[-1, 0, 1]] * 3 or [[-1, 1]] work too.",
    solution_code="vertical_edge = np.array([[-1, 0, 1],\n"
                  "                          [-2, 0, 2],\n"
                  "                          [-1, 0, 1]])",
)


# ---- question 7: conv2d from scratch ----------------------------------------------------
def reference_conv2d(image, kernel):
    return signal.correlate2d(np.asarray(image, float), np.asarray(kernel, float), mode="valid")


def _flipped(image, kernel):
    return signal.convolve2d(np.asarray(image, float), np.asarray(kernel, float), mode="valid")


def _flipped_rows(image, kernel):
    return reference_conv2d(image, np.asarray(kernel)[::-1, :])


def _flipped_cols(image, kernel):
    return reference_conv2d(image, np.asarray(kernel)[:, ::-1])


def _short_both(image, kernel):
    return reference_conv2d(image, kernel)[:-1, :-1]


def _short_rows(image, kernel):
    return reference_conv2d(image, kernel)[:-1, :]


def _short_cols(image, kernel):
    return reference_conv2d(image, kernel)[:, :-1]


def _transposed(image, kernel):
    return reference_conv2d(image, kernel).T


def _swapped_kernel_shape(image, kernel):
    """The loop with ``kw, kh = kernel.shape``: numpy broadcasting often hides it."""
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    (H, W), (kw, kh) = image.shape, kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def _full(image, kernel):
    return signal.correlate2d(np.asarray(image, float), np.asarray(kernel, float), mode="full")


def _same(image, kernel):
    return signal.correlate2d(np.asarray(image, float), np.asarray(kernel, float), mode="same")


q_7 = FunctionQuestion(
    "conv2d", reference_conv2d,
    # the hidden test: random sizes and kernels, square or not
    hidden_cases=lambda: [case(rng.integers(-9, 10, size=(h, w)), rng.normal(size=(kh, kw)))
                          for rng in [np.random.default_rng(2026)]
                          for h, w, kh, kw in [(5, 7, 2, 3), (8, 6, 3, 3), (9, 4, 4, 1), (6, 6, 6, 6),
                                               (12, 10, 5, 2), (3, 11, 1, 4)]],
    forbidden={"scipy": "the task is the loops themselves; compare with `signal.correlate2d` afterwards, outside "
                        "your function.",
               "tensorflow": "the task is the loops themselves, in numpy."},
    explain={"could not be broadcast": "a window came out a different shape than the kernel: rows and columns are "
                                       "swapped, or a loop runs past H − kh + 1 / W − kw + 1."},
    cases=[
        case(np.array([[1, 2], [3, 4]]), np.array([[2]])),
        case(np.array([[1, 2, 3], [4, 5, 6]]), np.array([[1, 2], [3, 4]])),
        case(np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), np.array([[2, 0], [0, 0]])),
        case(np.array([[1, 2, 0], [3, 4, 1], [5, 6, 2]]), np.array([[1, -1]])),
        case(np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]]), np.array([[1, 0], [0, -1]])),
        case(np.arange(20).reshape(4, 5), np.array([[1, 2, 3], [0, -1, 0]])),
        case(np.arange(24).reshape(6, 4) % 7, np.array([[1, 0], [2, 0], [0, -3]])),
        case(np.array([[1., 2, 0], [0, 1, 3], [4, 0, 1]]), np.array([[0.5, -1, 2], [1, 0, -0.25], [3, 1, 0]])),
        case(np.eye(5) * 2 - 1, np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])),
    ],
    mistakes=[
        Mistake("the kernel is flipped on both axes (that is `convolve2d`). Slide `kernel` as it is, like "
                "deep-learning layers do.", impl=_flipped),
        Mistake("the kernel is flipped upside down (`kernel[::-1]`): slide it as it is.", impl=_flipped_rows),
        Mistake("the kernel is flipped left to right (`kernel[:, ::-1]`): slide it as it is.", impl=_flipped_cols),
        Mistake("rows and columns are swapped: you return the transpose of the answer. `out[i, j]` is the "
                "window at row i, column j.", impl=_transposed),
        Mistake("the kernel's rows and columns are swapped: `kernel.shape` is (kh, kw) = (rows, columns).",
                impl=_swapped_kernel_shape),
        Mistake("off by one: the last row and column of the output are missing; loop over "
                "`range(H - kh + 1)` and `range(W - kw + 1)`.", impl=_short_both),
        Mistake("off by one: the last row of the output is missing; loop over `range(H - kh + 1)`.",
                impl=_short_rows),
        Mistake("off by one: the last column of the output is missing; loop over `range(W - kw + 1)`.",
                impl=_short_cols),
        Mistake("this is the 'full' output (zero padding); 'valid' keeps only windows inside the image.",
                impl=_full),
        Mistake("this is the 'same' output (zero padding); 'valid' keeps only windows inside the image.",
                impl=_same),
    ],
    hints=["Take `H, W = image.shape` and `kh, kw = kernel.shape`. The output has shape (H − kh + 1, W − kw + 1).",
           "Two loops, `for i in range(H - kh + 1)` and `for j in range(W - kw + 1)`; the window is "
           "`image[i:i + kh, j:j + kw]`.",
           "`out[i, j] = np.sum(window * kernel)`: multiply element by element, then add everything up."],
    solution="Two loops over the window positions; each output is the sum of window × kernel (no flip):",
    solution_code='''def conv2d(image, kernel):
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out''',
)


# ---- question 8: what the kernel sum does -----------------------------------------------
q_8 = ChoiceQuestion(
    "kernel_sum_effects", {"a", "b", "c"},
    {"a": "A kernel summing to 0 turns a flat, uniform patch into 0, so only the edges remain in the filtered image.",
     "b": "A kernel summing to 1 keeps the brightness of flat patches, so the filtered image still looks like the photo.",
     "c": "A kernel summing to 2 doubles the brightness of every flat patch.",
     "d": "A kernel summing to 0 makes the whole image black, edges included."},
    why_not={"d": "on a flat patch every pixel is c and the output is c × (sum of weights) = 0; across an edge the pixels differ, so the weighted sum is not 0 there. Edges survive."},
    hints=["Apply each kernel to a 3×3 patch in which every pixel has the same value c."],
    solution="(a, b, c): " + "On a flat patch where every pixel is c, a kernel gives c × (sum of its weights). Edge detect and "
             "the Sobel kernels sum to 0: flat regions become 0 (black after ReLU) and only edges remain. "
             "Sharpen and blur sum to 1: flat regions keep their brightness, so the output still looks like the "
             "photo, crisper or softer. Emboss sums to 1 as well, which is why it keeps a grey version of the photo "
             "under its relief. A kernel summing to 2 would double the brightness of every flat region.",
    solution_code="kernel_sum_effects = \"abc\"",
)

label_questions(globals())
