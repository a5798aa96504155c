"""Chapter 4 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py)."""
import math

import numpy as np
import pytest

from grader.engine.feedback import CORRECT, INCORRECT
import grader.checks.ch04_padding_stride as ch
from helpers import assert_mistake_named, assert_endless_loop_stopped

IMAGE = ch.image_q



def run_solution(question, student):
    student.update(np=np, image_q=IMAGE)
    exec(question.solution_code, student)


def test_multipart_and_thought_questions(student):
    for q in (ch.q_3, ch.q_5, ch.q_6):
        for part in q.parts.values():
            run_solution(part, student)
        assert q.evaluate().status == CORRECT


def test_same_output_matches_tensorflow():
    """The expected answer of question 1 is what TensorFlow computes."""
    import tensorflow as tf
    x = IMAGE.reshape(1, 3, 3, 1).astype("float32")
    w = np.ones((2, 2, 1, 1), dtype="float32")
    same = tf.nn.conv2d(x, w, strides=1, padding="SAME").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(same, [[12, 16, 9], [24, 28, 15], [15, 17, 9]])
    np.testing.assert_array_equal(same, ch.q_1.expected())
    maps = tf.nn.conv2d(x, ch.q_2.expected().astype("float32"), strides=1, padding="SAME").numpy()[0]
    for c, scale in enumerate([1, 10, -1]):
        np.testing.assert_array_equal(maps[:, :, c], scale * same)


def test_tensorflow_same_padding_of_question_5():
    import tensorflow as tf
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 10, 10, 1)).astype("float32")
    w = rng.normal(size=(5, 5, 1, 1)).astype("float32")
    same = tf.nn.conv2d(x, w, strides=2, padding="SAME").numpy()
    by_hand = tf.nn.conv2d(np.pad(x, ((0, 0), (1, 2), (1, 2), (0, 0))), w, strides=2, padding="VALID").numpy()
    assert same.shape[1] == ch.q_5.a.expected() == 5
    np.testing.assert_allclose(same, by_hand, rtol=1e-5, atol=1e-5)


