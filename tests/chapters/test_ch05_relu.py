"""Chapter 5 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py)."""
import numpy as np
import pytest

from grader.engine.feedback import CORRECT, INCORRECT, NOT_ATTEMPTED
from grader.engine.placeholder import ____
import grader.checks.ch05_relu as ch
from helpers import assert_mistake_named

W1, W2, b1, b2 = ch.W1_q, ch.W2_q, ch.b1_q, ch.b2_q

def run_solution(question, student):
    student.update(np=np, sigmoid=ch.sigmoid, W1_q=W1, W2_q=W2, b1_q=b1, b2_q=b2)
    exec(question.solution_code, student)


def test_function_with_placeholder_body_reads_not_attempted(student):
    def relu(x):
        return ____
    student["relu"] = relu
    assert ch.q_1.evaluate().status == NOT_ATTEMPTED


def test_multipart_questions_are_correct_when_all_parts_are(student):
    for q in (ch.q_3, ch.q_4, ch.q_5):
        for part in q.parts.values():
            run_solution(part, student)
        assert q.evaluate().status == CORRECT
    student["factor_20"] = 0.5 ** 20
    assert ch.q_3.evaluate().status == INCORRECT


def test_the_references_agree_with_tensorflow():
    import os
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    x = tf.constant(np.linspace(-3, 3, 13))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.relu(x)
    np.testing.assert_array_equal(y.numpy(), ch.reference_relu(x.numpy()))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), ch.reference_relu_grad(x.numpy()))
    for c in ch.q_6.cases:
        x0, weights, activation = c.args
        h = tf.Variable(float(x0), dtype=tf.float64)
        with tf.GradientTape() as tape:
            out = h
            for w in weights:
                out = (tf.sigmoid if activation == "sigmoid" else tf.nn.relu)(w * out)
        grad = tape.gradient(out, h)
        grad = 1.0 if grad is None else grad.numpy()
        np.testing.assert_allclose(grad, ch.reference_chain_grad(*c.args), rtol=1e-9)


def test_sigmoid_helper_is_stable():
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_allclose(ch.sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])
    assert ch.sigmoid(0.0) == 0.5


