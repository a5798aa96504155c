"""Checks for the exercise of chapter 6, "Pooling"."""
from __future__ import annotations

import numpy as np

from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ValueQuestion, case,
                              label_questions)

__all__ = ["____", "fmap_q", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7"]

# The feature map of question 1 (the exercise prints it too).
fmap_q = np.array([[1, 5, 2, 0],
                   [3, 2, 7, 1],
                   [0, 4, 6, 8],
                   [2, 1, 3, 2]])


# ---- the reference pooling (tests prove it equals keras.layers.MaxPool2D) -----------
def _same_padding(n, size, stride):
    """(before, after) padding of Keras/TensorFlow 'same' along one axis."""
    out = -(-n // stride)
    total = max((out - 1) * stride + size - n, 0)
    return total // 2, total - total // 2


def _pool(x, size=2, stride=2, padding="valid", reduce=np.max, fill=-np.inf, extra_first=False):
    """Pooling of a 2-D map. 'same' pads with ``fill`` (Keras: values that never win)."""
    x = np.asarray(x, dtype=float)
    if padding == "same":
        pads = []
        for n in x.shape:
            before, after = _same_padding(n, size, stride)
            pads.append((after, before) if extra_first else (before, after))
        x = np.pad(x, pads, constant_values=fill)
    rows = (x.shape[0] - size) // stride + 1
    cols = (x.shape[1] - size) // stride + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = reduce(window[np.isfinite(window)]) if np.isinf(fill) else reduce(window)
    return out


def reference_max_pool2d(x, size=2, stride=2, padding="valid"):
    return _pool(x, size, stride, padding)


# ---- question 1: by hand ----------------------------------------------------------------
_MAX = _pool(fmap_q)
_AVG = _pool(fmap_q, reduce=np.mean)

q_1 = MultipartQuestion(
    a=ValueQuestion(
        "max_by_hand", _MAX,
        mistakes=[Mistake("these are the *averages* of the windows; max pooling keeps the largest value of each.",
                          value=_AVG),
                  Mistake("these are the smallest values of the windows; max pooling keeps the largest.",
                          value=lambda: _pool(fmap_q, reduce=np.min)),
                  Mistake("a 3×3 result means the window moved by 1 (stride 1). With stride 2 the 2×2 windows "
                          "do not overlap, and a 4×4 map gives 2×2 outputs.", when=lambda a: a.shape == (3, 3)),
                  Mistake("rows and columns are swapped: the first row of the output comes from the top two rows "
                          "of the map, left window first.", value=_MAX.T),
                  Mistake("these are the sums of the windows; max pooling keeps the largest value.",
                          value=_AVG * 4)],
        hints=["Split `fmap_q` into four 2×2 blocks: top-left, top-right, bottom-left, bottom-right.",
               "The top-left block is [[1, 5], [3, 2]], so the output's top-left value is 5."],
        solution="The four 2×2 blocks have maxima 5, 7 (top row) and 4, 8 (bottom row):",
        solution_code="max_by_hand = np.array([[5, 7],\n                        [4, 8]])"),
    b=ValueQuestion(
        "avg_by_hand", _AVG,
        mistakes=[Mistake("these are the *maxima* of the windows; average pooling takes their mean.", value=_MAX),
                  Mistake("these are the sums of the windows: divide by the 4 values in each window.",
                          value=_AVG * 4),
                  Mistake("the sums were divided by 2 instead of 4: a 2×2 window holds 4 values.", value=_AVG * 2),
                  Mistake("the averages are rounded down to whole numbers (integer division `//`, or an int "
                          "array?): keep the fractions, e.g. 11 / 4 = 2.75.", value=np.floor(_AVG)),
                  Mistake("a 3×3 result means the window moved by 1 (stride 1); with stride 2 the output is 2×2.",
                          when=lambda a: a.shape == (3, 3)),
                  Mistake("rows and columns are swapped: the first row of the output comes from the top two "
                          "rows of the map.", value=_AVG.T)],
        hints=["Same blocks as in (a); take the mean of each block's 4 values.",
               "The top-left block is [[1, 5], [3, 2]]: (1 + 5 + 3 + 2) / 4 = 2.75."],
        solution="The means of the four blocks:",
        solution_code="avg_by_hand = np.array([[2.75, 2.5],\n                        [1.75, 4.75]])"),
)


# ---- question 2: max_pool2d from scratch ------------------------------------------------
def _average(x, size=2, stride=2, padding="valid"):
    return _pool(x, size, stride, padding, reduce=np.mean)


def _stride_one(x, size=2, stride=2, padding="valid"):
    return _pool(x, size, 1, padding)


def _windows_step_one(x, size=2, stride=2, padding="valid", count_with_stride=True):
    """The stride is used for the padding (and maybe the output size), but the windows move by 1."""
    x = np.asarray(x, dtype=float)
    if padding == "same":
        x = np.pad(x, [_same_padding(n, size, stride) for n in x.shape], constant_values=-np.inf)
    step = stride if count_with_stride else 1
    rows, cols = (x.shape[0] - size) // step + 1, (x.shape[1] - size) // step + 1
    return np.array([[np.max(x[i:i + size, j:j + size]) for j in range(cols)] for i in range(rows)])


def _all_windows_step_one(x, size=2, stride=2, padding="valid"):
    return _windows_step_one(x, size, stride, padding, count_with_stride=False)


def _zero_padded(x, size=2, stride=2, padding="valid"):
    return _pool(x, size, stride, padding, fill=0.0)


def _transposed(x, size=2, stride=2, padding="valid"):
    return _pool(x, size, stride, padding).T


def _extra_padding_first(x, size=2, stride=2, padding="valid"):
    return _pool(x, size, stride, padding, extra_first=True)


def _padding_ignored(x, size=2, stride=2, padding="valid"):
    return _pool(x, size, stride, "valid")


def _last_window_missing(x, size=2, stride=2, padding="valid"):
    full = _pool(x, size, stride, padding)
    return np.array(full[:-1, :-1].tolist())   # as a list comprehension over range(rows - 1) builds it


_RNG = np.random.default_rng(6)
_NEG5 = -np.arange(1.0, 26.0).reshape(5, 5)                        # all negative: padding matters
_MIXED = np.round(_RNG.normal(size=(7, 6)) * 4) / 2

q_2 = FunctionQuestion(
    "max_pool2d", reference_max_pool2d,
    # the hidden test: random sizes, windows, strides and both paddings
    hidden_cases=lambda: [case(rng.normal(size=(h, w)) - 1, k, s, p)
                          for rng in [np.random.default_rng(2026)]
                          for h, w, k, s, p in [(6, 6, 2, 2, "valid"), (9, 7, 3, 2, "same"), (8, 11, 2, 3, "same"),
                                                (10, 10, 4, 3, "valid"), (5, 5, 3, 1, "same"), (3, 3, 4, 2, "same")]],
    forbidden={"tensorflow": "the task is numpy only: the windows and their maxima are the exercise.",
               "keras": "the task is numpy only.", "skimage": "the task is numpy only.",
               "scipy": "the task is numpy only."},
    cases=[
        case(np.array([[4.0, 3.0], [2.0, 1.0]])),
        case(np.array([[4.0, 3.0], [2.0, 1.0]]), size=2, stride=1),
        case(fmap_q),
        case(np.arange(16.0).reshape(4, 4) % 5 - 2, stride=1),
        case(np.arange(30.0).reshape(5, 6) * np.array([1, -1, 1, 1, -1, 1])),
        case(np.arange(1.0, 26.0).reshape(5, 5), size=3, stride=2),
        case(np.array([[-3.0, -1.0, -2.0], [-6.0, -4.0, -5.0]]), padding="same"),
        case(_NEG5, padding="same"),
        case(_NEG5, size=3, stride=2, padding="same"),
        case(_MIXED, size=3, stride=2),
        case(_MIXED, size=2, stride=3, padding="same"),
        case(_MIXED, size=3, stride=1, padding="same"),
    ],
    mistakes=[
        Mistake("you return the *average* of each window; max pooling keeps the largest value.", impl=_average),
        Mistake("the stride is ignored: the window moves by 1. Start the windows at rows and columns "
                "0, stride, 2·stride, …", impl=_stride_one),
        Mistake("the windows move by 1 instead of by the stride: window i starts at row i·stride, not at row i.",
                impl=_windows_step_one),
        Mistake("the stride is ignored: the window moves by 1. Start the windows at rows and columns "
                "0, stride, 2·stride, …", impl=_all_windows_step_one),
        Mistake("for padding='same' you pad with zeros: a 0 then beats negative values although it is not in "
                "the map. Keras ignores the padding: pad with −∞ (`constant_values=-np.inf`).",
                impl=_zero_padded),
        Mistake("rows and columns are swapped: output [i, j] comes from the window starting at row i·stride and "
                "column j·stride.", impl=_transposed),
        Mistake("for padding='same' the odd extra padding is on the wrong side: Keras puts total // 2 before "
                "(top, left) and the rest after (bottom, right).",
                impl=_extra_padding_first),
        Mistake("padding='same' is treated like 'valid'. 'same' keeps ceil(n / stride) outputs per side and "
                "pads the map (with −∞) so that the last windows fit.", impl=_padding_ignored),
        Mistake("the last row and column of windows are missing: a window starting at n − size still fits, "
                "so there are (n − size) // stride + 1 positions.", impl=_last_window_missing),
    ],
    hints=["Start with padding='valid': there are (n − size) // stride + 1 window positions along each axis, "
           "starting at 0, stride, 2·stride, … Take `x[r:r + size, c:c + size].max()` for each.",
           "For padding='same' there are ceil(n / stride) positions (`-(-n // stride)`). The padding needed "
           "is total = max((out − 1)·stride + size − n, 0): put total // 2 before and the rest after.",
           "Pad with −∞, which never wins a maximum: `np.pad(x, ((top, bottom), (left, right)), "
           "constant_values=-np.inf)`. Then pool as for 'valid'. Return `np.array(...)`."],
    solution="Pad with −∞ for 'same' (more after than before when the total is odd), then slide the window:",
    solution_code='''def max_pool2d(x, size=2, stride=2, padding="valid"):
    x = np.asarray(x, dtype=float)
    if padding == "same":
        pads = []
        for n in x.shape:
            out = -(-n // stride)                      # ceil(n / stride)
            total = max((out - 1) * stride + size - n, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, pads, constant_values=-np.inf)
    rows = (x.shape[0] - size) // stride + 1
    cols = (x.shape[1] - size) // stride + 1
    return np.array([[x[i * stride:i * stride + size, j * stride:j * stride + size].max()
                      for j in range(cols)] for i in range(rows)])''',
)


# ---- question 3: output shapes ---------------------------------------------------------
def _shape_is(*shapes):
    return lambda a: any(a.shape == (len(s),) and tuple(a.tolist()) == s for s in shapes)


_SHAPE_HINT = "A shape here is a tuple of three whole numbers (height, width, channels)."

q_3 = MultipartQuestion(
    a=ValueQuestion(
        "shape_a", (16, 16, 16),
        mistakes=[Mistake("pooling acts on each channel separately: the number of channels stays 16.",
                          when=_shape_is((16, 16, 8), (16, 16, 4))),
                  Mistake("(31, 31, 16) is the result with stride 1. `MaxPool2D(2)` uses strides=pool_size by "
                          "default.", value=(31, 31, 16)),
                  Mistake("the channels are missing: give (height, width, channels).",
                          when=lambda a: a.shape == (2,))],
        hints=[_SHAPE_HINT, "Keras' MaxPool2D uses strides = pool_size unless told otherwise."],
        solution="2×2 windows, stride 2: (32 − 2) // 2 + 1 = 16 per side; the 16 channels stay.",
        solution_code="shape_a = (16, 16, 16)"),
    b=ValueQuestion(
        "shape_b", (7, 7, 8),
        mistakes=[Mistake("(8, 8, 8) rounds up (that is 'same' padding). With 'valid' only complete windows "
                          "count: (15 − 3) // 2 + 1 = 7.", value=(8, 8, 8)),
                  Mistake("(5, 5, 8) uses stride 3, the pool size. Here the stride is given: 2.", value=(5, 5, 8)),
                  Mistake("(13, 13, 8) uses stride 1; the stride is 2.", value=(13, 13, 8)),
                  Mistake("(6, 6, 8) is one short: the last window starts at 12 and covers 12, 13, 14; count "
                          "the positions 0, 2, …, 12.", value=(6, 6, 8)),
                  Mistake("the channels are missing: give (height, width, channels).",
                          when=lambda a: a.shape == (2,))],
        hints=[_SHAPE_HINT, "Without padding: (n − k) // s + 1 per side."],
        solution="(15 − 3) // 2 + 1 = 7 per side, channels unchanged.",
        solution_code="shape_b = ((15 - 3) // 2 + 1, (15 - 3) // 2 + 1, 8)"),
    c=ValueQuestion(
        "shape_c", (8, 8, 8),
        mistakes=[Mistake("'same' does not mean 'the same size' when the stride is larger than 1: it means "
                          "ceil(n / stride) outputs, here ceil(15 / 2) = 8.", value=(15, 15, 8)),
                  Mistake("(7, 7, 8) is the 'valid' result; 'same' pads so that the last, incomplete window "
                          "counts too: ceil(15 / 2) = 8.", value=(7, 7, 8)),
                  Mistake("the channels are missing: give (height, width, channels).",
                          when=lambda a: a.shape == (2,))],
        hints=[_SHAPE_HINT, "With 'same' padding the output has ceil(n / stride) values per side."],
        solution="ceil(15 / 2) = 8 per side, channels unchanged.",
        solution_code="shape_c = (8, 8, 8)"),
)


# ---- question 4: parameter counts ------------------------------------------------------
_CONV = 3 * 3 * 3 * 16 + 16          # 448
_GAP = _CONV + 16 * 10 + 10          # 618
_FLAT = _CONV + 16 * 16 * 16 * 10 + 10   # 41418


def _one_of(*values):
    return lambda a: a.ndim == 0 and any(float(np.real(a)) == v for v in values)


def _pool_params(base):
    """Answers that add a guessed parameter count for the pooling layers."""
    return _one_of(base + 4, base + 2 * 2 * 16, base + 16, base + 2 * 2 * 16 + 16, base + 4 + 16, base + 2 * 2 * 16 * 16)


q_4 = MultipartQuestion(
    a=ValueQuestion(
        "params_gap", _GAP, kind="int",
        mistakes=[Mistake("a bias is missing: Conv2D has one bias per filter (16) and Dense one per unit (10).",
                          when=_one_of(_GAP - 16, _GAP - 10, _GAP - 26)),
                  Mistake("pooling layers (MaxPool2D, GlobalAveragePooling2D) have no parameters: they compute a "
                          "maximum or a mean, nothing is learned.", when=_pool_params(_GAP)),
                  Mistake("170 counts only the Dense layer; add the Conv2D layer's 3·3·3·16 weights and 16 biases.",
                          value=170),
                  Mistake("448 counts only the Conv2D layer; add the Dense layer (16 inputs · 10 units + 10).",
                          value=448)],
        hints=["Conv2D: kernel height · width · input channels · filters, plus one bias per filter. Dense: inputs · "
               "units + units. Pooling layers: 0.",
               "After global average pooling the Dense layer has 16 inputs, one per channel."],
        solution="Conv2D 3·3·3·16 + 16 = 448; MaxPool2D 0; GlobalAveragePooling2D 0; Dense 16·10 + 10 = 170; "
                 "total 618.",
        solution_code="params_gap = (3 * 3 * 3 * 16 + 16) + (16 * 10 + 10)"),
    b=ValueQuestion(
        "params_flatten", _FLAT, kind="int",
        mistakes=[Mistake("a bias is missing: Conv2D has one bias per filter (16) and Dense one per unit (10).",
                          when=_one_of(_FLAT - 16, _FLAT - 10, _FLAT - 26)),
                  Mistake("pooling and Flatten layers have no parameters.", when=_pool_params(_FLAT)),
                  Mistake("MaxPool2D(2) halves height and width first: Flatten sees 16·16·16 = 4096 values, not "
                          "32·32·16.", when=_one_of(_CONV + 32 * 32 * 16 * 10 + 10, _CONV + 32 * 32 * 16 * 10,
                                                   32 * 32 * 16 * 10 + 10)),
                  Mistake("40970 counts only the Dense layer; add the Conv2D layer's 448 parameters.", value=40970),
                  Mistake("Flatten keeps every position of every channel: the Dense layer has 16·16·16 inputs, "
                          "not 16.", value=_GAP)],
        hints=["Only the Dense layer changes: how many values does Flatten pass it?",
               "The pooled map is 16×16×16, so Flatten gives 4096 values."],
        solution="Conv2D 448; MaxPool2D 0; Flatten 0; Dense 16·16·16·10 + 10 = 40970; total 41418, 67 times the "
                 "GAP model.",
        solution_code="params_flatten = (3 * 3 * 3 * 16 + 16) + (16 * 16 * 16 * 10 + 10)"),
)


# ---- question 5: follow a feature through a shift --------------------------------------
def _pair(*pairs):
    return lambda a: any(a.shape == (2,) and tuple(a.tolist()) == p for p in pairs)


_CELL_HINTS = ["Pixel (r, c) falls in the 2×2 window of pooled cell (r // 2, c // 2)."]
_PIXEL = ("that is a pixel position of the 8×8 map. The pooled map is 4×4: pixel (r, c) lands in pooled cell "
          "(r // 2, c // 2).")
_SWAPPED = "row and column are swapped: give (row, column), as numpy indexes arrays."

q_5 = MultipartQuestion(
    a=ValueQuestion(
        "cell_start", (1, 2),
        mistakes=[Mistake(_PIXEL, value=(2, 5)),
                  Mistake("rounded up: integer division rounds down, 5 // 2 = 2.", value=(1, 3)),
                  Mistake(_SWAPPED, value=(2, 1))],
        hints=_CELL_HINTS, solution="(2 // 2, 5 // 2) = (1, 2).", solution_code="cell_start = (1, 2)"),
    b=ValueQuestion(
        "cell_right", (1, 3),
        mistakes=[Mistake(_PIXEL, value=(2, 6)),
                  Mistake("the peak moved from column 5 to column 6, and column 6 starts a new 2×2 window "
                          "(columns 6 and 7): the pooled cell changes.", value=(1, 2)),
                  Mistake(_SWAPPED, value=(3, 1)),
                  Mistake("shifting right changes the column, not the row.", value=(2, 2))],
        hints=_CELL_HINTS, solution="The peak is now at pixel (2, 6): cell (1, 3). The pooled map changed.",
        solution_code="cell_right = (1, 3)"),
    c=ValueQuestion(
        "cell_down", (1, 2),
        mistakes=[Mistake(_PIXEL, value=(3, 5)),
                  Mistake("row 3 is still in the window of rows 2 and 3, so the pooled cell does not change.",
                          value=(2, 2)),
                  Mistake(_SWAPPED, value=(2, 1)),
                  Mistake("shifting down changes the row, not the column.", value=(1, 3))],
        hints=_CELL_HINTS, solution="The peak is now at pixel (3, 5): still cell (1, 2). The pooled map is "
                                    "unchanged: this shift stayed inside the window.",
        solution_code="cell_down = (1, 2)"),
)


# ---- question 6: receptive field ------------------------------------------------------
q_6 = ValueQuestion(
    "receptive_field", 8, kind="int",
    mistakes=[Mistake("5 is the receptive field of two 3×3 convolutions with nothing in between. The pooling "
                      "layer in the middle counts: it widens the field and doubles the step between units.",
                      value=5),
              Mistake("6 counts the pooling layer (+1) but not what it does to the next layer: after a stride-2 "
                      "pooling, neighbouring units are 2 pixels apart, so the second 3×3 convolution adds "
                      "(3 − 1)·2 = 4, not 2.", value=6),
              Mistake("7 forgets the pooling window: 2×2 pooling over a 3-pixel field gives 4 pixels, before "
                      "the second convolution adds (3 − 1)·2 = 4.", value=7)],
    hints=["Use r_out = r_in + (k − 1)·j_in and j_out = j_in·s, starting with r = j = 1.",
           "Conv 3×3: r = 3, j = 1. Pool 2×2 / 2: r = 3 + 1·1 = 4, j = 2. Now the last convolution."],
    solution="conv 3×3: r = 1 + 2·1 = 3 (j = 1); pool 2×2/2: r = 3 + 1·1 = 4 (j = 2); conv 3×3: r = 4 + 2·2 = 8.",
    solution_code="receptive_field = 1 + (3 - 1) * 1 + (2 - 1) * 1 + (3 - 1) * 2",
)

q_7 = ChoiceQuestion(
    "gap_effects", {"a", "b", "c"},
    {"a": "The head needs far fewer parameters: one weight per channel and output instead of one per position, channel and output.",
     "b": "The model accepts images of any size.",
     "c": "The head no longer cares *where* in the image a feature appears.",
     "d": "The head still knows where in the image each feature was."},
    why_not={"d": "global average pooling keeps one number per channel, the average over all positions: where a feature was is exactly what it throws away (unless earlier layers encode it in their channels)."},
    hints=["Compare what the Dense layer can learn after Flatten (one weight per position and channel) and after "
           "GAP (one weight per channel)."],
    solution="(a, b, c): " + "Flatten keeps every position of every channel, so the Dense layer learns a separate weight for "
             "'feature f at position (i, j)': many parameters (question 4), a fixed input size, and a head that can "
             "memorise where things were in the training images. Global average pooling keeps one number per "
             "channel, 'how much of feature f is in the image': far fewer parameters, any input size, and "
             "invariance to where the feature is. What is lost is the layout: GAP cannot tell 'eye above mouth' "
             "from 'mouth above eye' unless earlier layers encode it in their channels, which deep convnets learn "
             "to do, since their units see large parts of the image.",
    solution_code="gap_effects = \"abc\"",
)

label_questions(globals())
