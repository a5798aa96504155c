"""Chapter 8 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py)."""
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from grader.engine.feedback import CORRECT, INCORRECT  # noqa: E402
import grader.checks.ch08_augmentation as ch  # noqa: E402

L = keras.layers


def block(*layers):
    """A builder function returning a Sequential of freshly made layers."""
    return lambda: keras.Sequential([make() for make in layers])


flip_h = lambda: L.RandomFlip("horizontal")  # noqa: E731
rot_01 = lambda: L.RandomRotation(0.1)  # noqa: E731
zoom_02 = lambda: L.RandomZoom(0.2)  # noqa: E731
shift_01 = lambda: L.RandomTranslation(0.1, 0.1)  # noqa: E731
GOOD_Q1 = (flip_h, rot_01, zoom_02, shift_01)

Q1_MISTAKES = [
    (block(flip_h, lambda: L.RandomRotation(36), zoom_02, shift_01), "not an angle in degrees"),
    (block(flip_h, lambda: L.RandomRotation(0.6283), zoom_02, shift_01), "in radians"),
    (block(flip_h, lambda: L.RandomRotation(0.2), zoom_02, shift_01), "between -72° and 72°"),
    (block(flip_h, lambda: L.RandomRotation((0, 0.1)), zoom_02, shift_01), "only rotates one way"),
    (block(lambda: L.RandomFlip(), rot_01, zoom_02, shift_01), "also flips upside down"),
    (block(lambda: L.RandomFlip("vertical"), rot_01, zoom_02, shift_01), "flips upside down; a left-right"),
    (block(flip_h, rot_01, shift_01), "zoom (RandomZoom) is missing"),
    (block(rot_01, zoom_02, shift_01), "flip (RandomFlip) is missing"),
    (block(flip_h, rot_01, lambda: L.RandomZoom(20), shift_01), "Keras refused the factor of RandomZoom"),
    (block(flip_h, rot_01, lambda: L.RandomZoom((0, 0.2)), shift_01), "goes one way only"),
    (block(flip_h, rot_01, zoom_02, lambda: L.RandomTranslation(10, 10)), "Keras refused a factor of RandomTranslation"),
    (block(flip_h, rot_01, zoom_02, lambda: L.RandomTranslation(0.2, 0.1)), "Yours has (-0.2, +0.2)"),
    (block(flip_h, rot_01, zoom_02, shift_01, lambda: L.Rescaling(1 / 255)), "leave Rescaling out"),
    (block(flip_h, rot_01, zoom_02, shift_01, lambda: L.RandomContrast(0.2)), "remove RandomContrast"),
    (block(flip_h, flip_h, rot_01, zoom_02, shift_01), "two RandomFlip layers"),
    (lambda: "augment", "should return a `keras.Sequential"),
    (lambda: 1 / 0, "raised ZeroDivisionError"),
]


@pytest.mark.parametrize("builder, says", Q1_MISTAKES, ids=[s[:30] for _, s in Q1_MISTAKES])
def test_augment_block_mistake_is_named(builder, says, student):
    student["make_augment"] = builder
    outcome = ch.q_1.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def test_augment_block_given_as_a_block_not_a_function(student):
    student["make_augment"] = keras.Sequential([L.RandomFlip("horizontal")])
    assert "should be a function" in ch.q_1.evaluate().message


@pytest.mark.parametrize("builder", [
    block(shift_01, zoom_02, rot_01, flip_h),                                     # another order
    lambda: [L.RandomTranslation(0.1, 0.1), L.RandomZoom(-0.2), L.RandomFlip("horizontal"),
             L.RandomRotation((-0.1, 0.1))],                                      # a list, other spellings
    lambda: keras.Sequential([keras.Sequential([L.RandomFlip("horizontal"), L.RandomRotation(36 / 360)]),
                              L.RandomZoom(0.2, 0.2), L.RandomTranslation(0.1, 0.1, fill_mode="constant")]),
], ids=["reordered", "list", "nested"])
def test_augment_block_is_order_insensitive(builder, student):
    student["make_augment"] = builder
    assert ch.q_1.evaluate().status == CORRECT, ch.q_1.evaluate().message


