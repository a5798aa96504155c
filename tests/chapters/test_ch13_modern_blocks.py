"""Chapter 13 checks: each recognised mistake is named, right answers in other forms are accepted
(reference answers and placeholders are covered for every chapter in test_questions_all_chapters.py),
and the reference counts equal what Keras counts."""
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402

from grader.engine.feedback import CORRECT, INCORRECT  # noqa: E402
import grader.checks.ch13_modern_blocks as ch  # noqa: E402

L = keras.layers


def outcome_of(question, answer, student):
    student[question.var] = answer
    return question.evaluate()


def assert_named(question, answer, says, student):
    outcome = outcome_of(question, answer, student)
    assert outcome.status == INCORRECT, outcome.text()
    assert says in outcome.message, outcome.message


# ---- questions 1, 2: counts -------------------------------------------------------------------------
VALUE_MISTAKES = [
    (ch.q_1.a, 4 * 48, "counted as trainable"),
    (ch.q_1.a, 48, "two numbers per channel"),
    (ch.q_1.a, 2 * 16, "16 channels that go into"),
    (ch.q_1.a, 2 * 48 * 32 * 32, "do not multiply"),
    (ch.q_1.a, 6912 + 96, "convolution's weights"),
    (ch.q_1.b, 0, "does have non-trainable"),
    (ch.q_1.b, 48, "not one"),
    (ch.q_1.b, 4 * 16, "16 input channels"),
    (ch.q_1.b, 192, "γ and β are trainable"),
    (ch.q_1.c, 6912 + 48, "use_bias=False"),
    (ch.q_1.c, 3 * 3 * 48, "input channels are missing"),
    (ch.q_1.c, 6912 + 96, "includes BN's parameters"),
    (ch.q_1.c, 144, "one filter"),
    (ch.q_2.a, 18_432, "64 biases are missing"),
    (ch.q_2.a, 3 * 3 * 64 + 64, "input channels are missing"),
    (ch.q_2.a, 2400, "separable layer's count"),
    (ch.q_2.b, 288, "depthwise part only"),
    (ch.q_2.b, 288 + 64, "depthwise part only"),
    (ch.q_2.b, 2048, "pointwise part only"),
    (ch.q_2.b, 2336, "64 biases are missing"),
    (ch.q_2.b, 2432, "depthwise step inside it has none"),
    (ch.q_2.b, 3 * 3 * 32 * 64 + 2048 + 64, "one 3×3 filter per input channel"),
    (ch.q_2.b, 18_496, "standard `Conv2D` count"),
    (ch.q_2.c, 256 * 2400, "biases are additions"),
    (ch.q_2.c, 256 * 288, "depthwise step only"),
    (ch.q_2.c, 256 * 3 * 3 * 32 * 64, "standard convolution's count"),
    (ch.q_2.c, 14 * 14 * 2336, "256 positions"),
    (ch.q_2.c, 2336, "one output position"),
    (ch.q_2.c, 598_016.0, "whole number"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:24]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    assert_named(question, answer, says, student)


def test_counts_equal_keras():
    conv = L.Conv2D(48, 3, padding="same", use_bias=False)
    conv.build((None, 20, 20, 16))
    bn = L.BatchNormalization()
    bn.build((None, 20, 20, 48))
    trainable = sum(int(np.prod(w.shape)) for w in bn.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in bn.non_trainable_weights)
    assert (trainable, frozen, conv.count_params()) == (ch.q_1.a.expected(), ch.q_1.b.expected(),
                                                         ch.q_1.c.expected())
    standard, separable = L.Conv2D(64, 3, padding="same"), L.SeparableConv2D(64, 3, padding="same")
    for layer in (standard, separable):
        layer.build((None, 16, 16, 32))
    assert (standard.count_params(), separable.count_params()) == (ch.q_2.a.expected(), ch.q_2.b.expected())
    assert ch.q_2.c.expected() == 16 * 16 * (separable.count_params() - 64)


# ---- question 3: BN in the wrong mode ------------------------------------------------------------------
def finetune(fix: str = "", call_training_false: bool = True, sequential: bool = False):
    base = ch.load_base()
    base.trainable = fix != "freeze_base"
    if fix == "freeze_bn":
        for layer in base.layers:
            if isinstance(layer, L.BatchNormalization):
                layer.trainable = False
    head = [L.GlobalAveragePooling2D(), L.Dense(5, activation="softmax")]
    if sequential:
        return keras.Sequential([keras.Input((32, 32, 1)), base, *head])
    inputs = keras.Input((32, 32, 1))
    x = base(inputs, training=False) if call_training_false else base(inputs)
    for layer in head:
        x = layer(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize("make", [lambda: finetune("freeze_bn"),
                                  lambda: finetune("freeze_bn", call_training_false=False),
                                  lambda: finetune("freeze_bn", sequential=True)],
                         ids=["functional", "no-training-arg", "sequential"])
def test_frozen_bn_layers_are_accepted_in_every_form(make, student):
    model = make()
    before = [w.numpy().copy() for w in model.weights]
    assert outcome_of(ch.q_3, model, student).status == CORRECT
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))   # the check undid nothing


