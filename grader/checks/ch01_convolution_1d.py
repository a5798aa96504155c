"""Checks for the exercise of chapter 1, "1D convolution"."""
from __future__ import annotations

import numpy as np
from scipy import signal

from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ObjectQuestion,
                              ValueQuestion, case, label_questions)
from grader.engine.values import to_array

__all__ = ["____", "x_q", "w_q", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7", "q_8"]

# The signal and kernel of questions 1 and 2 (the exercise prints them too).
x_q = np.array([3, 1, 4, 1, 5, 9, 2])
w_q = np.array([1, 2, -1])


def _corr(mode):
    return lambda: signal.correlate(x_q, w_q, mode=mode)


def _conv(mode):
    return lambda: signal.convolve(x_q, w_q, mode=mode)


def _length_mistakes(n_valid: int) -> list[Mistake]:
    return [
        Mistake(f"one value short: the last window starts at index n − k, so there are n − k + 1 = {n_valid} "
                "windows, not n − k.", when=lambda a: a.shape == (n_valid - 1,)),
        Mistake(f"one value too many: a 'valid' output has n − k + 1 = {n_valid} values; the kernel must fit "
                "entirely inside the signal.", when=lambda a: a.shape == (n_valid + 1,)),
    ]


q_1 = ValueQuestion(
    "corr_by_hand", _corr("valid"),
    mistakes=[
        Mistake("you flipped the kernel: that is convolution. Cross-correlation slides `w` as it is: "
                "y[i] = x[i]·w[0] + x[i+1]·w[1] + x[i+2]·w[2].", value=_conv("valid")),
        Mistake("these are the 'full' outputs (length n + k − 1 = 9), with zero padding; we want only the "
                "positions where the kernel fits inside the signal ('valid', length 5).", value=_corr("full")),
        Mistake("these are the 'same' outputs (length n = 7), with zero padding; we want 'valid' (length 5).",
                value=_corr("same")),
        Mistake("right numbers, in reverse order: the first output is the window at the left end, x[0:3].",
                value=lambda: _corr("valid")()[::-1]),
        *_length_mistakes(5),
    ],
    hints=["Put `w` under the first three values of `x`, multiply pairwise and add: that is `corr_by_hand[0]`. "
           "Then move one step right.",
           "y[i] = x[i]·w[0] + x[i+1]·w[1] + x[i+2]·w[2] for i = 0 … 4. The first value is 3·1 + 1·2 + 4·(−1) = 1."],
    solution="Slide the kernel without flipping it, over the 5 positions where it fits:",
    solution_code="corr_by_hand = np.array([x_q[i:i + 3] @ w_q for i in range(len(x_q) - 3 + 1)])\n"
                  "# = [1, 8, 1, 2, 21], the same as scipy.signal.correlate(x_q, w_q, mode='valid')",
)

q_2 = ValueQuestion(
    "conv_by_hand", _conv("valid"),
    mistakes=[
        Mistake("the kernel was not flipped: that is cross-correlation. Convolution reverses `w` first "
                "(w[::-1] = [-1, 2, 1]), then slides it.", value=_corr("valid")),
        Mistake("these are the 'full' outputs (length 9); we want 'valid' (length 5).", value=_conv("full")),
        Mistake("these are the 'same' outputs (length 7); we want 'valid' (length 5).", value=_conv("same")),
        Mistake("right numbers, in reverse order: flip the kernel, not the output.",
                value=lambda: _conv("valid")()[::-1]),
        *_length_mistakes(5),
    ],
    hints=["Flip the kernel first: `w_q[::-1]` is [-1, 2, 1]. Then slide it like in question 1.",
           "y[i] = x[i]·w[2] + x[i+1]·w[1] + x[i+2]·w[0]. The first value is 3·(−1) + 1·2 + 4·1 = 3."],
    solution="Flip the kernel, then slide it as in question 1:",
    solution_code="conv_by_hand = np.array([x_q[i:i + 3] @ w_q[::-1] for i in range(len(x_q) - 3 + 1)])\n"
                  "# = [3, 8, 3, 18, 15], the same as scipy.signal.convolve(x_q, w_q, mode='valid')",
)

q_3 = MultipartQuestion(
    a=ValueQuestion(
        "len_valid", 44, kind="int",
        mistakes=[Mistake("43 = n − k is one short: count the starting positions 0, 1, …, n − k.", value=43),
                  Mistake("56 = n + k − 1 is the 'full' length; 'valid' keeps only windows inside the signal.",
                          value=56),
                  Mistake("50 = n is the 'same' length, which needs zero padding.", value=50)],
        hints=["The kernel's first tap can start at positions 0, 1, …, n − k."],
        solution="n − k + 1 = 50 − 7 + 1 = 44.", solution_code="len_valid = 50 - 7 + 1"),
    b=ValueQuestion(
        "len_full", 56, kind="int",
        mistakes=[Mistake("44 is the 'valid' length; 'full' also counts every partial overlap.", value=44),
                  Mistake("50 = n is the 'same' length; 'full' is longer than the signal.", value=50),
                  Mistake("57 = n + k is one too many: the kernel must overlap the signal by at least one value.",
                          value=57),
                  Mistake("58 = n + k + 1: the + 1 of the 'valid' formula does not carry over as is. Pad first "
                          "(n + 2(k − 1) values), then count the positions: n + 2(k − 1) − k + 1.", value=58)],
        hints=["'full' pads k − 1 zeros on each side: apply n − k + 1 to the padded length n + 2(k − 1)."],
        solution="n + k − 1 = 50 + 7 − 1 = 56.", solution_code="len_full = 50 + 7 - 1"),
    c=ValueQuestion(
        "len_strided", 20, kind="int",
        mistakes=[Mistake("18 ignores the padding: p zeros are added on both sides, so n becomes n + 2p.",
                          value=18),
                  Mistake("19 is one short: either the padding was counted on one side only (n + p instead of "
                          "n + 2p), or the + 1 is missing.", value=19),
                  Mistake("21 rounds up: the last stride that does not fit is dropped, so use floor "
                          "(`//`), not ceil.", value=21),
                  Mistake("40 ignores the stride: with s = 2 only every second position is kept.", value=40),
                  Mistake("not a whole number: `/` divides exactly, but a stride that does not fit is dropped. "
                          "Use floor division, `//`.", when=lambda a: a.ndim == 0 and a != np.floor(a))],
        hints=["out = ⌊(n + 2p − k) / s⌋ + 1.", "n + 2p − k = 40 + 4 − 5 = 39."],
        solution="⌊(40 + 2·2 − 5) / 2⌋ + 1 = ⌊39 / 2⌋ + 1 = 19 + 1 = 20.",
        solution_code="len_strided = (40 + 2 * 2 - 5) // 2 + 1"),
)


# ---- question 4: a rising-edge detector, judged by what it does on steps -----------
_STEP_UP = np.array([0., 0, 0, 0, 1, 1, 1, 1])


def _as_kernel(k):
    arr = to_array(k)
    if arr is None or arr.ndim != 1 or not 2 <= arr.size <= 7:
        return "a kernel here is a short 1-D list or array of 2 to 7 numbers, such as `[a, b]`."
    return None


def _sums_to_zero(k):
    arr = to_array(k).astype(float)
    total = arr.sum()
    if abs(total) < 1e-9:
        return None
    if np.all(arr >= 0):
        return ("all weights are ≥ 0: that is a smoothing kernel. It responds to the level of the signal, "
                "not to its changes. An edge detector's weights sum to 0.")
    return (f"the weights sum to {total:g}, not 0: a flat stretch at level c would give {total:g}·c, so flat "
            "regions would look like edges.")


def _points_up(k):
    arr = to_array(k).astype(float)
    up = np.correlate(_STEP_UP, arr, mode="valid")
    down = np.correlate(_STEP_UP[::-1], arr, mode="valid")
    if up.max() <= 1e-9 and down.max() > 1e-9:
        return ("this kernel detects falling edges: its response to a rising step is negative. np.correlate "
                "and Keras's Conv1D slide the kernel without flipping it, so the rising-edge detector is "
                "[-1, 1] (the [1, -1] of textbook convolution is the flipped version).")
    if up.min() < -1e-9:
        return ("on a rising step this kernel gives a positive and a negative peak (a second difference, "
                "like [1, -2, 1]): it marks where the slope changes. We want one positive response at the rise.")
    return None


q_4 = ObjectQuestion(
    "rising_edge", [_as_kernel, _sums_to_zero, _points_up],
    hints=["On a flat stretch the output must be 0, so the weights must sum to 0.",
           "With cross-correlation, y[i] = x[i]·w[0] + x[i+1]·w[1]. For a rise, x[i+1] > x[i]: which signs make "
           "y[i] positive?"],
    solution="y[i] = x[i+1] − x[i] is positive where the signal rises, negative where it falls and 0 where it "
             "is flat. As a cross-correlation kernel (no flip) that is [-1, 1]; [-1, 0, 1] or [-2, 2] work too.",
    solution_code="rising_edge = np.array([-1, 1])",
)

q_5 = ValueQuestion(
    "smooth5", np.full(5, 0.2),
    mistakes=[
        Mistake("all five weights are 1, so they sum to 5 and the smoothed signal comes out 5 times larger. "
                "Divide by 5.", value=np.ones(5)),
        Mistake("a 5-point moving average has exactly 5 weights.", when=lambda a: a.shape != (5,)),
        Mistake("the weights sum to 1, good, but a moving average weighs all 5 neighbours equally.",
                when=lambda a: abs(a.sum() - 1) < 1e-9),
    ],
    hints=["An average of 5 numbers multiplies each by the same weight and adds them.",
           "The weights must sum to 1, so that a constant signal stays the same."],
    solution="Five equal weights that sum to 1:",
    solution_code="smooth5 = np.ones(5) / 5",
)


# ---- question 6: conv1d from scratch ------------------------------------------------
def reference_conv1d(x, w, stride=1, padding="valid"):
    return signal.convolve(np.asarray(x, float), np.asarray(w, float), mode=padding)[::stride]


def _not_flipped(x, w, stride=1, padding="valid"):
    return signal.correlate(np.asarray(x, float), np.asarray(w, float), mode=padding)[::stride]


def _stride_ignored(x, w, stride=1, padding="valid"):
    return reference_conv1d(x, w, 1, padding)


def _last_window_missing(x, w, stride=1, padding="valid"):
    full = reference_conv1d(x, w, 1, padding)
    return full[:-1][::stride]


def _same_as_full(x, w, stride=1, padding="valid"):
    return reference_conv1d(x, w, stride, "full" if padding == "same" else padding)


def _same_misaligned(x, w, stride=1, padding="valid"):
    if padding != "same":
        return reference_conv1d(x, w, stride, padding)
    full, k, n = reference_conv1d(x, w, 1, "full"), len(w), len(x)
    return full[k // 2:k // 2 + n][::stride]


_SEED_X = np.array([2, 8, 3, 7, 1, 2, 0, 4, 5])
_SEED_W = np.array([2, 1, 5, 3])

q_6 = FunctionQuestion(
    "conv1d", reference_conv1d,
    # the hidden test: random lengths, kernels, strides and modes the student never sees
    hidden_cases=lambda: [case(rng.integers(-9, 10, size=n), rng.normal(size=k), s, mode)
                          for rng in [np.random.default_rng(2026)]
                          for n, k, s, mode in [(8, 3, 1, "valid"), (11, 4, 2, "same"), (16, 5, 3, "full"),
                                                (23, 6, 4, "same"), (30, 7, 1, "full"), (12, 12, 1, "valid")]],
    forbidden={"np.convolve": "the task is to write the sliding yourself, with numpy's arithmetic only.",
               "np.correlate": "the task is to write the sliding yourself, with numpy's arithmetic only.",
               "scipy": "the task is numpy only; scipy can check your answer outside the function.",
               "tensorflow": "the task is numpy only."},
    cases=[
        case(np.array([1, 2, 3]), np.array([1])),
        case(np.array([1, 2, 3]), np.array([1, 2])),
        case(np.array([1, 2, 3]), np.array([3, 2, 1])),
        case(_SEED_X, _SEED_W),
        case(_SEED_X, _SEED_W, stride=2),
        case(np.arange(1, 11), np.array([1, -1, 2]), stride=3),
        case(np.array([1, 2, 3, 4, 5]), np.array([1, 0, -1]), padding="full"),
        case(np.array([1, 2, 3, 4, 5]), np.array([1, 0, -1]), padding="same"),
        case(np.array([1, 2, 3, 4, 5, 6]), np.array([1, 2, 3, 4]), padding="same"),
        case(np.array([0.5, -1.5, 2, 3.25, -4, 1, 0]), np.array([0.25, -1, 2]), stride=3, padding="same"),
        case(np.array([0.5, -1.5, 2, 3.25, -4, 1, 0]), np.array([0.25, -1, 2]), stride=2, padding="full"),
    ],
    mistakes=[
        Mistake("the kernel is not flipped: this is cross-correlation. Reverse `w` (`w[::-1]`) before sliding.",
                impl=_not_flipped),
        Mistake("the stride is ignored: keep only every `stride`-th output, starting with the first.",
                impl=_stride_ignored),
        Mistake("the last window is missing: there are n − k + 1 window positions (`range(n - k + 1)`).",
                impl=_last_window_missing),
        Mistake("for padding='same' you return the 'full' output: 'same' keeps n values, the middle of 'full' "
                "starting at index (k − 1) // 2.", impl=_same_as_full),
        Mistake("for padding='same' with an even-length kernel the window is one position off: scipy keeps "
                "'full'[(k − 1) // 2 : (k − 1) // 2 + n], i.e. pads (k − 1) // 2 zeros on the left.",
                impl=_same_misaligned),
    ],
    hints=["Start with padding='valid' and stride=1: flip `w`, then for i in range(n − k + 1) take the dot "
           "product of `x[i:i+k]` with the flipped kernel.",
           "'full' is 'valid' on `x` padded with k − 1 zeros on each side (`np.pad`). 'same' is the part of "
           "'full' starting at index (k − 1) // 2, n values long.",
           "Stride: compute the dense (stride 1) output, then keep `out[::stride]`. Return `np.array(...)`."],
    solution="Flip, pad as the mode asks, slide, then subsample by the stride:",
    solution_code='''def conv1d(x, w, stride=1, padding="valid"):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    n, k = len(x), len(w)
    if padding in ("full", "same"):
        x = np.pad(x, k - 1)
    flipped = w[::-1]
    out = np.array([x[i:i + k] @ flipped for i in range(len(x) - k + 1)])
    if padding == "same":
        start = (k - 1) // 2
        out = out[start:start + n]
    return out[::stride]''',
)

q_7 = ChoiceQuestion(
    "conv1d_layer_computes", "b",
    {"a": "true convolution: it flips the kernel, then slides it",
     "b": "cross-correlation: it slides the kernel as it is",
     "c": "convolution with padding='same', cross-correlation with padding='valid'"},
    why_not={"a": "Keras and TensorFlow do not flip the kernel. The lesson shows `tf.nn.conv1d(x, w)` giving the "
                  "same numbers as `scipy.signal.correlate(x, w, 'valid')`.",
             "c": "padding only adds zeros at the ends; it never decides whether the kernel is flipped."},
    hints=["Compare the lesson's `tf.nn.conv1d` output with the scipy `correlate` and `convolve` outputs."],
    solution="(b): deep-learning libraries compute cross-correlation and call it convolution. Since the kernel "
             "is learned, the network can learn the flipped kernel just as well, so nothing is lost.",
    solution_code='conv1d_layer_computes = "b"',
)

q_8 = ChoiceQuestion(
    "flip_matters", {"a", "b"},
    {"a": "A layer that learns its kernel simply learns the flipped kernel, so leaving out the flip changes no output the network can reach.",
     "b": "The flip matters when you apply a kernel designed for true convolution, such as a signal-processing filter like the edge detector of question 4.",
     "c": "Cross-correlation and convolution give the same output for every kernel.",
     "d": "The flip matters for padding: `padding=\"same\"` needs a flipped kernel."},
    why_not={"c": "only for a symmetric kernel (w == w[::-1]). Question 2 gave different outputs for the same kernel.",
             "d": "padding only adds zeros at the ends of the signal; it has nothing to do with the flip."},
    hints=["What would change in the trained network if every kernel were stored reversed?"],
    solution="(a, b): " + "A Conv1D layer learns its kernel from data. If the best kernel for true convolution is w, the "
             "layer simply learns w[::-1] for cross-correlation: both compute exactly the same outputs, and "
             "skipping the flip saves work and makes the weights easier to read (the kernel looks like the "
             "pattern it detects). The flip matters only when you bring a kernel from signal processing, "
             "like the edge detector of question 4.",
    solution_code="flip_matters = \"ab\"",
)

label_questions(globals())
