"""Checks for the exercise of chapter 13, "Going further: modern building blocks".

Counts are ValueQuestions with the slips students make (moving statistics counted as trainable,
the depthwise part without the pointwise part, a forgotten bias, ...). Models are judged by what
they are and what they do: the layers they contain, their output shapes and parameter counts, and,
for the fine-tuning question, whether the base's BatchNormalization layers change their moving
statistics when the model runs in training mode (as it does inside ``fit``). Keras is never imported
at module level: a student who built a model has imported it already.
"""
from __future__ import annotations

import numpy as np

from grader.course import datasets
from grader.course import keras_models as km
from grader.engine.keras_kinds import TrainedModelQuestion, watched
from grader.engine.placeholder import ____
from grader.engine.questions import (ChoiceQuestion, Mistake, MultipartQuestion, ObjectQuestion, ShapeQuestion,
                                     ValueQuestion, label_questions)

__all__ = ["____", "digits_split", "load_base", "target_task", "q_1", "q_2", "q_3", "q_4", "q_5", "q_6", "q_7"]

digits_split = watched(datasets.digits_split)


def load_base():
    """A fresh copy of the course's pretrained base of chapter 9 (``grader.course.pretrained.load_base``):
    three blocks Conv2D (no bias) → BatchNormalization → ReLU → MaxPooling2D, input (32, 32, 1)."""
    from grader.course import pretrained
    return pretrained.load_base()


def target_task(per_class: int = 10, seed: int = 0):
    """Chapter 9's target task: the digits 5–9 on 32×32 canvases, labels 0–4."""
    from grader.course import pretrained
    return pretrained.target_task(per_class, seed)


# ---- question 1: batch normalization's parameters ----------------------------------------------------
# Conv2D(48, 3, use_bias=False) on 16 channels, then BatchNormalization()
_C_IN, _C = 16, 48
_CONV = 3 * 3 * _C_IN * _C                   # 6,912
_BN_T, _BN_N = 2 * _C, 2 * _C                # 96 and 96

q_1 = MultipartQuestion(
    a=ValueQuestion(
        "bn_trainable", _BN_T, kind="int",
        mistakes=[Mistake("the moving mean and the moving variance are counted as trainable. Gradient descent never "
                          "changes them: they are running averages, updated by the layer itself in training mode. "
                          "Only γ (gamma) and β (beta) are trainable.", value=4 * _C),
                  Mistake("BN learns two numbers per channel, γ (scale) and β (shift), not one.", value=_C),
                  Mistake("BN works on the channels of *its* input, the 48 maps the convolution makes, not on the "
                          "16 channels that go into the convolution.", when=lambda a: a.ndim == 0 and int(a) in
                          (2 * _C_IN, 4 * _C_IN)),
                  Mistake("BN's parameters are per channel, shared by every position of the maps: do not multiply "
                          "by the height and width.", when=lambda a: a.ndim == 0 and int(a) > 1000 and
                          any(int(a) % (s * s) == 0 and int(a) // (s * s) in (_C, 2 * _C, 4 * _C)
                              for s in (30, 32))),
                  Mistake(f"{_CONV + 2 * _C:,} adds the convolution's weights; the question asks for the BN layer's "
                          "trainable parameters alone.", value=_CONV + 2 * _C)],
        hints=["Per channel, BN holds γ, β, a moving mean and a moving variance. Which of them does gradient descent "
               "learn?", "The convolution makes 48 channels; BN has 2 trainable numbers per channel."],
        solution="γ and β for each of the 48 channels: 2 · 48 = 96.",
        solution_code="bn_trainable = 2 * 48"),
    b=ValueQuestion(
        "bn_non_trainable", _BN_N, kind="int",
        mistakes=[Mistake("a BN layer does have non-trainable parameters: the moving mean and the moving variance, "
                          "one of each per channel. They are weights of the layer (saved with the model), but `fit` "
                          "does not train them.", value=0),
                  Mistake("two per channel are non-trainable, the moving mean and the moving variance, not one.",
                          value=_C),
                  Mistake("BN works on the 48 channels the convolution makes, not on its 16 input channels.",
                          when=lambda a: a.ndim == 0 and int(a) in (2 * _C_IN, 4 * _C_IN)),
                  Mistake("that is all four numbers per channel; γ and β are trainable.", value=4 * _C)],
        hints=["In inference mode BN uses two statistics per channel that it did not learn by gradient descent."],
        solution="The moving mean and the moving variance of each of the 48 channels: 2 · 48 = 96. "
                 "`model.summary()` lists them as 'Non-trainable params'.",
        solution_code="bn_non_trainable = 2 * 48"),
    c=ValueQuestion(
        "conv_params", _CONV, kind="int",
        mistakes=[Mistake("the convolution has `use_bias=False` (BN's β does the bias's job), so there are no 48 "
                          "biases to add.", value=_CONV + _C),
                  Mistake("the input channels are missing: each of the 48 filters spans all 16 input channels, "
                          "3·3·16 weights each.", when=lambda a: a.ndim == 0 and int(a) in (3 * 3 * _C, 3 * 3 * _C + _C)),
                  Mistake("that includes BN's parameters; the question asks for the convolution alone.",
                          when=lambda a: a.ndim == 0 and int(a) in (_CONV + 2 * _C, _CONV + 4 * _C)),
                  Mistake("3·3·16 = 144 is one filter; there are 48 of them.", value=3 * 3 * _C_IN)],
        hints=["Conv2D: kernel height · kernel width · input channels · filters, plus one bias per filter if "
               "`use_bias` is on."],
        solution="3·3·16·48 = 6,912 weights and no bias (`use_bias=False`).",
        solution_code="conv_params = 3 * 3 * 16 * 48"),
)