def test_training_false_really_does_not_protect_bn_inside_fit():
    """The premise of question 3 (and of the lesson): Keras 3's fit overrides the training=False in the graph."""
    model = finetune()
    bn = model.get_layer("course_base").get_layer("block1_bn")
    before = bn.moving_mean.numpy().copy()
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(np.random.default_rng(0).uniform(size=(8, 32, 32, 1)), np.zeros(8, int), epochs=1, verbose=0)
    assert not np.allclose(bn.moving_mean.numpy(), before)


Q3_MISTAKES = [
    (lambda: finetune(), "does not prevent it in Keras 3"),
    (lambda: finetune(sequential=True), "overwrite the moving mean"),
    (lambda: finetune("freeze_base"), "the base is frozen"),
    (lambda: _frozen_head(), "Dense head is frozen"),
    (lambda: _wrong_head(), "outputs shape (10,)"),
    (lambda: keras.Sequential([keras.Input((32, 32, 1)), L.Conv2D(8, 3), L.GlobalAveragePooling2D(),
                               L.Dense(5, activation="softmax")]), "does not contain the pretrained base"),
    (lambda: ch.load_base(), "outputs shape (4, 4, 64)"),
    (lambda: "finetune_model", "should be a Keras model"),
]


def _frozen_head():
    model = finetune("freeze_bn")
    model.layers[-1].trainable = False
    return model


def _wrong_head():
    base = ch.load_base()
    for layer in base.layers:
        if isinstance(layer, L.BatchNormalization):
            layer.trainable = False
    return keras.Sequential([keras.Input((32, 32, 1)), base, L.GlobalAveragePooling2D(), L.Dense(10)])


@pytest.mark.parametrize("make, says", Q3_MISTAKES, ids=[s[:30] for _, s in Q3_MISTAKES])
def test_q3_mistake_is_named(make, says, student):
    assert_named(ch.q_3, make(), says, student)


def test_q3_check_leaves_the_moving_statistics_as_they_were(student):
    model = finetune()
    bns = [layer for layer in model.get_layer("course_base").layers if isinstance(layer, L.BatchNormalization)]
    before = [bn.moving_mean.numpy().copy() for bn in bns]
    assert outcome_of(ch.q_3, model, student).status == INCORRECT
    assert all(np.array_equal(b, bn.moving_mean.numpy()) for b, bn in zip(before, bns))


# ---- question 4: the residual block -------------------------------------------------------------------
def block(bias=False, projection="conv1", bn_shortcut=True, relu_end=True, stride_first=True, join="add",
          stride=2, filters=48, main_convs=2):
    inputs = keras.Input((16, 16, 24))
    y = inputs
    for i in range(main_convs):
        s = stride if (i == 0) == stride_first else 1
        y = L.Conv2D(filters, 3, strides=s, padding="same", use_bias=bias)(y)
        y = L.BatchNormalization()(y)
        if i < main_convs - 1:
            y = L.ReLU()(y)
    if projection == "conv1":
        shortcut = L.Conv2D(filters, 1, strides=stride, use_bias=False)(inputs)
    elif projection == "conv3":
        shortcut = L.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(inputs)
    else:
        shortcut = None
    if shortcut is not None and bn_shortcut:
        shortcut = L.BatchNormalization()(shortcut)
    if shortcut is None:
        out = y
    elif join == "add":
        out = L.Add()([shortcut, y])
    elif join == "add_fn":
        out = keras.layers.add([shortcut, y])
    else:
        out = L.Concatenate()([shortcut, y])
    if relu_end == "activation":
        out = L.Activation("relu")(out)
    elif relu_end:
        out = L.ReLU()(out)
    return keras.Model(inputs, out)


@pytest.mark.parametrize("kwargs", [{}, {"relu_end": "activation"}, {"join": "add_fn"}],
                         ids=["ReLU-layer", "Activation-relu", "layers.add"])
def test_residual_block_in_other_forms_is_accepted(kwargs, student):
    model = block(**kwargs)
    assert model.count_params() == ch._Q4_PARAMS
    assert outcome_of(ch.q_4, model, student).status == CORRECT, ch.q_4.evaluate().text()


Q4_MISTAKES = [
    (dict(bias=True), "need no bias"),
    (dict(relu_end=False), "ReLU *after* the addition"),
    (dict(projection="conv3"), "9 times fewer weights"),
    (dict(bn_shortcut=False), "three: after each 3×3 convolution and after the 1×1 projection"),
    (dict(stride=1), "should halve the maps"),
    (dict(join="concat"), "`Concatenate`"),
    (dict(projection=None), "there is no shortcut"),
    (dict(stride_first=False), "stride 2 is on the second"),
    (dict(filters=24, projection="conv1"), "double them to 48"),
]


