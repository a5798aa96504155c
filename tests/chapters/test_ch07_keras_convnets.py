"""Chapter 7 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py); the reference counts equal Keras."""
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402

from grader.engine.feedback import CORRECT, INCORRECT  # noqa: E402
import grader.checks.ch07_keras_convnets as ch  # noqa: E402

L = keras.layers


def outcome_of(question, answer, student):
    student[question.var] = answer
    return question.evaluate()


def assert_named(question, answer, says, student):
    outcome = outcome_of(question, answer, student)
    assert outcome.status == INCORRECT, outcome.text()
    assert says in outcome.message, outcome.message


# ---- questions 1, 4, 5: numbers ------------------------------------------------------------------
D, C = ch._DENSE, ch._CONV
P = list(ch._COUNTS)


def replaced(i, value):
    counts = list(P)
    counts[i] = value
    return counts


VALUE_MISTAKES = [
    (ch.q_1.a, D - 64, "biases are missing"),
    (ch.q_1.a, 256 * 256 * 64 + 64, "colour channels are missing"),
    (ch.q_1.a, 256 * 256 * 64, "channels and the biases"),
    (ch.q_1.a, 196_608, "number of inputs"),
    (ch.q_1.a, float(D), "`//`"),
    (ch.q_1.b, C - 64, "biases are missing"),
    (ch.q_1.b, 3 * 3 * 64 + 64, "input channels are missing"),
    (ch.q_1.b, C * 254 * 254, "weights are shared"),
    (ch.q_1.b, D, "Dense count"),
    (ch.q_4, P[:5], "7 layers"),
    (ch.q_4, replaced(1, 4), "no parameters"),
    (ch.q_4, replaced(4, 576), "no parameters"),
    (ch.q_4, replaced(0, 3 * 3 * 8 + 8), "input channels are missing in layer 1"),
    (ch.q_4, replaced(2, 3 * 3 * 16 + 16), "input channels are missing in layer 3"),
    (ch.q_4, replaced(2, 3 * 3 * 8 * 16), "biases are missing in layer 3"),
    (ch.q_4, replaced(5, 576 * 32), "biases are missing in layer 6"),
    (ch.q_4, replaced(6, 128), "biases are missing in layer 7"),
    (ch.q_4, replaced(5, 8 * 8 * 16 * 32 + 32), "trims 2 pixels"),
    (ch.q_4, replaced(5, 7 * 7 * 16 * 32 + 32), "does not round up"),
    (ch.q_4, replaced(5, 13 * 13 * 16 * 32 + 32), "second MaxPooling2D"),
    (ch.q_5.a, 7, "list *index*"),
    (ch.q_5.a, 16, "lowest *training* loss"),
    (ch.q_5.a, 11, "validation *accuracy*"),
    (ch.q_5.a, 1, "largest validation loss"),
    (ch.q_5.b, "a", "underfitting model"),
    (ch.q_5.b, "c", "learning rate"),
    (ch.q_5.b, "d", "memorising"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:24]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    assert_named(question, answer, says, student)


def test_counts_equal_keras():
    dense = L.Dense(64)
    dense.build((None, 256 * 256 * 3))
    conv = L.Conv2D(64, 3)
    conv.build((None, 256, 256, 3))
    assert (dense.count_params(), conv.count_params()) == (ch.q_1.a.expected(), ch.q_1.b.expected())
    shapes = keras.Sequential([keras.Input((32, 32, 3)), L.Conv2D(8, 3, activation="relu"), L.MaxPooling2D(2),
                               L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                               L.Dense(32, activation="relu"), L.Dense(4, activation="softmax")])
    assert [layer.count_params() for layer in shapes.layers] == list(ch.q_4.expected())
    assert ch.q_5.a.expected() == 8 and ch._BEST_ACC == 11


# ---- question 2: the model -----------------------------------------------------------------------
def spec(**change):
    """The specified model, with some layers replaced: change={index: layer or None (drop)}."""
    layers = [L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(2), L.Conv2D(32, 3, activation="relu"),
              L.MaxPooling2D(2), L.Flatten(), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")]
    for index, layer in change.items():
        layers[int(index[1:])] = layer
    return keras.Sequential([keras.Input((28, 28, 1))] + [la for la in layers if la is not None])


def test_reference_model_matches_its_spec(student):
    model = spec()
    assert [tuple(la.output.shape)[1:] for la in model.layers] == [s for _, _, s in ch._SPEC]
    assert model.count_params() == ch._SPEC_PARAMS
    assert outcome_of(ch.q_2, model, student).status == CORRECT
    same_with_aliases = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(16, (3, 3), activation="relu"),
                                          L.MaxPool2D((2, 2)), L.Conv2D(32, 3, activation=keras.activations.relu),
                                          L.MaxPool2D(), L.Flatten(), L.Dense(64, "relu"), L.Dense(10, "softmax")])
    assert outcome_of(ch.q_2, same_with_aliases, student).status == CORRECT