# ---- question 2: separable against standard ------------------------------------------------------------
# 3×3 layer from 32 to 64 channels, stride 1, padding "same", on 16×16 maps
_K, _CI, _CO, _HW = 3, 32, 64, 16
_STD = _K * _K * _CI * _CO + _CO                 # 18,496
_DW, _PW = _K * _K * _CI, _CI * _CO              # 288, 2,048
_SEP = _DW + _PW + _CO                           # 2,400
_MACS = _HW * _HW * (_DW + _PW)                  # 598,016

q_2 = MultipartQuestion(
    a=ValueQuestion(
        "standard_params", _STD, kind="int",
        mistakes=[Mistake("the 64 biases are missing: `Conv2D` has one per filter by default.", value=_STD - _CO),
                  Mistake("the input channels are missing: each filter spans all 32 input channels.",
                          when=lambda a: a.ndim == 0 and int(a) in (_K * _K * _CO + _CO, _K * _K * _CO)),
                  Mistake("that is the separable layer's count; this part asks for `Conv2D`.", value=_SEP)],
        hints=["k · k · C_in · C_out weights, plus C_out biases."],
        solution="3·3·32·64 + 64 = 18,496.",
        solution_code="standard_params = 3 * 3 * 32 * 64 + 64"),
    b=ValueQuestion(
        "separable_params", _SEP, kind="int",
        mistakes=[Mistake("that is the depthwise part only: a separable convolution also has the pointwise 1×1 "
                          "convolution that mixes the channels, 32·64 weights.",
                          when=lambda a: a.ndim == 0 and int(a) in (_DW, _DW + _CI, _DW + _CO)),
                  Mistake("that is the pointwise part only: add the depthwise 3×3 filters, one per input channel "
                          "(3·3·32).", when=lambda a: a.ndim == 0 and int(a) in (_PW, _PW + _CO)),
                  Mistake("the 64 biases are missing: `SeparableConv2D` adds one bias per output channel.",
                          value=_DW + _PW),
                  Mistake("`SeparableConv2D` has one bias per *output* channel (64), after the pointwise step; the "
                          "depthwise step inside it has none. (Separate `DepthwiseConv2D` and `Conv2D(…, 1)` layers "
                          "would have both.)", value=_SEP + _CI),
                  Mistake("the depthwise step has one 3×3 filter per input channel, 3·3·32, not one per output "
                          "channel pair: 3·3·32·64 is a standard convolution's count.",
                          when=lambda a: a.ndim == 0 and int(a) in (_K * _K * _CI * _CO + _PW + _CO,
                                                                    _K * _K * _CI * _CO + _PW)),
                  Mistake("that is the standard `Conv2D` count.", value=_STD)],
        hints=["Depthwise: one k×k filter per input channel. Pointwise: a 1×1 convolution from C_in to C_out. "
               "Then one bias per output channel.",
               "3·3·32 + 32·64 + 64."],
        solution="Depthwise 3·3·32 = 288, pointwise 32·64 = 2,048, biases 64: 2,400, about 7.7 times fewer than "
                 "the standard layer's 18,496.",
        solution_code="separable_params = 3 * 3 * 32 + 32 * 64 + 64"),
    c=ValueQuestion(
        "separable_macs", _MACS, kind="int",
        mistakes=[Mistake("biases are additions, not multiply-adds: count one multiply-add per weight per output "
                          "position, without the 64 biases.", value=_HW * _HW * _SEP),
                  Mistake("that is the depthwise step only; the pointwise step does 32·64 multiply-adds at every "
                          "position too.", value=_HW * _HW * _DW),
                  Mistake("that is the standard convolution's count, 16·16·3·3·32·64.",
                          when=lambda a: a.ndim == 0 and int(a) in (_HW * _HW * _K * _K * _CI * _CO,
                                                                    _HW * _HW * (_STD))),
                  Mistake("with `padding='same'` and stride 1 the output is 16×16, as large as the input: 256 "
                          "positions, not 14·14.", when=lambda a: a.ndim == 0 and int(a) in
                          (14 * 14 * (_DW + _PW), 14 * 14 * _SEP)),
                  Mistake("that is the multiply-adds of one output position; there are 16·16 of them.",
                          when=lambda a: a.ndim == 0 and int(a) in (_DW + _PW, _SEP))],
        hints=["Every weight is used once at every output position (stride 1, 'same': 16×16 positions).",
               "16·16 · (3·3·32 + 32·64)."],
        solution="16·16 positions · (288 + 2,048) multiply-adds = 598,016; the standard layer needs "
                 "16·16·3·3·32·64 = 4,718,592, 7.9 times more (1/64 + 1/9 = 0.127 of it).",
        solution_code="separable_macs = 16 * 16 * (3 * 3 * 32 + 32 * 64)"),
)