VALUE_MISTAKES = [
    (ch.q_3.a, 0.5, "value* of the sigmoid"),
    (ch.q_3.a, 1, "largest slope of tanh"),
    (ch.q_3.b, 0.5 ** 20, "σ(0) = 0.5"),
    (ch.q_3.b, 0.25, "raise it to the power 20"),
    (ch.q_3.b, 0.25 * 20, "adds the factors up"),
    (ch.q_3.b, 0.25 ** 19, "off by one"),
    (ch.q_4.a, W1 @ W2, "order is reversed"),
    (ch.q_4.a, W1 * W2, "element by element"),
    (ch.q_4.a, W1 + W2, "adding the matrices"),
    (ch.q_4.a, (W2 @ W1).T, "the transpose"),
    (ch.q_4.b, b1 + b2, "goes *through* the second layer"),
    (ch.q_4.b, W2 @ b1, "b2 is missing"),
    (ch.q_4.b, W1 @ b2 + b1, "layers are swapped"),
    (ch.q_4.b, W2 @ (b1 + b2), "b2 is added after W2"),
    (ch.q_5.a, "softmax", "always outputs 1.0"),
    (ch.q_5.a, "relu", "not bounded above"),
    (ch.q_5.a, "tanh", "(−1, 1)"),
    (ch.q_5.a, "linear", "logit"),
    (ch.q_5.a, "Sigmoid ", None),
    (ch.q_5.b, "sigmoid", "multi-label"),
    (ch.q_5.b, "relu", "not probabilities"),
    (ch.q_5.b, "max", "should be one of"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{str(says)[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    student[question.var] = answer
    outcome = question.evaluate()
    if says is None:  # accepted spelling variant
        assert outcome.status == CORRECT, outcome.text()
        return
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


def test_value_mistakes_are_all_different():
    wrong_w = [W1 @ W2, W1 * W2, W1 + W2, (W2 @ W1).T]
    wrong_b = [b1 + b2, W2 @ b1, W1 @ b2 + b1, W2 @ (b1 + b2)]
    for wrong, right in [(wrong_w, W2 @ W1), (wrong_b, W2 @ b1 + b2)]:
        arrays = [right, *wrong]
        for i in range(len(arrays)):
            for j in range(i + 1, len(arrays)):
                assert not np.array_equal(arrays[i], arrays[j]), (i, j)


# ---- relu and relu_grad --------------------------------------------------------------
def relu_np_max(x):
    return np.max(x, 0)


def relu_minimum(x):
    return np.minimum(x, 0)


def relu_negated(x):
    return np.maximum(-x, 0)


def relu_mask(x):
    return x > 0


def relu_abs(x):
    return np.abs(x)


def relu_in_place(x):
    x[x < 0] = 0
    return x


def relu_list(x):
    return np.maximum(x, 0).tolist()


def relu_python_max(x):
    return np.array([max(v, 0) for v in x])


RELU_MISTAKES = [
    (relu_np_max, "*reduction*"),
    (relu_minimum, "sign is the wrong way round"),
    (relu_negated, "sign is the wrong way round"),
    (relu_mask, "you return the mask"),
    (relu_abs, "`abs(x)`"),
    (relu_in_place, "changes its argument"),
    (relu_list, "return a numpy array"),
    (relu_python_max, "raised ValueError"),
]


@pytest.mark.parametrize("impl, says", RELU_MISTAKES, ids=[s for _, s in RELU_MISTAKES])
def test_relu_mistake_is_named(impl, says, student):
    outcome = assert_mistake_named(ch.q_1, impl, says, student, var="relu")
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


def grad_x_at_negatives(x):
    return np.where(x > 0, 1.0, x)


def grad_is_relu(x):
    return np.maximum(x, 0)


def grad_at_zero_is_one(x):
    return (x >= 0).astype(float)


def grad_sign_flipped(x):
    return (x < 0).astype(float)


def grad_booleans(x):
    return x > 0


def grad_list(x):
    return (x > 0).astype(float).tolist()


RELU_GRAD_MISTAKES = [
    (grad_x_at_negatives, "you return x itself"),
    (grad_is_relu, "this is ReLU itself"),
    (grad_at_zero_is_one, "at x = 0 exactly"),
    (grad_sign_flipped, "wrong way round"),
    (grad_booleans, "returns booleans"),
    (grad_list, "return a numpy array"),
]


@pytest.mark.parametrize("impl, says", RELU_GRAD_MISTAKES, ids=[s for _, s in RELU_GRAD_MISTAKES])
def test_relu_grad_mistake_is_named(impl, says, student):
    outcome = assert_mistake_named(ch.q_2, impl, says, student, var="relu_grad")
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


@pytest.mark.parametrize("impl", [lambda x: np.where(x > 0, x, 0), lambda x: x * (x > 0),
                                  lambda x: np.clip(x, 0, None), lambda x: (x + np.abs(x)) / 2])
def test_other_correct_relus_are_accepted(impl, student):
    student["relu"] = impl
    assert ch.q_1.evaluate().status == CORRECT


def test_relu_grad_integer_output_is_accepted(student):
    student["relu_grad"] = lambda x: (x > 0).astype(int)
    assert ch.q_2.evaluate().status == CORRECT


def test_relu_hidden_cases_catch_a_shape_bug(student):
    student["relu"] = lambda x: np.maximum(x, 0).ravel()
    with pytest.raises(AssertionError):
        ch.q_1.assert_passes_on([(np.random.default_rng(0).normal(size=(3, 5)),)])


# ---- chain_grad ---------------------------------------------------------------------
def _forward(x, weights, activation):
    f = ch.sigmoid if activation == "sigmoid" else (lambda z: max(z, 0.0))
    h, zs, hs = x, [], []
    for w in weights:
        z = w * h
        h = f(z)
        zs.append(z)
        hs.append(h)
    return zs, hs


def _slope(z, activation):
    return ch.sigmoid(z) * (1 - ch.sigmoid(z)) if activation == "sigmoid" else float(z > 0)


def chain_no_weights(x, weights, activation="sigmoid"):
    zs, _ = _forward(x, weights, activation)
    grad = 1.0
    for z in zs:
        grad *= _slope(z, activation)
    return grad


def chain_slope_at_output(x, weights, activation="sigmoid"):
    _, hs = _forward(x, weights, activation)
    grad = 1.0
    for w, h in zip(weights, hs):
        grad *= w * _slope(h, activation)
    return grad


def chain_z_one_minus_z(x, weights, activation="sigmoid"):
    zs, _ = _forward(x, weights, activation)
    grad = 1.0
    for w, z in zip(weights, zs):
        grad *= w * (z * (1 - z) if activation == "sigmoid" else float(z > 0))
    return grad


def chain_summed(x, weights, activation="sigmoid"):
    zs, _ = _forward(x, weights, activation)
    return sum(w * _slope(z, activation) for w, z in zip(weights, zs))


def chain_last_only(x, weights, activation="sigmoid"):
    zs, _ = _forward(x, weights, activation)
    return weights[-1] * _slope(zs[-1], activation) if weights else 1.0


def chain_string(x, weights, activation="sigmoid"):
    return "0.25"


CHAIN_MISTAKES = [
    (chain_no_weights, "weights are missing"),
    (chain_slope_at_output, "layer's *output*"),
    (chain_z_one_minus_z, "z·(1 − z)"),
    (chain_summed, "*multiplies* them"),
    (chain_last_only, "only the last layer"),
    (chain_string, "should return a number"),
]


@pytest.mark.parametrize("impl, says", CHAIN_MISTAKES, ids=[s for _, s in CHAIN_MISTAKES])
def test_chain_grad_mistake_is_named(impl, says, student):
    outcome = assert_mistake_named(ch.q_6, impl, says, student, var="chain_grad")
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


def test_chain_grad_accepts_a_numpy_solution(student):
    def chain_grad(x, weights, activation="sigmoid"):
        zs, _ = _forward(x, weights, activation)
        return np.prod([w * _slope(z, activation) for w, z in zip(weights, zs)])
    student["chain_grad"] = chain_grad
    assert ch.q_6.evaluate().status == CORRECT


def test_chain_grad_smallest_failing_input_is_reported(student):
    def wrong_on_long_chains(x, weights, activation="sigmoid"):
        return ch.reference_chain_grad(x, weights, activation) * (2 if len(weights) > 3 else 1)
    student["chain_grad"] = wrong_on_long_chains
    message = ch.q_6.evaluate().message
    assert "smallest failing input" in message and "x=-0.3" in message
