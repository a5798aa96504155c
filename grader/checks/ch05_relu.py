"""Checks for the exercise of chapter 5, "Activations: ReLU and friends"."""
from __future__ import annotations

import numpy as np

from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion,
                              ValueQuestion, case, label_questions)

__all__ = ["____", "sigmoid", "W1_q", "W2_q", "b1_q", "b2_q",
           "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7"]


def sigmoid(z):
    """The logistic sigmoid 1 / (1 + e^(−z)), for numbers and numpy arrays (a helper for question 6)."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out if out.ndim else float(out)


# ---- questions 1 and 2: relu and its derivative ------------------------------------
def reference_relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def reference_relu_grad(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)


_V = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
_MAP = np.array([[-3.0, 1.0, 0.0], [2.0, -1.5, 4.0], [0.25, -0.25, -7.0], [5.0, 0.0, -2.0]])
_FEATURES = np.linspace(-2, 2, 24).reshape(2, 3, 4) * np.array([1, -1, 1, -1])
_WRONG_SIGN = ("the sign is the wrong way round: ReLU keeps the *positive* values and sets the negative ones to 0, "
               "max(x, 0). Yours does the opposite on some inputs (`np.minimum(x, 0)` or `max(−x, 0)`?).")
_RELU_CASES = [case(np.array([3.0])), case(np.array([-3.0])), case(_V), case(_MAP), case(_FEATURES)]

q_1 = FunctionQuestion(
    "relu", reference_relu, _RELU_CASES,
    hidden_cases=lambda: [case(rng.normal(size=shape)) for rng in [np.random.default_rng(5)]
                          for shape in [(7,), (4, 6), (2, 5, 5, 3)]],
    mistakes=[
        Mistake("`np.max(x, 0)` is a *reduction*: it returns the largest value along axis 0, not one value per "
                "element. The element-wise maximum of `x` and 0 is `np.maximum(x, 0)`.",
                impl=lambda x: np.max(x, 0)),
        Mistake("`abs(x)` flips negative values to positive ones; ReLU sets them to 0.", impl=lambda x: np.abs(x)),
        Mistake(_WRONG_SIGN, impl=lambda x: np.minimum(x, 0)),
        Mistake(_WRONG_SIGN, impl=lambda x: np.maximum(-np.asarray(x), 0)),
        Mistake("you return the mask `x > 0` (True/False): that says *where* ReLU lets values through, and it "
                "is ReLU's derivative. ReLU returns the values themselves there: `np.maximum(x, 0)`.",
                impl=lambda x: np.asarray(x) > 0),
    ],
    hints=["ReLU(x) = max(x, 0), element by element: positive values pass unchanged, negative ones become 0.",
           "numpy has an element-wise maximum: `np.maximum(a, b)`. (`np.max` is something else: it reduces.)"],
    solution="Element-wise maximum with 0 (it builds a new array and leaves `x` alone):",
    solution_code="def relu(x):\n    return np.maximum(x, 0)",
)

q_2 = FunctionQuestion(
    "relu_grad", reference_relu_grad, _RELU_CASES,
    hidden_cases=lambda: [c for rng in [np.random.default_rng(6)]
                          for c in (case(rng.normal(size=(9,))), case(np.round(rng.normal(size=(5, 4)))))],
    mistakes=[
        Mistake("for negative inputs you return x itself. ReLU is flat there (constantly 0), so its slope is 0, "
                "not x.", impl=lambda x: np.where(np.asarray(x) > 0, 1.0, x)),
        Mistake("this is ReLU itself, not its slope. The slope of max(x, 0) is 1 where x > 0 and 0 where x < 0.",
                impl=reference_relu),
        Mistake("at x = 0 exactly you return 1. The slope is not defined there; the task (like TensorFlow's "
                "`tf.nn.relu`) uses 0: test `x > 0`, not `x >= 0`.",
                impl=lambda x: (np.asarray(x) >= 0).astype(float)),
        Mistake("the sign is the wrong way round: the slope is 1 for *positive* inputs and 0 for negative ones.",
                impl=lambda x: (np.asarray(x) < 0).astype(float)),
    ],
    hints=["ReLU is the line y = x for x > 0 and the constant 0 for x < 0. What are the slopes of those two "
           "pieces?",
           "The slope is 1 where x > 0 and 0 elsewhere (use 0 at x = 0). `x > 0` is the right mask; turn it "
           "into numbers with `.astype(float)`."],
    solution="1 where the input is positive, 0 elsewhere, as floats:",
    solution_code="def relu_grad(x):\n    return (np.asarray(x) > 0).astype(float)",
)


# ---- question 3: how small can a gradient get through sigmoids? ---------------------
def _close(a, value):
    return a.ndim == 0 and bool(np.isclose(float(np.real(a)), value, rtol=1e-6, atol=0))


q_3 = MultipartQuestion(
    a=ValueQuestion(
        "max_sigmoid_slope", 0.25,
        mistakes=[Mistake("0.5 is σ(0), the *value* of the sigmoid at 0. Its slope there is σ(0)·(1 − σ(0)).",
                          value=0.5),
                  Mistake("1 is the largest slope of tanh (and ReLU's slope for x > 0), not of the sigmoid.",
                          value=1.0)],
        hints=["The sigmoid's derivative is σ'(z) = σ(z)·(1 − σ(z)), largest where σ(z) = 0.5, i.e. at z = 0."],
        solution="σ'(z) = σ(z)(1 − σ(z)) is largest at z = 0, where σ = 0.5: 0.5 · 0.5 = 0.25.",
        solution_code="max_sigmoid_slope = 0.5 * (1 - 0.5)"),
    b=ValueQuestion(
        "factor_20", 0.25 ** 20, rtol=1e-6, atol=0,
        mistakes=[Mistake("0.5²⁰ uses σ(0) = 0.5, the sigmoid's value, instead of its largest slope 0.25.",
                          when=lambda a: _close(a, 0.5 ** 20)),
                  Mistake("0.25 is the bound for *one* layer. The chain rule multiplies one factor per layer: "
                          "raise it to the power 20.", when=lambda a: _close(a, 0.25)),
                  Mistake("0.25 · 20 adds the factors up. The chain rule *multiplies* them: 0.25 ** 20.",
                          when=lambda a: _close(a, 0.25 * 20)),
                  Mistake("off by one: 20 sigmoid layers contribute exactly 20 factors of at most 0.25.",
                          when=lambda a: _close(a, 0.25 ** 19) or _close(a, 0.25 ** 21))],
        hints=["Backpropagation multiplies the local slopes of all the layers the gradient passes through.",
               "Each of the 20 sigmoids contributes a factor of at most 0.25 (ignoring the weights)."],
        solution="Twenty factors of at most 0.25: 0.25²⁰ ≈ 9.1e-13. The gradient reaching the first layer is "
                 "about a trillion times smaller than at the last one (unless the weights are large).",
        solution_code="factor_20 = 0.25 ** 20"),
)


# ---- question 4: two linear layers are one ------------------------------------------
W1_q = np.array([[1, 2, 0], [0, 1, -1], [2, 0, 1]])
W2_q = np.array([[1, 0, 1], [-1, 2, 0], [0, 1, 1]])
b1_q = np.array([1, 0, -1])
b2_q = np.array([0, 1, 2])

q_4 = MultipartQuestion(
    a=ValueQuestion(
        "W_single", lambda: W2_q @ W1_q,
        mistakes=[Mistake("the order is reversed: `W1_q @ W2_q`. The input meets W1 first, so "
                          "y = W2 (W1 x) = (W2 W1) x: the later layer's matrix stands on the left.",
                          value=lambda: W1_q @ W2_q),
                  Mistake("`*` multiplies element by element. Composing two linear maps is a *matrix* product: "
                          "use `@`.", value=lambda: W1_q * W2_q),
                  Mistake("adding the matrices is what happens when the layers run side by side and their "
                          "outputs are summed. One after the other, they multiply.", value=lambda: W1_q + W2_q),
                  Mistake("the transpose: with column vectors, y = W2 (W1 x), so the matrix is `W2_q @ W1_q` as "
                          "it is.", value=lambda: (W2_q @ W1_q).T)],
        hints=["Substitute h = W1 x + b1 into y = W2 h + b2 and multiply out.",
               "Matrix products are associative: W2 (W1 x) = (W2 W1) x. In numpy, `@` is the matrix product."],
        solution="y = W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2): the matrix is W2 W1.",
        solution_code="W_single = W2_q @ W1_q"),
    b=ValueQuestion(
        "b_single", lambda: W2_q @ b1_q + b2_q,
        mistakes=[Mistake("b1 + b2 forgets that the first bias goes *through* the second layer: it is "
                          "multiplied by W2 like the rest of h.", value=lambda: b1_q + b2_q),
                  Mistake("the second bias b2 is missing: y = W2 (W1 x + b1) + b2.", value=lambda: W2_q @ b1_q),
                  Mistake("the layers are swapped: W1 acts first, so it is b1 that passes through W2, giving "
                          "W2 b1 + b2.", value=lambda: W1_q @ b2_q + b1_q),
                  Mistake("W2 (b1 + b2) also multiplies b2 by W2, but b2 is added after W2.",
                          value=lambda: W2_q @ (b1_q + b2_q))],
        hints=["Multiply out W2 (W1 x + b1) + b2 and collect what does not depend on x."],
        solution="The part of W2 (W1 x + b1) + b2 that does not depend on x is W2 b1 + b2.",
        solution_code="b_single = W2_q @ b1_q + b2_q"),
)


# ---- question 5: which activation at the output? ------------------------------------
_OUTPUTS = {"sigmoid": "sigmoid", "softmax": "softmax", "relu": "ReLU", "tanh": "tanh",
            "linear": "none (linear)"}
q_5 = MultipartQuestion(
    a=ChoiceQuestion(
        "binary_output", "sigmoid", _OUTPUTS,
        why_not={"softmax": "softmax normalises over the units of the layer. With a single unit it divides "
                            "e^z by itself and always outputs 1.0, whatever the input.",
                 "relu": "ReLU is not bounded above, so its output is not a probability (and it is stuck at 0 "
                         "for every negative input, where its gradient vanishes too).",
                 "tanh": "tanh ranges over (−1, 1): a negative number is not a probability.",
                 "linear": "without an activation the unit gives a *logit*, any real number. That works if the "
                           "loss is told so (`from_logits=True`), but it is not a probability."},
        hints=["You need one number between 0 and 1 from one unit."],
        solution="sigmoid: it squashes one real number into (0, 1), the probability of the positive class.",
        solution_code='binary_output = "sigmoid"'),
    b=ChoiceQuestion(
        "multiclass_output", "softmax", _OUTPUTS,
        why_not={"sigmoid": "ten sigmoids give ten independent probabilities that need not sum to 1: that is "
                            "the set-up for *multi-label* problems (an image can be several things at once). "
                            "A digit is exactly one of ten classes.",
                 "relu": "ReLU outputs are neither bounded nor normalised: they are not probabilities.",
                 "tanh": "tanh outputs can be negative and do not sum to 1.",
                 "linear": "raw scores (logits) do not sum to 1; fine with `from_logits=True`, but they are not "
                           "probabilities."},
        hints=["You need ten non-negative numbers that sum to 1."],
        solution="softmax: e^(z_i) / Σ_j e^(z_j) gives ten positive numbers that sum to 1, one probability per "
                 "class.",
        solution_code='multiclass_output = "softmax"'),
)


# ---- question 6: the chain rule through a stack of one-unit layers -----------------
def _act(activation):
    if activation == "sigmoid":
        return sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))
    if activation == "relu":
        return (lambda z: np.maximum(z, 0.0)), (lambda z: (np.asarray(z) > 0).astype(float))
    raise ValueError(f"unknown activation {activation!r}")


def _chain_terms(x, weights, activation):
    """(w_k, z_k, h_k) for every layer of the chain."""
    f, _ = _act(activation)
    h, terms = float(x), []
    for w in weights:
        z = float(w) * h
        h = float(f(z))
        terms.append((float(w), z, h))
    return terms


def reference_chain_grad(x, weights, activation="sigmoid"):
    _, df = _act(activation)
    return float(np.prod([w * df(z) for w, z, _ in _chain_terms(x, weights, activation)]))


def _no_weights(x, weights, activation="sigmoid"):
    _, df = _act(activation)
    return float(np.prod([df(z) for _, z, _ in _chain_terms(x, weights, activation)]))


def _relu_slope_one_at_zero(x, weights, activation="sigmoid"):
    if activation != "relu":
        return reference_chain_grad(x, weights, activation)
    return float(np.prod([w * (1.0 if z >= 0 else 0.0) for w, z, _ in _chain_terms(x, weights, activation)]))


def _slope_at_output(x, weights, activation="sigmoid"):
    _, df = _act(activation)
    return float(np.prod([w * df(h) for w, _, h in _chain_terms(x, weights, activation)]))


def _sigmoid_slope_of_z(x, weights, activation="sigmoid"):
    if activation != "sigmoid":
        return reference_chain_grad(x, weights, activation)
    return float(np.prod([w * z * (1 - z) for w, z, _ in _chain_terms(x, weights, activation)]))


def _summed(x, weights, activation="sigmoid"):
    _, df = _act(activation)
    return float(np.sum([w * df(z) for w, z, _ in _chain_terms(x, weights, activation)]))


def _last_layer_only(x, weights, activation="sigmoid"):
    _, df = _act(activation)
    terms = _chain_terms(x, weights, activation)
    return float(terms[-1][0] * df(terms[-1][1])) if terms else 1.0


q_6 = FunctionQuestion(
    "chain_grad", reference_chain_grad,
    cases=[
        case(0.5, [], "sigmoid"),
        case(0.5, [2.0], "sigmoid"),
        case(1.0, [1.5, -0.5, 2.0], "sigmoid"),
        case(-0.3, [0.8, 1.2, -2.0, 0.5], "sigmoid"),
        case(0.0, [1.0] * 20, "sigmoid"),
        case(2.0, [1.5, 0.5, 3.0], "relu"),
        case(1.0, [2.0, -1.0, 4.0], "relu"),
        case(-1.0, [-2.0, 0.5, 1.5, 1.0], "relu"),
        case(0.0, [1.0, 2.0], "relu"),        # z = 0 exactly: ReLU's slope there is 0
        case(1.5, [0.0, 3.0], "relu"),
    ],
    returns="number", rtol=1e-6, atol=0,
    # the hidden test: random inputs, depths, weights and both activations
    hidden_cases=lambda: [case(float(rng.normal()), [float(v) for v in rng.normal(0, 1.5, size=n)], act)
                          for rng in [np.random.default_rng(2026)]
                          for n, act in [(2, "sigmoid"), (5, "relu"), (7, "sigmoid"), (12, "relu"), (30, "sigmoid")]],
    mistakes=[
        Mistake("at z = 0 exactly your ReLU slope is 1. The slope is not defined there; use 0, as in "
                "`relu_grad` (question 2) and TensorFlow: test `z > 0`, not `z >= 0`.", impl=_relu_slope_one_at_zero),
        Mistake("the weights are missing. Layer k computes f(w_k · h), so by the chain rule its factor is "
                "w_k · f'(z_k), not f'(z_k) alone.", impl=_no_weights),
        Mistake("you took the slope at the layer's *output* h_k = f(z_k). The chain rule needs f' at the layer's "
                "input to the activation, z_k = w_k · h_(k−1).", impl=_slope_at_output),
        Mistake("you used z·(1 − z) as the sigmoid's slope. The formula is σ'(z) = σ(z)·(1 − σ(z)): put σ(z) "
                "in, not z.", impl=_sigmoid_slope_of_z),
        Mistake("you added the per-layer factors. The chain rule *multiplies* them; with no layers at all the "
                "derivative of h = x is 1 (an empty product), not 0.", impl=_summed),
        Mistake("only the last layer's factor is there. Every layer the gradient passes through contributes "
                "one factor w_k · f'(z_k).", impl=_last_layer_only),
    ],
    hints=["Go forward through the layers, keeping z_k = w_k · h_(k−1) and h_k = f(z_k). Layer k multiplies "
           "the derivative by dh_k/dh_(k−1) = f'(z_k) · w_k.",
           "Start with `grad = 1.0` and `h = x`. In the loop: `z = w * h`, then `grad *= w * slope(z)`, then "
           "`h = f(z)`. For the sigmoid, slope(z) = σ(z)(1 − σ(z)); for ReLU, 1.0 if z > 0 else 0.0."],
    solution="Walk forward through the chain and multiply one factor w_k · f'(z_k) per layer:",
    solution_code='''def chain_grad(x, weights, activation="sigmoid"):
    grad, h = 1.0, x
    for w in weights:
        z = w * h
        if activation == "sigmoid":
            slope, h = sigmoid(z) * (1 - sigmoid(z)), sigmoid(z)
        else:
            slope, h = float(z > 0), max(z, 0.0)
        grad *= w * slope
    return grad''',
)

q_7 = ChoiceQuestion(
    "dead_relu", {"a", "b"},
    {"a": "No gradient reaches the unit's weights (its slope is 0 on every example), so they stop changing: the unit is dead.",
     "b": "A leaky ReLU keeps a small slope for negative inputs, so some gradient always flows and the unit can recover.",
     "c": "The unit outputs large negative values that swamp the next layer.",
     "d": "Lowering the learning rate brings a dead unit back to life."},
    why_not={"c": "ReLU outputs 0 for every negative input: a dead unit is silent, not loud.",
             "d": "with a zero gradient every update is zero, whatever the learning rate. A smaller rate helps prevent units from dying, not revive them."},
    hints=["What is the gradient reaching a ReLU unit's weights when its input is negative for every training "
           "example?"],
    solution="(a, b): " + "A ReLU unit whose input z is negative for every example outputs 0 and has slope 0, so no gradient "
             "reaches its weights and they never change: the unit is 'dead'. This happens after a too-large "
             "update pushes the bias far below zero, or with a too-large learning rate. Leaky ReLU keeps a small "
             "slope α (e.g. 0.01 or 0.1) for z < 0, so some gradient always flows and the unit can recover; the "
             "price is a little less sparsity (negative evidence is shrunk, not erased). Careful initialisation "
             "(He) and moderate learning rates make dead units rare, which is why plain ReLU remains the default.",
    solution_code="dead_relu = \"ab\"",
)

label_questions(globals())