Q2_MISTAKES = [
    ({"a", "b", "e", "f", "g"}, "6 into a 9"),
    ({"a", "c", "e", "f", "g"}, "mirror images of most digits"),
    ({"a", "d", "e", "f", "g"}, "upside-down 6"),
    ({"a", "e", "f"}, "(g) keeps the label"),
    ({"e", "f", "g"}, "(a) keeps the label"),
    ({"a", "e", "f", "g", "h"}, "not one of the options"),
    (3, "should be a set of letters"),
]


@pytest.mark.parametrize("answer, says", Q2_MISTAKES, ids=[s[:25] for _, s in Q2_MISTAKES])
def test_digit_augmentation_mistake_is_named(answer, says, student):
    student["keep_for_digits"] = answer
    outcome = ch.q_2.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


@pytest.mark.parametrize("answer", ["aefg", ["a", "e", "f", "g"], ("G", "f", "e", "a")])
def test_digit_augmentation_accepts_other_spellings(answer, student):
    student["keep_for_digits"] = answer
    assert ch.q_2.evaluate().status == CORRECT


X = ch.x_drop
Q3_MISTAKES = [
    (ch.q_3.a, np.array([0.0, 1.0]), "*inverted* dropout"),
    (ch.q_3.a, np.array([0.0, 4.0]), "divided by the rate"),
    (ch.q_3.a, np.array([0.0, 0.75]), "at test time"),
    (ch.q_3.a, np.array([0.0, 2.0]), "rate 0.5"),
    (ch.q_3.a, np.array([4 / 3]), "0 can appear too"),
    (ch.q_3.b, X * 0.75, "original 2014 formulation"),
    (ch.q_3.b, X / 0.75, "only in training"),
    (ch.q_3.b, X * np.array([1, 0, 1, 0]), "nothing is dropped at inference"),
    (ch.q_3.c, "a", "defaults to training=True"),
    (ch.q_3.c, "c", "defaults to training=True"),
    (ch.q_3.c, "d", "one of 'a', 'b', 'c'"),
    (ch.q_7, "a", "validation accuracy went *up*"),
    (ch.q_7, "c", "strongly correlated"),
    (ch.q_7, "d", "active only in training"),
]


@pytest.mark.parametrize("question, answer, says", Q3_MISTAKES, ids=[f"{q.name}-{s[:20]}" for q, _, s in Q3_MISTAKES])
def test_value_and_choice_mistake_is_named(question, answer, says, student):
    student[question.var] = answer
    outcome = question.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def convnet(dropout_at=None, rate=0.5, dense=64, with_input=True):
    """The question-4 convnet with a Dropout layer inserted before layer index `dropout_at`."""
    def build():
        stack = [L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(), L.Conv2D(32, 3, activation="relu"),
                 L.MaxPooling2D(), L.Flatten(), L.Dense(dense, activation="relu"), L.Dense(10, activation="softmax")]
        if dropout_at is not None:
            for i in np.atleast_1d(dropout_at)[::-1]:
                stack.insert(int(i), L.Dropout(rate))
        return keras.Sequential(([keras.Input((28, 28, 1))] if with_input else []) + stack)
    return build


Q4_MISTAKES = [
    (convnet(7), "after the output layer"),
    (convnet(6, rate=50), "not a percentage like 50"),
    (convnet(), "there is no Dropout layer"),
    (convnet(0), "zeroes input pixels"),
    (convnet(2), "sits in the convolutional base"),
    (convnet([5, 6]), "add one Dropout layer"),
    (convnet(6, rate=0.3), "half is 0.5, not 0.3"),
    (convnet(6, rate=0.005), "half a percent"),
    (convnet(6, dense=128), "keep the 56,714 parameters"),
    (convnet(6, with_input=False), "Start with `keras.Input"),
    (lambda: [L.Dense(10)], "is a list of layers; make a model"),
]


