"""Chapter 12 checks: the references equal TensorFlow (forward, GradientTape gradients, pooling
gradients); each recognised mistake is named; right answers in other forms pass (reference answers
and placeholders are covered for every chapter in test_questions_all_chapters.py)."""
import os

import numpy as np
import pytest

from grader.engine.feedback import CORRECT, INCORRECT
import grader.checks.ch12_conv_backprop as ch
from helpers import assert_mistake_named


def run_solution(question, student):
    student.update(np=np, pool_map=ch.pool_map, pool_dy=ch.pool_dy)
    exec(question.solution_code, student)


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow
    return tensorflow


# ---- the references are TensorFlow -------------------------------------------------------------
BACKWARD_INPUTS = [ch._backward_inputs(spec) for spec in ch._BACKWARD_SPECS + ch._BACKWARD_HIDDEN_SPECS]


def test_reference_forward_and_im2col_equal_tf_conv2d(tf):
    for x, w, _, stride, padding in BACKWARD_INPUTS:
        want = tf.nn.conv2d(x, w, strides=stride, padding=padding.upper()).numpy()
        np.testing.assert_allclose(ch.reference_conv2d(x, w, None, stride, padding), want, rtol=1e-10, atol=1e-12)
        k, C, F = w.shape[0], w.shape[2], w.shape[3]
        cols = ch.reference_im2col(x, k, stride, padding)
        np.testing.assert_allclose((cols @ w.reshape(k * k * C, F)).reshape(want.shape), want, rtol=1e-10, atol=1e-12)


def test_reference_backward_equals_gradient_tape(tf):
    for x, w, dy, stride, padding in BACKWARD_INPUTS:
        b = np.zeros(w.shape[3])
        xv, wv, bv = tf.Variable(x), tf.Variable(w), tf.Variable(b)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((tf.nn.conv2d(xv, wv, strides=stride, padding=padding.upper()) + bv) * dy)
        for got, want in zip(ch.reference_conv2d_backward(x, w, dy, stride, padding),
                             tape.gradient(loss, [xv, wv, bv])):
            np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-12)


def test_every_backward_mistake_differs_from_the_answer_on_some_visible_case():
    """A mistake that equals the reference on every case could never be named."""
    for mistake in ch.q_4.mistakes:
        differs = False
        for n in range(1, len(ch.q_4.cases) + 1):
            try:
                wrong = mistake.impl(*ch.q4_inputs(n))
            except Exception:
                continue
            right = ch.reference_conv2d_backward(*ch.q4_inputs(n))
            differs |= any(np.shape(g) != np.shape(r) or not np.allclose(g, r) for g, r in zip(wrong, right))
        assert differs, mistake.says


def test_pool_answers_equal_tf_gradients(tf):
    x = tf.Variable(ch.pool_map.astype(float)[None, :, :, None])
    for pool, question in [(tf.nn.max_pool2d, ch.q_5.a), (tf.nn.avg_pool2d, ch.q_5.b)]:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(pool(x, 2, 2, "VALID") * ch.pool_dy.astype(float)[None, :, :, None])
        np.testing.assert_array_equal(tape.gradient(loss, x).numpy()[0, :, :, 0], question.expected())


def test_counts_and_shapes_equal_keras(tf):
    import keras
    conv = keras.layers.Conv2D(64, 3, padding="same")
    conv.build((None, 56, 56, 32))
    assert conv.count_params() == ch.q_2.a.expected()
    assert 56 * 56 * np.prod(conv.kernel.shape) == ch.q_2.b.expected()
    dense = keras.layers.Dense(4096)
    dense.build((None, 7 * 7 * 512))
    assert dense.count_params() - 4096 == ch.q_2.c.expected()
    x = np.zeros((2, 8, 8, 3))
    assert ch.reference_im2col(x, 3).shape == ch.q_1.a.expected()
    assert ch.reference_im2col(np.zeros((4, 15, 15, 8)), 5, 2, "same").shape == ch.q_1.b.expected()


