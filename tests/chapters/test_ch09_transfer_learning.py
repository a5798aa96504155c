"""Chapter 9 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py); what the lesson claims about Keras 3
and about transfer versus training from scratch holds."""
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from grader.course import pretrained  # noqa: E402
from grader.engine.feedback import CORRECT  # noqa: E402
import grader.checks.ch09_transfer_learning as ch  # noqa: E402
from helpers import assert_mistake_named  # noqa: E402

L = keras.layers

# ---- question 1: parameter counts ------------------------------------------------------------------
VALUE_MISTAKES = [
    (ch.q_1.a, 16_812_353, "counts every parameter"),
    (ch.q_1.a, 14_714_688, "*non*-trainable"),
    (ch.q_1.a, 2_097_408, "add the output layer"),
    (ch.q_1.a, 9 * 9 * 512 * 256 + 256 + 257, "4×4×512 = 8,192"),
    (ch.q_1.a, 7 * 7 * 512 * 256 + 256 + 257, "224×224"),
    (ch.q_1.a, 2_097_665.0, "`//`"),
    (ch.q_1.b, 7_079_424, "block 5 alone"),
    (ch.q_1.b, 2_097_665, "before unfreezing"),
    (ch.q_1.b, 2_359_808 + 2_097_665, "*from* block5_conv1 on"),
    (ch.q_1.b, 16_812_353, "whole base"),
    (ch.q_1.c, 14_714_688, "whole base"),
    (ch.q_1.c, 7_079_424, "now trains"),
    (ch.q_1.c, 0, "something stays frozen"),
    (ch.q_3.a, "a", "there is no error"),
    (ch.q_3.a, "b", "builds its training step"),
    (ch.q_3.a, "d", "no warning appears"),
    (ch.q_3.b, "a", "that is what `trainable = False` does"),
    (ch.q_3.b, "c", "no Dropout"),
    (ch.q_3.b, "d", "gradients are decided by `trainable`"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{s[:20]}" for q, _, s in VALUE_MISTAKES])
def test_value_and_choice_mistake_is_named(question, answer, says, student):
    assert_mistake_named(question, answer, says, student)


def test_reference_counts_add_up():
    assert ch.VGG_BASE + ch.HEAD == 16_812_353           # the seed's summary
    assert ch.HEAD == 2_097_665
    assert ch.BLOCK5 + ch.HEAD + (ch.VGG_BASE - ch.BLOCK5) == 16_812_353


# ---- question 2: a new head on a frozen base --------------------------------------------------------
def functional(base=None, *, freeze=True, training=False, units=5, activation="softmax", flatten=True,
               freeze_model=False, freeze_head=False):
    base = base if base is not None else pretrained.load_base()
    if freeze:
        base.trainable = False
    inputs = keras.Input(shape=(32, 32, 1))
    x = base(inputs, training=False) if training is False else base(inputs)
    if flatten:
        x = L.Flatten()(x)
    dense = L.Dense(units, activation=activation)
    model = keras.Model(inputs, dense(x))
    if freeze_head:
        dense.trainable = False
    if freeze_model:
        model.trainable = False
    return model


def sequential_frozen():
    base = pretrained.load_base()
    base.trainable = False
    return keras.Sequential([keras.Input((32, 32, 1)), base, L.Flatten(), L.Dense(5, activation="softmax")])


def layers_copied():
    base = pretrained.load_base()
    return keras.Sequential([keras.Input((32, 32, 1)), *base.layers, L.Flatten(), L.Dense(5, activation="softmax")])


MODEL_MISTAKES = [
    (lambda: functional(freeze=False), "the base is not frozen"),
    (lambda: functional(freeze_model=True), "nothing in this model is trainable"),
    (lambda: functional(freeze_head=True), "are frozen too"),
    (sequential_frozen, "not called with `training=False`"),
    (lambda: functional(training=None), "not called with `training=False`"),
    (lambda: functional(units=10), "10 would be all digits"),
    (lambda: functional(flatten=False), "Put `keras.layers.Flatten()`"),
    (lambda: functional(activation="sigmoid"), "uses sigmoid"),
    (lambda: functional(activation=None), "raw scores"),
    (lambda: functional(pretrained.build_base()), "none of the pretrained weights"),
    (layers_copied, "copied into the model one by one"),
    (lambda: [L.Dense(5)], "a list of layers"),
    (lambda: "model", "should be a Keras model"),
]


@pytest.mark.parametrize("make, says", MODEL_MISTAKES, ids=[s[:30] for _, s in MODEL_MISTAKES])
def test_transfer_model_mistake_is_named(make, says, student):
    assert_mistake_named(ch.q_2, make(), says, student)


def test_every_spelling_of_softmax_is_accepted(student):
    tf = pytest.importorskip("tensorflow")
    for activation in (tf.nn.softmax, keras.activations.softmax, "softmax", lambda x: keras.ops.softmax(x)):
        student["transfer_model"] = functional(activation=activation)
        assert ch.q_2.evaluate().status == CORRECT, ch.q_2.evaluate().message
    base = pretrained.load_base()
    base.trainable = False
    inputs = keras.Input(shape=(32, 32, 1))
    x = L.Dense(5)(L.Flatten()(base(inputs, training=False)))
    student["transfer_model"] = keras.Model(inputs, L.Softmax()(x))
    assert ch.q_2.evaluate().status == CORRECT, ch.q_2.evaluate().message


def test_transfer_model_with_global_pooling_and_a_hidden_layer_is_accepted(student):
    base = pretrained.load_base()
    base.trainable = False
    inputs = keras.Input(shape=(32, 32, 1))
    x = L.GlobalAveragePooling2D()(base(inputs, training=False))
    x = L.Dense(32, activation="relu")(x)
    student["transfer_model"] = keras.Model(inputs, L.Dense(5, activation="softmax")(x))
    assert ch.q_2.evaluate().status == CORRECT


# ---- question 4: prepare_fine_tuning ------------------------------------------------------------------
def unfreeze(model, prefix="block3_", whole=False):
    base = model.get_layer("course_base")
    base.trainable = True
    if not whole:
        for layer in base.layers:
            layer.trainable = layer.name.startswith(prefix)


def recompile(model, optimizer=None, loss="sparse_categorical_crossentropy"):
    model.compile(optimizer=optimizer or keras.optimizers.Adam(learning_rate=1e-4), loss=loss,
                  metrics=["accuracy"])


def fine_tune(*, prefix="block3_", whole=False, compile_=True, compile_first=False, optimizer=None,
              loss="sparse_categorical_crossentropy", unfreeze_=True, freeze_head=False, freeze_all=False):
    def prepare(model):
        if compile_first:
            recompile(model, optimizer, loss)
        if unfreeze_:
            unfreeze(model, prefix, whole)
        if freeze_head:
            model.get_layer("head").trainable = False
        if freeze_all:
            model.trainable = False
        if compile_ and not compile_first:
            recompile(model, optimizer, loss)
    return prepare


def lr_keyword(model):
    unfreeze(model)
    model.compile(optimizer=keras.optimizers.Adam(lr=1e-4), loss="sparse_categorical_crossentropy")


def only_block3_bn(model):
    base = model.get_layer("course_base")
    base.get_layer("block3_bn").trainable = True
    recompile(model)


def new_model(model):
    return keras.models.clone_model(model)


def bn_kept_frozen(model):
    unfreeze(model)
    model.get_layer("course_base").get_layer("block3_bn").trainable = False
    recompile(model)


FINE_TUNE_MISTAKES = [
    (fine_tune(unfreeze_=False), "still completely frozen"),
    (fine_tune(whole=True), "the whole base is unfrozen"),
    (fine_tune(prefix="block1_"), "blocks 1 or 2 are unfrozen"),
    (fine_tune(compile_=False), "without compiling again"),
    (fine_tune(compile_first=True), "*before* the `trainable` changes"),
    (fine_tune(optimizer=keras.optimizers.Adam(learning_rate=1e-3)), "the feature-extraction rate"),
    (fine_tune(optimizer="adam"), "the feature-extraction rate"),
    (fine_tune(optimizer=keras.optimizers.Adam(learning_rate=1e-2)), "the learning rate is 0.01"),
    (fine_tune(optimizer=keras.optimizers.Adam(learning_rate=1e-8)), "so small"),
    (lr_keyword, "no `lr=` argument"),
    (fine_tune(loss="categorical_crossentropy"), "expects one-hot rows"),
    (fine_tune(loss="mse"), "keep the one of feature extraction"),
    (fine_tune(freeze_all=True), "nothing is trainable any more"),
    (fine_tune(freeze_head=True), "the head is frozen now"),
    (only_block3_bn, "block3_conv is still frozen"),
    (bn_kept_frozen, "block3_bn is still frozen"),
    (fine_tune(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4)), "the optimizer is RMSprop"),
    (fine_tune(optimizer=keras.optimizers.SGD(learning_rate=1e-4)), "the optimizer is SGD"),
    (new_model, "do not build a new one"),
    (3, "should be a function"),
]


@pytest.mark.parametrize("func, says", FINE_TUNE_MISTAKES, ids=[s[:30] for _, s in FINE_TUNE_MISTAKES])
def test_fine_tuning_mistake_is_named(func, says, student):
    assert_mistake_named(ch.q_4, func, says, student)


def layers_only(model):
    """Keras 3: a layer can be trainable inside a frozen base (no `base.trainable = True` needed)."""
    base = model.get_layer("course_base")
    for layer in base.layers:
        if layer.name.startswith("block3_"):
            layer.trainable = True
    recompile(model, keras.optimizers.Adam(learning_rate=5e-5))


def loss_kept(model):
    """Keras 3: `compile` without `loss=` keeps the loss of the previous compile."""
    unfreeze(model)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4))


