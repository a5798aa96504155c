"""Checks for the exercise of chapter 3, "Multi-channel and 3D convolution".

Keras is never imported here: a student's Keras layer can only exist if the notebook
imported Keras already, so the checks look its classes up in ``sys.modules``.
"""
from __future__ import annotations


import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.engine.placeholder import ____
from grader.engine.values import loaded_object as _library_object
from grader.engine.questions import (ShapeQuestion, ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ObjectQuestion,
                              ValueQuestion, case, label_questions)
from grader.engine.values import describe, is_tensor, show_value

__all__ = ["____", "image_q", "kernel_q", "batch_q", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7", "q_8"]

# The 5×5 RGB image and the two 3×3×3 filters of the lesson (shape (kh, kw, cin, cout)).
image_q = np.array([
    [[1, 0, 1], [1, 1, 1], [1, 1, 1], [0, 0, 1], [0, 1, 0]],
    [[0, 0, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [1, 1, 0], [1, 1, 1], [1, 0, 1]],
    [[0, 0, 0], [0, 0, 1], [1, 1, 1], [1, 1, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0]],
], dtype=np.float32)
kernel_q = np.array([
    [[[1, 1], [0, 1], [-1, -1]], [[0, 0], [-1, 0], [0, 0]], [[1, 1], [0, 1], [0, 0]]],
    [[[0, 0], [-1, 0], [0, 0]], [[1, 1], [1, 1], [1, 1]], [[0, 0], [-1, 0], [0, 0]]],
    [[[1, 1], [1, 1], [0, 0]], [[0, 0], [-1, 0], [0, 0]], [[1, 1], [0, 1], [-1, -1]]],
], dtype=np.float32)
# A batch of 2 images, 5 rows, 4 columns, 3 channels, numbered so that every value says where it was.
batch_q = np.arange(2 * 5 * 4 * 3).reshape(2, 5, 4, 3)



# ---- question 1: kernel tensor shapes ---------------------------------------------------
q_1 = MultipartQuestion(
    a=ShapeQuestion(
        "kernel_shape_2d", (5, 3, 3, 32),
        mistakes={
            (5, 3, 32): "the input channels are missing: each filter spans all 3 channels of the RGB input, so "
                        "the kernel has four axes, (kh, kw, cin, cout).",
            (5, 3, 3): "that is the shape of one filter. The kernel tensor holds all 32 of them, stacked along a "
                       "last axis: (kh, kw, cin, cout).",
            (32, 3, 5, 3): "that is PyTorch's order, (cout, cin, kh, kw). Keras puts the filter axis last: "
                           "(kh, kw, cin, cout).",
            (5, 3, 32, 3): "cin and cout are swapped: the input channels come before the number of filters, "
                           "(kh, kw, cin, cout).",
            (3, 5, 3, 32): "height and width are swapped: `kernel_size=(5, 3)` means 5 rows (kh) and 3 columns "
                           "(kw).",
            (5, 3, 1, 32): "cin is the number of channels of the input, 3 for an RGB image, not 1.",
            (64, 64, 3, 32): "the kernel does not depend on the image size: it has kh × kw = 5 × 3 positions.",
        },
        hints=["A Keras kernel tensor has the axes (kh, kw, cin, cout).",
               "kh, kw come from `kernel_size`, cin from the input's last axis, cout from `filters`."],
        solution="(kh, kw, cin, cout) = (5, 3, 3, 32): 32 filters, each 5 rows × 3 columns × 3 channels.",
        solution_code="kernel_shape_2d = (5, 3, 3, 32)"),
    b=ShapeQuestion(
        "kernel_shape_3d", (3, 3, 3, 3, 8),
        mistakes={
            (3, 3, 3, 8): "the input channels are missing: a Conv3D kernel has five axes, (kd, kh, kw, cin, cout), "
                          "and the frames have 3 colour channels.",
            (3, 3, 3, 3): "the number of filters is missing: the last axis of the kernel is cout = 8.",
            (3, 3, 8): "that is a 2-D kernel without its input channels. A Conv3D kernel has five axes: "
                       "(kd, kh, kw, cin, cout).",
            (8, 3, 3, 3, 3): "that is PyTorch's order, (cout, cin, kd, kh, kw). Keras puts the filter axis last.",
            (3, 3, 3, 16, 8): "the 16 frames are not channels: in Conv3D time is an axis the kernel slides along "
                              "(kd = 3). cin is the 3 colours.",
            (3, 3, 48, 8): "that would be a Conv2D reading the 16 frames × 3 colours as 48 channels. Conv3D slides "
                           "along time instead: (kd, kh, kw, cin, cout).",
        },
        hints=["A Conv3D kernel has the axes (kd, kh, kw, cin, cout).",
               "`kernel_size=3` means 3 in each of the three sliding directions (time, rows, columns); the "
               "colours are the channels."],
        solution="(kd, kh, kw, cin, cout) = (3, 3, 3, 3, 8): the filter slides along time, rows and columns, and "
                 "spans the 3 colour channels.",
        solution_code="kernel_shape_3d = (3, 3, 3, 3, 8)"),
)


# ---- question 2: parameter counts -------------------------------------------------------
def _times_output(counts: tuple, positions: tuple):
    """True when the answer is a right count times a number of output positions of this layer."""
    def when(a):
        if a.ndim != 0 or not np.isfinite(a) or a != np.floor(a):
            return False
        return int(a) in {w * n for w in counts for n in positions}
    return when


def _output_size_says(count: str) -> str:
    return (f"you multiplied by the size of the output. The weights are shared by every position, so the count "
            f"is {count} whatever the image size; counting once per output position gives the number of "
            "multiplications, not of parameters.")


q_2 = MultipartQuestion(
    a=ValueQuestion(
        "params_a", 1792, kind="int",
        mistakes=[Mistake("1728 forgets the biases: every filter has one, (kh·kw·cin + 1)·cout.", value=1728),
                  Mistake("640 forgets the input channels: each filter is 3×3×3, not 3×3.", value=640),
                  Mistake("576 forgets the input channels and the biases: (3·3·3 + 1)·64.", value=576),
                  Mistake("1729 counts one bias for the whole layer; there is one bias per filter, 64 in all.",
                          value=1729),
                  Mistake(_output_size_says("(kh·kw·cin + 1)·cout"), when=_times_output((1792, 1728), (30 * 30, 32 * 32)))],
        hints=["Parameters = (kh·kw·cin + 1)·cout: every filter has kh·kw·cin weights and one bias.",
               "kh = kw = 3, cin = 3 (RGB), cout = 64."],
        solution="(3·3·3 + 1)·64 = 28·64 = 1792.", solution_code="params_a = (3 * 3 * 3 + 1) * 64"),
    b=ValueQuestion(
        "params_b", 73856, kind="int",
        mistakes=[Mistake("73728 forgets the biases: (kh·kw·cin + 1)·cout.", value=73728),
                  Mistake("3584 uses cin = 3, the colours of the image. This layer reads the output of the first "
                          "one: its input has 64 channels, one per filter of the first layer.", value=3584),
                  Mistake("3456 uses cin = 3 and forgets the biases. This layer's input has 64 channels.",
                          value=3456),
                  Mistake("1280 forgets the input channels: each filter is 3×3×64.", value=1280),
                  Mistake("1152 forgets the input channels and the biases.", value=1152),
                  Mistake("75648 is the total of both layers; the question asks for the second layer only.",
                          value=75648),
                  Mistake(_output_size_says("(kh·kw·cin + 1)·cout"), when=_times_output((73856, 73728), (28 * 28, 30 * 30, 32 * 32)))],
        hints=["The input of the second layer is the output of the first: how many channels does it have?",
               "cin = 64 (the first layer's filters), cout = 128."],
        solution="(3·3·64 + 1)·128 = 577·128 = 73856.", solution_code="params_b = (3 * 3 * 64 + 1) * 128"),
    c=ValueQuestion(
        "params_c", 1200, kind="int",
        mistakes=[Mistake("1216 adds 16 biases, but the layer has `use_bias=False`: weights only.", value=1216),
                  Mistake("400 forgets the input channels: each filter is 5×5×3.", value=400),
                  Mistake("6220800 is a dense unit on the raw pixels (1920·1080·3), the number this layer is "
                          "compared with; the convolution needs far fewer.", value=6220800),
                  Mistake("the stride does not change the number of weights: it only changes where the filter is "
                          "placed. Each filter still has 5·5·3 weights.", value=240),
                  Mistake("the stride does not change the number of weights: each filter still has 5·5·3.",
                          value=48),
                  Mistake(_output_size_says("kh·kw·cin·cout"), when=_times_output((1216, 1200), (384 * 216, 1920 * 1080)))],
        hints=["The image size and the stride do not appear in the formula.",
               "Without bias: kh·kw·cin·cout = 5·5·3·16."],
        solution="5·5·3·16 = 1200, the same for any image size. (A single dense unit on the same photo would need "
                 "1920·1080·3 = 6,220,800.)",
        solution_code="params_c = 5 * 5 * 3 * 16"),
)


# ---- question 3: output shapes ------------------------------------------------------------
q_3 = MultipartQuestion(
    a=ShapeQuestion(
        "out_shape_2d", (26, 36, 8),
        mistakes={
            (26, 36, 3): "the output has one channel per filter, 8, not the input's 3 channels.",
            (28, 40, 8): "that is the shape with `padding='same'`. The default, 'valid', loses kh − 1 rows and "
                         "kw − 1 columns.",
            (24, 38, 8): "height and width of the kernel are swapped: `kernel_size=(3, 5)` is 3 rows and 5 "
                         "columns, so h − 3 + 1 and w − 5 + 1.",
            (8, 26, 36): "that is channels_first. Keras puts the channels last: (h', w', cout).",
            (25, 35, 8): "one short in each direction: there are h − kh + 1 positions, not h − kh.",
            (26, 36, 3, 8): "each filter adds up its products over all input channels: the input channels do not "
                            "survive as an axis.",
            (26, 36, 24): "the input channels are summed inside each filter, not multiplied with the filters: "
                          "there are 8 output channels.",
        },
        hints=["'valid' output: (h − kh + 1, w − kw + 1, cout).",
               "kh = 3, kw = 5; cout = `filters` = 8."],
        solution="(28 − 3 + 1, 40 − 5 + 1, 8) = (26, 36, 8).",
        solution_code="out_shape_2d = (28 - 3 + 1, 40 - 5 + 1, 8)"),
    b=ShapeQuestion(
        "out_shape_3d", (14, 60, 60, 4),
        mistakes={
            (16, 60, 60, 4): "the kernel also slides along time (kd = 3), so the clip loses kd − 1 frames: "
                             "16 − 3 + 1.",
            (14, 60, 60, 3): "the output has one channel per filter, 4, not the input's 3 colours.",
            (60, 60, 4): "a Conv3D keeps all three sliding axes: (d', h', w', cout).",
            (4, 14, 60, 60): "that is channels_first. Keras puts the channels last: (d', h', w', cout).",
            (13, 59, 59, 4): "one short in each direction: there are n − k + 1 positions, not n − k.",
            (14, 60, 60, 3, 4): "each filter adds up its products over all input channels: the colours do not "
                                "survive as an axis.",
            (14, 60, 60, 12): "the colours are summed inside each filter, not multiplied with the filters: there are "
                              "4 output channels.",
            (14, 62, 62, 4): "`kernel_size=(3, 5, 5)` is 3 frames × 5 rows × 5 columns: rows and columns lose 4 "
                             "each.",
        },
        hints=["'valid' output: (d − kd + 1, h − kh + 1, w − kw + 1, cout).",
               "d = 16 frames, kd = 3; h = w = 64, kh = kw = 5; cout = 4."],
        solution="(16 − 3 + 1, 64 − 5 + 1, 64 − 5 + 1, 4) = (14, 60, 60, 4).",
        solution_code="out_shape_3d = (16 - 3 + 1, 64 - 5 + 1, 64 - 5 + 1, 4)"),
)


# ---- question 4: channels_first --------------------------------------------------------------
q_4 = ValueQuestion(
    "batch_cf", lambda: np.moveaxis(batch_q, -1, 1), kind="array",
    mistakes=[
        Mistake("the shape is right but the numbers are scrambled: `reshape` re-reads the values in memory order, "
                "so each new 'channel' mixes pixels and colours. Move the axis instead: `np.moveaxis`.",
                value=lambda: batch_q.reshape(2, 3, 5, 4)),
        Mistake("`np.swapaxes(batch_q, 1, 3)` exchanges the channels with the *width*, so height and width end up "
                "in the wrong order, (2, 3, 4, 5). `np.moveaxis(batch_q, -1, 1)` moves only the channel axis.",
                value=lambda: np.swapaxes(batch_q, 1, 3)),
        Mistake("`transpose` with no arguments reverses all axes, (3, 4, 5, 2): the batch axis must stay first.",
                value=lambda: np.transpose(batch_q)),
        Mistake("the channel axis went in front of the batch axis, (3, 2, 5, 4). channels_first keeps the batch "
                "axis first: (batch, c, h, w).", value=lambda: np.moveaxis(batch_q, -1, 0)),
        Mistake("that is one image, not the batch: keep all 2 images, shape (2, 3, 5, 4).",
                when=lambda a: a.shape == (3, 5, 4)),
        Mistake("unchanged: `batch_q` is channels_last, (2, 5, 4, 3). Move the last axis to position 1.",
                value=lambda: batch_q),
    ],
    hints=["channels_first is (batch, c, h, w): the channel axis moves from the end to position 1.",
           "`np.moveaxis(a, source, destination)` moves one axis and keeps the others in order."],
    solution="Move the last axis to position 1; the other axes keep their order:",
    solution_code="batch_cf = np.moveaxis(batch_q, -1, 1)   # or np.transpose(batch_q, (0, 3, 1, 2))",
)


# ---- question 5: conv2d_multi from scratch ------------------------------------------------
def reference_conv2d_multi(image, kernels):
    image, kernels = np.asarray(image, dtype=float), np.asarray(kernels, dtype=float)
    kh, kw = kernels.shape[:2]
    windows = sliding_window_view(image, (kh, kw), axis=(0, 1))        # (h', w', cin, kh, kw)
    return np.einsum("ijcuv,uvco->ijo", windows, kernels)


def _per_channel(image, kernels):
    image, kernels = np.asarray(image, dtype=float), np.asarray(kernels, dtype=float)
    windows = sliding_window_view(image, kernels.shape[:2], axis=(0, 1))
    return np.einsum("ijcuv,uvco->ijco", windows, kernels)


def _first_channel_only(image, kernels):
    return reference_conv2d_multi(np.asarray(image)[..., :1], np.asarray(kernels)[:, :, :1])


def _flipped(image, kernels):
    return reference_conv2d_multi(image, np.asarray(kernels)[::-1, ::-1])


def _flipped_all(image, kernels):
    return reference_conv2d_multi(image, np.asarray(kernels)[::-1, ::-1, ::-1])


def _channels_first_output(image, kernels):
    return np.moveaxis(reference_conv2d_multi(image, kernels), -1, 0)


def _rows_and_columns_swapped(image, kernels):
    return np.swapaxes(reference_conv2d_multi(image, kernels), 0, 1)


def _last_position_missing(image, kernels):
    return reference_conv2d_multi(image, kernels)[:-1, :-1]


_rng = np.random.default_rng(3)

q_5 = FunctionQuestion(
    "conv2d_multi", reference_conv2d_multi,
    # the hidden test: random sizes, channels and filters
    hidden_cases=lambda: [case(rng.normal(size=(h, w, c)), rng.normal(size=(kh, kw, c, o)))
                          for rng in [np.random.default_rng(2026)]
                          for h, w, c, kh, kw, o in [(6, 6, 2, 3, 3, 1), (8, 5, 3, 4, 2, 2), (9, 11, 5, 3, 5, 3),
                                                     (4, 7, 1, 4, 1, 4), (10, 10, 6, 1, 1, 5)]],
    forbidden={"scipy": "the task is NumPy only: the sums over rows, columns and channels are the exercise.",
               "tensorflow": "the task is NumPy only.", "keras": "the task is NumPy only."},
    cases=[
        case(np.array([[[1], [2]], [[3], [4]]]), np.array([[[[2]]]])),
        case(np.arange(18).reshape(3, 3, 2), np.array([[[[1], [0]], [[0], [0]]], [[[0], [0]], [[0], [-1]]]])),
        case(np.arange(24).reshape(3, 4, 2) % 5, np.arange(24).reshape(2, 3, 2, 2) % 3 - 1),
        case(image_q, kernel_q),
        case(np.arange(48).reshape(4, 4, 3) % 7, np.array([[[[1, 0], [0, 1], [2, -1]]]])),
        case(_rng.integers(-4, 5, size=(6, 5, 4)), _rng.integers(-2, 3, size=(3, 2, 4, 3))),
        case(_rng.normal(size=(7, 6, 3)), _rng.normal(size=(3, 3, 3, 4))),
    ],
    mistakes=[
        Mistake("you keep one result per input channel. A filter multiplies a kh × kw × cin block and adds *all* "
                "its products, over the channels too: one number per position and filter.", impl=_per_channel),
        Mistake("only the first input channel is used. Each filter reads all cin channels: sum over "
                "`image[i:i+kh, j:j+kw, :] * kernels[:, :, :, o]`.", impl=_first_channel_only),
        Mistake("the kernel is flipped: that is true convolution. Keras's Conv2D, and this function, slide the "
                "kernel as it is (cross-correlation).", impl=_flipped),
        Mistake("the kernel is flipped along all three axes, channels included (true convolution in 3-D, what "
                "`scipy.signal.convolve` computes). Slide it as it is, with no flip.", impl=_flipped_all),
        Mistake("the axes of the output are in the order (cout, h', w'). Keras puts the filter axis last: "
                "(h', w', cout), e.g. `np.stack(maps, axis=-1)` or `np.moveaxis(out, 0, -1)`.",
                impl=_channels_first_output),
        Mistake("rows and columns of the output are swapped: `out[i, j]` must hold the window that starts at "
                "row i, column j.", impl=_rows_and_columns_swapped),
        Mistake("the last row and column of the output are missing: there are h − kh + 1 rows and w − kw + 1 "
                "columns of positions.", impl=_last_position_missing),
    ],
    hints=["Loop over the output positions i in range(h − kh + 1) and j in range(w − kw + 1). At each one, take "
           "the block `image[i:i+kh, j:j+kw, :]` (shape (kh, kw, cin)).",
           "For filter o, `np.sum(block * kernels[:, :, :, o])` is one output value. Or do all filters at once: "
           "`np.einsum('uvc,uvco->o', block, kernels)` or `np.tensordot(block, kernels, axes=3)`.",
           "Create the result with `np.zeros((h - kh + 1, w - kw + 1, cout))` and fill `out[i, j, o]`."],
    solution="Slide over the valid positions; at each, multiply the block with every filter and sum over rows, "
             "columns and channels:",
    solution_code='''def conv2d_multi(image, kernels):
    image, kernels = np.asarray(image, dtype=float), np.asarray(kernels, dtype=float)
    h, w, cin = image.shape
    kh, kw, _, cout = kernels.shape
    out = np.zeros((h - kh + 1, w - kw + 1, cout))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            block = image[i:i + kh, j:j + kw, :]                      # (kh, kw, cin)
            out[i, j] = np.tensordot(block, kernels, axes=3)          # sums over kh, kw, cin -> (cout,)
    return out''',
)


# ---- question 6: the lesson's kernel in a Keras layer ----------------------------------------
def _keras_class(name: str):
    return _library_object(f"keras.layers.{name}")


def _is_conv2d_layer(layer):
    conv2d = _keras_class("Conv2D")
    if conv2d is not None and isinstance(layer, conv2d):
        return None
    if is_tensor(layer) or isinstance(layer, np.ndarray):
        return ("`layer` holds numbers (the result of calling a layer). Keep the layer object itself: "
                "`layer = keras.layers.Conv2D(...)`, and call it on a separate line.")
    for other, says in [("Conv3D", "`Conv3D` slides along three axes; a 2-D image needs `keras.layers.Conv2D`."),
                        ("Conv1D", "`Conv1D` slides along one axis; a 2-D image needs `keras.layers.Conv2D`."),
                        ("Dense", "a `Dense` layer has no sliding kernel; use `keras.layers.Conv2D`.")]:
        cls = _keras_class(other)
        if cls is not None and isinstance(layer, cls):
            return says
    layer_class = _keras_class("Layer")
    if layer_class is not None and isinstance(layer, layer_class):
        return f"`layer` is a Keras layer of type `{type(layer).__name__}`; the question asks for a `Conv2D`."
    return f"`layer` should be a `keras.layers.Conv2D` layer, but it is {describe(layer)}."


def _layer_settings(layer):
    config = layer.get_config()
    if config.get("filters") != 2:
        return (f"the layer has {config.get('filters')} filters; `kernel_q` holds 2 (its last axis, cout): "
                "`filters=2`.")
    if tuple(config.get("kernel_size", ())) != (3, 3):
        return f"`kernel_size` is {tuple(config.get('kernel_size', ()))}; the filters of `kernel_q` are 3×3."
    if tuple(config.get("strides", ())) != (1, 1):
        return f"`strides` is {tuple(config.get('strides', ()))}: leave it at 1 to get every position."
    if config.get("padding") != "valid":
        return (f"`padding='{config.get('padding')}'` pads the image and gives 5×5 maps; use the default, "
                "'valid', which gives 3×3 maps like the lesson.")
    if config.get("data_format") not in (None, "channels_last"):
        return "`data_format` must stay 'channels_last' (the image is (h, w, c), and CPUs need it)."
    if tuple(config.get("dilation_rate", (1, 1))) != (1, 1):
        return "leave `dilation_rate` at its default, 1."
    if config.get("activation") not in (None, "linear"):
        return (f"the layer has `activation='{config.get('activation')}'`; leave the default (no activation) so "
                "that it outputs the plain sums.")
    return None


def _layer_built(layer):
    if not getattr(layer, "built", False) or not layer.get_weights():
        return ("the layer has no weights yet: Keras creates them the first time the layer is called. Call it "
                "once on a batch of one image: `layer(image_q[np.newaxis])`.")
    return None


def _layer_kernel(layer):
    kernel = np.asarray(layer.get_weights()[0])
    if kernel.shape != kernel_q.shape:
        return (f"the kernel has shape {kernel.shape}, but `kernel_q` has shape {kernel_q.shape}: the layer was "
                "built for a different input. Call it on `image_q[np.newaxis]`, shape (1, 5, 5, 3).")
    if np.allclose(kernel, kernel_q):
        return None
    if np.allclose(kernel, kernel_q[::-1, ::-1]):
        return "the kernel is flipped. Keras does not flip: give `kernel_q` exactly as it is."
    if np.allclose(kernel, np.moveaxis(kernel_q, 2, 0)) or np.allclose(kernel, np.moveaxis(kernel_q, 0, 2)):
        return ("the kernel's axes were moved: `kernel_q` is already in Keras's order (kh, kw, cin, cout). "
                "Give it as it is.")
    if np.all(kernel == kernel.flat[0]):
        return (f"every weight is {show_value(kernel.flat[0])}: `keras.initializers.Constant(...)` needs the whole "
                "array `kernel_q`, not a single number.")
    if not np.allclose(kernel, np.round(kernel)):
        return ("the kernel holds random numbers, Keras's default initial weights. Give the layer "
                "`kernel_initializer=keras.initializers.Constant(kernel_q)`, or call "
                "`layer.set_weights([kernel_q, np.zeros(2)])` after building it.")
    wrong = int(np.sum(~np.isclose(kernel, kernel_q)))
    return f"{wrong} of the {kernel_q.size} kernel weights differ from `kernel_q`."


def _layer_bias(layer):
    weights = layer.get_weights()
    if len(weights) > 1 and not np.allclose(weights[1], 0):
        return (f"the biases are {show_value(weights[1])}: with a bias the maps are shifted. Keep the default "
                "zero bias (or `use_bias=False`).")
    return None


q_6 = ObjectQuestion(
    "layer", [_is_conv2d_layer, _layer_settings, _layer_built, _layer_kernel, _layer_bias],
    hints=["`keras.layers.Conv2D(filters=..., kernel_size=..., kernel_initializer=...)`: the kernel's shape "
           "(kh, kw, cin, cout) tells you `kernel_size` and `filters`.",
           "`kernel_initializer=keras.initializers.Constant(kernel_q)` puts the array in the layer when it is "
           "built; calling `layer(image_q[np.newaxis])` builds it."],
    solution="Two 3×3 filters, initialised with `kernel_q`; calling the layer once builds it:",
    solution_code="layer = keras.layers.Conv2D(filters=2, kernel_size=3,\n"
                  "                            kernel_initializer=keras.initializers.Constant(kernel_q))\n"
                  "maps_keras = layer(image_q[np.newaxis])   # (1, 3, 3, 2), the same as conv2d_multi(image_q, kernel_q)",
)


# ---- question 7: a 1×1 kernel -------------------------------------------------------------------
LUMA = np.array([0.2125, 0.7154, 0.0721])

q_7 = ValueQuestion(
    "gray_kernel", LUMA.reshape(1, 1, 3, 1),
    mistakes=[
        Mistake("right weights, but a Conv2D kernel has four axes (kh, kw, cin, cout): reshape it to "
                "(1, 1, 3, 1).", when=lambda a: a.size == 3 and np.allclose(a.ravel(), LUMA)
                and a.shape != (1, 1, 3, 1) and a.shape not in ((1, 1, 1, 3), (3, 1, 1, 1))),
        Mistake("cin and cout are swapped: (1, 1, 1, 3) reads 1 channel and makes 3. The kernel reads 3 "
                "channels and makes 1: (1, 1, 3, 1).", value=LUMA.reshape(1, 1, 1, 3)),
        Mistake("the 3 is on the kernel-height axis: (3, 1, 1, 1) is a 3×1 filter over a single channel. The 3 "
                "colours are the input channels: (1, 1, 3, 1).", value=LUMA.reshape(3, 1, 1, 1)),
        Mistake("the weights are in reverse order (B, G, R). The channels are R, G, B: 0.2125 goes with red.",
                value=LUMA[::-1].reshape(1, 1, 3, 1)),
        Mistake("those are the Rec. 601 weights (0.299, 0.587, 0.114) used by OpenCV and Pillow; skimage's "
                "`rgb2gray` uses 0.2125, 0.7154, 0.0721.",
                when=lambda a: a.size == 3 and np.allclose(a.ravel(), [0.299, 0.587, 0.114])),
        Mistake("equal weights give the plain mean of R, G and B; luminance weighs green most: 0.2125, 0.7154, "
                "0.0721.", when=lambda a: a.size == 3 and np.allclose(a.ravel(), a.ravel()[0])),
    ],
    hints=["A 1×1 kernel has shape (1, 1, cin, cout); here cin = 3 (R, G, B) and cout = 1 (gray).",
           "`np.array([0.2125, 0.7154, 0.0721]).reshape(1, 1, 3, 1)`."],
    solution="The three weights along the input-channel axis, in R, G, B order:",
    solution_code="gray_kernel = np.array([0.2125, 0.7154, 0.0721]).reshape(1, 1, 3, 1)\n"
                  "# keras.layers.Conv2D(1, 1, use_bias=False, kernel_initializer=keras.initializers.Constant("
                  "gray_kernel))\n# turns an (h, w, 3) image into skimage.color.rgb2gray(image)[..., None]",
)

q_8 = ChoiceQuestion(
    "dense_equals", "a",
    {"a": "`Conv2D(16, kernel_size=1)`: the same (64 + 1) · 16 = 1,040 parameters, applied at every pixel, never mixing different pixels.",
     "b": "`Conv2D(16, kernel_size=3)`: it also sees each pixel's neighbours.",
     "c": "A `Dense(16)` layer on the flattened map, with h · w · 64 · 16 weights.",
     "d": "`Conv2D(64, kernel_size=1)`."},
    why_not={"b": "a Dense layer multiplies only the last axis (the 64 channels) by its weight matrix, pixel by pixel: it never looks at a neighbour, so its window is 1×1.",
             "c": "that layer would connect every pixel with every output unit. Keras's Dense on a 3-D input acts on the last axis only, at every position separately.",
             "d": "the output has 16 channels, so the layer needs 16 filters, not 64."},
    hints=["Which axis does a Dense layer multiply by its weight matrix when its input has more than one axis?"],
    solution="(a): " + "Keras's Dense layer multiplies the *last* axis of its input by a (cin, cout) matrix and adds a bias, "
             "at every position of the other axes. On a feature map (h, w, cin) that is exactly a 1×1 convolution "
             "with kernel W.reshape(1, 1, cin, cout): the same (cin + 1)·cout parameters, the same numbers at every "
             "pixel. It is not the 'dense layer on the flattened image' of the parameter count: that one would "
             "connect every pixel with every output, h·w·cin weights per unit, while the 1×1 convolution never "
             "mixes different pixels.",
    solution_code="dense_equals = \"a\"",
)

label_questions(globals())
