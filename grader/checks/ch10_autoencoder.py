"""Checks for the exercise of chapter 10, "The convolutional autoencoder".

Models are judged by what they are (layer types, ``get_config()``, output shapes), never by
positional indexes alone. Keras is never imported at module level: a student who built a model
has imported it already, and the classes are looked up in ``sys.modules``. Only question 7
(a denoiser the student trains) runs a model; it is marked ``trains = True``.
"""
from __future__ import annotations


import numpy as np

from grader.course import datasets
from grader.course.keras_models import activation_name, flat_layers, kind as _layer_kind, not_a_model
from grader.engine.keras_kinds import LossQuestion, TrainedModelQuestion, watched
from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ObjectQuestion,
                                     ShapeQuestion, ValueQuestion, case, label_questions)

__all__ = ["____", "make_encoder", "x_t", "w_t", "add_noise", "noisy_digits", "digits_split",
           "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7"]



# ---- the encoder of questions 1 and 5 -------------------------------------------------------------
ENCODER_TEXT = ("Input 28×28×1 → Conv2D(16, 3, relu, same) → MaxPooling2D(2, same) → Conv2D(8, 3, relu, same) → "
                "MaxPooling2D(2, same) → Conv2D(8, 3, relu, same) → MaxPooling2D(2, same)")
_ENC_SIZES = [28, 14, 7, 4]          # spatial size at the input and after each pooling
_CODE_SHAPE = (4, 4, 8)


def make_encoder():
    """The encoder of questions 1 and 5 (a Keras model, built, random weights)."""
    import keras
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, 3, activation="relu", padding="same"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(8, 3, activation="relu", padding="same"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(8, 3, activation="relu", padding="same"),
        layers.MaxPooling2D(2, padding="same"),
    ], name="encoder")


# ---- question 1: the bottleneck --------------------------------------------------------------------
q_1 = MultipartQuestion(
    a=ShapeQuestion(
        "code_shape", _CODE_SHAPE, axes=("height", "width", "channels"),
        mistakes={(3, 3, 8): "(3, 3, 8) is what pooling with padding='valid' would give (⌊7/2⌋ = 3). With "
                             "padding='same' the last pooling keeps the odd row: ⌈7/2⌉ = 4.",
                  (7, 7, 8): "(7, 7, 8) counts only two poolings; the encoder halves the size three times: "
                             "28 → 14 → 7 → 4.",
                  (4, 4, 16): "the channel count is off: the *last* Conv2D has 8 filters (16 is the first one's), "
                              "and pooling keeps the number of channels.",
                  (4, 4, 1): "the channel count is off: the last Conv2D has 8 filters, and pooling keeps the "
                             "number of channels (1 is the input image's).",
                  (4, 4): "a feature map has three axes here: (height, width, channels); the channels are missing.",
                  (128,): "128 is the number of values in the code (part b); the shape keeps the three axes, "
                          "(height, width, channels)."},
        hints=["'same' convolutions keep the size; each MaxPooling2D(2, padding='same') turns n into ⌈n/2⌉.",
               "28 → 14 → 7 → ⌈7/2⌉; the channels are the filters of the last Conv2D."],
        solution="28 → 14 → 7 → 4 (⌈7/2⌉ = 4 with 'same' pooling); the last Conv2D has 8 filters:",
        solution_code="code_shape = (4, 4, 8)"),
    b=ValueQuestion(
        "code_size", int(np.prod(_CODE_SHAPE)), kind="int",
        mistakes=[Mistake("392 = 7·7·8 stops after two poolings; the code is 4×4×8.", value=392),
                  Mistake("72 = 3·3·8 uses 'valid' pooling; with 'same' the code is 4×4×8.", value=72),
                  Mistake("16 = 4·4 forgets the channels: every position holds 8 numbers.", value=16),
                  Mistake("784 = 28·28 is the size of the input image; the question asks for the code.", value=784),
                  Mistake("6.125 = 784/128 is the compression factor; the question asks how many numbers the "
                          "code holds.", value=6.125)],
        hints=["Multiply the three numbers of the shape in (a)."],
        solution="4·4·8 = 128 numbers for a 784-pixel image: about 6 times fewer.",
        solution_code="code_size = 4 * 4 * 8"),
)