def returns_model(model):
    base = model.get_layer("course_base")
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith("block3")
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model


@pytest.mark.parametrize("func", [layers_only, loss_kept, returns_model], ids=["layers-only", "loss-kept", "returns"])
def test_fine_tuning_variants_are_accepted(func, student):
    student["prepare_fine_tuning"] = func
    outcome = ch.q_4.evaluate()
    assert outcome.status == CORRECT, outcome.text()


def test_fine_tuning_check_never_touches_the_students_model(student):
    model = functional()
    student["prepare_fine_tuning"] = fine_tune(whole=True)
    ch.q_4.evaluate()
    assert not model.get_layer("course_base").trainable


# ---- what the lesson says about Keras 3 ---------------------------------------------------------------
def test_trainable_change_after_fit_is_ignored_until_compile():
    """The behaviour question 3a and question 4's diagnosis rely on (Keras 3, TensorFlow backend)."""
    keras.utils.set_random_seed(0)
    model = ch.fresh_feature_model()
    x = np.random.default_rng(0).random((32, 32, 32, 1)).astype("float32")
    y = np.arange(32) % 5
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    conv = model.get_layer("course_base").get_layer("block3_conv")
    unfreeze(model)
    before = conv.get_weights()[0].copy()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.array_equal(conv.get_weights()[0], before)          # ignored without compile
    recompile(model)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not np.array_equal(conv.get_weights()[0], before)      # trained after compile