@pytest.mark.parametrize("builder, says", Q4_MISTAKES, ids=[s[:25] for _, s in Q4_MISTAKES])
def test_dropout_placement_mistake_is_named(builder, says, student):
    student["build_dropout_model"] = builder
    outcome = ch.q_4.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def test_dropout_right_after_flatten_is_accepted(student):
    student["build_dropout_model"] = convnet(5)
    assert ch.q_4.evaluate().status == CORRECT


rescale = lambda: L.Rescaling(1 / 255)  # noqa: E731
rot_30 = lambda: L.RandomRotation(30 / 360)  # noqa: E731
shift_hw = lambda: L.RandomTranslation(height_factor=0.2, width_factor=0.1)  # noqa: E731
zoom_025 = lambda: L.RandomZoom(0.25)  # noqa: E731

Q5_MISTAKES = [
    (block(rescale, lambda: L.RandomRotation(30), shift_hw, zoom_025, flip_h), "30/360"),
    (block(rescale, lambda: L.RandomRotation(0.5236), shift_hw, zoom_025, flip_h), "in radians"),
    (block(rescale, rot_30, lambda: L.RandomTranslation(0.1, 0.2), zoom_025, flip_h), "height and width are swapped"),
    (block(lambda: L.Rescaling(255), rot_30, shift_hw, zoom_025, flip_h), "Rescaling(255) multiplies"),
    (block(lambda: L.Rescaling(1 / 255, offset=-1), rot_30, shift_hw, zoom_025, flip_h), "has no offset"),
    (block(rot_30, shift_hw, zoom_025, flip_h), "rescaling of pixel values (Rescaling) is missing"),
    (block(rescale, rot_30, shift_hw, zoom_025, lambda: L.RandomFlip()), "also flips upside down"),
    (block(rescale, rot_30, shift_hw, lambda: L.RandomZoom((0.75, 1.25)), flip_h), "ImageDataGenerator's range"),
    (block(rescale, rot_30, shift_hw, zoom_025, flip_h, lambda: L.RandomShear(0.2)), "no `shear_range`"),
    (block(rescale, rot_30, shift_hw, zoom_025, flip_h, lambda: L.Resizing(150, 150)), "remove Resizing"),
]


@pytest.mark.parametrize("builder, says", Q5_MISTAKES, ids=[s[:25] for _, s in Q5_MISTAKES])
def test_image_data_generator_conversion_mistake_is_named(builder, says, student):
    student["make_augment_k3"] = builder
    outcome = ch.q_5.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def test_image_data_generator_zoom_with_separate_width_is_accepted(student):
    student["make_augment_k3"] = block(flip_h, lambda: L.RandomZoom(0.25, 0.25), shift_hw, rot_30, rescale)
    assert ch.q_5.evaluate().status == CORRECT