MODEL_MISTAKES = [
    (lambda: spec(_4=None), "`Flatten` is missing"),
    (lambda: spec(_4=L.GlobalAveragePooling2D()), "global pooling"),
    (lambda: spec(_6=L.Dense(10, activation="sigmoid")), "sigmoid"),
    (lambda: spec(_6=L.Dense(10)), "raw scores"),
    (lambda: spec(_6=L.Dense(10, activation="relu")), "not probabilities"),
    (lambda: spec(_6=L.Dense(1, activation="softmax")), "1 unit(s)"),
    (lambda: spec(_0=L.Conv2D(8, 3, activation="relu")), "first Conv2D has 8 filters"),
    (lambda: spec(_2=L.Conv2D(64, 3, activation="relu")), "second Conv2D has 64 filters"),
    (lambda: spec(_0=L.Conv2D(32, 3, activation="relu"), _2=L.Conv2D(16, 3, activation="relu")), "swapped"),
    (lambda: spec(_0=L.Conv2D(16, 5, activation="relu")), "kernel_size (5, 5)"),
    (lambda: spec(_0=L.Conv2D(16, 3, padding="same", activation="relu")), "padding='same'"),
    (lambda: spec(_2=L.Conv2D(32, 3)), "activation 'linear'"),
    (lambda: spec(_3=L.MaxPooling2D(3)), "pool_size (3, 3)"),
    (lambda: spec(_5=L.Dense(128, activation="relu")), "128 units"),
    (lambda: spec(_5=L.Dense(64, activation="relu", use_bias=False)), "use_bias"),
    (lambda: spec(_1=None), "1 `MaxPooling2D` layer(s)"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(2),
                               L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                               L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")]), "`Dropout`"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(16, 3, activation="relu"),
                               L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2), L.MaxPooling2D(2), L.Flatten(),
                               L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")]), "wrong order"),
    (lambda: keras.Sequential([L.Conv2D(16, 3, activation="relu"), L.Flatten(), L.Dense(10)]),
     "does not know its input shape"),
    (lambda: keras.Sequential([keras.Input((32, 32, 1)), L.Flatten(), L.Dense(10)]), "input shape is (32, 32, 1)"),
    (lambda: L.Conv2D(16, 3), "single `Conv2D` layer"),
    (lambda: [L.Conv2D(16, 3), L.Flatten(), L.Dense(10)], "list of layers"),
    (lambda: keras.callbacks.History(), "`History`"),
    (lambda: "Sequential", "should be a Keras model"),
]


@pytest.mark.parametrize("make, says", MODEL_MISTAKES, ids=[s for _, s in MODEL_MISTAKES])
def test_model_mistake_is_named(make, says, student):
    assert_named(ch.q_2, make(), says, student)


# ---- question 3: losses ------------------------------------------------------------------------------
@pytest.mark.parametrize("question, answer", [
    (ch.q_3.a, "sparse_categorical_crossentropy"), (ch.q_3.a, "SparseCategoricalCrossentropy"),
    (ch.q_3.a, keras.losses.SparseCategoricalCrossentropy()), (ch.q_3.a, keras.losses.sparse_categorical_crossentropy),
    (ch.q_3.a, keras.losses.get("sparse_categorical_crossentropy")),
    (ch.q_3.b, keras.losses.CategoricalCrossentropy()), (ch.q_3.b, " categorical_crossentropy "),
    (ch.q_3.c, keras.losses.BinaryCrossentropy()), (ch.q_3.c, keras.losses.binary_crossentropy),
])
def test_every_spelling_of_the_right_loss_is_accepted(question, answer, student):
    assert outcome_of(question, answer, student).status == CORRECT


LOSS_MISTAKES = [
    (ch.q_3.a, "categorical_crossentropy", "expects one-hot labels"),
    (ch.q_3.a, keras.losses.CategoricalCrossentropy(), "expects one-hot labels"),
    (ch.q_3.a, "binary_crossentropy", "single yes/no output"),
    (ch.q_3.a, keras.losses.SparseCategoricalCrossentropy(from_logits=True), "from_logits=True"),
    (ch.q_3.a, keras.losses.SparseCategoricalCrossentropy, "class `SparseCategoricalCrossentropy` itself"),
    (ch.q_3.a, "accuracy", "is a metric"),
    (ch.q_3.a, "mse", "regression loss"),
    (ch.q_3.a, "cross_entropy", "no loss called"),
    (ch.q_3.a, 3, "should be a loss"),
    (ch.q_3.b, "sparse_categorical_crossentropy", "one integer per image"),
    (ch.q_3.b, "binary_crossentropy", "multi-label"),
    (ch.q_3.c, "categorical_crossentropy", "the loss is 0"),
    (ch.q_3.c, keras.losses.categorical_crossentropy, "the loss is 0"),
    (ch.q_3.c, "sparse_categorical_crossentropy", "one output per class"),
]