# ---- question 3: batch normalization in the wrong mode while fine-tuning ---------------------------------
_BASE_NAME = "course_base"


def _bn_layers(model) -> list:
    return [layer for layer in km.flat_layers(model) if km.kind(layer) == "BatchNormalization"]


def _q3_model(model):
    return km.not_a_model(model, "finetune_model", "keras.Input(shape=(32, 32, 1))", "keras.Model(inputs, outputs)")


def _q3_shapes(model):
    if km.input_shape(model) != (32, 32, 1):
        return (f"the model takes inputs of shape {km.input_shape(model)}; the target images are (32, 32, 1): "
                "`inputs = keras.Input(shape=(32, 32, 1))`.")
    if km.output_shape(model) != (5,):
        return (f"the model outputs shape {km.output_shape(model)} per image; keep the head of the broken version: "
                "`GlobalAveragePooling2D()` and `Dense(5, activation='softmax')`.")
    return None


def _q3_base(model):
    names = [layer.name for layer in model.layers]
    if _BASE_NAME not in names and not any(n.startswith("block1_") for n in names):
        return ("the model does not contain the pretrained base: build it on `base = load_base()` as the broken "
                "version does.")
    if len(_bn_layers(model)) < 3:
        return ("the base's three BatchNormalization layers are not all in the model: keep the whole base "
                "(`base(inputs, training=False)`).")
    return None


