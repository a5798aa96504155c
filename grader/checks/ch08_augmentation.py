"""Checks for the exercise of chapter 8, "Overfitting, augmentation and dropout".

Augmentation blocks and models are judged by their layers' types and configs
(`layer.get_config()`), never by position alone; Keras is imported lazily. The students
write *builder functions* (`def make_augment(): return keras.Sequential([...])`), so that a
factor Keras refuses (`RandomRotation(36)`, `Dropout(50)`) is caught here and named,
instead of stopping the student's cell with Keras' own error.
"""
from __future__ import annotations

import math
import traceback

import numpy as np

from dataclasses import replace

from grader.course import datasets
from grader.course.keras_models import epoch_log, flat_layers, is_layer, is_layer_list, is_model, not_a_model
from grader.engine.keras_kinds import TrainedModelQuestion, record_fit, watched
from grader.engine.placeholder import ____, contains_placeholder
from grader.engine.questions import (ChoiceQuestion, Incorrect, Mistake, MultipartQuestion, ObjectQuestion,
                                     ValueQuestion, label_questions)
from grader.engine.values import describe

__all__ = ["____", "x_drop", "digits_q", "train_q", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7", "q_8"]

# The input of question 3 (the exercise prints it).
x_drop = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)

N_TRAIN, EPOCHS, BATCH = 300, 20, 32
# train_q's time on 2 CPU cores: question 6's reference run (20 epochs) takes 7.8 s of CPU time (measured
# with resource.getrusage; wall time on a machine loaded 10-30x was 13-43 s), most of it in epoch 1, where
# Keras traces the training step; the later epochs take about 0.3 s each. Measured again in a Jupyter kernel
# (`python -m benchmarks.training_times ch08_augmentation`, load average 4-8 on 2 cores): the baseline cell
# 5.7-7.3 s CPU (12-15 s wall), the reference answer 7.4-9.6 s CPU (19-21 s wall); at load 2.3 the baseline took
# 6.2 s CPU, 5.7 s wall, epoch 1 2.4 s and the others 0.1-0.3 s each.
FIRST_EPOCH_SECONDS, SECONDS_PER_EPOCH = 3.0, 0.3


# ---- data and training for question 6 -------------------------------------------------
@watched
def digits_q():
    """The small digits task of question 6: (x_train, y_train, x_val, y_val).

    The first 300 training images of `grader.course.datasets.digits_split()` (real handwritten digits,
    28×28, values in [0, 1]) and its 270 validation images. Fresh arrays on every call.
    """
    d = _q6_data()
    return d.x_train, d.y_train, d.x_val, d.y_val


def _q6_data():
    """Question 6's split: the first 300 training digits; validation and test as in every chapter."""
    d = datasets.digits_split()
    return replace(d, x_train=d.x_train[:N_TRAIN], y_train=d.y_train[:N_TRAIN])


def train_q(model, epochs: int = EPOCHS, seed: int = 0):
    """Compile `model` (Adam, learning rate 2e-3, sparse categorical cross-entropy, accuracy)
    and fit it on the 300 training digits for `epochs` epochs, validating on the 270
    validation digits. Seeded; prints one line per epoch and returns the History."""
    if contains_placeholder(model):
        print("train_q: the model is still the `____` placeholder; build it first.")
        return ____
    if not is_model(model):
        print(f"train_q expects a Keras model, but got {describe(model)}.")
        return None
    import keras
    import tensorflow as tf
    x_train, y_train, x_val, y_val = digits_q()
    keras.utils.set_random_seed(seed)
    train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(len(x_train), seed=seed).batch(BATCH)
    val_ds = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(256)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    seconds = 5 * round((FIRST_EPOCH_SECONDS + SECONDS_PER_EPOCH * (epochs - 1)) / 5) or 5
    print(f"training {epochs} epochs on {N_TRAIN} digits, validating on {len(x_val)}: about {seconds} s of CPU time "
          "on 2 cores (the wall time is longer when other work shares the machine), epoch 1 the slowest (Keras "
          "builds the training step); one line per epoch:", flush=True)
    record_fit(model, x_train)
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0, shuffle=False,
                        callbacks=[epoch_log(epochs)])
    h = history.history
    print(f"after {epochs} epochs: training accuracy {h['accuracy'][-1]:.3f}, "
          f"validation accuracy {h['val_accuracy'][-1]:.3f}")
    return history