# ---- question 5: the trained model (slow: trains) -------------------------------------------------------
def test_trained_question_is_left_out_of_the_latency_figure():
    from benchmarks.notebooks_and_checks import questions_of
    assert ch.q_5.trains is True
    assert ch.q_5 not in questions_of("ch09_transfer_learning")


def fitted(model, *, learning_rate=1e-3, refreeze=False, on="train"):
    """``model`` compiled and fitted one epoch through the watched ``fit``, as a student's cell does."""
    data = ch.target_task()                   # the student's data helper starts watching fit
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    model.fit(getattr(data, f"x_{on}"), getattr(data, f"y_{on}"), epochs=1, batch_size=16, verbose=0)
    if refreeze:
        model.get_layer("course_base").trainable = False
    return model


TRAINED_MISTAKES = [
    (lambda: functional(), "was never compiled or fitted"),
    (lambda: functional(freeze=False), "the base is not frozen"),
    (lambda: fitted(functional(freeze=False), refreeze=True), "no longer the pretrained ones"),
    (lambda: functional(pretrained.build_base(), freeze=False), "none of the pretrained weights"),
    (lambda: fitted(functional(), learning_rate=0.0), "after 4 training steps"),
    (lambda: functional(units=10), "10 would be all digits"),
    (sequential_frozen, "not called with `training=False`"),
    (lambda: 3.5, "should be a Keras model"),
]


@pytest.mark.parametrize("make, says", TRAINED_MISTAKES, ids=[s[:25] for _, s in TRAINED_MISTAKES])
def test_trained_model_mistake_is_named(make, says, student):
    keras.utils.set_random_seed(0)
    assert_mistake_named(ch.q_5, make(), says, student)


def accuracy(model, data):
    return float(np.mean(np.argmax(model.predict(data.x_val, verbose=0), axis=1) == data.y_val))


@pytest.mark.slow
@pytest.mark.xdist_group("ch09-training")
@pytest.mark.parametrize("seed", [0, 1])
def test_transfer_beats_training_from_scratch(seed):
    """The lesson's claim, on two draws of the 50 labelled images: feature extraction beats the same
    network trained from scratch by more than 5 points (the lesson measures about 11) of validation accuracy."""
    data = ch.target_task(seed=seed)
    keras.utils.set_random_seed(seed)
    transfer = functional()
    transfer.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    transfer.fit(data.x_train, data.y_train, epochs=60, batch_size=16, verbose=0)
    keras.utils.set_random_seed(seed)
    scratch = functional(pretrained.build_base("scratch_base"), freeze=False, training=None)
    scratch.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    scratch.fit(data.x_train, data.y_train, epochs=100, batch_size=16, verbose=0)
    assert accuracy(transfer, data) > accuracy(scratch, data) + 0.05