def test_receptive_fields_match_a_gradient():
    import keras
    import tensorflow as tf
    for layers, want in [([(3, 1)] * 3, ch.q_6.a.expected()), (ch._STRIDED_STACK, ch.q_6.b.expected())]:
        convs = [keras.layers.Conv2D(1, k, strides=s, use_bias=False, kernel_initializer="ones") for k, s in layers]
        x = tf.zeros((1, 41, 41, 1))
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for conv in convs:
                y = conv(y)
            out = y[0, y.shape[1] // 2, y.shape[2] // 2, 0]
        g = tape.gradient(out, x).numpy()[0, :, :, 0]
        rows = np.flatnonzero(g.any(axis=1))
        assert rows.max() - rows.min() + 1 == want


def test_output_size_reference_matches_tensorflow():
    import tensorflow as tf
    for n, k, p, s, d in [(10, 3, 1, 2, 1), (12, 3, 0, 1, 3), (15, 3, 2, 1, 2), (11, 4, 0, 3, 1)]:
        x = np.zeros((1, n + 2 * p, n + 2 * p, 1), "float32")
        y = tf.nn.conv2d(x, np.zeros((k, k, 1, 1), "float32"), strides=s, padding="VALID", dilations=d)
        assert y.shape[1] == ch.reference_output_size(n, k, p, s, d)


SAME = np.array([[12, 16, 9], [24, 28, 15], [15, 17, 9]])

VALUE_MISTAKES = [
    (ch.q_1, [[12, 16], [24, 28]], "'valid' output"),
    (ch.q_1, [[1, 3, 5], [5, 12, 16], [11, 24, 28]], "on the left"),
    (ch.q_1, [[1, 3, 5, 3], [5, 12, 16, 9], [11, 24, 28, 15], [7, 15, 17, 9]], "'full' output"),
    (ch.q_1, [[12, 16, 9], [24, 28, 15], [15, 17, 19]], "not 19"),
    (ch.q_1, [[12, 16, 18], [24, 28, 30], [30, 34, 36]], "must be zeros"),
    (ch.q_1, [[12, 16], [24, 28], [15, 17]], "pad both axes"),
    (ch.q_1, SAME + 1, "every value is off by the same amount (+1)"),
    (ch.q_2, np.ones((2, 2, 3, 1)) * np.array([1, 10, -1])[:, None], "axes are swapped"),
    (ch.q_2, np.ones((3, 2, 2, 1)) * np.array([1, 10, -1])[:, None, None, None], "filters come first"),
    (ch.q_2, np.ones((2, 2, 3)) * np.array([1, 10, -1]), "in_channels axis is missing"),
    (ch.q_2, np.ones((1, 2, 2, 3)) * np.array([1, 10, -1]), "no batch axis"),
    (ch.q_2, np.ones((2, 2, 1, 1)) * np.array([-1, 10, 1]), "wrong order"),
    (ch.q_3.a, 4, "*total* number of zeros"),
    (ch.q_3.a, 2.5, "not a whole number"),
    (ch.q_3.a, 3, "one too many"),
    (ch.q_3.a, 0, "'valid' padding"),
    (ch.q_3.a, 2.0, "`//`"),
    (ch.q_3.b, 1, "dilation is forgotten"),
    (ch.q_3.b, 6, "total padding"),
    (ch.q_3.b, 3.5, "not a whole number"),
    (ch.q_3.b, 4.5, "not a whole number"),
    (ch.q_3.b, 4, "not k·d = 9"),
    (ch.q_5.a, 10, "stride 1 only"),
    (ch.q_5.a, 3, "'valid' size"),
    (ch.q_5.a, 6, "one too many"),
    (ch.q_5.a, 2.5, "is not a whole number"),
    (ch.q_5.b, (2, 1), "wrong side"),
    (ch.q_5.b, [2, 2], "stride-1 rule"),
    (ch.q_5.b, (1.5, 1.5), "cannot be split"),
    (ch.q_5.b, (0, 0), "no padding"),
    (ch.q_5.b, (0, 3), "as evenly as it can"),
    (ch.q_5.b, 3, "two numbers"),
    (ch.q_6.a, 9, "adds the kernel sizes"),
    (ch.q_6.a, 27, "multiplies the kernel sizes"),
    (ch.q_6.a, 6, "one short"),
    (ch.q_6.a, 3, "one layer"),
    (ch.q_6.b, 9, "forgets the strides"),
    (ch.q_6.b, 11, "adds the kernel sizes"),
    (ch.q_6.b, 25, "*own* stride"),
    (ch.q_6.b, 13, "*above*"),
    (ch.q_6.b, 16, "one short"),
    (ch.q_6.b, 17.0, "`//`"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    assert_mistake_named(question, answer, says, student, var=question.var)


def test_weights3_accepts_lists_and_ints(student):
    student["weights3"] = [[[[1, 10, -1]], [[1, 10, -1]]], [[[1, 10, -1]], [[1, 10, -1]]]]
    assert ch.q_2.evaluate().status == CORRECT


# ---- question 4: students' conv_output_size functions --------------------------------
def k_eff(k, d):
    return k + (k - 1) * (d - 1)


def no_plus_one(n, k, p=0, s=1, d=1):
    return (n + 2 * p - k_eff(k, d)) // s


def plus_one_inside(n, k, p=0, s=1, d=1):
    return (n + 2 * p - k_eff(k, d) + 1) // s


def ceil_division(n, k, p=0, s=1, d=1):
    return math.ceil((n + 2 * p - k_eff(k, d)) / s) + 1


def true_division(n, k, p=0, s=1, d=1):
    return (n + 2 * p - k_eff(k, d)) / s + 1


def stride_ignored(n, k, p=0, s=1, d=1):
    return n + 2 * p - k_eff(k, d) + 1


def padding_once(n, k, p=0, s=1, d=1):
    return (n + p - k_eff(k, d)) // s + 1


def dilation_ignored(n, k, p=0, s=1, d=1):
    return (n + 2 * p - k) // s + 1


def dilation_times_k(n, k, p=0, s=1, d=1):
    return (n + 2 * p - k * d) // s + 1


def numpy_floats(n, k, p=0, s=1, d=1):
    return np.floor((n + 2 * p - k_eff(k, d)) / s) + 1.0


def returns_a_string(n, k, p=0, s=1, d=1):
    return str((n + 2 * p - k_eff(k, d)) // s + 1)


def no_default_arguments(n, k, p, s, d):
    return (n + 2 * p - k_eff(k, d)) // s + 1


def endless(n, k, p=0, s=1, d=1):
    while True:
        pass


FUNCTION_MISTAKES = [
    (no_plus_one, "the + 1 is missing"),
    (plus_one_inside, "belongs outside the floor division"),
    (ceil_division, "you round up"),
    (true_division, "not a whole number"),
    (stride_ignored, "stride is ignored"),
    (padding_once, "counted once"),
    (dilation_ignored, "dilation is forgotten"),
    (dilation_times_k, "not k·d"),
    (returns_a_string, "should return a whole number"),
    (no_default_arguments, "raised TypeError"),
]


@pytest.mark.parametrize("impl, says", FUNCTION_MISTAKES, ids=[s for _, s in FUNCTION_MISTAKES])
def test_conv_output_size_mistake_is_named(impl, says, student):
    assert_mistake_named(ch.q_4, impl, says, student, var="conv_output_size")


def test_conv_output_size_refuses_floats_where_the_task_asks_for_a_whole_number(student):
    student["conv_output_size"] = numpy_floats
    outcome = ch.q_4.evaluate()
    assert outcome.status == INCORRECT and "not a whole number (an `int`)" in outcome.message


def test_conv_output_size_endless_loop_is_stopped(student, monkeypatch):
    assert_endless_loop_stopped(ch.q_4, student, monkeypatch)


def test_conv_output_size_reports_smallest_failing_input(student):
    def wrong_for_big_images(n, k, p=0, s=1, d=1):
        return ch.reference_output_size(n, k, p, s, d) + 5 * (n > 100)
    student["conv_output_size"] = wrong_for_big_images
    message = ch.q_4.evaluate().message
    assert "smallest failing input" in message
    assert "conv_output_size(n=224, k=7, s=2)" in message
    assert "expected: 109" in message and "got:      114" in message


def test_conv_output_size_hidden_cases_catch_a_memorised_table(student):
    def full(n, k, p=0, s=1, d=1):
        return (n, k, p, s, d)
    visible = {full(*c.args, **c.kwargs) for c in ch.q_4.cases}

    def memorised(n, k, p=0, s=1, d=1):
        return ch.reference_output_size(n, k, p, s, d) if (n, k, p, s, d) in visible else 0
    student["conv_output_size"] = memorised
    assert ch.q_4.evaluate().status == CORRECT
    with pytest.raises(AssertionError):
        ch.q_4.assert_passes_on([(57, 5, 2, 3, 2)])