# ---- reading layers: grader.course.keras_models (flat_layers opens nested Sequential and functional blocks)
def _sym(factor):
    """A Keras factor (a float f, or a pair) as the (low, high) range it samples from."""
    if factor is None:
        return None
    if isinstance(factor, (tuple, list)):
        lo, hi = sorted(float(f) for f in factor)
        return lo, hi
    f = abs(float(factor))
    return -f, f


def _close(pair, target, atol=1e-3) -> bool:
    return pair is not None and all(abs(a - b) <= atol for a, b in zip(pair, target))


def _fmt(pair) -> str:
    return f"({pair[0]:+.3g}, {pair[1]:+.3g})"


def _layer_that_raised(exc: BaseException):
    """The Keras layer whose constructor raised `exc` (from the traceback), or None."""
    found = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        obj = frame.f_locals.get("self")
        if obj is not None and is_layer(obj) and not is_model(obj):
            found = type(obj).__name__
    return found


def _constructor_message(layer: str | None, exc: BaseException, rotation_deg: float) -> str | None:
    text = str(exc)
    if layer == "RandomRotation":
        return (f"Keras refused the factor of RandomRotation ({text.split('Received:')[-1].strip()}). "
                "Its factor is a fraction of a full turn (360°), between −1 and 1, not an angle in degrees: "
                f"±{rotation_deg:g}° is {rotation_deg:g}/360 = {rotation_deg / 360:.4g}.")
    if layer == "RandomZoom":
        return ("Keras refused the factor of RandomZoom: it is the change of scale as a fraction between −1 and 1 "
                "(±20 % is 0.2), not a percentage and not ImageDataGenerator's range [1 − z, 1 + z] of scales.")
    if layer == "RandomTranslation":
        return ("Keras refused a factor of RandomTranslation: each factor is a fraction of the image height or "
                "width between −1 and 1 (10 % is 0.1), not a number of pixels or a percentage.")
    if layer == "Dropout" or "`rate`" in text:
        return ("Keras refused the dropout rate: `rate` is the fraction of units dropped, between 0 and 1 "
                "(half is 0.5), not a percentage like 50.")
    if layer == "RandomFlip":
        return "RandomFlip's mode is one of \"horizontal\", \"vertical\" or \"horizontal_and_vertical\"."
    return None


def _call_builder(fn, var: str, rotation_deg: float = 36.0):
    """Call the student's builder function; turn a refused argument into a named mistake."""
    if not callable(fn) or is_layer(fn):
        raise Incorrect(f"`{var}` should be a function that builds and returns the block "
                        f"(`def {var}(): return keras.Sequential([...])`), but it is {describe(fn)}.")
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - any error is reported, never raised
        message = _constructor_message(_layer_that_raised(exc), exc, rotation_deg)
        if message:
            raise Incorrect(message)
        raise Incorrect(f"calling `{var}()` raised {type(exc).__name__}: {str(exc)[:400]}")


# ---- augmentation blocks (questions 1 and 5) ---------------------------------------------
def _check_flip(layer, spec):
    mode = layer.get_config()["mode"]
    if mode == "horizontal":
        return None
    if mode == "horizontal_and_vertical":
        return ("your RandomFlip also flips upside down: its default mode is \"horizontal_and_vertical\". "
                "Pass \"horizontal\" for left-right mirror images only.")
    return f"RandomFlip(\"{mode}\") flips upside down; a left-right mirror is RandomFlip(\"horizontal\")."