def digit_model(front=(), head_dropout=True, rotation=None):
    aug = list(front)
    stack = [keras.Input((28, 28, 1)), *aug, L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(),
             L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(), L.Flatten()]
    if head_dropout:
        stack.append(L.Dropout(0.5))
    stack += [L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")]
    return keras.Sequential(stack)


SAFE = [L.RandomRotation(0.03), L.RandomTranslation(0.1, 0.1)]

Q6_MISTAKES = [
    (lambda: digit_model(), "has no augmentation layer"),
    (lambda: digit_model([L.RandomFlip("horizontal"), L.RandomZoom(0.1)]), "RandomFlip does not preserve"),
    (lambda: digit_model([L.RandomRotation(0.5)]), "±180°"),
    (lambda: digit_model([L.Rescaling(1 / 255), L.RandomZoom(0.1)]), "already scaled to [0, 1]"),
    (lambda: digit_model([L.RandomZoom(0.1)], head_dropout=False), "has no Dropout layer"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(8, 3), L.RandomZoom(0.1), L.Flatten(),
                               L.Dropout(0.5), L.Dense(10, activation="softmax")]), "right after the Input"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), L.RandomZoom(0.1), L.Flatten(),
                               L.Dense(10, activation="softmax"), L.Dropout(0.5)]), "after the output layer"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), L.RandomZoom(0.1), L.Flatten(), L.Dropout(0.5),
                               L.Dense(1, activation="sigmoid")]), "gives (1,) numbers per image"),
    (lambda: digit_model(SAFE), "was never compiled or fitted"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), L.RandomZoom(0.1), L.Flatten(), L.Dropout(0.2),
                               L.Dense(10, activation="softmax")]), "asks for Dropout(0.5)"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), L.RandomZoom(0.1), L.Conv2D(4, 3), L.Dropout(0.5),
                               L.Flatten(), L.Dense(10, activation="softmax")]), "after Flatten"),
    (lambda: "model", "should be a Keras model"),
]


@pytest.mark.parametrize("make, says", Q6_MISTAKES, ids=[s[:25] for _, s in Q6_MISTAKES])
def test_regularised_model_mistake_is_named(make, says, student):
    student["model_reg"] = make()
    outcome = ch.q_6.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def test_regularised_model_that_learned_nothing_is_named(student):
    keras.utils.set_random_seed(0)
    model = digit_model([L.RandomRotation(0.03), L.RandomTranslation(0.1, 0.1)])
    x, y, _, _ = ch.digits_q()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy")
    model.fit(x[:32], y[:32], epochs=1, verbose=0)
    student["model_reg"] = model
    outcome = ch.q_6.evaluate()
    assert outcome.status == INCORRECT
    assert "about chance" in outcome.message or "for every image" in outcome.message, outcome.message


def functional_digit_model(rate=0.5):
    """The regularised convnet written with the functional API, augmentation as a nested block."""
    inputs = keras.Input((28, 28, 1))
    x = keras.Sequential([L.RandomRotation(0.03), L.RandomTranslation(0.1, 0.1)])(inputs)
    x = L.MaxPooling2D()(L.Conv2D(16, 3, activation="relu")(x))
    x = L.Dropout(rate)(L.Flatten()(x))
    return keras.Model(inputs, L.Dense(10, activation="softmax")(x))


def test_functional_models_are_read_like_sequential_ones(student):
    """The functional API is equivalent: no internal error, the same structural verdicts."""
    student["build_dropout_model"] = lambda: functional_digit_model()
    assert "Functional" not in ch.q_4.evaluate().message
    student["model_reg"] = functional_digit_model(rate=0.3)
    assert "asks for Dropout(0.5)" in ch.q_6.evaluate().message
    student["model_reg"] = functional_digit_model()
    assert "was never compiled or fitted" in ch.q_6.evaluate().message


def test_regularised_model_fitted_on_the_validation_digits_does_not_count(student):
    _, _, x_val, y_val = ch.digits_q()        # the student's data helper starts watching fit
    model = keras.Sequential([keras.Input((28, 28, 1)), L.RandomZoom(0.1), L.Flatten(), L.Dropout(0.5),
                              L.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_val, y_val, epochs=1, verbose=0)
    student["model_reg"] = model
    assert "fitted on 270 of the 270 validation digits" in ch.q_6.evaluate().message


def test_train_q_shows_progress_and_a_time_estimate(capsys):
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Flatten(), L.Dense(10, activation="softmax")])
    history = ch.train_q(model, epochs=2)
    out = capsys.readouterr().out
    assert "about 5 s of CPU time on 2 cores" in out and "epoch 1/2: loss" in out and "epoch 2/2" in out
    assert len(history.history["loss"]) == 2


def test_train_q_passes_the_placeholder_through(capsys):
    assert ch.train_q(ch.____) is ch.____
    assert "placeholder" in capsys.readouterr().out
