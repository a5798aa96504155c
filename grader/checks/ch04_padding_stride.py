"""Checks for the exercise of chapter 4, "Padding, stride and dilation"."""
from __future__ import annotations

import math

import numpy as np

from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ValueQuestion, case,
                              label_questions)

__all__ = ["____", "image_q", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7"]

# The 3×3 image of the lesson (the exercise prints it too); the kernel is a 2×2 of ones.
image_q = np.array([[1, 2, 3],
                    [4, 5, 6],
                    [7, 8, 9]])
_ONES = np.ones((2, 2), dtype=int)


def _correlate(x, w):
    """Valid 2-D cross-correlation (no kernel flip), like a Conv2D layer."""
    kh, kw = w.shape
    return np.array([[np.sum(x[r:r + kh, c:c + kw] * w) for c in range(x.shape[1] - kw + 1)]
                     for r in range(x.shape[0] - kh + 1)])


_VALID = _correlate(image_q, _ONES)                                  # [[12, 16], [24, 28]]
_SAME = _correlate(np.pad(image_q, ((0, 1), (0, 1))), _ONES)         # [[12, 16, 9], [24, 28, 15], [15, 17, 9]]
_SAME_TOP_LEFT = _correlate(np.pad(image_q, ((1, 0), (1, 0))), _ONES)
_FULL = _correlate(np.pad(image_q, 1), _ONES)
_SAME_EDGE = _correlate(np.pad(image_q, ((0, 1), (0, 1)), mode="edge"), _ONES)
_SAME_CORNER_19 = np.where(np.arange(9).reshape(3, 3) == 8, 19, _SAME)


# ---- question 1: the 'same' output of the lesson's example ------------------------------
q_1 = ValueQuestion(
    "same_output", _SAME,
    mistakes=[
        Mistake("this is the 'valid' output (2×2): the window only visits positions inside the image. 'same' "
                "first adds one row of zeros and one column of zeros, so the output keeps the 3×3 size.",
                value=_VALID),
        Mistake("you put the zero row on top and the zero column on the left (that is what "
                "`scipy.signal.correlate(..., 'same')` does). TensorFlow and Keras put the extra zero at the "
                "bottom and on the right, so the first output is the top-left window 1 + 2 + 4 + 5 = 12.",
                value=_SAME_TOP_LEFT),
        Mistake("this is the 'full' output (4×4): one zero on every side. 'same' needs only k − 1 = 1 zero per "
                "axis, at the bottom and on the right, and keeps the 3×3 size.", value=_FULL),
        Mistake("almost: the bottom-right window holds the 9 and three padding zeros, so that value is 9, "
                "not 19.", value=_SAME_CORNER_19),
        Mistake("the padding must be zeros: you repeated the border pixels (like `np.pad(..., mode='edge')`). "
                "Conv2D pads with 0, so a window that sticks out reads zeros there.", value=_SAME_EDGE),
        Mistake("pad both axes: a row of zeros at the bottom *and* a column of zeros on the right, so the output "
                "is 3×3.", when=lambda a: a.shape in ((3, 2), (2, 3))),
    ],
    hints=["'same' with a 2×2 kernel adds a row of zeros at the bottom and a column of zeros on the right "
           "(TensorFlow's rule). Write down the 4×4 padded image.",
           "Slide the 2×2 window of ones over the padded image: each output is the sum of the 4 numbers under "
           "the window. The top row is 1 + 2 + 4 + 5 = 12, 2 + 3 + 5 + 6 = 16, 3 + 0 + 6 + 0 = 9."],
    solution="Pad a zero row at the bottom and a zero column on the right, then sum every 2×2 window:",
    solution_code="padded = np.pad(image_q, ((0, 1), (0, 1)))\n"
                  "same_output = np.array([[padded[r:r + 2, c:c + 2].sum() for c in range(3)] for r in range(3)])\n"
                  "# = [[12, 16, 9], [24, 28, 15], [15, 17, 9]], like tf.nn.conv2d(..., padding='SAME')",
)


# ---- question 2: the kernel tensor of three filters -------------------------------------
_WEIGHTS3 = np.ones((2, 2, 1, 1)) * np.array([1.0, 10.0, -1.0])


def _filters_permuted(a):
    if a.shape != (2, 2, 1, 3):
        return False
    values = sorted(np.unique(np.round(a[:, :, 0, :], 9), axis=None).tolist())
    per_filter = [np.unique(a[:, :, 0, c]) for c in range(3)]
    return values == [-1.0, 1.0, 10.0] and all(len(u) == 1 for u in per_filter)


q_2 = ValueQuestion(
    "weights3", _WEIGHTS3,
    mistakes=[
        Mistake("the last two axes are swapped: a Keras kernel has the shape (height, width, in_channels, "
                "out_channels). One input channel and three filters is (2, 2, 1, 3), not (2, 2, 3, 1).",
                when=lambda a: a.shape == (2, 2, 3, 1)),
        Mistake("the filters come first here (PyTorch's layout). Keras stores them along the *last* axis: "
                "(height, width, in_channels, out_channels) = (2, 2, 1, 3).",
                when=lambda a: a.shape in ((3, 2, 2, 1), (3, 1, 2, 2), (3, 2, 2))),
        Mistake("the in_channels axis is missing: the image has one channel, so the kernel has the shape "
                "(2, 2, 1, 3). Add the axis with `.reshape(2, 2, 1, 3)`.", when=lambda a: a.shape == (2, 2, 3)),
        Mistake("a kernel has no batch axis: its shape is (height, width, in_channels, out_channels) = "
                "(2, 2, 1, 3).", when=lambda a: a.shape == (1, 2, 2, 3)),
        Mistake("the filters are in the wrong order: output channel 0 must be the filter of 1s, channel 1 the "
                "filter of 10s, channel 2 the filter of −1s.", when=_filters_permuted),
    ],
    hints=["A Keras Conv2D kernel has the shape (height, width, in_channels, out_channels).",
           "Start from `np.ones((2, 2, 1, 1))` and multiply by `np.array([1, 10, -1])`: broadcasting repeats the "
           "2×2 block along the last axis, once per weight."],
    solution="Three 2×2 filters on one input channel: shape (2, 2, 1, 3), filter c along the last axis.",
    solution_code="weights3 = np.ones((2, 2, 1, 1)) * np.array([1.0, 10.0, -1.0])   # shape (2, 2, 1, 3)",
)


# ---- question 3: padding that keeps the size --------------------------------------------
q_3 = MultipartQuestion(
    a=ValueQuestion(
        "p_same_5", 2, kind="int",
        mistakes=[
            Mistake("4 = k − 1 is the *total* number of zeros a 5-wide window needs; they are split between the "
                    "two sides. With 4 on each side you get 'full' padding (output n + 4).", value=4),
            Mistake("k / 2 = 2.5 is not a whole number of zeros. For an odd k each side gets (k − 1) / 2.",
                    value=2.5),
            Mistake("3 zeros per side is one too many (that is (k + 1) / 2): the output grows to n + 2. Each side "
                    "needs (k − 1) / 2.", value=3),
            Mistake("0 is 'valid' padding: the output shrinks to n − 4.", value=0),
        ],
        hints=["The output size is n + 2p − k + 1 at stride 1. Which p makes that equal to n?"],
        solution="n + 2p − 5 + 1 = n gives p = (5 − 1) / 2 = 2.",
        solution_code="p_same_5 = (5 - 1) // 2"),
    b=ValueQuestion(
        "p_same_dilated", 3, kind="int",
        mistakes=[
            Mistake("1 = (k − 1) / 2 is right for an ordinary 3×3 kernel, but the dilation is forgotten: with "
                    "d = 3 the kernel spans k + (k − 1)(d − 1) = 7 pixels.", value=1),
            Mistake("6 = k_eff − 1 is the total padding; split it between the two sides.", value=6),
            Mistake("not a whole number of zeros: use (k_eff − 1) / 2, and `//` for an int.",
                    when=lambda a: a.ndim == 0 and a != np.floor(a)),
            Mistake("4 is one too many per side. The effective size is k + (k − 1)(d − 1) = 7 (not k·d = 9), and "
                    "it needs (7 − 1) / 2 = 3 zeros per side.", value=4),
        ],
        hints=["First find the effective kernel size k_eff = k + (k − 1)(d − 1).",
               "Then use the rule for an odd kernel: (k_eff − 1) / 2 zeros per side."],
        solution="k_eff = 3 + 2·2 = 7, so p = (7 − 1) / 2 = 3 zeros on each side.",
        solution_code="p_same_dilated = (3 + (3 - 1) * (3 - 1) - 1) // 2"),
)


# ---- question 4: conv_output_size -------------------------------------------------------
def reference_output_size(n, k, p=0, s=1, d=1):
    k_eff = k + (k - 1) * (d - 1)
    return (n + 2 * p - k_eff) // s + 1


def _k_eff(k, d):
    return k + (k - 1) * (d - 1)


def _no_plus_one(n, k, p=0, s=1, d=1):
    return (n + 2 * p - _k_eff(k, d)) // s


def _plus_one_inside(n, k, p=0, s=1, d=1):
    return (n + 2 * p - _k_eff(k, d) + 1) // s


def _ceil(n, k, p=0, s=1, d=1):
    return math.ceil((n + 2 * p - _k_eff(k, d)) / s) + 1


def _true_division(n, k, p=0, s=1, d=1):
    return (n + 2 * p - _k_eff(k, d)) / s + 1


def _stride_ignored(n, k, p=0, s=1, d=1):
    return n + 2 * p - _k_eff(k, d) + 1


def _padding_once(n, k, p=0, s=1, d=1):
    return (n + p - _k_eff(k, d)) // s + 1


def _dilation_ignored(n, k, p=0, s=1, d=1):
    return (n + 2 * p - k) // s + 1


def _dilation_times_k(n, k, p=0, s=1, d=1):
    return (n + 2 * p - k * d) // s + 1


q_4 = FunctionQuestion(
    "conv_output_size", reference_output_size, returns="int",
    hidden_cases=[case(57, 5, 2, 3, 2), case(128, 3, 1, 2, 1), case(31, 4, 0, 1, 5), case(300, 11, 5, 4, 1),
                  case(19, 2, 1, 1, 7), case(1, 1, 0, 1, 1), case(96, 7, 3, 5, 1), case(40, 3, 6, 1, 6)],
    cases=[
        case(5, 3), case(7, 7), case(32, 5), case(6, 1),
        case(7, 5, p=2), case(5, 3, p=1), case(28, 5, p=2), case(4, 3, p=2),
        case(9, 3, s=2), case(10, 3, s=2), case(11, 4, s=3), case(224, 7, s=2),
        case(12, 3, d=3), case(10, 3, d=2), case(13, 3, d=6),
        case(32, 3, p=1, s=2), case(224, 7, p=3, s=2), case(33, 5, p=1, s=4), case(15, 3, p=2, d=2),
        case(64, 3, p=2, s=1, d=2), case(20, 5, p=0, s=1, d=3), case(100, 2, p=0, s=3, d=1),
    ],
    mistakes=[
        Mistake("the + 1 belongs outside the floor division: ⌊(n + 2p − k_eff) / s⌋ + 1. Your formula divides "
                "it by the stride too.", impl=_plus_one_inside),
        Mistake("off by one: the + 1 is missing. A window of size k fits into n pixels at n − k + 1 positions "
                "(the first one at 0).", impl=_no_plus_one),
        Mistake("you round up: a last stride that would run past the border is dropped, so it is the floor, "
                "⌊(n + 2p − k_eff) / s⌋ + 1. (Rounding up, ⌈n / s⌉, is TensorFlow's 'same' rule, where the "
                "padding is chosen to fit.)", impl=_ceil),
        Mistake("the result is not a whole number: `/` divides exactly. Use floor division `//`.",
                impl=_true_division),
        Mistake("the stride is ignored: with stride s only every s-th position is kept, so divide by s "
                "(floor) before adding 1.", impl=_stride_ignored),
        Mistake("the padding is counted once: p zeros go on *each* side, so the padded size is n + 2p.",
                impl=_padding_once),
        Mistake("the dilation is forgotten: a dilated kernel spans k_eff = k + (k − 1)(d − 1) pixels. Use "
                "k_eff in place of k.", impl=_dilation_ignored),
        Mistake("a dilated kernel spans k + (k − 1)(d − 1) pixels, not k·d: the d − 1 gaps sit only *between* "
                "the k taps, and there are k − 1 of them.", impl=_dilation_times_k),
    ],
    hints=["Start with stride 1, no padding, no dilation: how many positions does a k-wide window have in n "
           "pixels?",
           "Padding p adds p pixels on each side (n + 2p); a stride s keeps every s-th position, counted with "
           "floor division; a dilation d widens the kernel to k_eff = k + (k − 1)(d − 1).",
           "Put together: (n + 2*p - k_eff) // s + 1."],
    solution="Replace k by the dilated size, pad both sides, count the strided positions with a floor:",
    solution_code='''def conv_output_size(n, k, p=0, s=1, d=1):
    k_eff = k + (k - 1) * (d - 1)
    return (n + 2 * p - k_eff) // s + 1''',
)


# ---- question 5: TensorFlow's 'same' with a stride --------------------------------------
q_5 = MultipartQuestion(
    a=ValueQuestion(
        "same_out", 5, kind="int",
        mistakes=[
            Mistake("10 = n is 'same' at stride 1 only. With a stride, TensorFlow's 'same' gives ⌈n / s⌉ outputs.",
                    value=10),
            Mistake("3 is the 'valid' size, ⌊(10 − 5) / 2⌋ + 1. TensorFlow's 'same' pads until ⌈n / s⌉ windows "
                    "fit.", value=3),
            Mistake("6 is one too many: ⌈10 / 2⌉ = 5.", value=6),
        ],
        hints=["TensorFlow's 'same': n_out = ⌈n / s⌉."],
        solution="⌈10 / 2⌉ = 5.",
        solution_code="same_out = -(-10 // 2)   # ceil(10 / 2) = 5"),
    b=ValueQuestion(
        "same_pads", (1, 2),
        mistakes=[
            Mistake("the extra zero is on the wrong side: when the total padding is odd, TensorFlow puts the extra "
                    "zero at the *bottom* (and on the right), so it is (1, 2).", value=(2, 1)),
            Mistake("(2, 2) is the stride-1 rule, (k − 1) / 2 per side. With stride 2 fewer zeros are needed: "
                    "P = (n_out − 1)·s + k − n = 4·2 + 5 − 10 = 3 in total.", value=(2, 2)),
            Mistake("a pixel cannot be split: the total P = 3 is split as ⌊P / 2⌋ = 1 on top and the rest, 2, at "
                    "the bottom.", value=(1.5, 1.5)),
            Mistake("with no padding only 3 windows fit; 'same' needs ⌈10 / 2⌉ = 5.", value=(0, 0)),
            Mistake("TensorFlow splits the padding as evenly as it can: ⌊P / 2⌋ on top, the rest at the bottom.",
                    when=lambda a: a.shape == (2,) and a.sum() == 3 and 0 in a),
            Mistake("give two numbers, (top, bottom).", when=lambda a: a.shape != (2,)),
        ],
        hints=["The total padding is P = max((n_out − 1)·s + k − n, 0): the last window must end at the "
               "padded border.",
               "P = 4·2 + 5 − 10 = 3. Top gets ⌊P / 2⌋, the bottom gets the rest."],
        solution="P = (5 − 1)·2 + 5 − 10 = 3 zeros in total: ⌊3 / 2⌋ = 1 on top, 2 at the bottom.",
        solution_code="same_pads = (1, 2)"),
)


# ---- question 6: receptive fields -------------------------------------------------------
def reference_receptive_field(layers):
    r, jump = 1, 1
    for k, s in layers:
        r += (k - 1) * jump
        jump *= s
    return r


_STRIDED_STACK = [(5, 2), (3, 2), (3, 1)]

q_6 = MultipartQuestion(
    a=ValueQuestion(
        "rf_three_3x3", 7, kind="int",
        mistakes=[
            Mistake("9 = 3 + 3 + 3 adds the kernel sizes, but neighbouring windows overlap: each further 3×3 "
                    "layer adds only k − 1 = 2 pixels, 3 → 5 → 7.", value=9),
            Mistake("27 = 3·3·3 multiplies the kernel sizes; the receptive field grows by k − 1 per layer, "
                    "3 → 5 → 7.", value=27),
            Mistake("6 = 2 + 2 + 2 is one short: start from the 1 pixel a single output sits on, 1 + 2 + 2 + 2.",
                    value=6),
            Mistake("3 is the receptive field of one layer; each further 3×3 layer widens it by 2.", value=3),
        ],
        hints=["One 3×3 layer sees 3 pixels along an axis. A second 3×3 layer sees 3 neighbouring outputs of "
               "the first: how many image pixels do their windows cover together?"],
        solution="1 + (3 − 1) + (3 − 1) + (3 − 1) = 7: the stack sees a 7×7 patch.",
        solution_code="rf_three_3x3 = 1 + 3 * (3 - 1)"),
    b=ValueQuestion(
        "rf_strided", reference_receptive_field(_STRIDED_STACK), kind="int",
        mistakes=[
            Mistake("9 = 1 + 4 + 2 + 2 forgets the strides: after a stride-2 layer, neighbouring values lie 2 "
                    "image pixels apart, so the next layer's k − 1 counts double (and after two of them, four "
                    "times).", value=9),
            Mistake("11 = 5 + 3 + 3 adds the kernel sizes. Each layer adds (k − 1) × (the product of the strides "
                    "*below* it).", value=11),
            Mistake("25 multiplies each layer's k − 1 by its *own* stride as well. A layer's stride spaces out "
                    "the layers above it; it does not change what the layer itself sees.", value=25),
            Mistake("13 uses the strides of the layers *above* each layer. The spacing of a layer's input grid "
                    "comes from the strides *below* it: 1, then 2, then 2·2 = 4.", value=13),
            Mistake("16 is one short: start from 1, the single pixel of one output.", value=16),
        ],
        hints=["Track the jump: the distance in image pixels between neighbouring inputs of a layer. It is 1 for "
               "the first layer and is multiplied by each stride on the way up.",
               "Each layer adds (k − 1) × jump: 1 + 4·1 + 2·2 + 2·4."],
        solution="Jumps 1, 2, 4 for the three layers: 1 + 4·1 + 2·2 + 2·4 = 17.",
        solution_code="rf_strided = 1 + (5 - 1) * 1 + (3 - 1) * 2 + (3 - 1) * 4"),
)


# ---- question 7 -------------------------------------------------------------------------
q_7 = ChoiceQuestion(
    "why_stack", {"a", "b"},
    {"a": "The stack needs fewer weights: 3 · 9 · C² = 27 · C² instead of 49 · C².",
     "b": "The stack puts two more nonlinearities (ReLUs) between input and output.",
     "c": "The stack sees a larger patch of the image than one 7×7 layer.",
     "d": "The stack needs less memory for activations during training."},
    why_not={"c": "both see exactly a 7×7 patch: that was question 6 (a).",
             "d": "the stack computes and keeps three layers of activations instead of one: that is its price."},
    hints=["Compare the weights per input/output channel pair: 3·(3·3) against 7·7. What sits between the "
           "stacked layers in a real network?"],
    solution="(a, b): " + "Three stacked 3×3 layers see a 7×7 patch, like one 7×7 layer. With C channels in and out they "
             "need 3·9·C² = 27·C² weights instead of 49·C² (the lesson counts 110,784 against 200,768 "
             "parameters for C = 64), and they put two more nonlinearities (ReLUs) between input and output, so "
             "the stack can compute functions a single linear 7×7 filter cannot. The price: three layers of "
             "activations to compute and keep in memory instead of one. (The lesson's gradient maps show one "
             "more difference: the stack weighs the centre of its 7×7 patch much more than the corners.)",
    solution_code="why_stack = \"ab\"",
)

label_questions(globals())