def _check_rotation(layer, spec):
    deg = spec["rotation_deg"]
    lo, hi = _sym(layer.get_config()["factor"])
    if _close((lo, hi), (-deg / 360, deg / 360), atol=1.5e-3):
        return None
    rad = math.radians(deg)
    if _close((lo, hi), (-rad, rad), atol=1e-3):
        return (f"{hi:.4g} is ±{deg:g}° in radians. RandomRotation's factor is a fraction of a full turn: "
                f"{deg:g}° is {deg:g}/360 = {deg / 360:.4g} of a turn.")
    if abs(lo) < 1e-9 and _close((lo, hi), (0, deg / 360), atol=1.5e-3):
        return (f"the range ({lo:g}, {hi:.4g}) only rotates one way (counter-clockwise). A single number f gives "
                f"the symmetric range (−f, f).")
    return (f"RandomRotation(f) rotates by a random angle between −f·360° and +f·360°. Yours rotates between "
            f"{lo * 360:.3g}° and {hi * 360:.3g}°; for ±{deg:g}° use f = {deg:g}/360 = {deg / 360:.4g}.")


def _check_zoom(layer, spec):
    z = spec["zoom"]
    cfg = layer.get_config()
    h, w = _sym(cfg["height_factor"]), _sym(cfg["width_factor"])
    if _close(h, (-z, z)) and (w is None or _close(w, (-z, z))):
        return None
    if abs(h[0]) < 1e-9 or abs(h[1]) < 1e-9:
        return (f"the zoom range {_fmt(h)} goes one way only (in Keras, negative zooms in, positive zooms out). "
                f"A single number f gives (−f, f): RandomZoom({z:g}).")
    return f"RandomZoom(f) changes the scale by up to ±f: ±{z * 100:g} % is f = {z:g}; yours has height factor {_fmt(h)}."


def _check_translation(layer, spec):
    hf, wf = spec["shift"]
    cfg = layer.get_config()
    h, w = _sym(cfg["height_factor"]), _sym(cfg["width_factor"])
    if _close(h, (-hf, hf)) and _close(w, (-wf, wf)):
        return None
    if hf != wf and _close(h, (-wf, wf)) and _close(w, (-hf, hf)):
        return (f"height and width are swapped: RandomTranslation takes the *height* factor first, "
                f"RandomTranslation(height_factor={hf:g}, width_factor={wf:g}).")
    return (f"RandomTranslation(height_factor, width_factor) shifts by up to that fraction of the height and the "
            f"width: here {hf:g} and {wf:g}. Yours has {_fmt(h)} and {_fmt(w)}.")


def _check_rescaling(layer, spec):
    cfg = layer.get_config()
    scale, offset = float(np.ravel(cfg["scale"])[0]), float(np.ravel(cfg["offset"])[0])
    if abs(offset) > 1e-9:
        return f"Rescaling(scale, offset) computes x·scale + offset; `rescale=1./255` has no offset (yours is {offset:g})."
    if abs(scale - 255) < 1e-6:
        return "Rescaling(255) multiplies the pixels by 255; `rescale=1./255` divides: Rescaling(1/255)."
    if abs(scale - 1 / 255) > 1e-9:
        return f"Rescaling multiplies by its scale: `rescale=1./255` is Rescaling(1/255), not Rescaling({scale:g})."
    return None


_CHECKERS = {"RandomFlip": _check_flip, "RandomRotation": _check_rotation, "RandomZoom": _check_zoom,
             "RandomTranslation": _check_translation, "Rescaling": _check_rescaling}
_WHAT = {"RandomFlip": "the left-right flip (RandomFlip)", "RandomRotation": "the rotation (RandomRotation)",
         "RandomZoom": "the zoom (RandomZoom)", "RandomTranslation": "the shift (RandomTranslation)",
         "Rescaling": "the rescaling of pixel values (Rescaling)"}