def test_vgg_choice_holds_for_keras_vgg16(tf):
    """q_6.a's answer and its numbers (89%, over 99%, 138 and 14.7 million) come from the real network."""
    import keras
    vgg = keras.applications.VGG16(weights=None)
    conv = [l for l in vgg.layers if isinstance(l, keras.layers.Conv2D)]
    dense = [l for l in vgg.layers if isinstance(l, keras.layers.Dense)]
    conv_m = sum(int(np.prod(l.output.shape[1:3])) * int(np.prod(l.kernel.shape)) for l in conv)
    dense_m = sum(int(np.prod(l.kernel.shape)) for l in dense)
    dense_p = sum(l.count_params() for l in dense)
    assert round(vgg.count_params() / 1e6) == 138 and round(sum(l.count_params() for l in conv) / 1e5) == 147
    assert round(100 * dense_p / vgg.count_params()) == 89 and conv_m / (conv_m + dense_m) > 0.99
    assert round((conv_m + dense_m) / 1e8) == 155
    assert ch.q_6.a.answer == "c"


# ---- shapes, counts and by-hand answers: mistakes and other forms ------------------------------
VALUE_MISTAKES = [
    (ch.q_1.a, (27, 72), "swapped"),
    (ch.q_1.a, (36, 27), "forgets the batch"),
    (ch.q_1.a, (128, 27), "'same' padding"),
    (ch.q_1.a, (72, 9), "forget the channels"),
    (ch.q_1.a, (72, 432), "filters are not part"),
    (ch.q_1.a, (72, 16), "*output*"),
    (ch.q_1.a, (98, 27), "7 positions"),
    (ch.q_1.b, (144, 200), "'valid' count"),
    (ch.q_1.b, (900, 200), "ignores the stride"),
    (ch.q_1.b, (64, 200), "forgets the batch"),
    (ch.q_1.b, (200, 256), "swapped"),
    (ch.q_1.b, (256, 6400), "filters are not part"),
    (ch.q_1.b, (256, 32), "*output*"),
    (ch.q_1.b, (196, 200), "7 positions"),
    (ch.q_1.b, (256, 25), "forget the channels"),
    (ch.q_1.b, (256.0, 200.0), "floats"),
    (ch.q_1.c, (32, 200), "swapped"),
    (ch.q_1.c, (5, 5, 8, 32), "Keras"),
    (ch.q_1.c, (25, 32), "channels are missing"),
    (ch.q_1.c, (256, 32), "the product"),
    (ch.q_2.a, 18432, "biases are missing"),
    (ch.q_2.a, 3 * 3 * 64 + 64, "input channels are missing"),
    (ch.q_2.a, 56 * 56 * 18496, "do not depend on the size"),
    (ch.q_2.a, 18432 + 32, "one bias per filter"),
    (ch.q_2.a, 18496.0, "whole number"),
    (ch.q_2.b, 2 * 57802752, "FLOPs"),
    (ch.q_2.b, 57802752 + 56 * 56 * 64, "bias is an addition"),
    (ch.q_2.b, 54 * 54 * 18432, "'valid' padding"),
    (ch.q_2.b, 18432, "number of weights"),
    (ch.q_2.b, 56 * 56 * 9 * 64, "input channels are missing"),
    (ch.q_2.c, 102760448 + 4096, "parameter count"),
    (ch.q_2.c, 2 * 102760448, "FLOPs"),
    (ch.q_2.c, 512 * 4096, "25,088"),
    (ch.q_2.c, 49 * 102760448, "exactly once"),
    (ch.q_5.a, np.array([[0, .5, .5, .5], [.5, 0, .5, .5], [0, 3, 0, 4], [0, 0, 0, 0]]), "share the gradient"),
    (ch.q_5.a, np.array([[0, .5, 1, 1], [.5, 0, 1, 1], [0, 3, 0, 4], [0, 0, 0, 0]]), "numerical gradient"),
    (ch.q_5.a, np.array([[0, 1, 2, 2], [1, 0, 2, 2], [0, 3, 0, 4], [0, 0, 0, 0]]), "every tied maximum"),
    (ch.q_5.a, np.array([[0, 0, 0, 0], [1, 0, 0, 2], [0, 3, 0, 4], [0, 0, 0, 0]]), "*last*"),
    (ch.q_5.a, np.array([[0, 1, 1, 0], [0, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0]]), "multiply by the gradient"),
    (ch.q_5.a, np.kron(ch.pool_dy, np.ones((2, 2))), "copied to all four"),
    (ch.q_5.a, np.kron(ch.pool_dy, np.ones((2, 2))) / 4, "*average*"),
    (ch.q_5.a, np.array([[0, 7, 1, 0], [0, 0, 0, 0], [0, 4, 0, 9], [0, 0, 0, 0]]), "values of the map"),
    (ch.q_5.b, np.kron(ch.pool_dy, np.ones((2, 2))), "without dividing"),
    (ch.q_5.b, np.kron(ch.pool_dy, np.ones((2, 2))) / 2, "divided by 2"),
    (ch.q_5.b, ch.q_5.a.expected(), "*max* pooling"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    outcome = assert_mistake_named(question, answer, says, student, var=question.var)
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


@pytest.mark.parametrize("question, answer", [
    (ch.q_1.a, [72, 27]), (ch.q_1.a, np.array([72, 27])), (ch.q_1.b, (np.int64(256), 200)),
    (ch.q_2.b, np.int64(57802752)), (ch.q_5.a, ch.q_5.a.expected().tolist()),
    (ch.q_5.b, (np.kron(ch.pool_dy, np.ones((2, 2))) / 4).tolist()), (ch.q_6.a, "C"), (ch.q_6.b, " d "),
], ids=lambda v: getattr(v, "name", None) or type(v).__name__)
def test_right_answer_in_another_form_passes(question, answer, student):
    student[question.var] = answer
    assert question.evaluate().status == CORRECT, question.evaluate().text()


def test_choice_mistakes_say_why(student):
    for key, says in [("a", "once per image"), ("b", "14.7 million"), ("d", "other way round")]:
        assert_mistake_named(ch.q_6.a, key, says, student)
    for key in "abc":
        assert_mistake_named(ch.q_6.b, key, "whatever the batch size", student)


def test_multipart_questions_are_correct_when_all_parts_are(student):
    for q in (ch.q_1, ch.q_2, ch.q_5, ch.q_6):
        for part in q.parts.values():
            run_solution(part, student)
        assert q.evaluate().status == CORRECT
    student["dx_avg"] = ch.q_5.a.expected()
    assert ch.q_5.evaluate().status == INCORRECT


# ---- im2col ------------------------------------------------------------------------------------
def solution_function(question, name):
    namespace = {"np": np}
    exec(question.solution_code, namespace)
    return namespace[name]


def im2col_sliding_window(x, k, stride=1, padding="valid"):
    """Another correct idea: numpy's sliding_window_view, then keep every stride-th window."""
    x = np.asarray(x, float)
    if padding == "same":
        pads = [ch.same_pads(n, k, stride) for n in x.shape[1:3]]
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))[:, ::stride, ::stride]
    n, ho, wo, c = windows.shape[:4]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * ho * wo, k * k * c)


