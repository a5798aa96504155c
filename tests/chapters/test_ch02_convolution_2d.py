"""Chapter 2 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py)."""
import os

import numpy as np
import pytest
from scipy import signal

from grader.engine.feedback import CORRECT
import grader.checks.ch02_convolution_2d as ch
from helpers import assert_mistake_named, assert_endless_loop_stopped, numpy_correlate2d

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="module")
def tf():
    import tensorflow
    return tensorflow


@pytest.fixture(scope="module")
def keras(tf):
    import keras
    return keras


SIMPLE = [ch.q_1, ch.q_2.a, ch.q_2.b, ch.q_3, ch.q_4, ch.q_5, ch.q_6, ch.q_7]


def run_solution(question, student, tf):
    student.update(np=np, signal=signal, tf=tf, image_q=ch.image_q, kernel_q=ch.kernel_q)
    exec(question.solution_code, student)


def test_multipart_and_thought_questions(student, tf):
    for part in ch.q_2.parts.values():
        run_solution(part, student, tf)
    assert ch.q_2.evaluate().status == CORRECT


# ---- question 1: the kernel as a tensor ------------------------------------------------
SHARPEN = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]

KERNEL_MISTAKES = [
    (lambda tf: SHARPEN, "Python list"),
    (lambda tf: np.array(SHARPEN, dtype=np.float32), "numpy array, not a TensorFlow tensor"),
    (lambda tf: tf.constant(SHARPEN), "dtype is int32"),
    (lambda tf: tf.constant(np.array(SHARPEN, dtype=float)), "dtype is float64"),
    (lambda tf: tf.reshape(tf.constant(SHARPEN, tf.float32), (3, 3, 1, 1)), "comes later"),
    (lambda tf: tf.constant([[0, -1], [-1, 5]], tf.float32), "shape (2, 2)"),
    (lambda tf: tf.constant(ch.CLASSIC_KERNELS["emboss"], tf.float32), "emboss kernel"),
    (lambda tf: tf.constant(ch.CLASSIC_KERNELS["edge detect"], tf.float32), "edge detect kernel"),
    (lambda tf: -tf.constant(SHARPEN, tf.float32), "every sign is reversed"),
    (lambda tf: tf.constant([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], tf.float32), "centre 4"),
    (lambda tf: tf.constant([[0, -1, 0], [-1, 5, -1], [0, -1, 1]], tf.float32), "row 2, column 2"),
    (lambda tf: "sharpen", "should be a TensorFlow tensor"),
]


@pytest.mark.parametrize("make, says", KERNEL_MISTAKES, ids=[s for _, s in KERNEL_MISTAKES])
def test_kernel_mistake_is_named(make, says, student, tf):
    assert_mistake_named(ch.q_1, make(tf), says, student, var="kernel")


def test_float32_variable_is_accepted(student, tf):
    student["kernel"] = tf.Variable(tf.constant(SHARPEN, tf.float32))
    assert ch.q_1.evaluate().status == CORRECT


# ---- question 2: the functions ---------------------------------------------------------
FUNCTION_MISTAKES = [
    ("a", lambda tf, keras: tf.nn.conv1d, "`tf.nn.conv1d` slides"),
    ("a", lambda tf, keras: tf.nn.conv3d, "three axes"),
    ("a", lambda tf, keras: tf.nn.depthwise_conv2d, "each channel separately"),
    ("a", lambda tf, keras: keras.layers.Conv2D, "layer class"),
    ("a", lambda tf, keras: keras.layers.Conv2D(1, 3), "Keras layer object"),
    ("a", lambda tf, keras: keras.ops.conv, "backend-independent"),
    ("a", lambda tf, keras: tf.nn.relu, "detection step"),
    ("a", lambda tf, keras: tf.nn.conv2d(tf.ones((1, 3, 3, 1)), tf.ones((2, 2, 1, 1)), 1, "VALID"),
     "you *called* a function"),
    ("a", lambda tf, keras: "tf.nn.conv2d", "without quotes"),
    ("a", lambda tf, keras: np.convolve, "asks for the 2-D convolution function from TensorFlow's `tf.nn`"),
    ("a", lambda tf, keras: None, "should be a function"),
    ("b", lambda tf, keras: tf.nn.sigmoid, "squashes every value into (0, 1)"),
    ("b", lambda tf, keras: tf.nn.leaky_relu, "small part of the negative"),
    ("b", lambda tf, keras: tf.nn.relu6, "caps the output"),
    ("b", lambda tf, keras: tf.math.abs, "instead of dropping them"),
    ("b", lambda tf, keras: tf.nn.tanh, "keeps the sign"),
    ("b", lambda tf, keras: keras.layers.ReLU, "layer class"),
    ("b", lambda tf, keras: tf.nn.conv2d, "filtering step"),
    ("b", lambda tf, keras: tf.nn.relu(tf.constant([-1.0, 2.0])), "you *called* a function"),
    ("b", lambda tf, keras: lambda x: np.maximum(x, 0), "asks for the ReLU function from TensorFlow's `tf.nn`"),
]