def _q3_convs_train(model):
    trainable = {id(w) for w in model.trainable_weights}
    convs = [layer for layer in km.flat_layers(model) if km.kind(layer) == "Conv2D"]
    frozen = [layer.name for layer in convs if not ({id(w) for w in layer.trainable_weights} or
                                                    {id(w) for w in layer.weights}) <= trainable]
    if frozen and len(frozen) == len(convs):
        return ("the base is frozen: its convolutions no longer train, so this is feature extraction, not "
                "fine-tuning. Keep `base.trainable = True` and freeze only its BatchNormalization layers.")
    if frozen:
        return (f"the convolution(s) {', '.join(frozen)} are frozen; fine-tuning here trains the whole base. Only "
                "the BN layers' mode has to change: set `trainable = False` on them alone.")
    return None


def _q3_bn_mode(model):
    """Run the model in training mode, as fit does, and see whether BN's moving statistics move."""
    bns = _bn_layers(model)
    saved = [(bn.moving_mean.numpy().copy(), bn.moving_variance.numpy().copy()) for bn in bns]
    batch = np.random.default_rng(0).uniform(0, 1, size=(4, 32, 32, 1)).astype("float32")
    try:
        model(batch, training=True)
        moved = [bn.name for bn, (m, v) in zip(bns, saved)
                 if not (np.allclose(bn.moving_mean.numpy(), m) and np.allclose(bn.moving_variance.numpy(), v))]
    finally:
        for bn, (m, v) in zip(bns, saved):
            bn.moving_mean.assign(m)
            bn.moving_variance.assign(v)
    if moved:
        return (f"in training mode, which `fit` uses, the base's BN layers ({', '.join(moved)}) still normalise "
                "with each batch's statistics and overwrite the moving mean and variance learned on the source "
                "digits. `base(inputs, training=False)` does not prevent it in Keras 3: `fit` calls the model with "
                "`training=True`, and the model passes that on to every layer inside (the lesson measures it). "
                "Freeze the BN layers alone: `for layer in base.layers: if isinstance(layer, "
                "keras.layers.BatchNormalization): layer.trainable = False` (a frozen BN layer runs in inference "
                "mode), and leave the convolutions trainable.")
    return None


def _q3_head_trains(model):
    trainable = {id(w) for w in model.trainable_weights}
    dense = [layer for layer in km.flat_layers(model) if km.kind(layer) == "Dense"]
    if dense and not {id(w) for w in dense[-1].weights} <= trainable:
        return "the new Dense head is frozen; it starts from random weights and must train."
    return None


q_3 = ObjectQuestion(
    "finetune_model", [_q3_model, _q3_shapes, _q3_base, _q3_convs_train, _q3_head_trains, _q3_bn_mode],
    on_correct="the base's convolutions train, and its BN layers keep their moving statistics even in training mode.",
    hints=["Inside `fit` every layer runs in training mode, and the `training=False` in the model's graph does not "
           "change that in Keras 3. Which property of a BatchNormalization layer puts it in inference mode for good?",
           "Before building the model: `for layer in base.layers:` / `if isinstance(layer, "
           "keras.layers.BatchNormalization): layer.trainable = False`. Leave `base.trainable = True` for the "
           "convolutions."],
    solution="Freeze the BN layers, and only them: in Keras 3 a BatchNormalization layer with `trainable = False` runs "
             "in inference mode even inside `fit`, while the convolutions keep training. (`training=False` alone is "
             "overridden by `fit`'s `training=True`; keeping it does no harm.)",
    solution_code='''base = load_base()
base.trainable = True                                   # fine-tuning: the convolutions train
for layer in base.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False                         # a frozen BN layer runs in inference mode
inputs = keras.Input(shape=(32, 32, 1))
x = base(inputs, training=False)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(5, activation="softmax")(x)
finetune_model = keras.Model(inputs, outputs)''',
)


# ---- question 4: a residual block with a projection shortcut --------------------------------------------
_Q4_IN, _Q4_OUT = (16, 16, 24), (8, 8, 48)
_Q4_PARAMS = (3 * 3 * 24 * 48 + 4 * 48) + (3 * 3 * 48 * 48 + 4 * 48) + (24 * 48 + 4 * 48)   # 32,832