def im2col_as_list(x, k, stride=1, padding="valid"):
    return ch.reference_im2col(x, k, stride, padding).tolist()


def im2col_with_tf(x, k, stride=1, padding="valid"):
    import tensorflow as tf
    patches = tf.image.extract_patches(np.asarray(x, float), [1, k, k, 1], [1, stride, stride, 1], [1, 1, 1, 1],
                                       padding.upper()).numpy()
    return patches.reshape(-1, patches.shape[-1])


IM2COL_MISTAKES = [
    (ch._im2col_transposed, "rows and columns of the result are swapped"),
    (ch._im2col_channels_first, "(channel, row, column)"),
    (ch._im2col_columns_swapped, "column by column"),
    (ch._im2col_positions_swapped, "output positions column by column"),
    (ch._im2col_stride_ignored, "stride is ignored"),
    (ch._im2col_windows_step_one, "start at rows i, i + 1"),
    (ch._im2col_padding_ignored, "treated like 'valid'"),
    (ch._im2col_extra_first, "wrong side"),
    (ch._im2col_symmetric, "k // 2 on each side"),
    (im2col_as_list, "return a numpy array"),
    (im2col_with_tf, "rules out"),
]


@pytest.mark.parametrize("impl, says", IM2COL_MISTAKES, ids=[s[:24] for _, s in IM2COL_MISTAKES])
def test_im2col_mistake_is_named(impl, says, student, tf):   # TensorFlow imported before any watched call
    outcome = assert_mistake_named(ch.q_3, impl, says, student, var="im2col")
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


