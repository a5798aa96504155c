"""Chapter 1 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py)."""
import numpy as np
import pytest
from scipy import signal

from grader.engine.feedback import CORRECT, INCORRECT
import grader.checks.ch01_convolution_1d as ch
from helpers import assert_mistake_named, assert_endless_loop_stopped, numpy_convolve, numpy_correlate

X, W = ch.x_q, ch.w_q


def test_multipart_question_is_correct_when_all_parts_are(student):
    student.update(len_valid=44, len_full=56, len_strided=20)
    assert ch.q_3.evaluate().status == CORRECT
    student["len_full"] = 57
    assert ch.q_3.evaluate().status == INCORRECT


def conv_valid():
    return signal.convolve(X, W, "valid")


def corr_valid():
    return signal.correlate(X, W, "valid")


VALUE_MISTAKES = [
    (ch.q_1, conv_valid(), "you flipped the kernel"),
    (ch.q_1, signal.correlate(X, W, "full"), "'full' outputs"),
    (ch.q_1, signal.correlate(X, W, "same"), "'same' outputs"),
    (ch.q_1, corr_valid()[::-1], "reverse order"),
    (ch.q_1, corr_valid()[:4], "one value short"),
    (ch.q_1, np.r_[corr_valid(), 0], "one value too many"),
    (ch.q_2, corr_valid(), "not flipped"),
    (ch.q_2, signal.convolve(X, W, "full"), "'full' outputs"),
    (ch.q_2, signal.convolve(X, W, "same"), "'same' outputs"),
    (ch.q_2, conv_valid()[::-1], "flip the kernel, not the output"),
    (ch.q_3.a, 43, "n − k is one short"),
    (ch.q_3.a, 56, "'full' length"),
    (ch.q_3.a, 50, "'same' length"),
    (ch.q_3.a, 44.0, "`//`"),
    (ch.q_3.b, 44, "'valid' length"),
    (ch.q_3.b, 57, "one too many"),
    (ch.q_3.c, 18, "ignores the padding"),
    (ch.q_3.c, 19, "one side only"),
    (ch.q_3.c, 21, "rounds up"),
    (ch.q_3.c, 40, "ignores the stride"),
    (ch.q_3.c, 39 / 2 + 1, "`//`"),
    (ch.q_4, [1, -1], "detects falling edges"),
    (ch.q_4, [1, 1], "smoothing kernel"),
    (ch.q_4, [-1, 2], "sum to 1"),
    (ch.q_4, [1, -2, 1], "second difference"),
    (ch.q_4, np.ones((2, 2)), "short 1-D"),
    (ch.q_5, np.ones(5), "5 times larger"),
    (ch.q_5, np.ones(3) / 3, "exactly 5 weights"),
    (ch.q_5, [0.1, 0.2, 0.4, 0.2, 0.1], "weighs all 5 neighbours equally"),
    (ch.q_7, "a", "do not flip"),
    (ch.q_7, "c", "padding only adds zeros"),
    (ch.q_7, "d", "one of 'a', 'b', 'c'"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    assert_mistake_named(question, answer, says, student, var=question.var)


@pytest.mark.parametrize("kernel", [[-1, 1], [-2, 2], [-1, 0, 1], np.array([-1.0, -1.0, 1.0, 1.0])])
def test_any_rising_edge_detector_is_accepted(kernel, student):
    student["rising_edge"] = kernel
    assert ch.q_4.evaluate().status == CORRECT


def ref(x, w, stride=1, padding="valid"):
    return numpy_convolve(x, w, padding)[::stride]


def not_flipped(x, w, stride=1, padding="valid"):
    return numpy_correlate(x, w, padding)[::stride]


def no_stride(x, w, stride=1, padding="valid"):
    return ref(x, w, 1, padding)


def loop_one_short(x, w, stride=1, padding="valid"):
    x, w = np.asarray(x, float), np.asarray(w, float)[::-1]
    k = len(w)
    if padding != "valid":
        x = np.pad(x, k - 1)
    out = np.array([x[i:i + k] @ w for i in range(len(x) - k)])  # range(n - k): misses the last window
    if padding == "same":
        out = out[(k - 1) // 2:(k - 1) // 2 + len(x) - 2 * (k - 1)]
    return out[::stride]


def same_is_full(x, w, stride=1, padding="valid"):
    return ref(x, w, stride, "full" if padding == "same" else padding)


def same_shifted(x, w, stride=1, padding="valid"):
    if padding != "same":
        return ref(x, w, stride, padding)
    full, k, n = ref(x, w, 1, "full"), len(w), len(x)
    return full[k // 2:k // 2 + n][::stride]


def as_list(x, w, stride=1, padding="valid"):
    return ref(x, w, stride, padding).tolist()


def crashes(x, w, stride=1, padding="valid"):
    return x[len(x) + 3]


def endless(x, w, stride=1, padding="valid"):
    while True:
        pass


FUNCTION_MISTAKES = [
    (not_flipped, "not flipped"),
    (no_stride, "stride is ignored"),
    (loop_one_short, "last window is missing"),
    (same_is_full, "return the 'full' output"),
    (same_shifted, "one position off"),
    (as_list, "return a numpy array"),
    (crashes, "raised IndexError"),
]


@pytest.mark.parametrize("impl, says", FUNCTION_MISTAKES, ids=[s for _, s in FUNCTION_MISTAKES])
def test_conv1d_mistake_is_named(impl, says, student):
    assert_mistake_named(ch.q_6, impl, says, student, var="conv1d")


def test_conv1d_endless_loop_is_stopped(student, monkeypatch):
    assert_endless_loop_stopped(ch.q_6, student, monkeypatch)


def test_conv1d_reports_smallest_failing_input(student):
    def wrong_on_long_inputs(x, w, stride=1, padding="valid"):
        out = ref(x, w, stride, padding)
        return out + (len(x) > 4)
    student["conv1d"] = wrong_on_long_inputs
    message = ch.q_6.evaluate().message
    assert "smallest failing input" in message
    assert "conv1d(x=[1, 2, 3, 4, 5], w=[ 1,  0, -1], padding='full')" in message
    assert "expected:" in message and "got:" in message


def test_conv1d_hidden_cases_catch_a_solution_tuned_to_the_visible_ones(student):
    visible = {(tuple(np.ravel(c.args[0])), tuple(np.ravel(c.args[1])), tuple(sorted(c.kwargs.items())))
               for c in ch.q_6.cases}

    def memorised(x, w, stride=1, padding="valid"):
        key = (tuple(np.ravel(x)), tuple(np.ravel(w)), tuple(sorted({"stride": stride, "padding": padding}.items())))
        return ref(x, w, stride, padding) if key in visible or len(x) < 12 else np.zeros(3)
    student["conv1d"] = memorised
    rng = np.random.default_rng(0)
    with pytest.raises(AssertionError):
        ch.q_6.assert_passes_on([(rng.integers(-9, 10, size=16), rng.normal(size=5), 3, "full")])