_BLOCK_CODE = '''def residual_block(x, filters, stride=1):
    shortcut = x
    y = keras.layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = keras.layers.BatchNormalization(momentum=0.9)(y)
    y = keras.layers.ReLU()(y)
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization(momentum=0.9)(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = keras.layers.BatchNormalization(momentum=0.9)(shortcut)
    return keras.layers.ReLU()(keras.layers.Add()([shortcut, y]))

'''


def _layers_of(model, kind: str) -> list:
    return [layer for layer in km.flat_layers(model) if km.kind(layer) == kind]


def _q4_model(model):
    return km.not_a_model(model, "block", "keras.Input(shape=(16, 16, 24))", "keras.Model(inputs, outputs)")


def _q4_input(model):
    if km.input_shape(model) != _Q4_IN:
        return (f"`block` takes inputs of shape {km.input_shape(model)}; build it on "
                "`inputs = keras.Input(shape=(16, 16, 24))`.")
    return None


def _q4_add(model):
    adds = _layers_of(model, "Add")
    if not adds:
        if _layers_of(model, "Concatenate"):
            return ("the shortcut is joined with `Concatenate`, which stacks channels; a residual block *adds* the "
                    "shortcut to the main path: `layers.Add()([shortcut, y])`.")
        return ("there is no shortcut: a residual block adds its (projected) input to the output of the main path, "
                "`layers.Add()([shortcut, y])`.")
    if len(adds) > 1:
        return "one block has one `Add`, joining the shortcut and the main path; this model has several."
    return None


def _q4_output(model):
    out = km.output_shape(model)
    if out == _Q4_OUT:
        return None
    if out == (16, 16, 48):
        return ("the output is (16, 16, 48): the block should halve the maps. Give the first 3×3 convolution "
                "*and* the 1×1 shortcut `strides=2`.")
    if out == (8, 8, 24):
        return "the output has 24 channels; the block should double them to 48 (both convolutions and the shortcut)."
    return f"the block outputs shape {out}; it should map (16, 16, 24) to (8, 8, 48)."


def _q4_projection(model):
    convs = _layers_of(model, "Conv2D")
    one_by_one = [c for c in convs if tuple(c.kernel_size) == (1, 1)]
    if not one_by_one:
        three = [c for c in convs if tuple(c.kernel_size) == (3, 3)]
        if len(three) >= 3:
            return ("the shortcut uses a 3×3 convolution. It only has to change the shape: a 1×1 convolution with "
                    "`strides=2` and 48 filters does that with 9 times fewer weights (24·48 instead of 3·3·24·48).")
        return ("the shortcut needs a projection: `layers.Conv2D(48, 1, strides=2, use_bias=False)` on the input, "
                "then BatchNormalization, so that its shape matches the main path's (8, 8, 48).")
    proj = one_by_one[0]
    if tuple(proj.strides) != (2, 2) and not _layers_of(model, "AveragePooling2D"):
        return "the 1×1 projection needs `strides=2`, like the main path's first convolution."
    if proj.filters != 48:
        return f"the 1×1 projection has {proj.filters} filters; it must produce the main path's 48 channels."
    return None


def _q4_main(model):
    three = [c for c in _layers_of(model, "Conv2D") if tuple(c.kernel_size) == (3, 3)]
    if len(three) != 2:
        return f"the main path has {len(three)} 3×3 convolution(s); the spec has two, both with 48 filters."
    if [tuple(c.strides) for c in three] == [(1, 1), (2, 2)]:
        return ("the stride 2 is on the second 3×3 convolution; put it on the first, so the second works on the "
                "smaller maps (the spec: `Conv2D(48, 3, strides=2, ...)` first).")
    if any(c.filters != 48 for c in three):
        return "both 3×3 convolutions of the main path have 48 filters."
    if len(_layers_of(model, "BatchNormalization")) < 3:
        n = len(_layers_of(model, "BatchNormalization"))
        return (f"the block has {n} BatchNormalization layer(s); the spec has three: after each 3×3 convolution and "
                "after the 1×1 projection.")
    return None