def _augment_checks(var: str, spec: dict, extra_says: dict):
    """ObjectQuestion checks for a builder of an augmentation block (order-insensitive)."""
    wanted = spec["layers"]

    def check(fn):
        block = _call_builder(fn, var, spec.get("rotation_deg", 36.0))
        if not (is_model(block) or is_layer_list(block)):
            return (f"`{var}()` should return a `keras.Sequential([...])` of augmentation layers, but it returned "
                    f"{describe(block)}.")
        layers = flat_layers(block)
        seen = {}
        for layer in layers:
            name = type(layer).__name__
            if name in seen:
                return f"there are two {name} layers; one of each is enough."
            seen[name] = layer
        for layer in layers:
            name = type(layer).__name__
            if name not in wanted:
                return extra_says.get(name, f"the task does not ask for {name}: remove it.")
        for name in wanted:
            if name not in seen:
                return f"{_WHAT[name]} is missing."
        for layer in layers:
            message = _CHECKERS[type(layer).__name__](layer, spec)
            if message:
                return message
        return None

    return [check]


_Q1 = {"layers": ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation"),
       "rotation_deg": 36.0, "zoom": 0.2, "shift": (0.1, 0.1)}

q_1 = ObjectQuestion(
    "make_augment",
    _augment_checks("make_augment", _Q1, {
        "Rescaling": "the task asks only for random transformations; the images are already in [0, 1], so "
                     "leave Rescaling out.",
        "RandomContrast": "the task does not ask for a contrast change: remove RandomContrast.",
        "Dropout": "Dropout belongs to the network, not to the augmentation block: remove it here.",
    }),
    hints=["One layer per transformation: `keras.layers.RandomFlip`, `RandomRotation`, `RandomZoom`, "
           "`RandomTranslation`. Their order does not matter here.",
           "Factors are fractions: RandomRotation's of a full turn (36° = 36/360 of a turn), RandomZoom's and "
           "RandomTranslation's of the image size (10 % = 0.1). RandomFlip flips both ways unless you pass "
           "\"horizontal\"."],
    solution="Four layers in a Sequential, each with its factor as a fraction:",
    solution_code='''def make_augment():
    return keras.Sequential([
        keras.layers.RandomFlip("horizontal"),
        keras.layers.RandomRotation(36 / 360),      # a fraction of a full turn: ±36°
        keras.layers.RandomZoom(0.2),               # ±20 %
        keras.layers.RandomTranslation(0.1, 0.1),   # ±10 % of the height, ±10 % of the width
    ], name="augment")''',
)


# ---- question 2: label-preserving augmentations for digits -------------------------------
DIGIT_OPTIONS = {
    "a": "RandomRotation(0.03): rotations up to about ±11°",
    "b": "RandomRotation(0.5): any rotation, up to ±180°",
    "c": "RandomFlip(\"horizontal\"): left-right mirror images",
    "d": "RandomFlip(\"vertical\"): upside-down images",
    "e": "RandomTranslation(0.1, 0.1): shifts up to 10 % of the size",
    "f": "RandomZoom(0.1): zoom in or out by up to 10 %",
    "g": "RandomContrast((0.3, 0.3)): strokes a little fainter or stronger",
}
_KEEP = {"a", "e", "f", "g"}
_WHY_NOT = {
    "b": "(b) destroys labels: half a turn makes a 6 into a 9 (and a 9 into a 6), and large rotations turn a 1 "
         "or a 7 on its side.",
    "c": "(c) changes what is written: mirror images of most digits are not digits at all (a mirrored 3 looks like "
         "an ε, a mirrored 2 like an S), and the validation and test images never contain them.",
    "d": "(d) destroys labels: an upside-down 6 looks like a 9 and vice versa, and a flipped 2 or 7 is no digit.",
}
_WHY_KEEP = {
    "a": "(a) keeps the label: people write digits slightly tilted, and ±11° never turns one digit into another.",
    "e": "(e) keeps the label: a digit shifted a little is the same digit.",
    "f": "(f) keeps the label: a slightly bigger or smaller digit is the same digit.",
    "g": "(g) keeps the label: a fainter or bolder pen does not change the digit.",
}


def _as_letters(value):
    if isinstance(value, str):
        letters = [c for c in value.lower() if c.isalpha()]
    elif isinstance(value, (set, frozenset, list, tuple)):
        if not all(isinstance(v, str) for v in value):
            return None
        letters = [v.strip().lower().strip("()'\"") for v in value]
    else:
        return None
    return set(letters)


