"""Checks for the exercise of chapter 12, "Going further: convolution under the hood".

Everything is numpy float64; tests prove the references equal TensorFlow (tf.nn.conv2d and
tf.GradientTape, tf.nn.max_pool2d / avg_pool2d gradients).
"""
from __future__ import annotations

import numpy as np

from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ShapeQuestion,
                                     ValueQuestion, case, label_questions)
from grader.engine.functions import case_from

__all__ = ["____", "pool_map", "pool_dy", "q4_inputs", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6"]


# ---- the references --------------------------------------------------------------------
def same_pads(n, k, stride):
    """(before, after) zero padding of TensorFlow's 'same' along an axis of length n."""
    out = -(-n // stride)
    total = max((out - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def _pad(x, k, stride, padding, extra_first=False, symmetric=False):
    """x padded for the convolution, and the (before, after) pads of rows and of columns."""
    x = np.asarray(x, dtype=float)
    if padding != "same":
        return x, (0, 0), (0, 0)
    pads = []
    for n in x.shape[1:3]:
        before, after = (k // 2, k // 2) if symmetric else same_pads(n, k, stride)
        pads.append((after, before) if extra_first else (before, after))
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0))), pads[0], pads[1]


def _windows(xp, k, stride, Ho, Wo, step=None):
    """The k·k strided slices (a, b) of the padded input: shape (k, k, N, Ho, Wo, C)."""
    step = stride if step is None else step
    return np.array([[xp[:, a:a + step * (Ho - 1) + 1:step, b:b + step * (Wo - 1) + 1:step, :]
                      for b in range(k)] for a in range(k)])


def _out(n, k, stride):
    return (n - k) // stride + 1


def reference_im2col(x, k, stride=1, padding="valid"):
    xp, _, _ = _pad(x, k, stride, padding)
    N, H, W, C = xp.shape
    Ho, Wo = _out(H, k, stride), _out(W, k, stride)
    cols = _windows(xp, k, stride, Ho, Wo).transpose(2, 3, 4, 0, 1, 5)      # (N, Ho, Wo, k, k, C)
    return cols.reshape(N * Ho * Wo, k * k * C)


def reference_conv2d(x, w, b=None, stride=1, padding="valid"):
    """The forward pass (tests compare it with tf.nn.conv2d)."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    k, C, F = w.shape[0], w.shape[2], w.shape[3]
    xp, _, _ = _pad(x, k, stride, padding)
    Ho, Wo = _out(xp.shape[1], k, stride), _out(xp.shape[2], k, stride)
    y = reference_im2col(x, k, stride, padding) @ w.reshape(k * k * C, F)
    y = y.reshape(x.shape[0], Ho, Wo, F)
    return y if b is None else y + np.asarray(b, float)


def _backward(x, w, dy, stride=1, padding="valid", *, flip=False, step=None, crop=True, extra_first=False,
              symmetric=False, db_axes=(0, 1, 2), accumulate=True):
    """dx, dw, db of a convolution; the keyword-only options make the named mistakes."""
    x, w, dy = np.asarray(x, float), np.asarray(w, float), np.asarray(dy, float)
    k = w.shape[0]
    xp, (top, bottom), (left, right) = _pad(x, k, stride, padding, extra_first, symmetric)
    Ho, Wo = dy.shape[1], dy.shape[2]
    step = stride if step is None else step
    wk = w[::-1, ::-1] if flip else w
    dw = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for a in range(k):
        for b in range(k):
            rows = slice(a, a + step * (Ho - 1) + 1, step)
            cols = slice(b, b + step * (Wo - 1) + 1, step)
            seen = xp[:, rows, cols, :]
            if seen.shape[1:3] != (Ho, Wo):
                raise ValueError("window out of range")
            dw[a, b] = np.tensordot(seen, dy, axes=([0, 1, 2], [0, 1, 2]))
            if accumulate:
                dxp[:, rows, cols, :] += dy @ wk[a, b].T
            else:
                dxp[:, rows, cols, :] = dy @ wk[a, b].T
    dx = dxp[:, top:xp.shape[1] - bottom, left:xp.shape[2] - right, :] if crop else dxp
    db = dy.sum(axis=db_axes) if db_axes is not None else dy.mean(axis=(0, 1, 2))
    return dx, dw, db


def reference_conv2d_backward(x, w, dy, stride=1, padding="valid"):
    return _backward(x, w, dy, stride, padding)


def reference_pool_backward(x, dy, k=2, stride=2, kind="max"):
    """dL/dx of a 'valid' pooling of a 2-D map; ties: the first maximum, row by row (TensorFlow)."""
    x, dy = np.asarray(x, float), np.asarray(dy, float)
    dx = np.zeros_like(x)
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            rows, cols = slice(i * stride, i * stride + k), slice(j * stride, j * stride + k)
            if kind == "max":
                a, b = np.unravel_index(np.argmax(x[rows, cols]), (k, k))
                dx[i * stride + a, j * stride + b] += dy[i, j]
            else:
                dx[rows, cols] += dy[i, j] / k**2
    return dx


# ---- question 1: the shape of a patch matrix ---------------------------------------------
_SHAPE_HINT = "A shape here is a tuple of two whole numbers: (rows, columns) of the matrix."
_ROWS = "one row per output position of every image: N · Ho · Wo rows"
_AXES = ("rows", "columns")

q_1 = MultipartQuestion(
    a=ShapeQuestion(
        "patch_shape_a", (72, 27), axes=_AXES,
        mistakes={
            (27, 72): "rows and columns are swapped: the patch matrix has " + _ROWS + ", and one column per kernel "
                      "entry, k · k · C.",
            (36, 27): "(36, 27) forgets the batch: the matrix stacks the windows of both images, 2 · 6 · 6 = 72 rows.",
            (128, 27): "(128, 27) counts 8 × 8 outputs per image, as with 'same' padding. Without padding a 3×3 "
                       "kernel fits (8 − 3) // 1 + 1 = 6 times per side.",
            (72, 9): "the columns forget the channels: each window is 3 × 3 × 3 values (height, width, channels), "
                     "so 27 columns.",
            (72, 432): "the filters are not part of the patch matrix: it holds windows of the input only "
                       "(k · k · C = 27 columns). The 16 filters are the columns of the kernel matrix, (27, 16).",
            (72, 16): "(72, 16) is the shape of the *output* of the product, one column per filter; the patch matrix "
                      "has one column per window value, k · k · C = 27.",
            (98, 27): "(98, 27) counts 7 positions per side: a 3×3 kernel fits (8 − 3) // 1 + 1 = 6 times in 8.",
        },
        hints=[_SHAPE_HINT,
               "Rows: one per output position of every image (N · Ho · Wo). Columns: one per value in a window "
               "(k · k · C).",
               "Ho = Wo = (8 − 3) // 1 + 1 = 6."],
        solution="Ho = Wo = (8 − 3) // 1 + 1 = 6, so 2 · 6 · 6 = 72 rows; each window holds 3 · 3 · 3 = 27 values.",
        solution_code="patch_shape_a = (2 * 6 * 6, 3 * 3 * 3)"),
    b=ShapeQuestion(
        "patch_shape_b", (256, 200), axes=_AXES,
        mistakes={
            (144, 200): "(144, 200) is the 'valid' count, (15 − 5) // 2 + 1 = 6 per side. With padding='same' the "
                        "output has ceil(15 / 2) = 8 positions per side.",
            (900, 200): "(900, 200) ignores the stride: with stride 2 and 'same' padding there are ceil(15 / 2) = 8 "
                        "positions per side, not 15.",
            (64, 200): "(64, 200) forgets the batch of 4 images: 4 · 8 · 8 = 256 rows.",
            (200, 256): "rows and columns are swapped: " + _ROWS + ", and k · k · C columns.",
            (256, 6400): "the filters are not part of the patch matrix: its columns are one window's values, "
                         "5 · 5 · 8 = 200. The 32 filters belong to the kernel matrix (200, 32).",
            (256, 32): "(256, 32) is the shape of the *output* of the product, one column per filter; the patch "
                       "matrix has one column per window value, 5 · 5 · 8 = 200.",
            (196, 200): "(196, 200) counts 7 positions per side: ceil(15 / 2) is 8 (in Python `-(-15 // 2)`).",
            (256, 25): "the columns forget the channels: a window is 5 × 5 × 8 values.",
        },
        hints=[_SHAPE_HINT,
               "With padding='same' the output has ceil(n / stride) positions per side.",
               "Ho = Wo = ceil(15 / 2) = 8; a window holds 5 · 5 · 8 values."],
        solution="'same' with stride 2: ceil(15 / 2) = 8 positions per side, so 4 · 8 · 8 = 256 rows; 5 · 5 · 8 = 200 "
                 "columns.",
        solution_code="patch_shape_b = (4 * 8 * 8, 5 * 5 * 8)"),
    c=ShapeQuestion(
        "kernel_shape_b", (200, 32), axes=_AXES,
        mistakes={
            (32, 200): "swapped: the kernel matrix has one row per window value (k · k · C = 200) and one column per "
                       "filter (32), so that (256, 200) @ (200, 32) works.",
            (5, 5, 8, 32): "that is the kernel's shape in Keras, (k, k, C, F). As a matrix it is "
                           "w.reshape(k * k * C, F): two axes.",
            (25, 32): "the rows must match the patch matrix's columns, 5 · 5 · 8 = 200: the channels are missing.",
            (256, 32): "(256, 32) is the shape of the product, the output; the kernel matrix is what the patch matrix "
                       "is multiplied by.",
        },
        hints=["The product (patch matrix) @ (kernel matrix) must be defined and give one column per filter."],
        solution="(200, 32): w.reshape(5 * 5 * 8, 32); the product (256, 200) @ (200, 32) is (256, 32), then "
                 "reshaped to (4, 8, 8, 32).",
        solution_code="kernel_shape_b = (5 * 5 * 8, 32)"),
)


# ---- question 2: parameters and multiply-adds ---------------------------------------------
def _one_of(*values):
    return lambda a: a.ndim == 0 and any(float(np.real(a)) == v for v in values)


_CONV_P = 3 * 3 * 32 * 64 + 64                 # 18,496
_CONV_M = 56 * 56 * 3 * 3 * 32 * 64            # 57,802,752
_FC_M = 7 * 7 * 512 * 4096                     # 102,760,448

q_2 = MultipartQuestion(
    a=ValueQuestion(
        "conv_params", _CONV_P, kind="int",
        mistakes=[Mistake("the biases are missing: one per filter, 64.", value=_CONV_P - 64),
                  Mistake("the input channels are missing: each filter is 3 × 3 × 32 (it sees all 32 channels).",
                          when=_one_of(3 * 3 * 64 + 64, 3 * 3 * 64)),
                  Mistake("parameters do not depend on the size of the map: the same kernel slides over every "
                          "position. Leave out the 56 · 56.",
                          when=_one_of(56 * 56 * _CONV_P, _CONV_M, _CONV_M + 64, 56 * 56 * (_CONV_P - 64) + 64)),
                  Mistake("one bias per filter (64), not one per input channel.", value=_CONV_P - 64 + 32)],
        hints=["A Conv2D layer has k · k · C_in · C_out weights and one bias per output channel."],
        solution="3 · 3 · 32 · 64 weights + 64 biases = 18,496.",
        solution_code="conv_params = 3 * 3 * 32 * 64 + 64"),
    b=ValueQuestion(
        "conv_madds", _CONV_M, kind="int",
        mistakes=[Mistake("that counts a multiply and an add separately (FLOPs); the question asks for multiply-adds, "
                          "half as many.", when=_one_of(2 * _CONV_M, 2 * _CONV_M + 56 * 56 * 64)),
                  Mistake("the question counts multiply-adds only: adding the bias is an addition, not a "
                          "multiply-add. Leave out the 56 · 56 · 64 bias additions.", value=_CONV_M + 56 * 56 * 64),
                  Mistake("padding='same' keeps the map 56×56; 54 · 54 positions is 'valid' padding.",
                          when=_one_of(54 * 54 * 3 * 3 * 32 * 64, 54 * 54 * 3 * 3 * 32 * 64 + 54 * 54 * 64)),
                  Mistake("that is the number of weights: each of them is used once at *every* output position, "
                          "so multiply by 56 · 56.", when=_one_of(_CONV_P - 64, _CONV_P)),
                  Mistake("the input channels are missing: each output value is a dot product over 3 · 3 · 32 "
                          "inputs.", value=56 * 56 * 3 * 3 * 64)],
        hints=["Each output value (one position, one filter) is a dot product of k · k · C_in multiply-adds.",
               "There are 56 · 56 · 64 output values."],
        solution="56 · 56 output positions · 64 filters · (3 · 3 · 32) multiply-adds each = 57,802,752.",
        solution_code="conv_madds = 56 * 56 * 64 * (3 * 3 * 32)"),
    c=ValueQuestion(
        "dense_madds", _FC_M, kind="int",
        mistakes=[Mistake("that is the parameter count (weights + biases); the biases are added, not multiplied: "
                          "leave out the 4096.", value=_FC_M + 4096),
                  Mistake("that counts a multiply and an add separately (FLOPs); the question asks for "
                          "multiply-adds, half as many.", when=_one_of(2 * _FC_M, 2 * _FC_M + 4096)),
                  Mistake("Flatten passes all 7 · 7 · 512 = 25,088 values to the Dense layer, not 512.",
                          when=_one_of(512 * 4096, 512 * 4096 + 4096)),
                  Mistake("a Dense layer uses each weight exactly once per image: no extra factor for the 7 × 7 "
                          "positions.", when=_one_of(49 * _FC_M, 49 * 512 * 4096))],
        hints=["A Dense layer with n inputs and m units does n · m multiply-adds: each weight once."],
        solution="Flatten gives 7 · 7 · 512 = 25,088 inputs; 25,088 · 4096 = 102,760,448 multiply-adds, about 1.8 times "
                 "the convolution of (b), with about 5,500 times its parameters.",
        solution_code="dense_madds = 7 * 7 * 512 * 4096"),
)


# ---- question 3: im2col from scratch ------------------------------------------------------
def _im2col_variant(x, k, stride=1, padding="valid", *, order=(2, 3, 4, 0, 1, 5), step=None, count_step=None,
                    extra_first=False, symmetric=False, ignore_padding=False, transpose=False):
    xp, _, _ = _pad(x, k, stride, "valid" if ignore_padding else padding, extra_first, symmetric)
    N, H, W, C = xp.shape
    count = stride if count_step is None else count_step
    Ho, Wo = _out(H, k, count), _out(W, k, count)
    cols = _windows(xp, k, stride, Ho, Wo, step=step).transpose(*order)
    out = cols.reshape(N * Ho * Wo, k * k * C)
    return out.T if transpose else out


def _im2col_channels_first(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, order=(2, 3, 4, 5, 0, 1))


def _im2col_positions_swapped(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, order=(2, 4, 3, 0, 1, 5))


def _im2col_columns_swapped(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, order=(2, 3, 4, 1, 0, 5))


def _im2col_stride_ignored(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, step=1, count_step=1)


def _im2col_windows_step_one(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, step=1)


def _im2col_padding_ignored(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, ignore_padding=True)


def _im2col_extra_first(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, extra_first=True)


def _im2col_symmetric(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, symmetric=True)


def _im2col_transposed(x, k, stride=1, padding="valid"):
    return _im2col_variant(x, k, stride, padding, transpose=True)


def _ints(*shape, offset=1):
    return np.arange(offset, offset + int(np.prod(shape)), dtype=float).reshape(shape)


_RNG = np.random.default_rng(12)
IM2COL_CASES = [
    case(_ints(1, 3, 3, 1), 2),
    case(_ints(1, 4, 4, 1), 2, stride=2),
    case(_ints(1, 3, 4, 2), 2),
    case(_ints(2, 4, 3, 1), 3, padding="same"),
    case(_ints(1, 5, 5, 1), 3, stride=2, padding="same"),
    case(_ints(1, 4, 5, 3), 1),
    case(_ints(1, 6, 5, 2), 2, padding="same"),
    case(_ints(2, 5, 4, 3), 3),
    case(_ints(1, 7, 6, 2), 4, stride=3, padding="same"),
    case(np.round(_RNG.normal(size=(2, 6, 7, 3)), 2), 3, stride=2),
]
IM2COL_HIDDEN = [
    case(np.round(_RNG.normal(size=(3, 9, 8, 2)), 3), 3, stride=2, padding="same"),
    case(np.round(_RNG.normal(size=(1, 10, 10, 4)), 3), 5, stride=3, padding="same"),
    case(np.round(_RNG.normal(size=(2, 8, 9, 1)), 3), 2, stride=2),
    case(np.round(_RNG.normal(size=(1, 5, 6, 3)), 3), 4, padding="same"),
]

_SHAPE_ERRORS = {
    pattern: "two arrays of different shapes met. With padding='same' the windows reach into the padding: pad x "
             "with zeros first (`np.pad`), then take the strided slices of the padded input; each slice must "
             "have Ho rows and Wo columns."
    for pattern in ("shape-mismatch", "could not broadcast", "operands could not be broadcast")}

_NO_TF = ("the point is to build the patch matrix yourself with numpy; the check compares it with the "
          "reference on its own")

q_3 = FunctionQuestion(
    "im2col", reference_im2col, IM2COL_CASES, hidden_cases=IM2COL_HIDDEN, explain=_SHAPE_ERRORS,
    forbidden={"tf.image.extract_patches": _NO_TF, "tf.nn.conv2d": _NO_TF},
    mistakes=[
        Mistake("the rows and columns of the result are swapped: one *row* per output position, one *column* per "
                "window value.", impl=_im2col_transposed),
        Mistake("the columns are in the order (channel, row, column) of the window; they must follow the kernel's "
                "layout (row a, column b, channel c), so that `w.reshape(k * k * C, F)` lines up with them. "
                "Keep the channel axis last.", impl=_im2col_channels_first),
        Mistake("within a window, the columns run column by column; numpy's reshape of a (k, k, C) kernel runs row "
                "by row: row a first, then column b, then channel c.", impl=_im2col_columns_swapped),
        Mistake("the rows list the output positions column by column; keep numpy's order: image n, then row i, "
                "then column j (reshape of an (N, Ho, Wo, ...) array).", impl=_im2col_positions_swapped),
        Mistake("the stride is ignored: the window moves by 1. Window (i, j) starts at row i·stride and column "
                "j·stride.", impl=_im2col_stride_ignored),
        Mistake("the number of windows is right, but they start at rows i, i + 1, …; window (i, j) starts at row "
                "i·stride and column j·stride.", impl=_im2col_windows_step_one),
        Mistake("padding='same' is treated like 'valid': pad the input with zeros first, so that there are "
                "ceil(n / stride) windows per side.", impl=_im2col_padding_ignored),
        Mistake("for padding='same' the odd extra row or column of zeros is on the wrong side: TensorFlow puts "
                "total // 2 before (top, left) and the rest after (bottom, right).", impl=_im2col_extra_first),
        Mistake("for padding='same' you pad k // 2 on each side (PyTorch's habit). TensorFlow pads "
                "total = max((out − 1)·stride + k − n, 0) per axis, total // 2 before and the rest after.",
                impl=_im2col_symmetric),
    ],
    hints=["Pad first for 'same' (as in `q_2` of chapter 4, or the lesson's `pad_input`), then Ho = (H − k) // stride "
           "+ 1 and Wo likewise, on the padded sizes.",
           "Make an array `cols` of shape (N, Ho, Wo, k, k, C). For each kernel offset (a, b), the values that "
           "offset sees are the strided slice `xp[:, a:a + stride * Ho:stride, b:b + stride * Wo:stride, :]`.",
           "Finish with `cols.reshape(N * Ho * Wo, k * k * C)`."],
    solution="Pad for 'same', copy one strided slice per kernel offset, reshape:",
    solution_code='''def im2col(x, k, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    if padding == "same":
        pads = []
        for n in x.shape[1:3]:
            out = -(-n // stride)                          # ceil(n / stride)
            total = max((out - 1) * stride + k - n, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    N, H, W, C = x.shape
    Ho, Wo = (H - k) // stride + 1, (W - k) // stride + 1
    cols = np.empty((N, Ho, Wo, k, k, C))
    for a in range(k):
        for b in range(k):
            cols[:, :, :, a, b, :] = x[:, a:a + stride * Ho:stride, b:b + stride * Wo:stride, :]
    return cols.reshape(N * Ho * Wo, k * k * C)''',
)


# ---- question 4: conv2d_backward --------------------------------------------------------------
_BACKWARD_SPECS = [   # (x shape, k, F, stride, padding, seed), smallest first
    ((1, 3, 3, 1), 2, 1, 1, "valid", 1),
    ((1, 4, 4, 1), 2, 1, 2, "valid", 2),
    ((1, 4, 4, 1), 3, 1, 1, "same", 3),
    ((1, 6, 6, 1), 4, 1, 2, "same", 10),
    ((1, 4, 4, 1), 2, 1, 1, "same", 9),
    ((2, 5, 5, 2), 3, 3, 1, "valid", 4),
    ((1, 7, 6, 1), 3, 1, 2, "valid", 5),
    ((1, 7, 7, 2), 2, 2, 2, "same", 6),
    ((2, 6, 5, 3), 3, 2, 2, "same", 7),
    ((2, 8, 7, 2), 4, 3, 3, "same", 8),
]
_BACKWARD_HIDDEN_SPECS = [
    ((3, 9, 8, 2), 3, 4, 2, "same", 101),
    ((2, 10, 9, 3), 5, 2, 3, "same", 102),
    ((2, 8, 8, 1), 2, 3, 2, "valid", 103),
    ((1, 6, 7, 4), 4, 2, 1, "same", 104),
]


_INPUTS: dict = {}
_ANSWERS: dict = {}


def _backward_inputs(spec):
    """Fresh copies of the (cached) inputs of a case."""
    if spec not in _INPUTS:
        _INPUTS[spec] = _make_backward_inputs(spec)
    x, w, dy, stride, padding = _INPUTS[spec]
    return x.copy(), w.copy(), dy.copy(), stride, padding


def _cached_backward(x, w, dy, stride=1, padding="valid"):
    """reference_conv2d_backward, remembered per input (the check runs it on the same cases again and again)."""
    key = tuple(np.asarray(a, float).tobytes() + str(np.shape(a)).encode() for a in (x, w, dy)) + (stride, padding)
    if key not in _ANSWERS:
        _ANSWERS[key] = reference_conv2d_backward(x, w, dy, stride, padding)
    return tuple(a.copy() for a in _ANSWERS[key])


def _make_backward_inputs(spec):
    x_shape, k, F, stride, padding, seed = spec
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=x_shape), 1)
    w = np.round(rng.normal(size=(k, k, x_shape[3], F)), 1)
    dy = np.round(rng.normal(size=reference_conv2d(x, w, None, stride, padding).shape), 1)
    return x, w, dy, stride, padding


def q4_inputs(n):
    """The inputs (x, w, dy, stride, padding) of case n of question 4's check, counted from 1:
    a message that names `conv2d_backward(*q4_inputs(3))` means exactly that call."""
    return _backward_inputs(_BACKWARD_SPECS[n - 1])


def _labelled(spec, label):
    return case_from(lambda: (_backward_inputs(spec), {}), label)


BACKWARD_CASES = [_labelled(spec, f"*q4_inputs({n})") for n, spec in enumerate(_BACKWARD_SPECS, 1)]
BACKWARD_HIDDEN = [_labelled(spec, f"x of shape {spec[0]}, w of shape {(spec[1], spec[1], spec[0][3], spec[2])}, "
                                   f"stride={spec[3]}, padding={spec[4]!r}") for spec in _BACKWARD_HIDDEN_SPECS]


def _bwd(**options):
    return lambda x, w, dy, stride=1, padding="valid": _backward(x, w, dy, stride, padding, **options)


_NO_AUTODIFF = ("the point is to derive the gradients yourself; the check compares yours with TensorFlow's "
                "GradientTape")

q_4 = FunctionQuestion(
    "conv2d_backward", _cached_backward, BACKWARD_CASES, outputs=("dx", "dw", "db"),
    hidden_cases=BACKWARD_HIDDEN, explain=_SHAPE_ERRORS,
    forbidden={**{name: _NO_AUTODIFF for name in ("tf.GradientTape.gradient", "tf.nn.conv2d", "tf.nn.conv2d_transpose",
                                                  "tf.raw_ops.Conv2DBackpropInput",
                                                  "tf.raw_ops.Conv2DBackpropFilter")},
               **{f"scipy.signal.{name}": "write the sums with numpy (slices, `@`, `np.tensordot`)"
                  for name in ("correlate", "convolve", "correlate2d", "convolve2d", "fftconvolve")}},
    mistakes=[
        Mistake("the kernel is used the wrong way round for dx: as a full convolution, dx correlates the padded dy "
                "with the kernel *flipped* in both spatial directions (`w[::-1, ::-1]`). In the scatter form, window "
                "(i, j) sends dy[n, i, j, f] · w[a, b, c, f] to position (i·stride + a, j·stride + b), with the same "
                "(a, b) on both sides.", impl=_bwd(flip=True)),
        Mistake("the stride is ignored: window (i, j) starts at row i·stride and column j·stride of the padded "
                "input, not at (i, j). Slice with a step: `xp[:, a:a + stride * Ho:stride, b:b + stride * Wo:stride]` "
                "(in the full-convolution form: spread dy out with stride − 1 zeros between its values).",
                impl=_bwd(step=1)),
        Mistake("the gradient of the padding is not cropped: dx has the shape of the *padded* input. The zeros "
                "of the padding are not inputs of the layer: cut off the rows and columns that padding added.",
                impl=_bwd(crop=False)),
        Mistake("for padding='same' the odd extra row or column is on the wrong side: TensorFlow pads total // 2 "
                "before (top, left) and the rest after (bottom, right).", impl=_bwd(extra_first=True)),
        Mistake("for padding='same' you pad k // 2 on each side (PyTorch's habit); TensorFlow pads "
                "total = max((Ho − 1)·stride + k − H, 0), total // 2 before and the rest after.",
                impl=_bwd(symmetric=True)),
        Mistake("an input that lies in several windows must receive the *sum* of what they send back; yours keeps "
                "only the last window's share. Add (`+=`) instead of assigning.", impl=_bwd(accumulate=False)),
        Mistake("db is summed over rows and columns but not over the batch: a bias is shared by every image too, "
                "so sum over axes (0, 1, 2); db has the shape of b, (F,).", impl=_bwd(db_axes=(1, 2))),
        Mistake("db is summed over every axis, channels included: each output channel has its own bias, so sum "
                "over the batch, rows and columns only, `dy.sum(axis=(0, 1, 2))`.", impl=_bwd(db_axes=(0, 1, 2, 3))),
        Mistake("db is summed over the batch only; each bias is added at every position too: sum over axes "
                "(0, 1, 2).", impl=_bwd(db_axes=(0,))),
        Mistake("db is the *mean* of dy; the bias is added to every output of its channel, so each of them "
                "contributes dy in full: take the sum.", impl=_bwd(db_axes=None)),
    ],
    hints=["Start with db (a sum of dy over some axes) and dw: for each kernel offset (a, b), the inputs that "
           "w[a, b] multiplied are the strided slice `xp[:, a:a + stride * Ho:stride, b:b + stride * Wo:stride, :]` "
           "of the padded input; `np.tensordot(that, dy, axes=([0, 1, 2], [0, 1, 2]))` sums over n, i, j.",
           "For dx, work on a zero array `dxp` the shape of the padded input: for each (a, b) add "
           "`dy @ w[a, b].T` (shape N, Ho, Wo, C) to the same strided slice of `dxp`. Then crop the padding.",
           "Padding for 'same' is the one of question 3: total = max((Ho − 1)·stride + k − H, 0), "
           "total // 2 before. Ho and Wo are `dy.shape[1]` and `dy.shape[2]`."],
    solution="db sums dy over the batch and both spatial axes; dw correlates the padded input with dy (one strided "
             "slice per kernel offset); dx sends every window's share back to where it came from (the transpose "
             "of im2col, equal to a full convolution with the flipped kernel), then drops the padding:",
    solution_code='''def conv2d_backward(x, w, dy, stride=1, padding="valid"):
    x, w, dy = (np.asarray(a, dtype=float) for a in (x, w, dy))
    k = w.shape[0]
    pads = [(0, 0), (0, 0)]
    if padding == "same":
        for axis, n in enumerate(x.shape[1:3]):
            total = max((-(-n // stride) - 1) * stride + k - n, 0)
            pads[axis] = (total // 2, total - total // 2)
    (top, bottom), (left, right) = pads
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    Ho, Wo = dy.shape[1], dy.shape[2]
    db = dy.sum(axis=(0, 1, 2))
    dw = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for a in range(k):
        for b in range(k):
            rows = slice(a, a + stride * Ho, stride)
            cols = slice(b, b + stride * Wo, stride)
            dw[a, b] = np.tensordot(xp[:, rows, cols, :], dy, axes=([0, 1, 2], [0, 1, 2]))
            dxp[:, rows, cols, :] += dy @ w[a, b].T
    dx = dxp[:, top:xp.shape[1] - bottom, left:xp.shape[2] - right, :]
    return dx, dw, db''',
)


# ---- question 5: gradients through pooling by hand ---------------------------------------------
pool_map = np.array([[2, 7, 1, 1],
                     [7, 3, 1, 1],
                     [0, 4, 5, 9],
                     [2, 1, 8, 3]])
pool_dy = np.array([[1, 2],
                    [3, 4]])

_MAX_DX = reference_pool_backward(pool_map, pool_dy)
_AVG_DX = reference_pool_backward(pool_map, pool_dy, kind="avg")
_TIES_SPLIT = np.array([[0, .5, .5, .5], [.5, 0, .5, .5], [0, 3, 0, 4], [0, 0, 0, 0]])
_TIES_ALL = np.array([[0, 1, 2, 2], [1, 0, 2, 2], [0, 3, 0, 4], [0, 0, 0, 0]])
_TIES_LAST = np.array([[0, 0, 0, 0], [1, 0, 0, 2], [0, 3, 0, 4], [0, 0, 0, 0]])
_MASK = (_MAX_DX != 0).astype(float)
_TIES_HALF_NUMERIC = np.array([[0, .5, 1, 1], [.5, 0, 1, 1], [0, 3, 0, 4], [0, 0, 0, 0]])


def _upsampled(dy):
    return np.kron(np.asarray(dy, float), np.ones((2, 2)))


q_5 = MultipartQuestion(
    a=ValueQuestion(
        "dx_max", _MAX_DX,
        mistakes=[Mistake("the tied maxima share the gradient. That is what a numerical gradient suggests, but "
                          "TensorFlow gives the whole of δ to the *first* maximum of the window, reading row by "
                          "row (as `np.argmax` does).", when=lambda a: a.shape == (4, 4) and (
                              np.allclose(a, _TIES_SPLIT) or np.allclose(a, _TIES_HALF_NUMERIC))),
                  Mistake("every tied maximum gets the whole δ: then the window passes back more gradient than "
                          "it received. Give it to the first maximum only, reading row by row.", value=_TIES_ALL),
                  Mistake("the gradient goes to the *last* tied maximum; TensorFlow (and `np.argmax`) pick the "
                          "first one, reading row by row.", value=_TIES_LAST),
                  Mistake("these are 1s where the maxima are: multiply by the gradient δ of each window "
                          "(`pool_dy`).", value=_MASK),
                  Mistake("each window's δ is copied to all four of its inputs: that is neither max pooling "
                          "(only the maximum gets it) nor average pooling (each gets δ / 4).",
                          value=lambda: _upsampled(pool_dy)),
                  Mistake("this is the gradient of *average* pooling; max pooling sends δ to the maximum only.",
                          value=_AVG_DX),
                  Mistake("these are the values of the map where the maxima are; the gradient passed back is δ "
                          "from `pool_dy`, not the value of x.", when=lambda a: a.shape == (4, 4) and np.allclose(
                              a, np.where(_MASK > 0, pool_map, 0)))],
        hints=["Look at each 2×2 window on its own: find its maximum, and put that window's δ there; every other "
               "cell of the window gets 0.",
               "Two windows have ties: the top-left (two 7s) and the top-right (four 1s). TensorFlow picks the first "
               "maximum, reading row by row."],
        solution="Top-left window: the 7 at (0, 1) comes first, it gets 1. Top-right: four 1s, the first is (0, 2), "
                 "it gets 2. Bottom-left: the 4 at (2, 1) gets 3. Bottom-right: the 9 at (2, 3) gets 4.",
        solution_code="dx_max = np.array([[0, 1, 2, 0],\n                   [0, 0, 0, 0],\n"
                      "                   [0, 3, 0, 4],\n                   [0, 0, 0, 0]])"),
    b=ValueQuestion(
        "dx_avg", _AVG_DX,
        mistakes=[Mistake("each window's δ is copied to its four inputs without dividing: each input contributes "
                          "a quarter of the mean, so it gets δ / 4.", value=lambda: _upsampled(pool_dy)),
                  Mistake("divided by 2; a 2×2 window averages 4 values, so each gets δ / 4.",
                          value=lambda: _upsampled(pool_dy) / 2),
                  Mistake("this is the gradient of *max* pooling; average pooling spreads δ evenly.", value=_MAX_DX)],
        hints=["The output of a window is (x1 + x2 + x3 + x4) / 4: how much does it change when x1 grows by 1?"],
        solution="Each cell of a window gets that window's δ / 4.",
        solution_code="dx_avg = np.kron(pool_dy, np.ones((2, 2))) / 4"),
)


# ---- question 6: where are the parameters, where is the work -----------------------------------
q_6 = MultipartQuestion(
    a=ChoiceQuestion(
        "vgg_answer", "c",
        {"a": "the dense layers hold most of the parameters and do most of the multiply-adds",
         "b": "the convolution layers hold most of the parameters and do most of the multiply-adds",
         "c": "the dense layers hold most of the parameters; the convolution layers do most of the multiply-adds",
         "d": "the convolution layers hold most of the parameters; the dense layers do most of the multiply-adds"},
        why_not={"a": "a dense layer uses each weight once per image, so its multiply-adds equal its weights: "
                      "fc1 has 103 million of each. A 3×3 convolution on a 224×224 map uses each of its weights "
                      "50,176 times: the convolutions do over 99% of VGG16's 15.5 thousand million multiply-adds.",
                 "b": "the convolution layers have small kernels (3×3×C×F): all 13 together hold 14.7 million "
                      "parameters, while fc1 alone holds 103 million.",
                 "d": "it is the other way round: count the parameters of fc1 (7·7·512·4096 + 4096) and the "
                      "multiply-adds of one 3×3 convolution on a 224×224×64 map."},
        hints=["A dense layer uses each weight once per image; a convolution uses each weight once per output "
               "position.", "Compare question 2 (b) and (c)."],
        solution="(c). VGG16's three dense layers hold 89% of its 138 million parameters, its 13 convolution layers "
                 "do over 99% of its 15.5 thousand million multiply-adds per image.",
        solution_code='vgg_answer = "c"'),
    b=ChoiceQuestion(
        "memory_answer", "d",
        {"a": "the weights", "b": "the gradients of the weights", "c": "the optimizer's state (Adam's averages)",
         "d": "the activations kept for the backward pass"},
        why_not={"a": "the weights are the same whatever the batch size.",
                 "b": "there is one gradient per weight, whatever the batch size: the gradients of the batch's "
                      "images are summed into it.",
                 "c": "Adam keeps two numbers per weight, whatever the batch size."},
        hints=["Which of these has one entry per weight, and which one entry per value of a feature map of every "
               "image in the batch?"],
        solution="(d). Weights, gradients and Adam's state have a fixed size; the activations are kept for every "
                 "image of the batch, so halving the batch halves them.",
        solution_code='memory_answer = "d"'),
)

label_questions(globals())
