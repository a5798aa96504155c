"""Checks for the exercise of chapter 7, "Building convnets in Keras".

Models are judged by what they are (layer types in order, each layer's ``get_config()``, output
shapes, ``count_params()``), never by positional indexes alone. Keras is never imported here: a
student who built a model has imported it already, and the classes are looked up in ``sys.modules``.
"""
from __future__ import annotations

import numpy as np

from grader.course import datasets
from grader.course.keras_models import activation_name, flat_layers, kind as _layer_kind, not_a_model
from grader.engine.keras_kinds import LossQuestion, TrainedModelQuestion, watched
from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, Mistake, MultipartQuestion, ObjectQuestion,
                                     ValueQuestion, label_questions)

__all__ = ["____", "history_q", "digits_split", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7"]

# The offline digits at 28×28 (train / validation / test). Question 6 trains on x_train/y_train and is
# judged on x_val/y_val (its hidden test on x_test); calling it also starts noting what `fit` trains on.
digits_split = watched(datasets.digits_split)


# ---- question 1: a Dense layer or a Conv2D layer on a 256×256 RGB image ----------------------
_H = _W = 256
_INPUTS = _H * _W * 3                         # 196,608
_DENSE = _INPUTS * 64 + 64                   # 12,582,976
_CONV = 3 * 3 * 3 * 64 + 64                  # 1,792

q_1 = MultipartQuestion(
    a=ValueQuestion(
        "dense_params", _DENSE, kind="int",
        mistakes=[Mistake("the 64 biases are missing: a Dense layer adds one bias per unit.", value=_DENSE - 64),
                  Mistake("the colour channels are missing: a 256×256 RGB image flattens to 256·256·3 = 196,608 "
                          "inputs, not 256·256.", value=_H * _W * 64 + 64),
                  Mistake("the colour channels and the biases are missing: 256·256·3 inputs, times 64 units, "
                          "plus 64 biases.", value=_H * _W * 64),
                  Mistake("196,608 is the number of inputs (one unit's weights); each of the 64 units has its own "
                          "196,608 weights, plus a bias.", when=lambda a: a.ndim == 0 and int(a) in
                          (_INPUTS, _INPUTS + 1))],
        hints=["Flatten the image first: how many numbers does it hold? Every unit has one weight per number.",
               "A Dense layer has inputs · units weights plus units biases."],
        solution="256·256·3 = 196,608 inputs; 196,608 · 64 weights + 64 biases = 12,582,976.",
        solution_code="dense_params = 256 * 256 * 3 * 64 + 64"),
    b=ValueQuestion(
        "conv_params", _CONV, kind="int",
        mistakes=[Mistake("the 64 biases are missing: a Conv2D layer adds one bias per filter.", value=_CONV - 64),
                  Mistake("the input channels are missing: each 3×3 filter spans all 3 colour channels, so it "
                          "has 3·3·3 = 27 weights, not 9.", when=lambda a: a.ndim == 0 and int(a) in
                          (3 * 3 * 64 + 64, 3 * 3 * 64)),
                  Mistake("the weights are shared: a Conv2D layer uses the same filters at every position, so its "
                          "count does not depend on the image size. Do not multiply by the number of positions.",
                          when=lambda a: a.ndim == 0 and int(a) in {c * n for c in (_CONV, _CONV - 64)
                                                                    for n in (254 * 254, 256 * 256)}),
                  Mistake("that is the Dense count: a Conv2D filter sees a 3×3 patch, not the whole image.",
                          value=_DENSE)],
        hints=["One filter has kernel height · kernel width · input channels weights and one bias.",
               "64 filters of 3·3·3 weights, plus 64 biases."],
        solution="3·3·3 = 27 weights per filter, 64 filters, plus 64 biases: 27·64 + 64 = 1,792, whatever the "
                 "image size (about 7,000 times fewer than the Dense layer).",
        solution_code="conv_params = 3 * 3 * 3 * 64 + 64"),
)


# ---- question 2: build a specified convnet -------------------------------------------------------
# kind, settings checked, output shape (without the batch axis)
_SPEC = [
    ("Conv2D", {"filters": 16}, (26, 26, 16)),
    ("MaxPooling2D", {}, (13, 13, 16)),
    ("Conv2D", {"filters": 32}, (11, 11, 32)),
    ("MaxPooling2D", {}, (5, 5, 32)),
    ("Flatten", {}, (800,)),
    ("Dense", {"units": 64, "activation": "relu"}, (64,)),
    ("Dense", {"units": 10, "activation": "softmax"}, (10,)),
]
_SPEC_PARAMS = 56_714
_INPUT = "keras.Input((28, 28, 1))"
_SPEC_TEXT = ("Conv2D(16) → MaxPooling2D → Conv2D(32) → MaxPooling2D → Flatten → Dense(64, relu) → "
              "Dense(10, softmax)")


def _is_model(model):
    return not_a_model(model, "model", _INPUT)


def _input_shape(model):
    shape = tuple(model.inputs[0].shape)[1:]
    if shape == (28, 28, 1):
        return None
    if shape == (28, 28):
        return ("the input has no channel axis: Conv2D wants (height, width, channels). Use "
                "`keras.Input((28, 28, 1))`.")
    if shape == (1, 28, 28):
        return ("the input is channels-first (1, 28, 28); Keras wants channels last: `keras.Input((28, 28, 1))`.")
    return f"the model's input shape is {shape}; the digits are 28×28 with one channel: `keras.Input((28, 28, 1))`."


_ACTIVATION_LAYERS = ("ReLU", "Activation", "Softmax")


def _spec_layers(model):
    """The model's layers (nested blocks opened), with a separate ReLU/Activation/Softmax layer counted
    as the activation of the layer before it, as `activation=` would be."""
    return [layer for layer in flat_layers(model) if _layer_kind(layer) not in _ACTIVATION_LAYERS]


def _activation(model, layer) -> str:
    own = activation_name(layer) or "linear"
    leaves = flat_layers(model)
    i = next(k for k, la in enumerate(leaves) if la is layer)
    if own == "linear" and i + 1 < len(leaves) and _layer_kind(leaves[i + 1]) in _ACTIVATION_LAYERS:
        return activation_name(leaves[i + 1]) or "linear"
    return own


def _config(layer, model) -> dict:
    """The layer's settings, with its activation as one name (a lambda activation cannot be serialised,
    so then the settings are read from the layer's attributes)."""
    try:
        config = dict(layer.get_config())
    except Exception:
        config = {k: getattr(layer, k) for k in ("filters", "kernel_size", "strides", "padding", "dilation_rate",
                                                  "units", "pool_size") if hasattr(layer, k)}
    config["activation"] = _activation(model, layer)
    return config


def _kinds(model) -> list[str]:
    return [_layer_kind(layer) for layer in _spec_layers(model)]


def _layer_kinds(model):
    kinds = _kinds(model)
    wanted = [k for k, _, _ in _SPEC]
    if kinds == wanted:
        return None
    if "Flatten" not in kinds:
        if "GlobalAveragePooling2D" in kinds or "GlobalMaxPooling2D" in kinds:
            return ("the spec turns the 5×5×32 maps into a vector with `Flatten` (800 values); global pooling "
                    "keeps only 32. Use `keras.layers.Flatten()`.")
        out = tuple(model.outputs[0].shape)[1:]
        return (f"`Flatten` is missing: without it `Dense` acts on the last axis of the 4-D feature maps only, "
                f"so the model outputs shape {out} per image instead of (10,). Add `keras.layers.Flatten()` between "
                "the last pooling layer and the first Dense layer.")
    for kind, count in (("Conv2D", 2), ("MaxPooling2D", 2), ("Dense", 2)):
        if kinds.count(kind) != count:
            return (f"the model has {kinds.count(kind)} `{kind}` layer(s); the spec has {count}. "
                    f"Spec: {_SPEC_TEXT}.")
    extra = [k for k in kinds if k not in wanted]
    if extra:
        return (f"the spec has no `{extra[0]}` layer; remove it. Spec: {_SPEC_TEXT}.")
    return f"the layers are in the wrong order: you have {' → '.join(kinds)}; the spec is {_SPEC_TEXT}."


def _conv_configs(model):
    layers = [layer for layer in _spec_layers(model) if _layer_kind(layer) == "Conv2D"]
    convs = [_config(layer, model) for layer in layers]
    filters = [c.get("filters") for c in convs]
    if filters == [32, 16]:
        return "the filter counts are swapped: the first Conv2D has 16 filters, the second 32."
    for nth, config, want in zip(("first", "second"), convs, (16, 32)):
        if config.get("filters") != want:
            return (f"the {nth} Conv2D has {config.get('filters')} filters; the spec asks for {want} "
                    f"(`keras.layers.Conv2D({want}, 3, activation='relu')`).")
        if tuple(config.get("kernel_size", ())) != (3, 3):
            return f"the {nth} Conv2D has kernel_size {tuple(config.get('kernel_size', ()))}; the spec uses 3×3."
        if tuple(config.get("strides", ())) != (1, 1):
            return f"the {nth} Conv2D has strides {tuple(config.get('strides', ()))}; leave the default, 1."
        if config.get("padding") != "valid":
            return (f"the {nth} Conv2D has padding='{config.get('padding')}', which keeps the size; the spec uses "
                    "the default 'valid' (28 → 26 for the first one).")
        if tuple(config.get("dilation_rate", (1, 1))) != (1, 1):
            return f"leave the {nth} Conv2D's dilation_rate at its default, 1."
        if config.get("activation") != "relu":
            return (f"the {nth} Conv2D has activation '{config.get('activation')}'; the spec uses "
                    "`activation='relu'` (without it, two convolutions in a row are still one linear map).")
    return None


def _pool_configs(model):
    for nth, layer in zip(("first", "second"),
                          [la for la in _spec_layers(model) if _layer_kind(la) == "MaxPooling2D"]):
        config = layer.get_config()
        if tuple(config.get("pool_size", ())) != (2, 2) or tuple(config.get("strides") or (2, 2)) != (2, 2):
            return (f"the {nth} MaxPooling2D has pool_size {tuple(config.get('pool_size', ()))} and strides "
                    f"{tuple(config.get('strides') or ())}; the spec uses `MaxPooling2D(2)` (2×2, stride 2).")
        if config.get("padding") != "valid":
            return f"the {nth} MaxPooling2D has padding='{config.get('padding')}'; leave the default 'valid'."
    return None


_OUTPUT_ACTIVATION = {
    "sigmoid": "the output layer uses sigmoid, which scores each class on its own (outputs need not sum to 1): "
               "that suits yes/no or multi-label outputs. One digit out of 10 classes needs "
               "`activation='softmax'`.",
    "linear": "the output layer has no activation, so it outputs raw scores (logits). The spec asks for "
              "probabilities: `keras.layers.Dense(10, activation='softmax')`.",
    "relu": "the output layer uses relu: its outputs are not probabilities (they need not sum to 1, and a class "
            "stuck at 0 gets no gradient). Use `activation='softmax'`.",
}


def _dense_configs(model):
    hidden, output = [_config(la, model) for la in _spec_layers(model) if _layer_kind(la) == "Dense"]
    if output.get("units") != 10:
        return (f"the output layer has {output.get('units')} unit(s); 10 classes need 10 outputs, one probability "
                "per digit.")
    if output.get("activation") != "softmax":
        return _OUTPUT_ACTIVATION.get(output.get("activation"),
                                      f"the output layer uses '{output.get('activation')}'; the spec asks for "
                                      "`activation='softmax'`.")
    if hidden.get("units") != 64:
        return f"the hidden Dense layer has {hidden.get('units')} units; the spec asks for 64."
    if hidden.get("activation") != "relu":
        return (f"the hidden Dense layer has activation '{hidden.get('activation')}'; the spec uses "
                "`activation='relu'`.")
    return None


def _output_shapes(model):
    for layer, (kind, _, shape) in zip(_spec_layers(model), _SPEC):
        got = tuple(layer.output.shape)[1:]
        if got != shape:
            return f"the `{kind}` layer outputs shape {got}; the spec gives {shape}."
    if model.count_params() != _SPEC_PARAMS:
        return (f"the model has {model.count_params():,} parameters; the spec gives {_SPEC_PARAMS:,}. "
                "Is `use_bias` switched off somewhere?")
    return None


q_2 = ObjectQuestion(
    "model", [_is_model, _input_shape, _layer_kinds, _conv_configs, _pool_configs, _dense_configs, _output_shapes],
    on_correct=f"every layer, setting and output shape matches the spec ({_SPEC_PARAMS:,} parameters).",
    hints=["`keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation='relu'), ...])`: "
           "one entry per row of the table, in order.",
           "Run `model.summary()`: the output shapes should read 26, 13, 11, 5 (then 800, 64, 10).",
           "Flatten sits between the last MaxPooling2D and the first Dense; the last Dense has 10 units and "
           "softmax."],
    solution="One layer per row of the table. Conv2D defaults to stride 1 and 'valid' padding, and "
             "MaxPooling2D(2) to stride 2:",
    solution_code='''model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(16, 3, activation="relu"),      # (26, 26, 16)    160 parameters
    keras.layers.MaxPooling2D(2),                       # (13, 13, 16)
    keras.layers.Conv2D(32, 3, activation="relu"),      # (11, 11, 32)  4,640
    keras.layers.MaxPooling2D(2),                       # (5, 5, 32)
    keras.layers.Flatten(),                             # (800,)
    keras.layers.Dense(64, activation="relu"),          # (64,)        51,264
    keras.layers.Dense(10, activation="softmax"),       # (10,)           650
])''',
)


# ---- question 3: the loss for the labels -----------------------------------------------------------

_FROM_LOGITS = ("`from_logits=True` tells the loss that the model outputs raw scores, but these models end with "
                "softmax or sigmoid, which already give probabilities. Leave `from_logits` at its default, False.")
_UNKNOWN = ("Keras has no loss called {name} that fits here; the three candidates are 'binary_crossentropy', "
            "'categorical_crossentropy' and 'sparse_categorical_crossentropy'.")
_FOCAL = "focal cross-entropy is a variant for very unbalanced data; here the plain cross-entropy is the answer."
_OTHER_LOSSES = {
    "mse": "mean squared error is a regression loss: it treats the class probabilities like any numbers and "
           "learns slowly when a prediction is confidently wrong. Classification uses a cross-entropy.",
    "mae": "mean absolute error is a regression loss; classification uses a cross-entropy.",
    "accuracy": "accuracy is a metric (it goes into `metrics=[...]`), not a loss: it changes in jumps, so it has no "
                "useful gradient. The loss is a cross-entropy.",
    "hinge": "hinge is the loss of support vector machines (labels −1/+1); with softmax or sigmoid outputs use a "
             "cross-entropy.",
    "kl_divergence": "KL divergence compares two distributions; for class labels use the matching cross-entropy.",
    "poisson": "the Poisson loss is for counts; for class labels use a cross-entropy.",
    "binary_focal_crossentropy": _FOCAL,
    "categorical_focal_crossentropy": _FOCAL,
}


def _loss(var: str, answer: str, wrong: dict, **kwargs) -> LossQuestion:
    return LossQuestion(var, accepted={answer: ""}, wrong={**_OTHER_LOSSES, **wrong}, from_logits_says=_FROM_LOGITS,
                        unknown_says=_UNKNOWN, otherwise="that loss is for regression, not for class labels: use a "
                        "cross-entropy.", **kwargs)


_LOSS_HINTS = ["Two questions decide the loss: how many outputs does the model have (one sigmoid unit, or one "
               "softmax unit per class)? And what does one label look like (an integer, or a one-hot row)?"]

q_3 = MultipartQuestion(
    a=_loss(
        "loss_int", "sparse_categorical_crossentropy",
        {"categorical_crossentropy": "`categorical_crossentropy` expects one-hot labels, a row of 10 numbers per image. These "
                        "labels are single integers 0–9 (shape (n,)), and Keras stops with a shape error. Use the "
                        "*sparse* version, made for integer labels (or one-hot encode them first with "
                        "`keras.utils.to_categorical`).",
         "binary_crossentropy": "`binary_crossentropy` is for a single yes/no output (one sigmoid unit, labels 0/1). Ten classes "
                   "with a softmax output and integer labels need `sparse_categorical_crossentropy`."},
        hints=_LOSS_HINTS + ["Integer labels + softmax over 10 classes: the loss whose name says the labels are "
                             "'sparse' (one index instead of a one-hot row)."],
        solution="'sparse_categorical_crossentropy' (or `keras.losses.SparseCategoricalCrossentropy()`): it takes "
                 "the label as an index and computes −log p[label].",
        solution_code='loss_int = "sparse_categorical_crossentropy"'),
    b=_loss(
        "loss_onehot", "categorical_crossentropy",
        {"sparse_categorical_crossentropy": "`sparse_categorical_crossentropy` wants one integer per image, but these labels are one-hot "
                   "rows of 10 numbers: use `categorical_crossentropy` (or turn the rows back into integers with "
                   "`argmax`).",
         "binary_crossentropy": "`binary_crossentropy` on one-hot rows runs without an error, but it treats each of the 10 outputs "
                   "as a separate yes/no question (the loss for multi-label problems). For one class out of 10 "
                   "with softmax, use `categorical_crossentropy`."},
        hints=_LOSS_HINTS + ["One-hot rows + softmax: the plain categorical cross-entropy, −Σ y·log p."],
        solution="'categorical_crossentropy' (or `keras.losses.CategoricalCrossentropy()`): −Σₖ yₖ log pₖ over the "
                 "one-hot row, the same number as the sparse version on the integer labels.",
        solution_code='loss_onehot = "categorical_crossentropy"'),
    c=_loss(
        "loss_binary", "binary_crossentropy",
        {"categorical_crossentropy": "with a single sigmoid output, `categorical_crossentropy` rescales the one output to sum to "
                        "1, so it always 'predicts' probability 1 and the loss is 0 whatever the weights: the model "
                        "learns nothing (the lesson shows it). Use `binary_crossentropy`.",
         "sparse_categorical_crossentropy": "`sparse_categorical_crossentropy` expects one output per class (here 2 softmax units). With a "
                   "single sigmoid unit and 0/1 labels, use `binary_crossentropy`."},
        hints=_LOSS_HINTS + ["One sigmoid output and labels 0/1: the loss named after two classes."],
        solution="'binary_crossentropy' (or `keras.losses.BinaryCrossentropy()`): −[y log q + (1 − y) log(1 − q)], "
                 "as in the cats-vs-dogs model.",
        solution_code='loss_binary = "binary_crossentropy"'),
)


# ---- question 4: parameters per layer, by hand ---------------------------------------------------
# Input 32×32×3 → Conv2D(8, 3) → MaxPooling2D(2) → Conv2D(16, 3) → MaxPooling2D(2) → Flatten → Dense(32) → Dense(4)
# shapes: 30×30×8 → 15×15×8 → 13×13×16 → 6×6×16 → 576 → 32 → 4
_LAYERS = ["Conv2D(8)", "MaxPooling2D", "Conv2D(16)", "MaxPooling2D", "Flatten", "Dense(32)", "Dense(4)"]
_COUNTS = np.array([3 * 3 * 3 * 8 + 8, 0, 3 * 3 * 8 * 16 + 16, 0, 0, 6 * 6 * 16 * 32 + 32, 32 * 4 + 4])
_NO_BIAS = np.array([3 * 3 * 3 * 8, 0, 3 * 3 * 8 * 16, 0, 0, 6 * 6 * 16 * 32, 32 * 4])
_NO_CIN = {0: 3 * 3 * 8, 2: 3 * 3 * 16}                  # weights without the input channels


def _at(i, *values):
    return lambda a: a.shape == (7,) and any(float(np.real(a[i])) == v for v in values)


def _flatten_mistake(side: int, why: str) -> Mistake:
    n = side * side * 16
    return Mistake(f"the first Dense layer's inputs are off: {why} Flatten passes 6·6·16 = 576 values "
                   f"(you used {side}·{side}·16 = {n}).", when=_at(5, n * 32 + 32, n * 32))


q_4 = ValueQuestion(
    "layer_params", _COUNTS,
    mistakes=[
        Mistake("there are 7 layers in the table: give one count per layer, in order, with 0 for the layers "
                "that have no parameters.", when=lambda a: a.shape != (7,)),
        Mistake("pooling and Flatten layers have no parameters: they take a maximum or reshape, nothing is "
                "learned. Their counts are 0.", when=lambda a: a.shape == (7,) and np.any(a[[1, 3, 4]] != 0)),
        *[Mistake(f"the input channels are missing in layer {i + 1} ({_LAYERS[i]}): each filter spans every "
                  f"channel of its input ({'3 colours' if i == 0 else '8 maps from the first Conv2D'}), so it has "
                  f"3·3·{3 if i == 0 else 8} weights.", when=_at(i, w, w + int(_COUNTS[i] - _NO_BIAS[i])))
          for i, w in _NO_CIN.items()],
        *[Mistake(f"the biases are missing in layer {i + 1} ({_LAYERS[i]}): one bias per "
                  f"{'filter' if i in (0, 2) else 'unit'}.", when=_at(i, int(_NO_BIAS[i])))
          for i in (0, 2, 5, 6)],
        _flatten_mistake(8, "the convolutions have no padding, so each one trims 2 pixels (32 → 30, 15 → 13)."),
        _flatten_mistake(7, "the second Conv2D trims 15×15 to 13×13, and pooling then gives 13 // 2 = 6 (it drops "
                            "the odd last row and column, it does not round up)."),
        _flatten_mistake(13, "the second MaxPooling2D halves 13×13 to 6×6 before Flatten."),
        _flatten_mistake(16, "each 3×3 convolution without padding trims 2 pixels, and each pooling halves."),
    ],
    hints=["Conv2D: kernel height · kernel width · input channels · filters + filters. Dense: inputs · units + "
           "units. MaxPooling2D and Flatten: 0.",
           "Follow the shape first: 32 → 30 (conv) → 15 (pool) → 13 (conv) → 6 (pool, 13 // 2). So Flatten gives "
           "6·6·16 values."],
    solution="Conv2D 3·3·3·8 + 8 = 224; pool 0; Conv2D 3·3·8·16 + 16 = 1,168 (its filters span the 8 maps); pool 0; "
             "Flatten 0 (6·6·16 = 576 values); Dense 576·32 + 32 = 18,464; Dense 32·4 + 4 = 132. Total 19,988.",
    solution_code="layer_params = [3 * 3 * 3 * 8 + 8, 0, 3 * 3 * 8 * 16 + 16, 0, 0, 6 * 6 * 16 * 32 + 32, 32 * 4 + 4]",
)


# ---- question 5: read the learning curves -------------------------------------------------------
history_q = {
    "loss":         [1.352, 1.104, 0.903, 0.752, 0.634, 0.536, 0.452, 0.380,
                     0.318, 0.265, 0.219, 0.180, 0.147, 0.120, 0.098, 0.080],
    "val_loss":     [1.298, 1.087, 0.921, 0.812, 0.743, 0.701, 0.679, 0.672,
                     0.684, 0.703, 0.731, 0.766, 0.804, 0.846, 0.889, 0.935],
    "accuracy":     [0.412, 0.553, 0.651, 0.722, 0.771, 0.812, 0.846, 0.874,
                     0.899, 0.921, 0.940, 0.955, 0.967, 0.976, 0.983, 0.988],
    "val_accuracy": [0.433, 0.561, 0.634, 0.682, 0.707, 0.724, 0.733, 0.739,
                     0.741, 0.744, 0.748, 0.745, 0.742, 0.741, 0.737, 0.734],
}
_BEST = int(np.argmin(history_q["val_loss"])) + 1            # 8
_N_EPOCHS = len(history_q["loss"])                          # 16
_BEST_ACC = int(np.argmax(history_q["val_accuracy"])) + 1   # 11

q_5 = MultipartQuestion(
    a=ValueQuestion(
        "best_epoch", _BEST, kind="int",
        mistakes=[Mistake(f"{_BEST - 1} is the list *index* of the lowest validation loss (`np.argmin` counts from "
                          "0); Keras numbers epochs from 1, as in 'Epoch 1/16'. Add 1.", value=_BEST - 1),
                  Mistake(f"epoch {_N_EPOCHS} has the lowest *training* loss: it keeps falling to the end, while "
                          "the model memorises the training images. Look at `val_loss`.", value=_N_EPOCHS),
                  Mistake(f"epoch {_BEST_ACC} has the highest validation *accuracy*; the question asks for the "
                          "lowest validation loss, the quantity `EarlyStopping(monitor='val_loss')` watches (by "
                          f"epoch {_BEST_ACC} the model is already less sure of its right answers).",
                          value=_BEST_ACC),
                  Mistake("that is the largest validation loss; we want the smallest.",
                          value=int(np.argmax(history_q["val_loss"])) + 1)],
        hints=["`history_q['val_loss']` lists one validation loss per epoch, epoch 1 first.",
               "`np.argmin(...)` gives the index of the smallest value; epochs count from 1."],
        solution="The validation loss is lowest at index 7 of the list, epoch 8:",
        solution_code='best_epoch = int(np.argmin(history_q["val_loss"])) + 1'),
    b=ChoiceQuestion(
        "curves_show", "b",
        {"a": "underfitting: the model is too small to learn the training images",
         "b": "overfitting: the model learns the training images ever better but generalises worse",
         "c": "the learning rate is too high, so training diverges",
         "d": "nothing to worry about: the training accuracy is still going up"},
        why_not={"a": "an underfitting model does badly on the training images too; here the training accuracy "
                      "reaches 0.988.",
                 "c": "a learning rate that is too high makes the *training* loss jump or grow; here it falls "
                      "smoothly every epoch.",
                 "d": "rising training accuracy is what memorising looks like. What counts is the validation "
                      "loss, which has been rising since epoch 8."},
        hints=["Compare the two loss curves after epoch 8: which one falls, which one rises?"],
        solution="Overfitting: after epoch 8 the training loss keeps falling while the validation loss rises, "
                 "and the gap between training and validation accuracy widens. Stop at epoch 8 (early stopping), "
                 "or fight it with more data, augmentation (next chapter) or dropout.",
        solution_code='curves_show = "b"'),
)


# ---- question 6: train to 95 % validation accuracy on the digits --------------------------------------
TARGET = 0.95


q_6 = TrainedModelQuestion(
    "trained_model", data=digits_split, input_shape=(28, 28, 1), metric="accuracy", classes=10, target=TARGET,
    floor=0.25, hidden_minimum=0.9, first_layer=_INPUT, output_layer="keras.layers.Dense(10, activation='softmax')",
    fit_call="trained_model.fit(digits.x_train, digits.y_train, ...)", items="digits",
    advice="Train for more epochs (watch `val_accuracy` in the history), try the `adam` optimizer, or give the "
          "model more filters; the lesson's small convnet gets there.",
    hints=["Take the model of question 2 (or the lesson's), compile it with `optimizer='adam'`, "
           "`loss='sparse_categorical_crossentropy'`, `metrics=['accuracy']`, and fit it for a few epochs.",
           "`trained_model.fit(digits.x_train, digits.y_train, epochs=8, batch_size=32, "
           "validation_data=(digits.x_val, digits.y_val), verbose=2)` prints one line per epoch; the 8 epochs took "
           "8–9 s of CPU time on a 2-core machine (about 20 s of wall time while other work shared it)."],
    solution="The convnet of question 2 with Adam reaches the target in a few epochs:",
    solution_code='''digits = digits_split()
keras.utils.set_random_seed(0)
trained_model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(16, 3, activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(32, 3, activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Flatten(),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
trained_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = trained_model.fit(digits.x_train, digits.y_train, epochs=8, batch_size=32,
                            validation_data=(digits.x_val, digits.y_val), verbose=2)''',
)

q_7 = ChoiceQuestion(
    "most_parameters", {"a", "c"},
    {"a": "Most of them sit in the first `Dense` layer: it has a weight for every value `Flatten` hands it, for each of its 512 units.",
     "b": "Most of them sit in the four `Conv2D` layers, because they see the whole image.",
     "c": "One more Conv2D + MaxPooling2D block, or global average pooling before the `Dense` layer, cuts the count a lot without changing the existing filters.",
     "d": "Cutting parameters this way makes overfitting worse."},
    why_not={"b": "a filter's weights are shared over all positions of the image: the four Conv2D layers together hold 240,832 parameters, under a tenth of the model. Look at the summary's Param # column.",
             "d": "fewer parameters leave less room to memorise the 2,000 training images: if anything, overfitting gets milder."},
    hints=["Look at the summary's Param # column: which row is largest, and what multiplies to give it?"],
    solution="(a, c): " + "The first Dense layer: Flatten turns the 7×7×128 maps into 6,272 values, and each of the 512 units "
             "has a weight for every one of them, 6,272·512 + 512 = 3,211,776 parameters, 93% of the model. The four "
             "Conv2D layers together have 240,832, because a filter's weights are shared over all positions. To cut "
             "the count, shrink what Flatten sees: one more Conv2D + MaxPooling2D block (2×2×128 maps, 512 "
             "values), or global average pooling (128 values; chapter 6), or a smaller Dense layer. Fewer "
             "parameters also means less room to memorise 2,000 training images, i.e. less overfitting.",
    solution_code="most_parameters = \"ac\"",
)

label_questions(globals())