def _check_keep(value):
    letters = _as_letters(value)
    if letters is None:
        return f"`keep_for_digits` should be a set of letters such as {{\"a\", \"b\"}}; it is {describe(value)}."
    unknown = sorted(letters - set(DIGIT_OPTIONS))
    if unknown:
        return f"{', '.join(repr(u) for u in unknown)} is not one of the options a to g."
    for bad in sorted(letters - _KEEP):
        return _WHY_NOT[bad]
    for good in sorted(_KEEP - letters):
        return "one is missing. " + _WHY_KEEP[good]
    return None


q_2 = ObjectQuestion(
    "keep_for_digits", [_check_keep],
    hints=["For each option ask: could the transformed image be *labelled differently* by a person, or look like "
           "nothing a person writes? Then it does not preserve the label.",
           "Think of 6 and 9, and of what a mirror does to 2, 3, 4, 5 and 7."],
    solution="Keep (a), (e), (f), (g): small rotations, shifts, zooms and contrast changes leave every digit what "
             "it is. Drop (b) and (d), which turn a 6 into a 9, and (c), whose mirror images are not digits. "
             "For cats and dogs a left-right flip is fine: a mirrored cat is still a cat.",
    solution_code='keep_for_digits = {"a", "e", "f", "g"}',
)


# ---- question 3: what Dropout and augmentation do in training and at inference -----------
_P3 = 0.25
q_3 = MultipartQuestion(
    a=ValueQuestion(
        "dropout_values", np.array([0.0, 1 / (1 - _P3)]), rtol=1e-3, atol=1e-3,
        mistakes=[
            Mistake("the kept values are not 1: Keras uses *inverted* dropout and scales what it keeps by "
                    "1 / (1 − rate) during training, so the expected output stays equal to the input.",
                    value=np.array([0.0, 1.0])),
            Mistake("you divided by the rate; Keras divides by the keep probability 1 − rate = 0.75.",
                    value=np.array([0.0, 1 / _P3])),
            Mistake("multiplying by 1 − rate is what the original 2014 dropout did *at test time*. Keras scales "
                    "during training instead, by 1 / (1 − rate).", value=np.array([0.0, 1 - _P3])),
            Mistake("that would be rate 0.5 (scale 1 / 0.5 = 2); here the rate is 0.25.", value=np.array([0.0, 2.0])),
            Mistake("0 can appear too: each unit is dropped (set to 0) with probability 0.25.",
                    value=np.array([1 / (1 - _P3)])),
        ],
        hints=["Each unit is either dropped (0) or kept. What does Keras multiply the kept ones by?",
               "Kept units are divided by the keep probability 1 − rate."],
        solution="A unit is either dropped, giving 0, or kept and scaled by 1 / (1 − 0.25) = 4/3, so the output "
                 "holds only 0 and 1.333.",
        solution_code="dropout_values = np.array([0, 1 / (1 - 0.25)])"),
    b=ValueQuestion(
        "dropout_inference", x_drop,
        mistakes=[
            Mistake("scaling by 1 − rate at inference is the original 2014 formulation. Keras' inverted dropout "
                    "already scaled during training, so at inference the layer passes its input through "
                    "unchanged.", value=x_drop * (1 - _P3)),
            Mistake("the 1 / (1 − rate) scaling happens only in training; at inference Dropout is the identity.",
                    value=x_drop / (1 - _P3)),
            Mistake("nothing is dropped at inference: with training=False Dropout returns its input unchanged.",
                    when=lambda a: a.shape == x_drop.shape and bool(np.any(a == 0))),
        ],
        hints=["With training=False, does Dropout drop anything? Does it scale anything?"],
        solution="With training=False Dropout is the identity: the output is `x_drop` itself.",
        solution_code="dropout_inference = x_drop.copy()"),
    c=ChoiceQuestion(
        "same_output_every_time", "b",
        {"a": "`model(x)`", "b": "`model.predict(x)`", "c": "both"},
        why_not={"a": "in Keras 3 the augmentation layers' `call` defaults to training=True: `model(x)` without "
                      "`training=False` rotates the images, so the output changes from call to call (Dropout, "
                      "whose default is off, does not). The lesson shows it.",
                 "c": "`model(x)` without `training=False` runs the augmentation layers: their `call` defaults to "
                      "training=True in Keras 3. Only `predict` (or `model(x, training=False)`) is deterministic."},
        hints=["The lesson calls a model that contains augmentation layers in three ways. Which one gave a "
               "different output every time?"],
        solution="(b): `predict` (like `evaluate`) always runs in inference mode. A direct call `model(x)` without "
                 "`training=False` runs Keras 3's augmentation layers in training mode, because their `call` "
                 "defaults to training=True.",
        solution_code='same_output_every_time = "b"'),
)