def test_im2col_accepts_sliding_window_view_and_its_hidden_cases(student):
    student["im2col"] = im2col_sliding_window
    assert ch.q_3.evaluate().status == CORRECT, ch.q_3.evaluate().text()
    ch.q_3.assert_hidden_tests_pass()


def test_im2col_hidden_cases_catch_a_memorised_solution(student):
    visible = {np.asarray(c.args[0]).tobytes() for c in ch.q_3.cases}

    def memorised(x, k, stride=1, padding="valid"):
        x = np.asarray(x, float)
        return ch.reference_im2col(x, k, stride, padding) if x.tobytes() in visible else np.zeros((1, 1))
    student["im2col"] = memorised
    assert ch.q_3.evaluate().status == CORRECT
    with pytest.raises(AssertionError):
        ch.q_3.assert_hidden_tests_pass()


# ---- conv2d_backward -----------------------------------------------------------------------------
def backward_mistake(**options):
    def conv2d_backward(x, w, dy, stride=1, padding="valid"):
        return ch._backward(x, w, dy, stride, padding, **options)
    return conv2d_backward


def backward_tape(x, w, dy, stride=1, padding="valid"):
    """Right answer, another form: TensorFlow tensors (ruled out: the task forbids TensorFlow)."""
    import tensorflow as tf
    xv, wv = tf.Variable(x), tf.Variable(w)
    bv = tf.Variable(np.zeros(w.shape[3]))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((tf.nn.conv2d(xv, wv, stride, padding.upper()) + bv) * dy)
    return tuple(tape.gradient(loss, [xv, wv, bv]))


def backward_as_list(x, w, dy, stride=1, padding="valid"):
    return list(ch.reference_conv2d_backward(x, w, dy, stride, padding))


def backward_dx_only(x, w, dy, stride=1, padding="valid"):
    return ch.reference_conv2d_backward(x, w, dy, stride, padding)[0]


def backward_full_convolution(x, w, dy, stride=1, padding="valid"):
    """Another correct idea: dx as a full convolution of the spread-out dy with the flipped kernel."""
    x, w, dy = (np.asarray(a, float) for a in (x, w, dy))
    k = w.shape[0]
    xp, (top, bottom), (left, right) = ch._pad(x, k, stride, padding)
    N, Ho, Wo, F = dy.shape
    spread = np.zeros((N, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1, F))
    spread[:, ::stride, ::stride] = dy
    padded = np.pad(spread, ((0, 0), (k - 1, k - 1), (k - 1, k - 1), (0, 0)))
    full = ch.reference_conv2d(padded, w[::-1, ::-1].transpose(0, 1, 3, 2))
    dxp = np.zeros_like(xp)
    dxp[:, :full.shape[1], :full.shape[2]] = full
    dx = dxp[:, top:xp.shape[1] - bottom, left:xp.shape[2] - right]
    cols = ch.reference_im2col(x, k, stride, padding)
    dw = (cols.T @ dy.reshape(-1, F)).reshape(w.shape)
    return dx, dw, dy.sum(axis=(0, 1, 2))