def _q4_relu_after_add(model):
    x = np.random.default_rng(1).normal(size=(2,) + _Q4_IN).astype("float32")
    out = km.predict(model, x)
    if out.min() < 0:
        return ("the block's output has negative values: the last step is a ReLU *after* the addition, "
                "`layers.ReLU()(layers.Add()([shortcut, y]))`.")
    return None


def _q4_params(model):
    count = model.count_params()
    if count == _Q4_PARAMS:
        return None
    biases = count - _Q4_PARAMS
    if biases in (48, 96, 144):
        return (f"the model has {count:,} parameters, {biases} too many: convolutions followed by BN need no bias "
                "(`use_bias=False`); β does that job.")
    return f"the block has {count:,} parameters; the spec gives {_Q4_PARAMS:,}. Compare `block.summary()` with the spec."


q_4 = ObjectQuestion(
    "block", [_q4_model, _q4_input, _q4_add, _q4_output, _q4_projection, _q4_main, _q4_params, _q4_relu_after_add],
    on_correct=f"the main path and the 1×1 projection shortcut both give (8, 8, 48), and they are added "
               f"({_Q4_PARAMS:,} parameters).",
    hints=["Main path: Conv2D(48, 3, strides=2, padding='same', use_bias=False) → BN → ReLU → Conv2D(48, 3, "
           "padding='same', use_bias=False) → BN. Shortcut: Conv2D(48, 1, strides=2, use_bias=False) → BN.",
           "`layers.Add()` needs two tensors of the same shape; then a ReLU. Without the projection, Keras stops "
           "with 'Inputs have incompatible shapes'."],
    solution="The lesson's block, with a projection because both the size and the number of channels change:",
    solution_code=_BLOCK_CODE + '''
inputs = keras.Input(shape=(16, 16, 24))
block = keras.Model(inputs, residual_block(inputs, 48, stride=2))''',
)


# ---- question 5: the shape after a stage -----------------------------------------------------------------
q_5 = ShapeQuestion(
    "stage_shape", (4, 4, 64), axes=("height", "width", "channels"),
    mistakes={(3, 3, 64): "with `padding='same'` a stride-2 convolution gives ceil(7 / 2) = 4, not 7 // 2 = 3: "
                          "the window may hang over the edge, and the padding fills it.",
              (7, 7, 64): "the block has stride 2: its first convolution and its shortcut halve the maps.",
              (4, 4, 32): "the block has 64 filters, so it outputs 64 channels (the projection makes the "
                          "shortcut's channels match).",
              (3, 3, 32): "two slips: 'same' with stride 2 rounds up (ceil(7/2) = 4), and the block outputs its 64 "
                          "filters' channels."},
    hints=["With `padding='same'`, a stride-s layer outputs ceil(n / s) positions.",
           "ceil(7 / 2) = 4, and the channels are the block's filters."],
    solution="(4, 4, 64): 'same' padding with stride 2 gives ceil(7 / 2) = 4 positions, and 64 filters give "
             "64 channels. (The mini-ResNet of the lesson has this stage.)",
    solution_code="stage_shape = (4, 4, 64)",
)


# ---- question 6: train a mini-ResNet ---------------------------------------------------------------------------
TARGET = 0.95


def _q6_residual(model):
    if not _layers_of(model, "Add"):
        return ("`resnet` has no `Add` layer, so no residual connection: build it from residual blocks "
                "(your `residual_block` of question 4).")
    if not _layers_of(model, "BatchNormalization"):
        return "`resnet` has no BatchNormalization layer; the residual blocks of question 4 have them."
    return None