@pytest.mark.parametrize("part, make", [("a", lambda tf, keras: tf.nn.conv2d), ("a", lambda tf, keras: tf.nn.convolution),
                                        ("b", lambda tf, keras: tf.nn.relu), ("b", lambda tf, keras: keras.activations.relu),
                                        ("b", lambda tf, keras: tf.keras.activations.relu),
                                        ("b", lambda tf, keras: keras.ops.relu)])
def test_functions_that_do_the_same_job_are_accepted(part, make, student, tf, keras):
    question = ch.q_2.parts[part]
    student[question.var] = make(tf, keras)
    assert question.evaluate().status == CORRECT


@pytest.mark.parametrize("part, make, says", FUNCTION_MISTAKES,
                         ids=[f"{p}-{s[:24]}" for p, _, s in FUNCTION_MISTAKES])
def test_function_mistake_is_named(part, make, says, student, tf, keras):
    question = ch.q_2.parts[part]
    assert_mistake_named(question, make(tf, keras), says, student, var=question.var)


# ---- questions 3 to 6: values, choices, kernels ------------------------------------------
def filtered():
    return signal.correlate2d(ch.image_q, ch.kernel_q, "valid")


def flipped():
    return signal.convolve2d(ch.image_q, ch.kernel_q, "valid")