BACKWARD_MISTAKES = [
    (backward_mistake(flip=True), "`dx` is wrong. the kernel is used the wrong way round"),
    (backward_mistake(step=1), "stride is ignored"),
    (backward_mistake(crop=False), "not cropped"),
    (backward_mistake(extra_first=True), "wrong side"),
    (backward_mistake(symmetric=True), "k // 2 on each side"),
    (backward_mistake(accumulate=False), "Add (`+=`)"),
    (backward_mistake(db_axes=(1, 2)), "`db` is wrong. db is summed over rows and columns but not over the batch"),
    (backward_mistake(db_axes=(0, 1, 2, 3)), "channels included"),
    (backward_mistake(db_axes=(0,)), "over the batch only"),
    (backward_mistake(db_axes=None), "*mean*"),
    (backward_tape, "rules out"),
    (backward_dx_only, "should return 3 values"),
]


@pytest.mark.parametrize("impl, says", BACKWARD_MISTAKES, ids=[s[:24] for _, s in BACKWARD_MISTAKES])
def test_conv2d_backward_mistake_is_named(impl, says, student, tf):
    outcome = assert_mistake_named(ch.q_4, impl, says, student, var="conv2d_backward")
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


@pytest.mark.parametrize("impl", [backward_full_convolution, backward_as_list], ids=["full-convolution", "list"])
def test_conv2d_backward_accepts_other_correct_forms(impl, student):
    student["conv2d_backward"] = impl
    assert ch.q_4.evaluate().status == CORRECT, ch.q_4.evaluate().text()
    ch.q_4.assert_hidden_tests_pass()


def test_im2col_changing_x_in_place_is_named(student):
    def im2col(x, k, stride=1, padding="valid"):
        result = ch.reference_im2col(x, k, stride, padding)
        x *= 0
        return result
    assert_mistake_named(ch.q_3, im2col, "in place", student, var="im2col")


def test_conv2d_backward_messages_name_a_call_the_student_can_run(student):
    student["conv2d_backward"] = backward_mistake(flip=True)
    message = ch.q_4.evaluate().message
    assert "`conv2d_backward(*q4_inputs(1))`" in message and len(message) < 1500, message
    x, w, dy, stride, padding = ch.q4_inputs(1)
    assert x.shape == (1, 3, 3, 1) and stride == 1 and padding == "valid"


def test_check_is_fast(student):
    """check() within the 50 ms budget for the function questions, on the reference solutions."""
    import time
    for question, name in [(ch.q_3, "im2col"), (ch.q_4, "conv2d_backward")]:
        student[name] = solution_function(question, name)
        start = time.perf_counter()
        assert question.evaluate().status == CORRECT
        assert time.perf_counter() - start < 1.0      # generous (loaded machines): the bench measures 50 ms


def test_checking_a_numpy_answer_does_not_import_tensorflow():
    """The forbidden TensorFlow functions are watched only once TensorFlow is imported: a numpy-only
    student's first check must not import it (seconds and hundreds of MB)."""
    import subprocess
    import sys
    code = (
        "import sys, numpy as np\n"
        "from grader import binder\n"
        "g = {'np': np}; binder.bind(g)\n"
        "import grader.checks.ch12_conv_backprop as ch\n"
        "for q, name in [(ch.q_3, 'im2col'), (ch.q_4, 'conv2d_backward')]:\n"
        "    exec(q.solution_code, g)\n"
        "    assert q.evaluate().status == 'correct', q.evaluate().text()\n"
        "assert 'tensorflow' not in sys.modules, 'a check imported TensorFlow'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert result.returncode == 0, result.stderr[-2000:]