def _q6_lagging_statistics(judged):
    bns = _layers_of(judged.model, "BatchNormalization")
    steps = judged.steps or 0
    slow = [bn for bn in bns if float(bn.momentum) ** max(steps, 1) > 0.05]
    if slow and steps:
        return (f"validation accuracy {judged.score:.1%}. After {steps} training steps, BN layers with momentum "
                f"{float(slow[0].momentum):g} still weigh their starting statistics by "
                f"{float(slow[0].momentum) ** steps:.0%}: in inference mode they normalise with statistics that lag "
                "far behind the network. Use `BatchNormalization(momentum=0.9)` for a short training (or train "
                "much longer).")
    return None


q_6 = TrainedModelQuestion(
    "resnet", data=digits_split, input_shape=(28, 28, 1), metric="accuracy", classes=10, target=TARGET,
    floor=0.25, hidden_minimum=0.9, first_layer="keras.Input(shape=(28, 28, 1))",
    make="keras.Model(inputs, outputs)", output_layer="keras.layers.Dense(10, activation='softmax')",
    fit_call="resnet.fit(digits.x_train, digits.y_train, ...)", items="digits",
    checks=[_q6_residual], diagnoses=[_q6_lagging_statistics],
    advice="Train for an epoch or two more, or use Adam with learning rate 0.003 as in the lesson.",
    hints=["Stem: Conv2D(16, 3, padding='same', use_bias=False) → BN → ReLU → MaxPooling2D(2); then "
           "`residual_block(x, 16)`, `residual_block(x, 32, stride=2)`, `residual_block(x, 64, stride=2)`; then "
           "GlobalAveragePooling2D and Dense(10, softmax).",
           "`resnet.compile(keras.optimizers.Adam(0.003), 'sparse_categorical_crossentropy', metrics=['accuracy'])`, "
           "then `resnet.fit(digits.x_train, digits.y_train, epochs=4, batch_size=32, "
           "validation_data=(digits.x_val, digits.y_val))`."],
    solution="The lesson's mini-ResNet, built from the block of question 4, reaches the target in 4 epochs:",
    solution_code="# residual_block: your function of question 4\n" + _BLOCK_CODE + '''
digits = digits_split()
keras.utils.set_random_seed(0)
inputs = keras.Input(shape=(28, 28, 1))
x = keras.layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
x = keras.layers.BatchNormalization(momentum=0.9)(x)
x = keras.layers.ReLU()(x)
x = keras.layers.MaxPooling2D(2)(x)
x = residual_block(x, 16)
x = residual_block(x, 32, stride=2)
x = residual_block(x, 64, stride=2)
x = keras.layers.GlobalAveragePooling2D()(x)
resnet = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
resnet.compile(keras.optimizers.Adam(0.003), "sparse_categorical_crossentropy", metrics=["accuracy"])
history = resnet.fit(digits.x_train, digits.y_train, epochs=4, batch_size=32,
                     validation_data=(digits.x_val, digits.y_val), verbose=0)''',
)


# ---- question 7: why the residual network trains -------------------------------------------------------
q_7 = ChoiceQuestion(
    "why_residual", "b",
    {"a": "it has more parameters than the plain network, so it can fit the data",
     "b": "the shortcuts give the signal and the gradient a path around the convolutions, so the early layers "
          "get a usable gradient from the start",
     "c": "the shortcuts regularise the network, so it overfits less",
     "d": "the residual network uses batch normalization and the plain one does not"},
    why_not={"a": "both networks have exactly the same parameters: `Add` has none (the lesson prints the two counts).",
             "c": "overfitting is not the plain network's problem: its *training* loss hardly falls, it does not "
                  "even fit the training digits.",
             "d": "neither network of that comparison has batch normalization: the shortcuts are the only "
                  "difference."},
    hints=["Look at the lesson's gradient-norm figure: how large is the first kernel's gradient in each network?"],
    solution="(b). Both networks have the same layers and parameters and no BN. Before any training the plain "
             "network's kernels get gradients thousands of times smaller; ∂(x + F(x))/∂x = I + ∂F/∂x lets the "
             "gradient pass the shortcuts unchanged.",
    solution_code='why_residual = "b"',
)

label_questions(globals())
