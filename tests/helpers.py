"""Assertions shared by the chapter tests."""
import numpy as np

from grader.engine.feedback import INCORRECT


def assert_mistake_named(question, answer, says, student, var=None):
    """The student's ``answer`` is marked incorrect with a message containing ``says``."""
    student[var or question.var] = answer
    outcome = question.evaluate()
    assert outcome.status == INCORRECT, outcome.text()
    assert says in outcome.message, outcome.message
    return outcome


def assert_endless_loop_stopped(question, student, monkeypatch):
    def endless(*args, **kwargs):
        while True:
            pass
    monkeypatch.setattr(question, "time_limit", 0.5)
    student[question.var] = endless
    assert "did not finish" in question.evaluate().message


# Numpy-only stand-ins for scipy.signal, for student answers the tests write: a from-scratch task
# rules scipy out, so answers that call it are (rightly) refused before any other diagnosis.
def numpy_correlate(x, w, mode="valid"):
    x, w = np.asarray(x, float), np.asarray(w, float)
    n, k = len(x), len(w)
    padded = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
    full = np.array([padded[i:i + k] @ w for i in range(n + k - 1)])
    if mode == "full":
        return full
    if mode == "same":
        start = (k - 1) // 2
        return full[start:start + n]
    return full[k - 1:n]


def numpy_convolve(x, w, mode="valid"):
    x, w = np.asarray(x, float), np.asarray(w, float)
    if mode == "same":        # scipy centres 'same' on the full convolution
        full = numpy_correlate(x, w[::-1], "full")
        start = (len(w) - 1) // 2
        return full[start:start + len(x)]
    return numpy_correlate(x, w[::-1], mode)


def numpy_correlate2d(image, kernel, mode="valid"):
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    (H, W), (kh, kw) = image.shape, kernel.shape
    padded = np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    full = np.array([[np.sum(padded[i:i + kh, j:j + kw] * kernel) for j in range(W + kw - 1)]
                     for i in range(H + kh - 1)])
    if mode == "full":
        return full
    if mode == "same":
        top, left = kh // 2, kw // 2      # scipy.signal.correlate2d centres even kernels this way
        return full[top:top + H, left:left + W]
    return full[kh - 1:H, kw - 1:W]