@pytest.mark.parametrize("kwargs, says", Q4_MISTAKES, ids=[s[:30] for _, s in Q4_MISTAKES])
def test_q4_mistake_is_named(kwargs, says, student):
    assert_named(ch.q_4, block(**kwargs), says, student)


def test_q4_not_a_model_and_wrong_input(student):
    assert_named(ch.q_4, L.Conv2D(48, 3), "single `Conv2D` layer", student)
    inputs = keras.Input((32, 32, 24))
    assert_named(ch.q_4, keras.Model(inputs, L.Conv2D(48, 1, strides=2)(inputs)), "takes inputs of shape", student)


def test_a_missing_projection_stops_keras_itself():
    """What the question text promises: without the projection, Add refuses the two shapes."""
    inputs = keras.Input((16, 16, 24))
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.Add()([inputs, L.Conv2D(48, 3, strides=2, padding="same")(inputs)])


# ---- question 5: a shape ---------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [(4, 4, 64), [4, 4, 64], np.array([4, 4, 64]),
                                    lambda: keras.ops.shape(np.zeros((4, 4, 64))),
                                    lambda: __import__("tensorflow").TensorShape([4, 4, 64])],
                         ids=["tuple", "list", "array", "keras-shape", "TensorShape"])
def test_q5_accepts_every_form_of_the_shape(answer, student):
    answer = answer() if callable(answer) else answer
    assert outcome_of(ch.q_5, answer, student).status == CORRECT


@pytest.mark.parametrize("answer, says", [((3, 3, 64), "ceil(7 / 2) = 4"), ((7, 7, 64), "stride 2"),
                                          ((4, 4, 32), "64 channels"), ((3, 3, 32), "two slips"),
                                          ((None, 4, 4, 64), "batch axis"), ((64, 4, 4), "channels first"),
                                          ("(4, 4, 64)", "string")])
def test_q5_mistake_is_named(answer, says, student):
    assert_named(ch.q_5, answer, says, student)


# ---- question 6: the trained mini-ResNet --------------------------------------------------------------
def mini_resnet(momentum=0.9):
    namespace = {"keras": keras}
    exec(ch._BLOCK_CODE.replace("momentum=0.9", f"momentum={momentum}"), namespace)
    residual_block = namespace["residual_block"]
    inputs = keras.Input((28, 28, 1))
    x = L.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    x = L.BatchNormalization(momentum=momentum)(x)
    x = L.MaxPooling2D(2)(L.ReLU()(x))
    x = residual_block(x, 16)
    x = residual_block(x, 32, stride=2)
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, L.Dense(10, activation="softmax")(x))


def test_q6_untrained_and_non_residual_models_are_named(student):
    keras.utils.set_random_seed(0)
    assert_named(ch.q_6, mini_resnet(), "never compiled or fitted", student)
    plain = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(8, 3), L.Flatten(), L.Dense(10, "softmax")])
    assert_named(ch.q_6, plain, "no `Add` layer", student)
    no_bn = keras.Model(*(lambda i: (i, L.Dense(10, activation="softmax")(L.GlobalAveragePooling2D()(
        L.Add()([L.Conv2D(8, 3, padding="same")(i), L.Conv2D(8, 1)(i)])))))(keras.Input((28, 28, 1))))
    assert_named(ch.q_6, no_bn, "no BatchNormalization", student)
    assert_named(ch.q_6, keras.Sequential([keras.Input((784,)), L.Dense(10)]), "flat vectors", student)


@pytest.mark.slow
def test_q6_lagging_moving_statistics_are_named(student):
    """A short fit with BN's default momentum 0.99: the diagnosis names the lagging moving statistics."""
    keras.utils.set_random_seed(0)
    digits = ch.digits_split()
    model = mini_resnet(momentum=0.99)
    model.compile(keras.optimizers.Adam(0.003), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(digits.x_train[:256], digits.y_train[:256], epochs=1, batch_size=32, verbose=0)
    outcome = outcome_of(ch.q_6, model, student)
    assert outcome.status == INCORRECT
    assert "momentum=0.9" in outcome.message and "0.99" in outcome.message, outcome.message


@pytest.mark.slow
def test_q6_reference_passes_the_hidden_tests(student):
    namespace = {"keras": keras, "np": np, "digits_split": ch.digits_split}
    exec(ch.q_6.solution_code, namespace)
    student.update(namespace)
    assert ch.q_6.evaluate().status == CORRECT
    ch.q_6.assert_hidden_tests_pass()


def test_q6_is_left_out_of_the_latency_figure():
    assert ch.q_6.trains is True


# ---- question 7: choice --------------------------------------------------------------------------------
@pytest.mark.parametrize("answer, says", [("a", "same parameters"), ("c", "does not even fit"),
                                          ("d", "neither network"), ("e", "not one of the options")])
def test_q7_mistake_is_named(answer, says, student):
    assert_named(ch.q_7, answer, says, student)


@pytest.mark.parametrize("answer", ["b", "B", "(b)", " b. ", "option b"])
def test_q7_accepts_every_spelling(answer, student):
    assert outcome_of(ch.q_7, answer, student).status == CORRECT