@pytest.mark.parametrize("question, answer, says", LOSS_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in LOSS_MISTAKES])
def test_loss_mistake_is_named(question, answer, says, student):
    assert_named(question, answer, says, student)


@pytest.mark.filterwarnings("ignore:In loss categorical_crossentropy")
def test_categorical_crossentropy_on_one_sigmoid_unit_is_really_zero():
    y = np.array([[1.0], [0.0]])
    for q in (np.array([[0.9], [0.2]]), np.array([[0.1], [0.8]])):
        assert float(keras.losses.categorical_crossentropy(y, q).numpy().max()) < 1e-6


# ---- question 6: a trained model ---------------------------------------------------------------------
def nearest_centroid_model():
    """A linear classifier from the class means of the training digits: deterministic, no training."""
    data = ch.digits_split()
    flat = data.x_train.reshape(len(data.x_train), -1)
    means = np.stack([flat[data.y_train == k].mean(axis=0) for k in range(10)])
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Flatten(), L.Dense(10, activation="softmax")])
    model.layers[-1].set_weights([means.T * 10, -5 * (means ** 2).sum(axis=1)])
    return model


def fitted(model, x, y, epochs=1):
    """``model`` compiled and fitted through the watched ``fit`` (what a student's cell does)."""
    ch.digits_split()                      # the student's data helper starts watching fit
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    return model


def small_dense():
    return keras.Sequential([keras.Input((28, 28, 1)), L.Flatten(), L.Dense(10, activation="softmax")])


TRAINED_MISTAKES = [
    (lambda: spec(), "never compiled or fitted"),
    (nearest_centroid_model, "the goal is at least 95%"),
    (lambda: fitted(small_dense(), np.concatenate([ch.digits_split().x_train, ch.digits_split().x_val]),
                    np.concatenate([ch.digits_split().y_train, ch.digits_split().y_val])), "validation digits: they were"),
    (lambda: fitted(small_dense(), ch.digits_split().x_train, np.zeros(1257, int)), "predicts class 0 for every"),
    (lambda: spec(_6=L.Dense(1, activation="sigmoid")), "gives (1,) numbers per image"),
    (lambda: spec(_4=None), "a `Flatten` before the Dense"),
    (lambda: keras.Sequential([keras.Input((784,)), L.Dense(10, activation="softmax")]), "flat vectors of 784"),
    (lambda: keras.Sequential([keras.Input((28, 28)), L.Flatten(), L.Dense(10, activation="softmax")]),
     "channel axis is missing"),
    (lambda: keras.Sequential([L.Dense(10)]), "does not know its input shape"),
    (lambda: np.zeros((270, 10)), "should be a Keras model"),
]


@pytest.mark.parametrize("make, says", TRAINED_MISTAKES, ids=[s for _, s in TRAINED_MISTAKES])
def test_trained_model_mistake_is_named(make, says, student):
    keras.utils.set_random_seed(0)
    assert_named(ch.q_6, make(), says, student)


def test_trained_model_question_is_left_out_of_the_latency_figure():
    from benchmarks.notebooks_and_checks import questions_of
    assert ch.q_6.trains is True
    assert ch.q_6 not in questions_of("ch07_keras_convnets")


def test_a_model_fitted_on_the_training_split_is_said_to_be_judged_on_unseen_digits(student, monkeypatch):
    monkeypatch.setattr(ch.q_6, "target", 0.5)
    monkeypatch.setattr(ch.q_6, "hidden_minimum", 0.5)
    keras.utils.set_random_seed(0)
    data = ch.digits_split()
    student["trained_model"] = fitted(small_dense(), data.x_train, data.y_train, epochs=3)
    outcome = ch.q_6.evaluate()
    assert outcome.status == CORRECT and "which `fit` never trained on" in outcome.message, outcome.text()
    ch.q_6.assert_hidden_tests_pass()
    monkeypatch.setattr(ch.q_6, "hidden_minimum", 0.999)
    with pytest.raises(AssertionError, match="test accuracy .* the goal is at least 100%"):
        ch.q_6.assert_hidden_tests_pass()


def test_hidden_tests_refuse_a_model_fitted_on_the_test_split(student, monkeypatch):
    monkeypatch.setattr(ch.q_6, "target", 0.3)
    keras.utils.set_random_seed(0)
    data = ch.digits_split()
    student["trained_model"] = fitted(small_dense(), np.concatenate([data.x_train[:300], data.x_test]),
                                      np.concatenate([data.y_train[:300], data.y_test]), epochs=3)
    assert ch.q_6.evaluate().passed
    with pytest.raises(AssertionError, match="fitted on 270 of the 270 test digits"):
        ch.q_6.assert_hidden_tests_pass()