VALUE_MISTAKES = [
    (ch.q_3, (475, 637), "one short on each axis"),
    (ch.q_3, (478, 636), "swapped in the kernel"),
    (ch.q_3, (638, 476), "(width, height)"),
    (ch.q_3, (484, 642), "'full' output"),
    (ch.q_3, (480, 640), "'same' output"),
    (ch.q_3, (477, 639), "one too many"),
    (ch.q_4, filtered(), "*before* ReLU"),
    (ch.q_4, np.maximum(flipped(), 0), "the kernel is flipped"),
    (ch.q_4, flipped(), "ReLU is missing"),
    (ch.q_4, np.abs(filtered()), "absolute value"),
    (ch.q_4, np.maximum(filtered(), 0).T, "rows and columns are swapped"),
    (ch.q_4, np.maximum(filtered(), 0).reshape(1, 3, 3, 1), "tf.squeeze"),
    (ch.q_4, np.zeros((4, 4)), "answer is 3×3"),
    (ch.q_4, np.zeros((2, 2)), "answer is 3×3"),
    (ch.q_5, "a", "every direction"),
    (ch.q_5, "c", "*vertical* edges"),
    (ch.q_5, "d", "sharpen"),
    (ch.q_5, "e", "blur"),
    (ch.q_5, "f", "one of 'a', 'b', 'c', 'd', 'e'"),
    (ch.q_6, [[1, 1, 1], [1, 1, 1], [1, 1, 1]], "a blur, or a copy"),
    (ch.q_6, [[0, 0, 0], [0, 1, 0], [0, 0, 0]], "all weights are ≥ 0"),
    (ch.q_6, [[-1, 0, 2]], "sum to 1"),
    (ch.q_6, [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "detects *horizontal* edges"),
    (ch.q_6, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], "signs are reversed"),
    (ch.q_6, [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], "horizontal edges too"),
    (ch.q_6, [[1, -2, 1], [2, -4, 2], [1, -2, 1]], "second"),
    (ch.q_6, [[0, 0, 0], [0, 0, 0], [0, 0, 0]], "gives 0 on a vertical edge"),
    (ch.q_6, [-1, 0, 1], "give a 2-D kernel"),
    (ch.q_6, [[-1], [1]], "detects *horizontal* edges"),
    (ch.q_6, np.ones((7, 7)) - 1, "at most 5×5"),
    (ch.q_6, "sobel", "should be a 2-D list"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    assert_mistake_named(question, answer, says, student, var=question.var)


def test_question_4_mistakes_are_all_different():
    expected = np.maximum(filtered(), 0)
    wrongs = [filtered(), np.maximum(flipped(), 0), flipped(), np.abs(filtered()), expected.T]
    for i, a in enumerate(wrongs):
        assert not np.array_equal(a, expected)
        for b in wrongs[i + 1:]:
            assert not np.array_equal(a, b)


@pytest.mark.parametrize("kernel", [[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], [[-1, 1]], [[-1, 0, 1]] * 3,
                                    np.array([[-1.0, 1.0], [-1.0, 1.0]]), [[-1, -1, 1, 1]] * 5])
def test_any_vertical_edge_detector_is_accepted(kernel, student):
    student["vertical_edge"] = kernel
    assert ch.q_6.evaluate().status == CORRECT, ch.q_6.evaluate().text()


# ---- question 7: conv2d from scratch -------------------------------------------------------
def ref(image, kernel):
    return numpy_correlate2d(image, kernel, "valid")


def flipped_kernel(image, kernel):
    return ref(image, np.asarray(kernel)[::-1, ::-1])


def flipped_upside_down(image, kernel):
    return ref(image, np.asarray(kernel)[::-1])


def flipped_left_right(image, kernel):
    return ref(image, np.asarray(kernel)[:, ::-1])


def loops_one_short(image, kernel):
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    (H, W), (kh, kw) = image.shape, kernel.shape
    out = np.zeros((H - kh, W - kw))
    for i in range(H - kh):
        for j in range(W - kw):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def rows_one_short(image, kernel):
    return ref(image, kernel)[:-1]


def cols_one_short(image, kernel):
    return ref(image, kernel)[:, :-1]


def transposed_output(image, kernel):
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    (H, W), (kh, kw) = image.shape, kernel.shape
    out = np.zeros((W - kw + 1, H - kh + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[j, i] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def swapped_kernel_axes(image, kernel):
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    H, W = image.shape
    kw, kh = kernel.shape          # swapped
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def windows_do_not_fit(image, kernel):
    window = np.ones((2, 3))            # a window of the wrong shape for the kernel
    return np.array([[np.sum(window * np.ones((3, 2)))]])


def full_mode(image, kernel):
    return numpy_correlate2d(image, kernel, "full")


def same_mode(image, kernel):
    return numpy_correlate2d(image, kernel, "same")


def as_list(image, kernel):
    return ref(image, kernel).tolist()


def endless(image, kernel):
    while True:
        pass


CONV2D_MISTAKES = [
    (flipped_kernel, "flipped on both axes"),
    (flipped_upside_down, "flipped upside down"),
    (flipped_left_right, "flipped left to right"),
    (loops_one_short, "last row and column of the output are missing"),
    (rows_one_short, "last row of the output is missing"),
    (cols_one_short, "last column of the output is missing"),
    (transposed_output, "transpose of the answer"),
    (swapped_kernel_axes, "kernel's rows and columns are swapped"),
    (windows_do_not_fit, "a window came out a different shape"),
    (full_mode, "'full' output"),
    (same_mode, "'same' output"),
    (as_list, "return a numpy array"),
]


@pytest.mark.parametrize("impl, says", CONV2D_MISTAKES, ids=[s for _, s in CONV2D_MISTAKES])
def test_conv2d_mistake_is_named(impl, says, student):
    assert_mistake_named(ch.q_7, impl, says, student, var="conv2d")


def test_conv2d_endless_loop_is_stopped(student, monkeypatch):
    assert_endless_loop_stopped(ch.q_7, student, monkeypatch)


def test_conv2d_reports_smallest_failing_input(student):
    def wrong_on_big_inputs(image, kernel):
        return ref(image, kernel) + (np.size(image) > 9)
    student["conv2d"] = wrong_on_big_inputs
    message = ch.q_7.evaluate().message
    assert "smallest failing input" in message
    assert "expected:" in message and "got:" in message


def test_conv2d_hidden_cases_catch_a_solution_tuned_to_the_visible_ones(student):
    visible = {np.asarray(c.args[0]).tobytes() for c in ch.q_7.cases}

    def memorised(image, kernel):
        return ref(image, kernel) if np.asarray(image).tobytes() in visible else np.zeros((1, 1))
    student["conv2d"] = memorised
    assert ch.q_7.evaluate().status == CORRECT
    rng = np.random.default_rng(0)
    with pytest.raises(AssertionError):
        ch.q_7.assert_passes_on([(rng.integers(-9, 10, size=(7, 9)), rng.normal(size=(3, 2)))])
