"""Checks for the exercise of chapter 9, "Transfer learning: feature extraction and fine-tuning".

Models are judged by what they are: the layers they contain, which weights are *really* trainable
(`model.trainable_weights`, which is what `fit` trains), how the base was called (`training=False`),
output shapes and, for the trained model, its accuracy on the held-out target digits. Keras is never
imported at module level. The fine-tuning function of question 4 is run on a fresh model of the
same architecture, never on the student's own model.
"""
from __future__ import annotations

import functools
import json

import numpy as np

from grader.course.losses import loss_kind
from grader.engine.placeholder import ____
from grader.engine.limits import StudentTimeout, call_with_time_limit
from grader.engine.placeholder import contains_placeholder
from grader.engine.questions import (ChoiceQuestion, Mistake, MultipartQuestion, NotAttempted, ObjectQuestion,
                                     ValueQuestion, label_questions, safe_text)
from grader.course.keras_models import activation_name, is_model, not_a_model, training_steps
from grader.engine.keras_kinds import TrainedModelQuestion, watched
from grader.engine.values import describe

__all__ = ["____", "load_base", "target_task", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6"]

BASE_NAME = "course_base"
N_CLASSES = 5
INPUT_SHAPE = (32, 32, 1)
TOP_BLOCK = "block3_"


def load_base():
    """A fresh copy of the course's pretrained base (``grader.course.pretrained.load_base``)."""
    from grader.course import pretrained
    return pretrained.load_base()


@watched
def target_task(per_class: int = 10, seed: int = 0):
    """The target task: digits 5–9 drawn on 32×32 canvases, labels 0–4 (``grader.course.pretrained.target_task``)."""
    from grader.course import pretrained
    return pretrained.target_task(per_class, seed)


# ---- question 1: trainable and non-trainable parameters of seed 002's VGG16 model ------------------
VGG_BASE = 14_714_688
BLOCK5_CONV = 3 * 3 * 512 * 512 + 512          # 2,359,808 each, three of them
HEAD = 4 * 4 * 512 * 256 + 256 + 256 * 1 + 1  # Flatten(4×4×512) → Dense(256) → Dense(1): 2,097,665
BLOCK5 = 3 * BLOCK5_CONV                       # 7,079,424
_TOTAL = VGG_BASE + HEAD                       # 16,812,353


def _head_with(side: int) -> int:
    return side * side * 512 * 256 + 256 + 257


q_1 = MultipartQuestion(
    a=ValueQuestion(
        "frozen_trainable", HEAD, kind="int",
        mistakes=[Mistake(f"{_TOTAL:,} counts every parameter of the model; after `conv_base.trainable = False` the "
                          "base's parameters are no longer trainable.", value=_TOTAL),
                  Mistake(f"{VGG_BASE:,} is the frozen base: that is the *non*-trainable count. Trainable are the "
                          "parameters of the new head.", value=VGG_BASE),
                  Mistake("2,097,408 is the first Dense layer alone (or both Dense layers without their biases): "
                          "add the output layer, 256 weights + 1 bias.", value=2_097_408),
                  Mistake("Flatten sees the output of block5_pool, 4×4×512 = 8,192 values (9×9 is before that "
                          "pooling).", value=_head_with(9)),
                  Mistake("7×7×512 is the output of VGG16 on 224×224 images; with input_shape=(150, 150, 3) "
                          "block5_pool gives 4×4×512.", value=_head_with(7))],
        hints=["Only the head trains: Flatten (no parameters) → Dense(256) → Dense(1).",
               "Flatten passes 4·4·512 = 8,192 values. A Dense layer has inputs·units weights + units biases."],
        solution="The head: 8,192·256 + 256 = 2,097,408 for Dense(256), plus 256 + 1 = 257 for Dense(1): 2,097,665 "
                 "(the seed's summary prints exactly this).",
        solution_code="frozen_trainable = 4 * 4 * 512 * 256 + 256 + 256 * 1 + 1"),
    b=ValueQuestion(
        "finetune_trainable", BLOCK5 + HEAD, kind="int",
        mistakes=[Mistake(f"{BLOCK5:,} is block 5 alone; the head is still trainable too.", value=BLOCK5),
                  Mistake("that is the count before unfreezing: block5_conv1, block5_conv2 and block5_conv3 now "
                          "train too.", value=HEAD),
                  Mistake("the loop unfreezes every layer *from* block5_conv1 on: block5_conv2 and block5_conv3 "
                          "as well.", value=BLOCK5_CONV + HEAD),
                  Mistake(f"{_TOTAL:,} would unfreeze the whole base; blocks 1 to 4 stay frozen.", value=_TOTAL)],
        hints=["Which layers does the loop make trainable? All layers from `block5_conv1` to the end of the base.",
               "Each block5 convolution has 3·3·512·512 + 512 parameters; add the head's 2,097,665."],
        solution="block5_conv1, block5_conv2 and block5_conv3 (block5_pool has none): 3 · 2,359,808 = 7,079,424, "
                 "plus the head's 2,097,665: 9,177,089.",
        solution_code="finetune_trainable = 3 * (3 * 3 * 512 * 512 + 512) + (4 * 4 * 512 * 256 + 256 + 257)"),
    c=ValueQuestion(
        "finetune_frozen", VGG_BASE - BLOCK5, kind="int",
        mistakes=[Mistake(f"{VGG_BASE:,} is the whole base; block 5 is no longer frozen.", value=VGG_BASE),
                  Mistake(f"{BLOCK5:,} is block 5, which now trains; the question asks for what stays frozen.",
                          value=BLOCK5),
                  Mistake("something stays frozen: blocks 1 to 4 of the base.", value=0)],
        hints=["Non-trainable = the base minus what was unfrozen."],
        solution="14,714,688 − 7,079,424 = 7,635,264: blocks 1 to 4. Trainable + non-trainable is still the total, "
                 "16,812,353.",
        solution_code="finetune_frozen = 14_714_688 - 3 * (3 * 3 * 512 * 512 + 512)"),
)


# ---- reading a model ------------------------------------------------------------------------------------
def _model_problem(model, var: str) -> str | None:
    return not_a_model(model, var, "inputs = keras.Input(shape=(32, 32, 1))", "keras.Model(inputs, outputs)")


def _find_base(model):
    for layer in model.layers:
        if layer.name == BASE_NAME and is_model(layer):
            return layer
    return None


def _base_calls(model, base) -> list[dict]:
    """The keyword arguments of each call of ``base`` inside ``model``'s graph."""
    graph = getattr(model, "_functional", None) or model
    nodes = getattr(graph, "_nodes_by_depth", None) or {}
    return [dict(node.arguments.kwargs) for group in nodes.values() for node in group if node.operation is base]


def _trainable_ids(model) -> set[int]:
    """What `fit` would train: the ids of the variables in ``model.trainable_weights``."""
    return {id(w) for w in model.trainable_weights}


def _ids(layer) -> set[int]:
    return {id(w) for w in layer.weights}


@functools.lru_cache(maxsize=1)
def _fingerprint_record() -> dict:
    from grader.course import pretrained
    try:
        return json.loads(pretrained.RECORD_PATH.read_text()).get("fingerprint", {})
    except Exception:
        return {}


def _pretrained_blocks(base) -> dict:
    """block name -> True when its kernel still holds the shipped weights."""
    from grader.course.pretrained import fingerprint
    try:
        got = fingerprint(base)
    except Exception:
        return {}
    record = _fingerprint_record()
    return {k: (k in record and abs(got[k] - record[k]) <= 1e-4 * max(1.0, abs(record[k]))) for k in got}


# ---- question 2: a frozen base with a new head ----------------------------------------------------------
def _q2_model(model):
    return _model_problem(model, "transfer_model")


def _q2_input(model):
    shape = tuple(model.inputs[0].shape)[1:]
    if shape != INPUT_SHAPE:
        return (f"the model takes inputs of shape {shape}; the target images are 32×32 with one channel: "
                "`keras.Input(shape=(32, 32, 1))`.")
    return None


def _q2_base(model):
    base = _find_base(model)
    if base is None:
        names = [layer.name for layer in model.layers]
        if any(n.startswith("block1_") for n in names):
            return ("the base's layers were copied into the model one by one. Keep the base as one layer, "
                    "`features = base(inputs, training=False)`, so that `base.trainable` and `training=False` "
                    "apply to all of it.")
        return (f"the model does not contain the pretrained base (a layer named '{BASE_NAME}'). Load it with "
                "`base = load_base()` and call it on the inputs: `base(inputs, training=False)`.")
    blocks = _pretrained_blocks(base)
    if blocks and not any(blocks.values()):
        return ("the base has none of the pretrained weights: it looks freshly initialised (or trained again). "
                "Use the shipped base, `base = load_base()`, which learned its filters on the digits 0–4.")
    return None


def _q2_frozen(model):
    base = _find_base(model)
    trainable = _trainable_ids(model)
    in_base = trainable & _ids(base)
    if in_base:
        return (f"the base is not frozen: {len(in_base)} of its weight tensors are in "
                "`model.trainable_weights`, so `fit` would change them (and, with 50 images, wreck what it "
                "learned). Set `base.trainable = False` before training.")
    head_layers = [layer for layer in model.layers if layer is not base and layer.weights]
    frozen_head = [layer.name for layer in head_layers if not (_ids(layer) <= trainable)]
    if not trainable and not model.trainable:
        return ("nothing in this model is trainable: the head is frozen too (`trainable = False` was set on the "
                "whole model). Freeze only the base: `base.trainable = False`.")
    if frozen_head:
        return (f"the head layer(s) {', '.join(frozen_head)} are frozen too; only the base should be. The new head "
                "starts from random weights and must train.")
    return None


def _q2_training_false(model):
    base = _find_base(model)
    calls = _base_calls(model, base)
    if calls and all(call.get("training") is False for call in calls):
        return None
    return ("the base is not called with `training=False`, as the task asks. Build the model with the functional "
            "API: `features = base(inputs, training=False)` (`keras.Sequential([base, ...])` cannot pass that "
            "argument). It asks for inference mode in the base; chapter 13 shows that in Keras 3.15 only "
            "`trainable = False` keeps an unfrozen BatchNormalization layer in inference mode inside `fit`.")


def _q2_head(model):
    out = tuple(model.outputs[0].shape)[1:]
    if len(out) != 1:
        return (f"the model outputs shape {out} per image: the Dense layer acted on the 4×4×64 feature maps. Put "
                "`keras.layers.Flatten()` between the base and the Dense layer.")
    if out[0] != N_CLASSES:
        extra = " (10 would be all digits; this task has only the digits 5–9, labelled 0–4)" if out[0] == 10 else ""
        return f"the model outputs {out[0]} number(s) per image; the target task has 5 classes{extra}."
    activation = next((name for name in map(activation_name, reversed(model.layers)) if name), "linear")
    if activation != "softmax":
        says = {"linear": "no activation, so the model outputs raw scores (logits)",
                "sigmoid": "sigmoid, which scores each class on its own (the outputs need not sum to 1)"}
        return (f"the output uses {says.get(activation, repr(activation))}; one class out of five needs "
                "`activation='softmax'` (or `tf.nn.softmax`).")
    return None


q_2 = ObjectQuestion(
    "transfer_model", [_q2_model, _q2_input, _q2_base, _q2_frozen, _q2_training_false, _q2_head],
    on_correct="the pretrained base is frozen and called in inference mode, and the new head is trainable.",
    hints=["`base = load_base()`, `base.trainable = False`, then the functional API: "
           "`inputs = keras.Input(shape=(32, 32, 1))`, `x = base(inputs, training=False)`, `x = Flatten()(x)`, "
           "`outputs = Dense(5, activation='softmax')(x)`.",
           "Check with `transfer_model.summary()`: the non-trainable parameters are exactly the base's."],
    solution="Freeze the base, call it in inference mode, add a new classifier for the 5 target classes:",
    solution_code='''base = load_base()
base.trainable = False
inputs = keras.Input(shape=(32, 32, 1))
x = base(inputs, training=False)          # BatchNormalization in inference mode
x = keras.layers.Flatten()(x)             # 4×4×64 → 1,024 features
outputs = keras.layers.Dense(5, activation="softmax")(x)
transfer_model = keras.Model(inputs, outputs)''',
)


# ---- question 3: what Keras 3 really does ---------------------------------------------------------------
q_3 = MultipartQuestion(
    a=ChoiceQuestion(
        "after_fit_unfreeze", "c",
        {"a": "`fit` raises an error, because the trainable weights changed",
         "b": "block 3 trains as well: `fit` reads the `trainable` flags at every call",
         "c": "only the head trains; block 3 silently keeps its weights",
         "d": "Keras warns, then trains block 3 as well"},
        why_not={"a": "there is no error: Keras 3 keeps running the training step it built on the first `fit`.",
                 "b": "not in Keras 3: `fit` builds its training step (and the optimizer's variables) once after "
                      "`compile`, for the weights that were trainable then, and reuses it. The lesson shows block "
                      "3's weights unchanged after such a `fit`.",
                 "d": "no warning appears in Keras 3.15 (the check that would warn is never reached), which is "
                      "what makes this mistake easy to miss; the lesson shows block 3's weights unchanged."},
        hints=["The lesson trains a model, changes `trainable`, and compares the weights before and after another "
               "`fit`, with and without `compile`."],
        solution="(c): the training step was built on the first `fit` after `compile`, for the weights that were "
                 "trainable then; it keeps being reused, so block 3 does not move, and nothing tells you. "
                 "`compile` again after changing `trainable` (the Keras docs give this rule).",
        solution_code='after_fit_unfreeze = "c"'),
    b=ChoiceQuestion(
        "why_inference", "b",
        {"a": "to freeze the BatchNormalization weights (gamma and beta)",
         "b": "so that BatchNormalization normalises with the statistics it learned on the source task, instead "
              "of the statistics of each small target batch, and does not overwrite them",
         "c": "to turn off Dropout in the base",
         "d": "to make training faster by skipping the gradients of the base"},
        why_not={"a": "that is what `trainable = False` does. `training=False` decides which statistics "
                      "BatchNormalization uses (saved moving averages or the current batch's), not which weights "
                      "train.",
                 "c": "the course base has no Dropout; `training=False` matters here because of BatchNormalization.",
                 "d": "gradients are decided by `trainable`; `training=False` changes how BatchNormalization "
                      "normalises."},
        hints=["In training mode, BatchNormalization normalises with the mean and variance of the current batch "
               "and updates its moving averages. Which is better with 16 target images per batch?"],
        solution="(b): in inference mode BatchNormalization uses the moving mean and variance learned on thousands of "
                 "source images; in training mode it would use the statistics of each batch of a few target images "
                 "and overwrite the saved ones, shifting every feature under the head's feet. Once you unfreeze "
                 "block 3, the base is trainable, so only `training=False` keeps it in inference mode.",
        solution_code='why_inference = "b"'),
)


# ---- question 4: prepare a model for fine-tuning ----------------------------------------------------------
FT_MAX_LR, FT_MIN_LR = 1e-4, 1e-6


@functools.lru_cache(maxsize=1)
def _feature_architecture():
    """The feature-extraction model of question 4 (frozen course base called with training=False,
    Flatten, Dense(5) named 'head'): built once per process, its flags reset for every call."""
    import keras
    from grader.course import pretrained
    base = pretrained.build_base()
    inputs = keras.Input(shape=INPUT_SHAPE)
    x = keras.layers.Flatten(name="flatten")(base(inputs, training=False))
    outputs = keras.layers.Dense(N_CLASSES, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name="feature_extraction")


def fresh_feature_model():
    """A feature-extraction model as after question 5: the base frozen, the head trainable, compiled with
    Adam(1e-3) and sparse categorical cross-entropy. Its ``compile`` notes what is trainable at each call
    (in ``model._course_compiles``), so the check can tell whether compile came after the changes."""
    import keras
    model = _feature_architecture()
    model.__dict__.pop("compile", None)
    base = model.get_layer(BASE_NAME)
    model.trainable = True
    for layer in model.layers:
        layer.trainable = True
    base.trainable = False
    for layer in base.layers:
        layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    compiles = []
    original = model.compile

    def compile_and_note(*args, **kwargs):
        compiles.append(frozenset(_trainable_ids(model)))
        return original(*args, **kwargs)

    object.__setattr__(model, "compile", compile_and_note)
    object.__setattr__(model, "_course_compiles", compiles)
    object.__setattr__(model, "_course_first_optimizer", model.optimizer)
    return model


def _ft_returned(args, kwargs, returned):
    if returned is not None and returned is not args[0]:
        return (f"`prepare_fine_tuning` returned {describe(returned)}: change the model it is given in place (and "
                "return it, or nothing), do not build a new one.")
    return None


def _block_ids(base, i) -> set[int]:
    return {id(w) for layer in base.layers if layer.name.startswith(f"block{i}_") for w in layer.weights}


def _ft_trainable(args, kwargs, returned):
    model = args[0]
    base = model.get_layer(BASE_NAME)
    trainable = _trainable_ids(model)
    in_base = trainable & _ids(base)
    head = _ids(model.get_layer("head"))
    if not in_base:
        if not trainable:
            return ("nothing is trainable any more, not even the head. Unfreeze block 3 of the base and leave the "
                    "head trainable.")
        return ("the base is still completely frozen: nothing of block 3 is in `model.trainable_weights`. Make the "
                "layers whose names start with 'block3_' trainable (and `base.trainable = True`: a layer inside a "
                "frozen model stays frozen).")
    if in_base & (_block_ids(base, 1) | _block_ids(base, 2)):
        lower_convs = {id(base.get_layer(f"block{i}_conv").kernel) for i in (1, 2)}
        if lower_convs <= in_base:
            return ("the whole base is unfrozen. With 50 labelled images, fine-tune only the top block (the layers "
                    "named 'block3_…'), and keep blocks 1 and 2 frozen: their general edge and stroke detectors "
                    "need no change.")
        return "blocks 1 or 2 are unfrozen. The top block, the one nearest the head, is block 3; keep blocks 1 and 2 frozen."
    if not head <= trainable:
        return "the head is frozen now; it must keep training while block 3 is fine-tuned."
    frozen = [layer.name for layer in base.layers if layer.name.startswith("block3_") and layer.weights
              and not _ids(layer) & trainable]          # (BatchNormalization's moving statistics never train)
    if frozen:
        return (f"only part of block 3 is unfrozen: {', '.join(frozen)} is still frozen. The task unfreezes every "
                "layer whose name starts with 'block3_' (its BatchNormalization too: called with training=False it "
                "keeps its saved statistics, and only its scale and offset train).")
    return None


def _ft_compiled(args, kwargs, returned):
    model = args[0]
    compiles = getattr(model, "_course_compiles", [])
    if not compiles and model.optimizer is getattr(model, "_course_first_optimizer", None):
        return ("you changed `trainable` without compiling again. In Keras 3, `fit` builds its training step for "
                "the weights that were trainable when it first ran after `compile`, and reuses it: without a new "
                "`compile`, fine-tuning would silently train the head only. Call `model.compile(...)` at the end of "
                "the function.")
    if compiles and compiles[-1] != frozenset(_trainable_ids(model)):
        return ("`compile` was called *before* the `trainable` changes. Keras builds the training step for the "
                "weights that are trainable at the first `fit` after `compile`, so the order that is always safe "
                "is: change `trainable` first, then `compile`.")
    optimizer = model.optimizer
    name = type(optimizer).__name__
    lr = _learning_rate(optimizer)
    if lr is None:
        return (f"the model's optimizer is {describe(optimizer)}; compile with a Keras optimizer whose learning rate "
                "you set: `keras.optimizers.Adam(learning_rate=1e-4)`.")
    if name != "Adam":
        return (f"the optimizer is {name}; the task fine-tunes with Adam, as feature extraction did, only with a "
                "smaller learning rate: `keras.optimizers.Adam(learning_rate=1e-4)`.")
    if lr > FT_MAX_LR * 1.0001:
        default = " (the default of `optimizer='adam'`, the feature-extraction rate)" if abs(lr - 1e-3) < 1e-9 else ""
        return (f"the learning rate is {lr:g}{default}. Fine-tuning uses a small learning rate, 1e-4, so that the "
                "pretrained filters change only a little: large updates on 50 images would destroy what they "
                "learned.")
    if lr < FT_MIN_LR:
        return (f"the learning rate {lr:g} is so small that block 3 would hardly move; use 1e-4 (ten times lower "
                "than the feature-extraction rate).")
    loss = getattr(model, "loss", None)
    if loss is None:
        return ("the new `compile` has no loss: `compile` replaces the whole configuration, so give the loss again, "
                "`loss='sparse_categorical_crossentropy'`.")
    kind = loss_kind(loss, "loss", from_logits_says="the head ends with a softmax, so the loss must not use "
                     "`from_logits=True`.", unknown_says="the loss is {name}; keep the one of feature extraction, "
                     "`sparse_categorical_crossentropy`.")
    if kind == "categorical_crossentropy":
        return ("the labels are integers 0–4, so the loss is `sparse_categorical_crossentropy`; "
                "`categorical_crossentropy` expects one-hot rows.")
    if kind != "sparse_categorical_crossentropy":
        return (f"the loss is {kind!r}; keep the one of feature extraction, `sparse_categorical_crossentropy` "
                "(integer labels, softmax output).")
    return None


def _learning_rate(optimizer):
    try:
        value = optimizer.learning_rate
        return float(np.asarray(value))
    except Exception:
        return None


def _run_prepare(func):
    """Run the student's function on a fresh feature-extraction model (never the student's own), under the
    engine's time limit, then judge what it did to the model."""
    if not callable(func) or is_model(func):
        return (f"`prepare_fine_tuning` should be a function, `def prepare_fine_tuning(model): ...`, that prepares "
                f"the model it is given for fine-tuning; it is {describe(func)}.")
    model = fresh_feature_model()
    try:
        returned = call_with_time_limit(func, (model,), {}, 10.0)
    except StudentTimeout:
        return "`prepare_fine_tuning(model)` did not finish within 10 s. Is there a loop that never ends?"
    except Exception as exc:  # noqa: BLE001 - any error is reported, never raised
        text = safe_text(exc)
        if "'lr'" in text:
            return ("Keras 3 optimizers have no `lr=` argument (Keras 2 had it): write "
                    "`keras.optimizers.Adam(learning_rate=1e-4)`.")
        return f"`prepare_fine_tuning(model)` raised {type(exc).__name__}: {text[:300]}"
    if contains_placeholder(returned):
        raise NotAttempted("`prepare_fine_tuning` still returns the `____` placeholder: fill in its body.")
    for check in (_ft_returned, _ft_trainable, _ft_compiled):
        message = check((model,), {}, returned)
        if message:
            return message
    return None


q_4 = ObjectQuestion(
    "prepare_fine_tuning", [_run_prepare],
    on_correct="block 3 and the head are trainable, blocks 1 and 2 frozen, recompiled afterwards with Adam at 1e-4.",
    hints=["Three steps, in this order: unfreeze the layers of `base = model.get_layer('course_base')` whose "
           "names start with 'block3_' (keep blocks 1 and 2 frozen), then compile again with a small learning rate.",
           "In Keras 3 a layer can be trainable inside a frozen model: `layer.trainable = True` on each block3 layer "
           "is enough. Check with `len(model.trainable_weights)`.",
           "`model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4), "
           "loss='sparse_categorical_crossentropy', metrics=['accuracy'])`."],
    solution="Unfreeze the top block by name, as the seed does with VGG16's block5, then recompile with a learning "
             "rate ten times lower:",
    solution_code='''def prepare_fine_tuning(model):
    base = model.get_layer("course_base")
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith("block3_")   # blocks 1 and 2 stay frozen
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model''',
)


# ---- question 5: train the head on the few labelled target digits ----------------------------------------
TARGET = 0.55


def _target_data():
    from grader.course import pretrained
    return pretrained.target_task()


def _q5_base_unchanged(model):
    base = _find_base(model)
    if base is None or not training_steps(model):
        return None                       # never fitted: _q2_base tells a fresh base from the shipped one
    blocks = _pretrained_blocks(base)
    changed = [name for name, same in blocks.items() if not same]
    if changed:
        return (f"the base's weights are no longer the pretrained ones ({', '.join(changed)} changed): the base was "
                "trained together with the head. Build the model again from a fresh `load_base()` and set "
                "`base.trainable = False` *before* `fit`, so that only the head learns from the 50 images.")
    return None


q_5 = TrainedModelQuestion(
    "fe_model", data=_target_data, input_shape=INPUT_SHAPE, metric="accuracy", classes=N_CLASSES, target=TARGET,
    floor=0.3, hidden_minimum=0.5,
    checks=[_q5_base_unchanged, _q2_base, _q2_frozen, _q2_training_false, _q2_head],
    first_layer="inputs = keras.Input(shape=(32, 32, 1))", make="keras.Model(inputs, outputs)",
    output_layer="keras.layers.Dense(5, activation='softmax')", items="target digits",
    fit_call="fe_model.fit(data.x_train, data.y_train, ...)",
    advice="Train the head for more epochs (about 60 with batches of 16 and Adam at 1e-3).",
    hints=["Build the model of question 2 again (a fresh `load_base()`, frozen), compile it with "
           "`optimizer=keras.optimizers.Adam(learning_rate=1e-3)`, `loss='sparse_categorical_crossentropy'`, "
           "`metrics=['accuracy']`.",
           "`fe_model.fit(data.x_train, data.y_train, epochs=60, batch_size=16, verbose=2)` prints each epoch; "
           "it took 7–9 s of CPU time on a 2-core machine (about 20 s of wall time while other work shared it)."],
    solution="Feature extraction: the frozen pretrained base, a new head, 60 epochs on the 50 labelled images:",
    solution_code='''data = target_task()
keras.utils.set_random_seed(0)
base = load_base()
base.trainable = False
inputs = keras.Input(shape=(32, 32, 1))
x = base(inputs, training=False)
x = keras.layers.Flatten()(x)
outputs = keras.layers.Dense(5, activation="softmax")(x)
fe_model = keras.Model(inputs, outputs)
fe_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                 loss="sparse_categorical_crossentropy", metrics=["accuracy"])
fe_model.fit(data.x_train, data.y_train, epochs=60, batch_size=16, verbose=2)''',
)


q_6 = ChoiceQuestion(
    "transfer_helps", {"a", "b"},
    {"a": "Fine-tune the *top* block, and only after the new head is trained: the top block holds the most task-specific features, and a random head would send large gradients into it.",
     "b": "With 5,000 labelled images of the digits 5–9 instead of 50, training from scratch catches up: the base helps most when labels are few.",
     "c": "Fine-tune the lowest block first: it holds the most task-specific features.",
     "d": "This base, trained on handwritten digits, is a good start for photos of cats and dogs."},
    why_not={"c": "the lowest blocks hold the most general features (edges, strokes); the top block is the most task-specific one.",
             "d": "transfer works when the source task taught features the target needs; strokes of handwriting help little with photos of animals (there ImageNet weights, learned on photos, are the better start)."},
    hints=["What did the base learn on the digits 0–4? Would those features help with photos of animals?"],
    solution="(a, b): " + "Transfer works when the source task taught features the target task needs: here strokes, curves and "
             "their combinations, learned on the digits 0–4, also describe 5–9. The lower blocks hold the most "
             "general features (edges, strokes), the top block the most task-specific ones, so that is the one to "
             "fine-tune, and only once the head is trained (a random head would send large gradients into it). "
             "Transfer helps most when labels are few; with thousands of labelled target images, training from "
             "scratch catches up. It can fail when source and target differ too much (a base trained on "
             "handwritten digits would help little with photos of cats and dogs): then ImageNet weights, learned "
             "on photos, are the better start.",
    solution_code="transfer_helps = \"ab\"",
)

label_questions(globals())