# ---- question 2: a transposed convolution by hand -----------------------------------------------------
x_t = np.array([[1, 2],
                [3, 4]])
w_t = np.array([[1, 0, 2],
                [0, 1, 0],
                [-1, 0, 1]])


def _scatter(x, w, stride, overwrite=False):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    (n0, n1), (k0, k1) = x.shape, w.shape
    out = np.zeros(((n0 - 1) * stride + k0, (n1 - 1) * stride + k1))
    for i in range(n0):
        for j in range(n1):
            block = out[i * stride:i * stride + k0, j * stride:j * stride + k1]
            if overwrite:
                block[...] = x[i, j] * w
            else:
                block += x[i, j] * w
    return out


_T_FULL = _scatter(x_t, w_t, 2)

q_2 = ValueQuestion(
    "t_by_hand", _T_FULL,
    mistakes=[
        Mistake("the kernel is flipped. A transposed convolution stamps `w_t` as it is: input value x[i, j] "
                "adds x[i, j]·w_t to the 3×3 block whose top-left corner is (2i, 2j).",
                value=lambda: _scatter(x_t, w_t[::-1, ::-1], 2)),
        Mistake("the stamps moved by 1 (stride 1, a 4×4 result). With stride 2 the stamps start 2 apart: "
                "(2 − 1)·2 + 3 = 5 rows and columns.", value=lambda: _scatter(x_t, w_t, 1)),
        Mistake("where two stamps overlap (row 2 and column 2) the later one replaced the earlier one. A "
                "transposed convolution *adds* the overlapping contributions (`+=`, not `=`).",
                value=lambda: _scatter(x_t, w_t, 2, overwrite=True)),
        Mistake("rows and columns are swapped: x[0, 1] = 2 stamps its block to the right of x[0, 0]'s, not "
                "below it.", value=lambda: _scatter(x_t, w_t, 2).T),
        Mistake("a 4×4 result is n·stride, the size with padding='same' (or the result of stride 1). This "
                "question asks for padding='valid': (n − 1)·stride + k = 5.", when=lambda a: a.shape == (4, 4)),
        Mistake("a 2×2 result is the size of the *input*; a transposed convolution makes the map bigger.",
                when=lambda a: a.shape == (2, 2)),
    ],
    hints=["Start from a 5×5 array of zeros. The input value x_t[0, 0] = 1 adds 1·w_t to rows 0–2, columns 0–2.",
           "x_t[i, j] adds x_t[i, j]·w_t to `out[2*i:2*i+3, 2*j:2*j+3]`. Where blocks overlap (row 2, column 2) "
           "the contributions add up.",
           "Centre value out[2, 2]: every one of the four stamps covers it, with the kernel's corners: "
           "1·1 + 2·(−1) + 3·2 + 4·1 = 9."],
    solution="Every input value stamps a scaled copy of the kernel; stamps start `stride` apart and add where "
             "they overlap:",
    solution_code='''t_by_hand = np.zeros((5, 5))
for i in range(2):
    for j in range(2):
        t_by_hand[2 * i:2 * i + 3, 2 * j:2 * j + 3] += x_t[i, j] * w_t''',
)


# ---- question 3: the output size of Conv2DTranspose ---------------------------------------------------
def reference_transposed_size(n, kernel, stride, padding="valid", output_padding=None):
    if output_padding is None:
        return n * stride if padding == "same" else (n - 1) * stride + kernel
    pad = kernel // 2 if padding == "same" else 0
    return (n - 1) * stride + kernel - 2 * pad + output_padding


def _forgot_output_padding(n, kernel, stride, padding="valid", output_padding=None):
    if output_padding is None:
        return reference_transposed_size(n, kernel, stride, padding)
    return reference_transposed_size(n, kernel, stride, padding, 0)