# ---- question 4: Dropout in the right place ----------------------------------------------
BASE_PARAMS = 56_714  # the convnet of question 4 without Dropout


def _check_dropout_model(fn):
    model = _call_builder(fn, "build_dropout_model")
    problem = not_a_model(model, "build_dropout_model()", "keras.Input(shape=(28, 28, 1))")
    if problem:
        return problem
    layers = flat_layers(model)
    names = [type(l).__name__ for l in layers]
    drops = [i for i, n in enumerate(names) if n == "Dropout"]
    if not drops:
        return "there is no Dropout layer in the model."
    if drops[-1] == len(layers) - 1:
        return ("Dropout comes after the output layer: in training it would zero some of the 10 class "
                "probabilities and double the others, so they no longer sum to 1. Put it *before* the final Dense.")
    if len(drops) > 1:
        return f"add one Dropout layer; the model has {len(drops)}."
    i = drops[0]
    convs = [j for j, n in enumerate(names) if n == "Conv2D"]
    flatten = names.index("Flatten") if "Flatten" in names else None
    if convs and i < convs[0]:
        return ("this Dropout zeroes input pixels before the first convolution: that is noise on the image, not "
                "the regularisation of the classifier asked for. Put it after Flatten, before the final Dense.")
    if flatten is not None and i < flatten:
        return ("this Dropout sits in the convolutional base. Neighbouring pixels of a feature map nearly repeat "
                "each other, so dropping single pixels there does little; put it in the classifier, after "
                "Flatten and before the final Dense.")
    rate = float(layers[i].get_config()["rate"])
    if abs(rate - 0.5) > 1e-9:
        if abs(rate - 0.005) < 1e-9:
            return "rate 0.005 drops half a percent of the units; half of them is rate=0.5."
        return f"the rate is the fraction of units dropped: half is 0.5, not {rate:g}."
    out = tuple(model.output_shape)
    if out != (None, 10):
        return f"the output shape should be (None, 10), one probability per digit; it is {out}."
    n = model.count_params()
    if n != BASE_PARAMS:
        return (f"Dropout has no weights, so the model should keep the {BASE_PARAMS:,} parameters of the given "
                f"convnet; yours has {n:,}. Keep the other layers exactly as given.")
    return None


q_4 = ObjectQuestion(
    "build_dropout_model", [_check_dropout_model],
    hints=["Dropout goes between the feature extractor and the output: after Flatten, before the final "
           "Dense(10, activation=\"softmax\").",
           "`keras.layers.Dropout(0.5)`: the rate is the fraction dropped, a number between 0 and 1."],
    solution="Insert Dropout(0.5) in the classifier head, after Flatten and before the output layer (Chollet puts "
             "it right after Flatten; just before the last Dense works too):",
    solution_code='''def build_dropout_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])''',
)