def _conv2d_formula(n, kernel, stride, padding="valid", output_padding=None):
    return -(-n // stride) if padding == "same" else (n - kernel) // stride + 1


def _same_always_n_stride(n, kernel, stride, padding="valid", output_padding=None):
    if padding == "same":
        return n * stride
    return reference_transposed_size(n, kernel, stride, padding, output_padding)


def _none_as_zero(n, kernel, stride, padding="valid", output_padding=None):
    return reference_transposed_size(n, kernel, stride, padding, output_padding or 0)


def _padding_once(n, kernel, stride, padding="valid", output_padding=None):
    if output_padding is None:
        return reference_transposed_size(n, kernel, stride, padding)
    pad = kernel // 2 if padding == "same" else 0
    return (n - 1) * stride + kernel - pad + output_padding


def _padding_ignored(n, kernel, stride, padding="valid", output_padding=None):
    return reference_transposed_size(n, kernel, stride, "valid", output_padding)


q_3 = FunctionQuestion(
    "transposed_size", reference_transposed_size,
    hidden_cases=[case(9, 3, 3, "valid", 2), case(6, 5, 2, "same", 0), case(12, 7, 4, "same"), case(3, 6, 3, "valid"),
                  case(8, 3, 1, "same", 0), case(5, 4, 4, "valid", 3)],
    cases=[
        case(4, 3, 2),
        case(4, 3, 2, "same"),
        case(5, 5, 1, "same", 0),
        case(4, 3, 2, "same", 0),
        case(4, 3, 2, "same", 1),
        case(4, 3, 2, "valid", 1),
        case(7, 3, 2, "same"),
        case(2, 2, 2, "valid"),
        case(3, 4, 2, "valid", 1),
        case(5, 5, 1, "same"),
        case(7, 5, 3, "valid", 2),
        case(10, 5, 3, "same", 1),
        case(14, 3, 2, "same", 1),
    ],
    mistakes=[
        Mistake("the output padding is missing: when `output_padding` is a number, add it at the end, "
                "(n − 1)·stride + kernel − 2·p + output_padding.", impl=_forgot_output_padding),
        Mistake("this is the size formula of an ordinary (strided) Conv2D, which makes maps *smaller*. "
                "A transposed convolution goes the other way: (n − 1)·stride + kernel − 2·p + output_padding.",
                impl=_conv2d_formula),
        Mistake("for padding='same' you always return n·stride. That is Keras's choice only when "
                "`output_padding=None`; with a number, use the formula with p = kernel // 2.",
                impl=_same_always_n_stride),
        Mistake("`output_padding=None` is not the same as 0: with None Keras infers the size, n·stride for "
                "padding='same' and (n − 1)·stride + kernel for 'valid'.", impl=_none_as_zero),
        Mistake("the padding is subtracted once; it crops p = kernel // 2 rows on *both* sides: − 2·p.",
                impl=_padding_once),
        Mistake("padding='same' is treated like 'valid': 'same' crops p = kernel // 2 rows on both sides "
                "(or, with `output_padding=None`, gives n·stride).", impl=_padding_ignored),
    ],
    returns="int",
    hints=["Without padding, the last of the n stamps starts at (n − 1)·stride and covers `kernel` rows.",
           "With a number for `output_padding`: (n − 1)·stride + kernel − 2·p + output_padding, where p = 0 for "
           "'valid' and kernel // 2 for 'same'.",
           "With `output_padding=None`, Keras infers the size: n·stride for 'same', (n − 1)·stride + kernel for "
           "'valid' (when kernel ≥ stride)."],
    solution="The docstring's formula when `output_padding` is given, Keras's inferred size when it is None:",
    solution_code='''def transposed_size(n, kernel, stride, padding="valid", output_padding=None):
    if output_padding is None:
        return n * stride if padding == "same" else (n - 1) * stride + kernel
    p = kernel // 2 if padding == "same" else 0
    return (n - 1) * stride + kernel - 2 * p + output_padding''',
)


# ---- question 4: checkerboard artefacts -----------------------------------------------------------------
q_4 = ChoiceQuestion(
    "even_overlap", "b",
    {"a": "Conv2DTranspose(…, kernel_size=3, strides=2)",
     "b": "Conv2DTranspose(…, kernel_size=4, strides=2)",
     "c": "Conv2DTranspose(…, kernel_size=3, strides=2, padding='same')",
     "d": "Conv2DTranspose(…, kernel_size=5, strides=2)"},
    why_not={"a": "3 is not a multiple of 2: stamps 3 wide placed 2 apart overlap on every second row and column, "
                  "so inner pixels get 1, 2 or 4 stamps, a checkerboard.",
             "c": "padding='same' only crops the border of the output; inside, the stamps overlap exactly as "
                  "with kernel 3 and stride 2: 1, 2 or 4 stamps, a checkerboard.",
             "d": "5 is not a multiple of 2 either: along each axis inner pixels get 2 or 3 stamps (4, 6 or 9 "
                  "in 2-D), still a periodic pattern."},
    hints=["Count, along one axis, how many stamps of width k placed s apart cover each inner pixel.",
           "The count is the same for every pixel exactly when k is a multiple of s."],
    solution="(b): a 4-wide kernel moved by 2 covers every inner pixel exactly twice per axis (4 times in 2-D). "
             "An even overlap removes the built-in checkerboard, though learned weights can still differ between "
             "the four phases; resizing (UpSampling2D) and then convolving avoids the problem by construction.",
    solution_code='even_overlap = "b"',
)


# ---- question 5: a decoder that mirrors the encoder ----------------------------------------------------
def _hw(shape) -> str:
    return "×".join(str(s) for s in shape)


def _shape_of(tensor) -> tuple:
    return tuple(tensor.shape)[1:]


def _trace(model):
    """[(layer, input shape, output shape)] for the model's layers that map 4-D tensors to 4-D tensors."""
    rows = []
    for layer in model.layers:
        if _layer_kind(layer) == "InputLayer":
            continue
        try:
            rows.append((layer, _shape_of(layer.input), _shape_of(layer.output)))
        except Exception:
            continue
    return rows


def _decoder_is_model(model):
    return not_a_model(model, "decoder", f"keras.Input(shape={_CODE_SHAPE})")


def _decoder_input(model):
    shape = _shape_of(model.inputs[0])
    if shape == _CODE_SHAPE:
        return None
    if shape == (28, 28, 1):
        return ("`decoder` takes 28×28×1 images: that is the whole autoencoder. The decoder starts where the "
                f"encoder stops: `keras.Input(shape={_CODE_SHAPE})`.")
    return (f"`decoder` takes inputs of shape {shape}, but the encoder's output (the code) has shape "
            f"{_CODE_SHAPE}. Start with `keras.Input(shape={_CODE_SHAPE})`.")


def _decoder_size(model):
    out = _shape_of(model.outputs[0])
    if len(out) != 3:
        return (f"`decoder` outputs shape {out}; it must output images, (28, 28, 1). Keep the maps 3-D (no "
                "Flatten at the end).")
    if tuple(out[:2]) == (28, 28):
        return None
    # Follow the spatial size and compare it with the encoder's sizes read backwards (4 → 7 → 14 → 28).
    level, steps, first = 0, [f"{_CODE_SHAPE[0]} (input)"], None
    mirror = _ENC_SIZES[::-1]
    for layer, shape_in, shape_out in _trace(model):
        if len(shape_in) != 3 or len(shape_out) != 3:
            continue
        if shape_out[0] is not None and shape_in[0] is not None and shape_out[0] > shape_in[0]:
            level += 1
        steps.append(f"{shape_out[0]} ({layer.name})")
        want = mirror[min(level, len(mirror) - 1)]
        if first is None and shape_out[0] != want:
            first = (layer.name, shape_out[0], want)
    diff = out[0] - 28
    text = (f"the decoder outputs {_hw(out)}, but the images are 28×28×1: {abs(diff)} "
            f"{'rows and columns too many' if diff > 0 else 'rows and columns too few'}. Sizes layer by layer: "
            + " → ".join(steps) + ".")
    if first is not None:
        name, got, want = first
        text += (f" Against the encoder read backwards (4 → 7 → 14 → 28), the first layer that differs is "
                 f"`{name}`: {got} where the encoder had {want} ({got - want:+d}).")
    if diff == 4:
        text += (" You forgot the one convolution without padding: the encoder's 'same' pooling rounded 7 up to "
                 "4, so 4 → 8 → 16 → 32, and each doubling doubles the extra row (+1, +2, +4). A 3×3 Conv2D with "
                 "padding='valid' at 16×16 (16 → 14), before the last UpSampling2D, gives 14·2 = 28.")
    else:
        text += (" UpSampling2D(2) doubles the size, a 3×3 Conv2D with padding='valid' removes 2, one with "
                 "padding='same' keeps it.")
    return text


def _decoder_channels(model):
    channels = _shape_of(model.outputs[0])[-1]
    if channels == 1:
        return None
    return (f"the decoder outputs {channels} channels, but the images are grey, 1 channel: the last Conv2D "
            "needs `filters=1` (the encoder's first layer went 1 → 16; the decoder's last goes back to 1).")


_ACTIVATION_SAYS = {
    "relu": "ReLU outputs are unbounded above, but pixels lie in [0, 1] and binary crossentropy needs "
            "predictions strictly between 0 and 1.",
    "linear": "no activation leaves the output unbounded (negative or above 1), but pixels lie in [0, 1].",
    "softmax": "softmax over a single channel is exactly 1 at every pixel: the decoder could only draw white "
               "images.",
    "tanh": "tanh outputs lie in (−1, 1), but pixels lie in [0, 1].",
}


def _final_activation(model):
    """The activation applied last: of the last layer that has one (a separate ReLU/Activation layer counts)."""
    for layer in reversed(flat_layers(model)):
        name = activation_name(layer)
        if name is not None:
            return name
    return "linear"


def _decoder_activation(model):
    name = _final_activation(model)
    if name in ("sigmoid", "hard_sigmoid"):
        return None
    says = _ACTIVATION_SAYS.get(name, f"the final activation is {name!r}; pixels lie in [0, 1].")
    return f"wrong final activation: {says} End with `activation='sigmoid'`, which maps any number into (0, 1)."


def _decoder_mirrors(model):
    ups = [layer.name for layer, shape_in, shape_out in _trace(model)
           if len(shape_in) == 3 and len(shape_out) == 3 and shape_out[0] > shape_in[0]]
    if len(ups) == 3:
        return None
    return (f"the encoder halves the size three times (28 → 14 → 7 → 4); mirror it with three layers that "
            f"double it (UpSampling2D(2), or Conv2DTranspose with strides=2). Your decoder enlarges the maps in "
            f"{len(ups)} step{'s' if len(ups) != 1 else ''}" + (f" ({', '.join(ups)})." if ups else "."))


_DECODER_SOLUTION = '''decoder = keras.Sequential([
    keras.Input(shape=(4, 4, 8)),
    keras.layers.Conv2D(8, 3, activation="relu", padding="same"),     # 4×4×8
    keras.layers.UpSampling2D(2),                                     # 8×8×8
    keras.layers.Conv2D(8, 3, activation="relu", padding="same"),     # 8×8×8
    keras.layers.UpSampling2D(2),                                     # 16×16×8
    keras.layers.Conv2D(16, 3, activation="relu"),                    # 14×14×16: no padding, 16 → 14
    keras.layers.UpSampling2D(2),                                     # 28×28×16
    keras.layers.Conv2D(1, 3, activation="sigmoid", padding="same"),  # 28×28×1
], name="decoder")'''

q_5 = ObjectQuestion(
    "decoder",
    [_decoder_is_model, _decoder_input, _decoder_size, _decoder_channels, _decoder_activation, _decoder_mirrors],
    hints=["Read the encoder backwards: three Conv2D + UpSampling2D(2) steps take 4 → 8 → 16 → 32. Something "
           "must remove 4 rows.",
           "Give the third Conv2D no padding: at 16×16 a 3×3 'valid' convolution gives 14×14, and 14·2 = 28.",
           "End with `keras.layers.Conv2D(1, 3, activation='sigmoid', padding='same')`: one grey channel, "
           "values in (0, 1). Check with `decoder.output_shape` and `keras.Sequential([encoder, decoder])`."],
    solution="The seed's decoder with this encoder's channel counts: three upsamplings, one convolution without "
             "padding (16 → 14), and a 1-channel sigmoid output.",
    solution_code=_DECODER_SOLUTION,
    on_correct="The decoder maps the 4×4×8 code back to a 28×28×1 image.",
)


# ---- question 6: the loss for pixels in [0, 1] ---------------------------------------------------------

_LOSS_ACCEPTED = {
    "binary_crossentropy": "Binary crossentropy treats every pixel as the probability of ink, with the true brightness in [0, 1] "
           "as a soft target; it pairs with the sigmoid output and is the seed's choice. (Its minimum is not 0 "
           "for grey targets, so compare its values between models, not with 0.)",
    "mse": "Mean squared error compares brightnesses directly and is 0 for a perfect copy, which makes it easy "
           "to read; its gradients are smaller than binary crossentropy's near 0 and 1, so training can be a "
           "little slower. Both are standard for images in [0, 1].",
    "mae": "Mean absolute error works too (it blurs less than MSE but learns more slowly near the target); "
           "binary crossentropy and MSE are the usual choices.",
    "huber": "The Huber loss (MSE near the target, MAE far away) works too; binary crossentropy and MSE are the "
             "usual choices.",
    "log_cosh": "log-cosh behaves like MSE near the target and works too; binary crossentropy and MSE are the "
               "usual choices.",
}

_LOSS_REJECTED = {
    "categorical_crossentropy": "categorical crossentropy normalises the prediction over the last axis, and with a single channel "
           "every pixel becomes 1/1 = 1: the loss is 0 whatever the model outputs, so nothing is learned (Keras "
           "even warns about it). Pixels are independent values in [0, 1]: use 'binary_crossentropy' or 'mse'.",
    "sparse_categorical_crossentropy": "sparse categorical crossentropy expects integer class labels (one class index per pixel) and one "
            "output channel per class. The targets here are brightnesses in [0, 1] with a single channel, and "
            "the loss comes out 0 whatever the model does. Use 'binary_crossentropy' or 'mse'.",
    "accuracy": "accuracy is a metric, not a loss, and it counts exact class matches; brightness values are "
              "continuous. Use 'binary_crossentropy' or 'mse'.",
    "hinge": "hinge losses are for classifiers with labels −1/+1; the targets here are brightnesses in [0, 1].",
    "kl_divergence": "KL divergence compares probability distributions that sum to 1; a picture's pixels do not.",
    "poisson": "the Poisson loss is for counts; the targets here are brightnesses in [0, 1].",
    "cosine_similarity": "cosine similarity ignores how bright the image is (only its direction counts), so a faint copy "
              "would score perfectly.",
}


_LOSS_FROM_LOGITS = ("`from_logits=True` tells the loss that the model outputs raw scores and applies a sigmoid "
                     "itself; but the decoder already ends with a sigmoid, so it would be applied twice. Leave "
                     "`from_logits` at its default, False.")
_LOSS_UNKNOWN = ("{name} is not a Keras loss that fits pixels in [0, 1]. Think of each pixel as a number between 0 "
                 "and 1 that the model should reproduce.")


q_6 = LossQuestion(
    "recon_loss", accepted=_LOSS_ACCEPTED, wrong=_LOSS_REJECTED, from_logits_says=_LOSS_FROM_LOGITS,
    unknown_says=_LOSS_UNKNOWN, otherwise="that loss does not suit brightnesses in [0, 1]: use 'binary_crossentropy' "
    "or 'mse'.",
    hints=["The target of every output pixel is a brightness between 0 and 1, and the decoder ends with a "
           "sigmoid. Is this one class out of many, or many separate numbers?",
           "Each pixel is its own number in [0, 1]: a per-pixel loss, either a cross-entropy for one 'probability' "
           "per pixel or a squared difference."],
    solution="'binary_crossentropy' (the seed's choice: each pixel a probability of ink, the sigmoid output) or "
             "'mse' (the squared difference of brightnesses). Categorical losses compare one class out of many "
             "along the channel axis; with one channel they are 0 whatever the model does.",
    solution_code='recon_loss = "binary_crossentropy"',
)


# ---- question 7: train a denoiser ----------------------------------------------------------------------
NOISE_STD = 0.5
TARGET_MSE = 0.016


# The offline digits at 28×28 (train / validation / test); calling it also starts noting what `fit` trains on.
digits_split = watched(datasets.digits_split)


def add_noise(x, std=NOISE_STD, seed=0):
    """Gaussian noise of standard deviation ``std`` (seeded), clipped back into [0, 1]."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float32)
    return np.clip(x + rng.normal(0.0, std, x.shape), 0.0, 1.0).astype(np.float32)


def noisy_digits():
    """(noisy inputs, clean targets) for training: the training split of the digits."""
    data = digits_split()
    return add_noise(data.x_train, seed=0), data.x_train


_NOISE_SEEDS = {"val": 1, "test": 7}       # fresh noise, never the training noise


def _noisy(clean, split):
    return add_noise(clean, seed=_NOISE_SEEDS[split])


def _noisy_mse(j) -> float:
    return float(np.mean((j.inputs - j.clean) ** 2))


def _constant_output(j):
    if float(j.pred.std(axis=0).mean()) < 0.05:
        if not j.steps:
            return (f"the output hardly changes from one image to the next (MSE {j.score:.4f}): `{j.var}` was never "
                    f"fitted. Call `{j.var}.fit(x_noisy, x_clean, ...)` on this model, for a few epochs.")
        return (f"the output hardly changes from one image to the next (MSE {j.score:.4f}) after {j.steps} training "
                "steps: the model has not learned yet. Train a few more epochs, and check that the last layer is a "
                "1-channel sigmoid Conv2D.")
    return None


def _copies_noise(j):
    noisy_mse = _noisy_mse(j)
    if float(np.mean((j.pred - j.inputs) ** 2)) < 0.1 * noisy_mse:
        return (f"the output is almost exactly the noisy input (MSE to the clean images {j.score:.4f}, the same as "
                f"doing nothing, {noisy_mse:.4f}): the model copies the noise. Train it to output the *clean* "
                "images: `fit(x_noisy, x_clean)`, with a bottleneck (pooling) so that it cannot simply pass every "
                "pixel through.")
    return None


def _worse_than_noise(j):
    noisy_mse = _noisy_mse(j)
    if j.score >= noisy_mse:
        trained = ("was never fitted" if not j.steps else f"is worse after {j.steps} training steps")
        return (f"mean squared error {j.score:.4f} to the clean images, worse than the noisy input itself "
                f"({noisy_mse:.4f}): `{j.var}` {trained}. Call `{j.var}.fit(x_noisy, x_clean, ...)` on this model "
                "for a few epochs and watch the loss go down.")
    return None


def _grey_background(j):
    background = j.clean == 0
    level = float(j.pred[background].mean())
    if level > 0.1:
        return (f"the background is grey: where the digits are black, your output has an average brightness of "
                f"{level:.2f} (the noisy input averages {float(j.inputs[background].mean()):.2f} there, the clean "
                "digits 0). Either the model learned to reproduce noisy images, because the targets were noisy "
                "(`fit(x_noisy, x_noisy)`; the targets must be the clean images, `fit(x_noisy, x_clean)`), or it "
                "needs more epochs to learn that the background is black.")
    return None


def _helps_but_not_enough(j):
    return (f"the model helps, from {_noisy_mse(j):.4f} (noisy input) to {j.score:.4f}, but the goal is at most "
            f"{TARGET_MSE}. Train a few more epochs, or give it more filters.")


q_7 = TrainedModelQuestion(
    "denoiser", data=digits_split, input_shape=(28, 28, 1), metric="mse", target=TARGET_MSE,
    hidden_minimum=TARGET_MSE, inputs=_noisy, first_layer="keras.Input(shape=(28, 28, 1))",
    fit_call="denoiser.fit(x_noisy, x_clean, ...)", items="digits",
    diagnoses=[_constant_output, _copies_noise, _worse_than_noise, _grey_background, _helps_but_not_enough],
    hints=["A small convolutional autoencoder is enough: Conv2D + MaxPooling2D down, Conv2D + UpSampling2D up, "
           "and a 1-channel sigmoid Conv2D at the end, all with padding='same'.",
           "Inputs are `x_noisy`, targets are `x_clean`: `denoiser.fit(x_noisy, x_clean, epochs=5, batch_size=32, "
           "verbose=2)` prints each epoch (5 epochs took 5–7 s of CPU time on a 2-core machine). Compile with "
           "optimizer='adam' and loss='binary_crossentropy'."],
    solution="A one-pooling convolutional autoencoder, trained for 5 epochs to map noisy digits to clean ones:",
    solution_code='''x_noisy, x_clean = noisy_digits()
keras.utils.set_random_seed(0)
denoiser = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(16, 3, activation="relu", padding="same"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(8, 3, activation="relu", padding="same"),
    keras.layers.UpSampling2D(2),
    keras.layers.Conv2D(1, 3, activation="sigmoid", padding="same"),
])
denoiser.compile(optimizer="adam", loss="binary_crossentropy")
denoiser.fit(x_noisy, x_clean, epochs=5, batch_size=32, verbose=2)''',
)

label_questions(globals())