# ---- question 5: a Keras 2 ImageDataGenerator call as Keras 3 layers ----------------------
_Q5 = {"layers": ("Rescaling", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomFlip"),
       "rotation_deg": 30.0, "zoom": 0.25, "shift": (0.2, 0.1)}

q_5 = ObjectQuestion(
    "make_augment_k3",
    _augment_checks("make_augment_k3", _Q5, {
        "RandomShear": "the generator call has no `shear_range`: leave RandomShear out.",
        "RandomContrast": "the generator call changes no contrast: remove RandomContrast.",
        "Resizing": "the generator call does not resize (flow_from_directory's target_size did that, and "
                    "image_dataset_from_directory's image_size does it now): remove Resizing.",
    }),
    hints=["One layer per argument: rescale → Rescaling, rotation_range → RandomRotation, width/height_shift_range → "
           "one RandomTranslation, zoom_range → RandomZoom, horizontal_flip → RandomFlip.",
           "rotation_range is in degrees, RandomRotation's factor in turns: divide by 360. RandomTranslation takes "
           "the height factor first.",
           "ImageDataGenerator's zoom_range=0.25 draws scales in [0.75, 1.25]; RandomZoom(0.25) draws the same range."],
    solution="Each argument becomes one layer; only the units change:",
    solution_code='''def make_augment_k3():
    return keras.Sequential([
        keras.layers.Rescaling(1 / 255),                                   # rescale=1./255
        keras.layers.RandomRotation(30 / 360),                             # rotation_range=30 (degrees)
        keras.layers.RandomTranslation(height_factor=0.2, width_factor=0.1),  # height_shift_range, width_shift_range
        keras.layers.RandomZoom(0.25),                                     # zoom_range=0.25
        keras.layers.RandomFlip("horizontal"),                             # horizontal_flip=True
    ])''',
)


# ---- question 6: train a regularised model (needs the trained model) ------------------------
MIN_VAL_ACCURACY = 0.85
MIN_TEST_ACCURACY = 0.8
_AUG_LAYERS = {"RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomShear",
               "RandomCrop", "RandomBrightness"}


def _check_reg_structure(model):
    layers = flat_layers(model)
    names = [type(l).__name__ for l in layers]
    aug = [i for i, n in enumerate(names) if n in _AUG_LAYERS]
    if not aug:
        return "`model_reg` has no augmentation layer: start it with small RandomRotation / RandomTranslation / RandomZoom layers."
    first_conv = next((i for i, n in enumerate(names) if n in ("Conv2D", "Dense", "Flatten")), len(names))
    if max(aug) > first_conv:
        return ("an augmentation layer comes after the first Conv2D / Flatten / Dense: augmentation transforms the "
                "input *images*, so its layers go first, right after the Input.")
    for layer in layers:
        name = type(layer).__name__
        if name == "RandomFlip":
            return ("RandomFlip does not preserve digit labels (question 2): an upside-down 6 is a 9, and mirrored "
                    "digits are no digits. Remove it.")
        if name == "RandomRotation":
            lo, hi = _sym(layer.get_config()["factor"])
            if max(abs(lo), abs(hi)) > 0.1 + 1e-9:
                return (f"RandomRotation rotates up to ±{max(abs(lo), abs(hi)) * 360:.0f}°: that can turn a 6 into a 9 "
                        "or lay a 1 on its side. Keep it small, e.g. 0.03 (±11°).")
        if name == "Rescaling" and abs(float(np.ravel(layer.get_config()["scale"])[0]) - 1) > 1e-9:
            return ("the digits are already scaled to [0, 1]: Rescaling(1/255) would make them nearly black. "
                    "Remove it.")
    drops = [i for i, n in enumerate(names) if n == "Dropout"]
    if not drops:
        return "`model_reg` has no Dropout layer: add Dropout(0.5) after Flatten."
    if drops[-1] == len(names) - 1:
        return "Dropout comes after the output layer; put it before the final Dense (question 4)."
    if "Flatten" in names and drops[0] < names.index("Flatten"):
        return ("Dropout sits in the convolutional base; the task puts it in the classifier, after Flatten "
                "(question 4 says why).")
    rate = float(layers[drops[0]].get_config()["rate"])
    if abs(rate - 0.5) > 1e-9:
        return f"the task asks for Dropout(0.5); yours drops a fraction {rate:g} of the units."
    return None


q_6 = TrainedModelQuestion(
    "model_reg", data=_q6_data, input_shape=(28, 28, 1), metric="accuracy", classes=10, target=MIN_VAL_ACCURACY,
    floor=0.3, hidden_minimum=MIN_TEST_ACCURACY, checks=[_check_reg_structure],
    first_layer="keras.Input(shape=(28, 28, 1))", output_layer="keras.layers.Dense(10, activation='softmax')",
    fit_call="history_reg = train_q(model_reg)", items="digits",
    advice="A small regularised convnet reaches it here: check the augmentation factors (small ones) and the "
           "dropout rate (0.5).",
    hints=["Start from the baseline convnet above. Put label-preserving augmentation layers right after "
           "`keras.Input`, and `Dropout(0.5)` after Flatten.",
           "For digits: RandomRotation(0.03), RandomTranslation(0.1, 0.1), RandomZoom(0.1). No RandomFlip. "
           "Call `keras.utils.set_random_seed(0)` before building, then `history_reg = train_q(model_reg)`."],
    solution="The baseline with a digit-safe augmentation block in front and Dropout in the head:",
    solution_code='''keras.utils.set_random_seed(0)
model_reg = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.RandomRotation(0.03, fill_mode="constant"),
    keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
    keras.layers.RandomZoom(0.1, fill_mode="constant"),
    keras.layers.Conv2D(16, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Conv2D(32, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
history_reg = train_q(model_reg)''',
)


# ---- question 7: reading the curves -----------------------------------------------------------
q_7 = ChoiceQuestion(
    "why_gap_closed", "b",
    {"a": "the augmented model is simply worse: a lower training accuracy means it learned less",
     "b": "training accuracy is now measured on randomly transformed images that change every epoch, so the "
          "network cannot memorise them; it must learn features that also work on new images, and the gap "
          "between training and validation accuracy shrinks",
     "c": "augmentation adds new, independent examples, worth as much as collecting new photos",
     "d": "the validation images are augmented too, which makes them easier"},
    why_not={"a": "the model that counts is the one that does well on images it has never seen: its validation "
                  "accuracy went *up*. The training accuracy is lower because the training images got harder.",
             "c": "augmented images are transformations of the same few originals, strongly correlated with them; "
                  "they help, but less than truly new photos would.",
             "d": "augmentation layers are active only in training: `fit`'s validation pass, `evaluate` and "
                  "`predict` run them in inference mode, where they pass images through unchanged."},
    hints=["Which images is the training accuracy computed on, with augmentation in the model?"],
    solution="(b): the network sees each image in a different random form every epoch, so memorising the training "
             "set no longer pays. It has to learn what a circle or a square looks like in general, which is "
             "exactly what the validation images test.",
    solution_code='why_gap_closed = "b"',
)

q_8 = ChoiceQuestion(
    "augmentation_helps", {"a", "b", "c"},
    {"a": "Augmentation helps most when the training set is small compared with the variety of images the model will meet.",
     "b": "It helps when the transformations imitate that variety: the shapes lie at any position and angle, the digits are already centred and upright.",
     "c": "With 270 validation images, a gain of a point or two between two single runs can come from the random seed alone: repeat with a few seeds before claiming it.",
     "d": "Augmentation always raises validation accuracy, so a small gain proves the transformations were too weak."},
    why_not={"d": "augmentation that does not match the variety of real images adds nothing (or hurts), and a gain of a point or two can be noise: neither says the transformations were too weak."},
    hints=["Compare how much the shapes and the digits vary in position and angle, and how many validation images "
           "make up one percentage point."],
    solution="(a, b, c): " + "Augmentation helps most when (1) the training set is small compared with the variety of the images "
             "the model will meet, and (2) the transformations imitate that variety. The generated shapes of the "
             "lesson lie at any position and angle, so flips and rotations of any size create realistic new "
             "examples. The digits of question 6 are already centred and upright, so small shifts, rotations and "
             "zooms add less. And with 270 validation images one image is 0.37 percentage points: a difference of "
             "a point or two between two single runs can come from the seed alone. Before claiming a gain, repeat "
             "the runs with a few seeds.",
    solution_code="augmentation_helps = \"abc\"",
)

label_questions(globals())
