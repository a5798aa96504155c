"""Checks for the exercise of chapter 11, "What convnets learn: activations, filters and heatmaps".

Every question uses one small convnet with fixed, seeded weights (``make_convnet()``, no training),
so the checks are deterministic and fast. Keras and TensorFlow are imported lazily, inside the
functions that need them; the reference results are computed once per process and cached.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from grader.course.keras_models import is_layer, is_model
from grader.engine.questions import (ChoiceQuestion, Mistake, MultipartQuestion, ObjectQuestion, ValueQuestion,
                                     label_questions)
from grader.engine.functions import FunctionQuestion, case, case_from
from grader.engine.values import describe, is_tensor, same_values, to_array
from grader.engine.placeholder import ____

__all__ = ["____", "make_convnet", "sample_images", "start_images", "CONV_LAYERS",
           "q_1", "q_2", "q_3", "q_4", "q_5", "q_6"]

CONV_LAYERS = ("conv1", "conv2", "conv3")
_ALL_LAYERS = ("conv1", "pool1", "conv2", "pool2", "conv3", "flatten", "scores")
_SOBEL_RIGHT = np.array([[-1.0, 0.0, 1.0],
                         [-2.0, 0.0, 2.0],
                         [-1.0, 0.0, 1.0]])


# ---- the exercise's convnet and images ----------------------------------------------------------------
def _weights():
    """The convnet's weights: He-scaled normal numbers from a seeded generator; conv1's filter 5 is a
    Sobel-like kernel with a little noise, as first layers learn (chapter 2)."""
    rng = np.random.default_rng(2024)
    shapes = [((3, 3, 1, 8), 9), ((3, 3, 8, 16), 72), ((3, 3, 16, 16), 144), ((1024, 4), 1024)]
    weights = []
    for shape, fan_in in shapes:
        weights.append(rng.normal(0.0, np.sqrt(2.0 / fan_in), shape).astype("float32"))
        weights.append(rng.normal(0.05, 0.05, shape[-1]).astype("float32"))
    weights[0][:, :, 0, 5] = (0.3 * _SOBEL_RIGHT + rng.normal(0.0, 0.04, (3, 3))).astype("float32")
    weights[-2] *= np.float32(0.5)
    return weights


def make_convnet():
    """The exercise's convnet (functional API, fixed weights, not trained):

    image 32×32×1 → conv1 (8 filters, 3×3, ReLU, same) → pool1 → conv2 (16) → pool2 → conv3 (16)
    → flatten → scores (Dense 4, no softmax: the class scores).
    """
    import keras
    layers = keras.layers
    inputs = keras.Input(shape=(32, 32, 1), name="image")
    x = layers.Conv2D(8, 3, activation="relu", padding="same", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(16, 3, activation="relu", padding="same", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Conv2D(16, 3, activation="relu", padding="same", name="conv3")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(4, name="scores")(x)
    model = keras.Model(inputs, outputs, name="convnet")
    model.set_weights(_weights())
    return model


def sample_images():
    """Three 32×32×1 images in [0, 1] (seeded): a disk, a square and a triangle, with noise."""
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[:32, :32]
    disk = ((yy - 12) ** 2 + (xx - 20) ** 2 <= 49).astype(float)
    square = ((abs(yy - 20) <= 6) & (abs(xx - 11) <= 6)).astype(float)
    triangle = ((yy >= 8) & (yy <= 26) & (abs(xx - 16) <= (yy - 8) * 0.55)).astype(float)
    images = np.stack([disk, square, triangle])
    images = np.clip(0.9 * images + rng.normal(0.0, 0.08, images.shape), 0, 1)
    return images[..., np.newaxis].astype("float32")


def start_images():
    """Two starting points for gradient ascent, shape (1, 32, 32, 1) each: grey noise (seeded)."""
    rng = np.random.default_rng(5)
    return [(0.4 + 0.2 * rng.random((1, 32, 32, 1))).astype("float32") for _ in range(2)]


@functools.lru_cache(maxsize=1)
def _convnet():
    return make_convnet()


@functools.lru_cache(maxsize=1)
def _images():
    return _frozen(sample_images())      # read-only: nothing a student runs can change the checks' images


@functools.lru_cache(maxsize=1)
def _reference_activations():
    """{layer name: activations of the first sample image} for every layer of the convnet."""
    import keras
    model = _convnet()
    probe = keras.Model(model.input, [model.get_layer(n).output for n in _ALL_LAYERS])
    outs = probe(_images()[:1], training=False)
    return {n: np.asarray(o) for n, o in zip(_ALL_LAYERS, outs)}


# ---- question 1: an activation model -------------------------------------------------------------------
def _not_a_model(model):
    if is_model(model):
        return None
    if type(model) in (list, tuple) and model and all(to_array(v) is not None for v in model):
        return ("`activation_model` holds arrays: the activations themselves (what `predict` returns). Keep the "
                "*model* that computes them: `activation_model = keras.Model(convnet.input, [...])`.")
    if type(model) in (list, tuple) and any(is_layer(v) for v in model):
        return ("`activation_model` is a list of layers. Use their outputs in a model: "
                "`keras.Model(convnet.input, [convnet.get_layer(name).output for name in CONV_LAYERS])`.")
    if type(model) in (list, tuple) and any(type(v).__name__ == "KerasTensor" for v in model):
        return ("`activation_model` is a list of symbolic tensors (the layers' outputs). That is the right "
                "list; now make a model from it: `keras.Model(convnet.input, that_list)`.")
    return f"`activation_model` should be a Keras model (`keras.Model(inputs, outputs)`), but it is {describe(model)}."


def _activation_outputs(model):
    try:
        outputs = list(model.outputs)
        shape = tuple(model.inputs[0].shape[1:])
    except Exception:
        return "`activation_model` has no inputs or outputs yet. Build it with `keras.Model(convnet.input, [...])`."
    if shape != (32, 32, 1):
        return (f"`activation_model` takes inputs of shape {shape}, but the convnet's images are (32, 32, 1). Use "
                "the convnet's own input, `convnet.input`, so that the new model shares its layers.")
    names = list(CONV_LAYERS)
    if len(outputs) == 1:
        out = tuple(outputs[0].shape[1:])
        if out == (4,):
            return ("`activation_model` has one output, the class scores: that is the whole convnet again. It "
                    f"needs three outputs, the activations of {', '.join(names)}: pass a *list* of the three layers' "
                    "outputs.")
        return (f"`activation_model` has a single output (shape {out}); the question asks for the activations of "
                f"three layers, {', '.join(names)}: pass a list of the three layers' outputs, "
                "`[convnet.get_layer(name).output for name in CONV_LAYERS]`.")
    if len(outputs) > 3:
        return (f"`activation_model` has {len(outputs)} outputs, but the question asks for the three named layers "
                f"{', '.join(names)} only (not every layer, as `convnet.layers[...]` would give).")
    if len(outputs) != 3:
        return f"`activation_model` has {len(outputs)} outputs; it needs 3: the activations of {', '.join(names)}."
    return None


def _match_layer(arr, reference):
    for name, ref in reference.items():
        if arr.shape == ref.shape and np.allclose(arr, ref, rtol=1e-4, atol=1e-5):
            return name
    return None


def _activation_values(model):
    reference = _reference_activations()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = model(_images()[:1], training=False)
    got = [np.asarray(o.numpy() if hasattr(o, "numpy") else o) for o in outs]
    found = [_match_layer(g, reference) for g in got]
    if found == list(CONV_LAYERS):
        return None
    if sorted(f for f in found if f) == sorted(CONV_LAYERS):
        return (f"the three activations are right but in the wrong order: your outputs are {', '.join(found)}; "
                f"the question asks for {', '.join(CONV_LAYERS)}, in that order (grids are drawn from the first "
                "layer to the last).")
    pools = [f for f in found if f and f.startswith("pool")]
    if pools:
        return (f"output{'s' if len(pools) > 1 else ''} {', '.join(pools)} come{'s' if len(pools) == 1 else ''} from "
                "a pooling layer. The question asks for the convolutions' own activations, before pooling: the "
                f"outputs of the layers named {', '.join(CONV_LAYERS)}.")
    for i, (f, g) in enumerate(zip(found, got)):
        if f is None:
            want = reference[CONV_LAYERS[i]]
            if g.shape == want.shape:
                return (f"output {i} has the shape of {CONV_LAYERS[i]} ({g.shape[1:]}) but other values: it does not "
                        "come from the convnet's trained layers. Build the model from the convnet's own tensors, "
                        "`convnet.get_layer(name).output`, instead of new layers (new layers have new weights).")
            return (f"output {i} has shape {g.shape[1:]}, but {CONV_LAYERS[i]} outputs {want.shape[1:]}. Use "
                    f"`convnet.get_layer('{CONV_LAYERS[i]}').output`.")
    return (f"your outputs are {', '.join(str(f) for f in found)}; the question asks for "
            f"{', '.join(CONV_LAYERS)}.")


q_1 = ObjectQuestion(
    "activation_model", [_not_a_model, _activation_outputs, _activation_values],
    hints=["A Keras model can have a list of outputs: `keras.Model(inputs, [output_a, output_b, ...])`.",
           "The inputs are the convnet's: `convnet.input`. The outputs are the symbolic outputs of the named layers: "
           "`convnet.get_layer('conv1').output`, and so on.",
           "`keras.Model(convnet.input, [convnet.get_layer(name).output for name in CONV_LAYERS])`."],
    solution="One model, the convnet's input, the three layers' outputs (it shares the convnet's layers and "
             "weights; nothing is copied):",
    solution_code='''convnet = make_convnet()          # the notebook's set-up cell has done this already
activation_model = keras.Model(convnet.input,
                               [convnet.get_layer(name).output for name in CONV_LAYERS])''',
    on_correct="It returns three arrays per batch: (n, 32, 32, 8), (n, 16, 16, 16) and (n, 8, 8, 16).",
)


# ---- question 2: a first-layer kernel -------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _conv1_kernels():
    return _weights()[0]          # (3, 3, 1, 8): the same numbers make_convnet() sets


def _kernel(f):
    return _conv1_kernels()[:, :, 0, f]


q_2 = MultipartQuestion(
    a=ValueQuestion(
        "kernel_5", lambda: _kernel(5), kind="array", rtol=1e-5, atol=1e-6,
        mistakes=[
            Mistake("this is the kernel of filter 5 flipped (rotated by 180°). Keras stores the weights as it uses "
                    "them, for a cross-correlation: take them as they are.", value=lambda: _kernel(5)[::-1, ::-1]),
            Mistake("rows and columns are swapped (the kernel is transposed). The axes of a Conv2D kernel are "
                    "(rows, columns, input channels, filters): `kernels[:, :, 0, 5]`, no `.T`.",
                    value=lambda: _kernel(5).T),
            Mistake("this is the kernel of filter 4 or 6. Filters are counted from 0: filter 5 is at index 5 of the "
                    "last axis.", when=lambda a: a.shape == (3, 3) and (
                        np.allclose(a, _kernel(4), atol=1e-6) or np.allclose(a, _kernel(6), atol=1e-6))),
            Mistake("the shape is (3, 3, 1): the right numbers, with the input-channel axis still there. Index it "
                    "too: `kernels[:, :, 0, 5]` gives the 3×3 kernel.",
                    when=lambda a: a.shape == (3, 3, 1) and np.allclose(a[:, :, 0], _kernel(5), atol=1e-6)),
            Mistake("a vector of 8 numbers is the layer's biases, `get_weights()[1]`; the kernels are "
                    "`get_weights()[0]`, of shape (3, 3, 1, 8).", when=lambda a: a.shape == (8,)),
            Mistake("you took a slice of 8 numbers, one per filter. The last axis of the kernels counts the filters: "
                    "fix it at 5 and keep the first two axes whole, `kernels[:, :, 0, 5]`.",
                    when=lambda a: a.shape in ((3, 8), (1, 8), (3, 1, 8))),
        ],
        hints=["`convnet.get_layer('conv1').get_weights()` returns [kernels, biases]; the kernels have shape "
               "(3, 3, 1, 8): rows, columns, input channels, filters.",
               "Keep rows and columns whole, input channel 0, filter 5."],
        solution="The kernels' axes are (rows, columns, input channels, filters):",
        solution_code='''convnet = make_convnet()          # the notebook's set-up cell has done this already
kernels, biases = convnet.get_layer("conv1").get_weights()
kernel_5 = kernels[:, :, 0, 5]'''),
    b=ChoiceQuestion(
        "kernel_5_detects", "b",
        {"a": "horizontal edges: it responds where the image gets brighter from top to bottom",
         "b": "vertical edges: it responds where the image gets brighter from left to right",
         "c": "vertical edges: it responds where the image gets darker from left to right",
         "d": "flat regions: it averages (blurs) the image"},
        why_not={"a": "look at where the negative and positive weights are: they differ between the left and the right "
                      "column, not between the top and the bottom row. Rows would make it a 'bottom Sobel'.",
                 "c": "the sign matters: the negative weights are in the left column, so a bright left side and a dark "
                      "right side give a *negative* sum, which the ReLU sets to 0. It fires the other way round.",
                 "d": "a blur has all its weights positive (and summing to 1). These weights nearly cancel: on a flat "
                      "region the sum is close to 0."},
        hints=["Print `np.round(kernel_5, 2)`: where are the negative weights, where the positive ones?",
               "Compare with chapter 2's 'right Sobel', [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], and remember that the "
               "layer's ReLU keeps only positive sums."],
        solution="(b): negative weights in the left column, positive in the right, about 0 in the middle, like "
                 "chapter 2's right Sobel kernel. The sum is large and positive where the right side of a window is "
                 "brighter than its left side: a vertical edge, dark to bright; the ReLU drops the opposite edges.",
        solution_code='kernel_5_detects = "b"'),
)


# ---- function questions with Keras models as inputs -------------------------------------------------------
# Every call gets fresh arguments (case_from): a new convnet, and images that are read-only copies, so that a
# function changing its input in place is told so (and can never change the module's own images).
def _frozen(image):
    image = np.array(image, dtype="float32", copy=True)
    image.flags.writeable = False
    return image


def _judged_after_mistakes(mistakes, diagnose, rtol, atol):
    """check_args for a function of a Keras model: a wrong result is named by the known mistake that gives
    it, else ``diagnose(arr, expected, args)`` may name what is wrong; when the values are right but come
    as a tensor, say that the task asks for a numpy array."""
    def check(args, kwargs, got, expected):
        arr = to_array(got)
        if arr is None:
            return None                                   # the engine says what was returned instead
        expected = np.asarray(expected)                   # the engine's (kept) result of ``reference``
        if same_values(arr, expected, rtol, atol):
            if is_tensor(got):
                return ("the values are right, but the function returns a TensorFlow tensor; the task asks for a "
                        "numpy array: end with `.numpy()`.")
            return None
        for mistake in mistakes:
            try:
                wrong = to_array(mistake.impl(*args, **kwargs))
            except Exception:
                continue
            if wrong is not None and same_values(arr, wrong, rtol, atol):
                return mistake.says                       # named here, so the engine need not run them again
        return diagnose(arr, expected, args) if diagnose else None
    return check


_READ_ONLY = ("your function changes `image` in place (the check passes a read-only copy). Leave the input as it "
              "is: compute a new array (`image + ...`, not `image += ...`).")
_NONE_GRADIENT = ("the gradient is None: the tape did not watch the image. A numpy array or a constant tensor is not "
                  "watched by itself: call `tape.watch(x)` on a tensor `x = tf.convert_to_tensor(image)` (or make "
                  "`x` a `tf.Variable`) before computing the activations inside the `with` block.")
_EXPLAIN = {"read-only": _READ_ONLY, "NoneType": _NONE_GRADIENT}


# ---- question 3: the z-score display ---------------------------------------------------------------------
def reference_channel_to_pixels(channel):
    x = np.asarray(channel, dtype=np.float64)
    z = (x - x.mean()) / (x.std() + 1e-5)
    return np.clip(128 + 64 * z, 0, 255).astype("uint8")


def _quiet(func):
    @functools.wraps(func)
    def wrapped(*args):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return func(*args)
    return wrapped


@_quiet
def _no_eps(channel):
    x = np.asarray(channel, dtype=np.float64)
    return np.clip(128 + 64 * (x - x.mean()) / x.std(), 0, 255).astype("uint8")


@_quiet
def _no_clip(channel):
    x = np.asarray(channel, dtype=np.float64)
    return (128 + 64 * (x - x.mean()) / (x.std() + 1e-5)).astype("uint8")


@_quiet
def _no_mean(channel):
    x = np.asarray(channel, dtype=np.float64)
    return np.clip(128 + 64 * x / (x.std() + 1e-5), 0, 255).astype("uint8")


@_quiet
def _min_max(channel):
    x = np.asarray(channel, dtype=np.float64)
    return (255 * (x - x.min()) / (x.max() - x.min() + 1e-5)).astype("uint8")


@_quiet
def _no_offset(channel):
    x = np.asarray(channel, dtype=np.float64)
    return np.clip(64 * (x - x.mean()) / (x.std() + 1e-5), 0, 255).astype("uint8")


_CHANNELS = [
    np.array([[0.0, 1.0], [2.0, 3.0]]),
    np.zeros((2, 3)),
    np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 10.0]]),
    np.round(np.random.default_rng(3).normal(2.0, 1.5, (4, 5)), 2),
    np.array([[-3.0, -1.0, 0.5], [2.0, 4.0, 9.0], [0.0, 0.0, 1.0]]),
]


def _display_form(args, kwargs, got):
    """What the task states beyond the values: no NaN for a constant channel, bytes (uint8)."""
    arr = to_array(got)
    if arr is None:
        return None
    if np.issubdtype(arr.dtype, np.floating) and np.isnan(arr).any():
        if float(np.std(np.asarray(args[0], dtype=np.float64))) == 0:
            return ("your result contains NaN: this channel is constant (a dead ReLU channel), so its standard "
                    "deviation is 0 and (x − mean) / std is 0/0. Add a small number to the denominator, "
                    "`x.std() + 1e-5`, as the original `deprocess_image` does.")
        return "your result contains NaN: check the division."
    expected = reference_channel_to_pixels(args[0])
    if arr.dtype != np.uint8 and same_values(arr, expected, 0.0, 1.0):
        return (f"the grey levels are right, but `channel_to_pixels` returns {describe(got)}; the task converts to bytes: grey levels 0–255 "
                "are stored as `uint8`. End with `np.clip(..., 0, 255).astype('uint8')` (clip first, then convert).")
    return None


_HIDDEN_CHANNELS = [np.full((3, 3), 7.0), np.arange(12.0).reshape(3, 4) ** 2, np.array([[1.0, -50.0], [2.0, 3.0]])]

q_3 = FunctionQuestion(
    "channel_to_pixels", reference_channel_to_pixels, [case(ch) for ch in _CHANNELS],
    check_args=[_display_form], hidden_cases=[case(ch) for ch in _HIDDEN_CHANNELS],
    mistakes=[
        Mistake("a constant channel comes out wrong: its standard deviation is 0, and (x − mean) / 0 is NaN, which "
                "turns into a meaningless grey level. Add a small number to the denominator, `x.std() + 1e-5`, as "
                "the original `deprocess_image` does; a constant channel then shows as flat grey 128.",
                impl=_no_eps),
        Mistake("values beyond two standard deviations wrap around instead of saturating: `astype('uint8')` keeps "
                "only the last 8 bits (300 becomes 44, −20 becomes 236). Clip to [0, 255] *before* converting: "
                "`np.clip(..., 0, 255).astype('uint8')`.", impl=_no_clip),
        Mistake("the mean is not subtracted: divide (x − x.mean()), not x, by the standard deviation, so that the "
                "channel's mean lands on grey 128.", impl=_no_mean),
        Mistake("this is min–max scaling (darkest → 0, brightest → 255). The original display uses the z-score: "
                "mean → 128 and one standard deviation → 64 grey levels, clipped; a single very bright pixel then "
                "cannot squash all the others into the dark end.", impl=_min_max),
        Mistake("the + 128 is missing: the mean should land on grey 128 (the middle of 0–255), so that values "
                "below the mean remain visible instead of clipping to 0.", impl=_no_offset),
    ],
    rtol=0.0, atol=1.0,
    hints=["Three steps: z = (x − x.mean()) / (x.std() + 1e-5); then 128 + 64·z; then clip to [0, 255] and convert "
           "to uint8.",
           "Use `np.clip(..., 0, 255).astype('uint8')`: clip first, convert second. The small 1e-5 keeps a constant "
           "channel from dividing by 0."],
    solution="The original z-score display, with the ε of `deprocess_image` so that dead channels stay grey:",
    solution_code='''def channel_to_pixels(channel):
    x = np.asarray(channel, dtype=np.float64)
    z = (x - x.mean()) / (x.std() + 1e-5)
    return np.clip(128 + 64 * z, 0, 255).astype("uint8")''',
)


# ---- question 4: one step of gradient ascent -------------------------------------------------------------
def _feature_model():
    """The convnet up to conv2, built fresh (for every call of the student's function)."""
    import keras
    model = make_convnet()
    return keras.Model(model.input, model.get_layer("conv2").output)


def _gradient(feature_model, image, filter_index, whole_layer=False):
    import tensorflow as tf
    x = tf.convert_to_tensor(np.asarray(image, dtype="float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        acts = feature_model(x)
        loss = tf.reduce_mean(acts) if whole_layer else tf.reduce_mean(acts[..., filter_index])
    return x, tape.gradient(loss, x)


def reference_ascent_step(feature_model, image, filter_index, step=0.01):
    import tensorflow as tf
    x, g = _gradient(feature_model, image, filter_index)
    g = g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-5)
    return (x + step * g).numpy()


def _unnormalised(feature_model, image, filter_index, step=0.01):
    x, g = _gradient(feature_model, image, filter_index)
    return (x + step * g).numpy()


def _l2_norm(feature_model, image, filter_index, step=0.01):
    import tensorflow as tf
    x, g = _gradient(feature_model, image, filter_index)
    return (x + step * g / (tf.norm(g) + 1e-5)).numpy()


def _whole_layer(feature_model, image, filter_index, step=0.01):
    import tensorflow as tf
    x, g = _gradient(feature_model, image, filter_index, whole_layer=True)
    return (x + step * g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-5)).numpy()


def _only_the_step(feature_model, image, filter_index, step=0.01):
    import tensorflow as tf
    x, g = _gradient(feature_model, image, filter_index)
    return (step * g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-5)).numpy()


def _only_the_gradient(feature_model, image, filter_index, step=0.01):
    import tensorflow as tf
    x, g = _gradient(feature_model, image, filter_index)
    return (g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-5)).numpy()


def _filter_mean(feature_model, image, filter_index):
    out = feature_model(np.asarray(image, dtype="float32"))
    return float(np.mean(np.asarray(out)[..., filter_index]))


def _diagnose_ascent(arr, expected, args):
    feature_model, image, filter_index, step = args
    if arr.shape == expected.shape[1:]:
        return (f"the result has shape {arr.shape}: the batch axis is gone. Return the updated image with the same "
                f"shape as `image`, {expected.shape}.")
    if arr.shape != expected.shape:
        return None
    before = _filter_mean(feature_model, image, filter_index)
    after = _filter_mean(feature_model, arr, filter_index)
    if after < before and not np.allclose(arr, image):
        return (f"this is gradient *descent*: your step lowered the filter's mean activation from {before:.4f} to "
                f"{after:.4f}. To make the filter respond more, move the image *along* the gradient: "
                "`image + step * grads` (training subtracts the gradient because it minimises a loss; here we "
                "maximise an activation).")
    if np.allclose(arr, image):
        return ("the image did not change: add the step to it, `image + step * grads`, and return the result (a "
                "`tf.Variable` changed with `assign_add` must be returned too, e.g. `x.numpy()`).")
    return None


def _ascent_case(start, filter_index, step):
    label = f"feature_model, starts[{start}], {filter_index}, {step}"
    return case_from(lambda: ((_feature_model(), _frozen(start_images()[start]), filter_index, step), {}), label)


_ASCENT_MISTAKES = [
        Mistake("the gradient is not normalised. Divide it by its root mean square, "
                "`grads / (tf.sqrt(tf.reduce_mean(tf.square(grads))) + 1e-5)`, so that every step has the same size "
                "whatever the scale of the gradient.", impl=_unnormalised),
        Mistake("the gradient is divided by its L2 norm (the square root of the *sum* of squares). The original "
                "code divides by the root *mean* square, `tf.sqrt(tf.reduce_mean(tf.square(grads)))`: with 1,024 "
                "pixels, the L2 norm is 32 times larger, and the steps 32 times smaller.", impl=_l2_norm),
        Mistake("the loss is the mean of the whole layer (all 16 filters). Select the one filter first: "
                "`tf.reduce_mean(activations[..., filter_index])`.", impl=_whole_layer),
        Mistake("you return the step itself, `step * grads`; return the updated image, `image + step * grads`.",
                impl=_only_the_step),
        Mistake("you return the normalised gradient; return the updated image, `image + step * grads`.",
                impl=_only_the_gradient),
]

q_4 = FunctionQuestion(
    "ascent_step", reference_ascent_step, [_ascent_case(0, 3, 0.01)],
    hidden_cases=[_ascent_case(1, 10, 0.05), _ascent_case(1, 0, 0.02), _ascent_case(0, 15, 1.0)],
    mistakes=_ASCENT_MISTAKES, explain=_EXPLAIN, rtol=1e-5, atol=2e-5, time_limit=10.0,
    check_args=[_judged_after_mistakes(_ASCENT_MISTAKES, _diagnose_ascent, 1e-5, 2e-5)],
    hints=["Inside `with tf.GradientTape() as tape:`, watch `x = tf.convert_to_tensor(image)` and compute "
           "`loss = tf.reduce_mean(feature_model(x)[..., filter_index])`; then `grads = tape.gradient(loss, x)`.",
           "Normalise: `grads / (tf.sqrt(tf.reduce_mean(tf.square(grads))) + 1e-5)`. Ascent *adds* it: "
           "`x + step * grads`. Return a numpy array (`.numpy()`)."],
    solution="The Keras 2 code's `K.gradients` + `K.function`, as one eager step with `tf.GradientTape`:",
    solution_code='''def ascent_step(feature_model, image, filter_index, step=0.01):
    x = tf.convert_to_tensor(image)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(feature_model(x)[..., filter_index])
    grads = tape.gradient(loss, x)
    grads = grads / (tf.sqrt(tf.reduce_mean(tf.square(grads))) + 1e-5)
    return (x + step * grads).numpy()''',
    on_correct="Repeat it 40–60 times and the filter's pattern appears in the image.",
)


# ---- question 5: Grad-CAM -------------------------------------------------------------------------------
def _cam_parts(model, image, class_index, layer_name, target="given"):
    """(maps (h, w, k), grads (h, w, k)) for one image."""
    import keras
    import tensorflow as tf
    cam_model = keras.Model(model.input, [model.get_layer(layer_name).output, model.output])
    x = tf.convert_to_tensor(np.asarray(image, dtype="float32")[np.newaxis])
    with tf.GradientTape() as tape:
        maps, scores = cam_model(x)
        c = int(np.argmax(scores[0])) if target == "argmax" else class_index
        score = scores[:, c]
    grads = tape.gradient(score, maps)
    return maps[0].numpy().astype(np.float64), grads[0].numpy().astype(np.float64)


def _normalised(cam):
    peak = cam.max()
    return cam / peak if peak > 0 else cam


def reference_grad_cam(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name)
    alpha = grads.mean(axis=(0, 1))                     # one weight per channel
    return _normalised(np.maximum(maps @ alpha, 0))


def _cam_no_relu(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name)
    cam = maps @ grads.mean(axis=(0, 1))
    return cam / cam.max()


def _cam_no_relu_minmax(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name)
    cam = maps @ grads.mean(axis=(0, 1))
    return (cam - cam.min()) / (cam.max() - cam.min())


def _cam_unnormalised(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name)
    return np.maximum(maps @ grads.mean(axis=(0, 1)), 0)


def _cam_argmax(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name, target="argmax")
    return _normalised(np.maximum(maps @ grads.mean(axis=(0, 1)), 0))


def _cam_last_conv(model, image, class_index, layer_name):
    return reference_grad_cam(model, image, class_index, "conv3")


def _cam_no_pooling(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name)
    return _normalised(np.maximum((maps * grads).sum(axis=-1), 0))


def _cam_channel_axis(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name)
    weights = grads.mean(axis=-1, keepdims=True)        # one weight per position: the wrong axis
    return _normalised(np.maximum((maps * weights).sum(axis=-1), 0))


def _cam_all_axes(model, image, class_index, layer_name):
    maps, grads = _cam_parts(model, image, class_index, layer_name)
    return _normalised(np.maximum(maps.sum(axis=-1) * grads.mean(), 0))


def _diagnose_cam(arr, expected, args):
    model, image, class_index, layer_name = args
    if arr.shape == (1, *expected.shape):
        return (f"the heatmap has shape {arr.shape}: drop the batch axis and return the {expected.shape[0]}×"
                f"{expected.shape[1]} map itself (e.g. `heatmap[0]`).")
    if arr.shape == image.shape[:2]:
        return (f"the heatmap has the size of the image, {arr.shape}. Return it at the resolution of the layer "
                f"'{layer_name}', {expected.shape}: resizing is for display, and the check compares the map itself. "
                "(A map the size of the image can also mean the gradient was taken with respect to the input image "
                "instead of the layer's activations.)")
    if arr.shape == expected.shape + (1,):
        return (f"the heatmap has shape {arr.shape}: sum over the channel axis, so that it is {expected.shape}.")
    if arr.shape != expected.shape:
        return None
    if np.isnan(arr).any():
        return ("the heatmap contains NaN: did you divide by a maximum of 0? That happens when the map is 0 "
                "everywhere after the ReLU, e.g. when the gradient of the wrong score was taken.")
    if arr.min() < -1e-6:
        return ("the heatmap has negative values: the ReLU is missing. Only the places that *raise* the class score "
                "are evidence for the class: `tf.nn.relu(...)` (or `np.maximum(..., 0)`) before dividing by the "
                "maximum.")
    return None


def _cam_case(image, class_index, layer_name):
    label = f'convnet, images[{image}], {class_index}, "{layer_name}"'
    return case_from(lambda: ((make_convnet(), _images()[image], class_index, layer_name), {}), label)


_CAM_MISTAKES = [
        Mistake("the heatmap is not normalised: divide it by its maximum so that its values lie in [0, 1].",
                impl=_cam_unnormalised),
        Mistake("the heatmap is scaled from its minimum to its maximum, without the ReLU: negative evidence "
                "becomes dim but visible, and 0 no longer means 'no evidence'. Apply the ReLU, then divide by "
                "the maximum.", impl=_cam_no_relu_minmax),
        Mistake("this is the map for the class the model predicts (the argmax of the scores), not for `class_index`. "
                "Take the gradient of `scores[:, class_index]`: Grad-CAM answers 'where is the evidence for *this* "
                "class?', whatever the prediction.", impl=_cam_argmax),
        Mistake("this is the map of the last convolutional layer, conv3, whatever `layer_name` says. Use "
                "`model.get_layer(layer_name).output`.", impl=_cam_last_conv),
        Mistake("the gradients are not averaged: you summed gradient × activation position by position. Grad-CAM "
                "first averages each channel's gradient over the positions (axes 0 and 1 of the (h, w, k) map), "
                "giving one weight α_k per channel, then sums α_k · A_k over the channels.", impl=_cam_no_pooling),
        Mistake("the gradients are averaged over the wrong axis: over the channels, which gives one weight per "
                "*position*. Average over the positions (height and width; with the batch axis, "
                "`axis=(0, 1, 2)`), which gives one weight per *channel*.", impl=_cam_channel_axis),
        Mistake("the gradients are averaged over every axis at once, which gives a single number instead of one "
                "weight per channel. Average over height and width only (with the batch axis: `axis=(0, 1, 2)`).",
                impl=_cam_all_axes),
        Mistake("the heatmap has negative values: the ReLU is missing.", impl=_cam_no_relu),
]

q_5 = FunctionQuestion(
    "grad_cam", reference_grad_cam, [_cam_case(0, 0, "conv2")],
    hidden_cases=[_cam_case(1, 2, "conv3"), _cam_case(2, 1, "conv3"), _cam_case(2, 3, "conv1")],
    mistakes=_CAM_MISTAKES, explain=_EXPLAIN, rtol=1e-4, atol=1e-5, time_limit=10.0,
    check_args=[_judged_after_mistakes(_CAM_MISTAKES, _diagnose_cam, 1e-4, 1e-5)],
    hints=["Build `cam_model = keras.Model(model.input, [model.get_layer(layer_name).output, model.output])`; in a "
           "`tf.GradientTape`, run it on `image[np.newaxis]` (a batch of one) and take `score = scores[:, class_index]`.",
           "`grads = tape.gradient(score, maps)` has shape (1, h, w, k). The channel weights are "
           "`tf.reduce_mean(grads, axis=(0, 1, 2))`, shape (k,).",
           "heatmap = ReLU(Σ_k weight_k · maps[0, :, :, k]); divide by its maximum; return it as a numpy array of "
           "shape (h, w)."],
    solution="Grad-CAM in four steps: a model with two outputs, the gradient of the class score with respect to the "
             "layer's maps, one weight per channel (the mean gradient over the positions), and the ReLU of the "
             "weighted sum, divided by its maximum:",
    solution_code='''def grad_cam(model, image, class_index, layer_name):
    cam_model = keras.Model(model.input, [model.get_layer(layer_name).output, model.output])
    with tf.GradientTape() as tape:
        maps, scores = cam_model(image[np.newaxis])
        score = scores[:, class_index]
    grads = tape.gradient(score, maps)                      # (1, h, w, k)
    weights = tf.reduce_mean(grads, axis=(0, 1, 2))         # (k,): one weight per channel
    heatmap = tf.nn.relu(tf.reduce_sum(maps[0] * weights, axis=-1))
    return (heatmap / tf.reduce_max(heatmap)).numpy()''',
    on_correct="The same function works on any Keras model with a named convolutional layer.",
)


# ---- question 6: reading a heatmap -----------------------------------------------------------------------
q_6 = ChoiceQuestion(
    "heatmap_reading", "b",
    {"a": "The model finds the boats; the heatmap is just coarse, because the last convolutional layer is small.",
     "b": "The model relies on the water: it would probably call a car on a flooded street a boat. Test it on such "
          "images, and collect training photos where boats and water do not always go together.",
     "c": "Grad-CAM failed: it should be computed on the first convolutional layer, whose maps are sharper.",
     "d": "The ReLU of Grad-CAM removed the boats: their evidence was negative."},
    why_not={"a": "coarse maps are blurred *around* the object they point at; here the evidence sits on the water, "
                  "away from the boats, in image after image.",
             "c": "the first layer has sharp maps, but its channels detect edges everywhere, not boats: its map says "
                  "little about the class. The last layer is the right place; what it shows is the model's evidence.",
             "d": "the ReLU keeps the evidence *for* the class. If the boat pixels pushed the 'boat' score down, that "
                  "would be even stranger for a boat detector; either way, the evidence the model uses is the water."},
    hints=["Grad-CAM shows where the evidence for the class 'boat' lies, according to the model.",
           "A test accuracy of 97 % can hide a shortcut if the test photos have the same bias as the training ones."],
    solution="(b). The heatmap shows what the model uses as evidence, and it is the water. In the training and "
             "test photos boats are nearly always on water, so the shortcut scores well on both; only images that "
             "break the correlation (a boat on a trailer, a flooded street) reveal it. Grad-CAM makes such shortcuts "
             "visible before they cause errors.",
    solution_code='heatmap_reading = "b"',
)

label_questions(globals())

# notebooks written before the one hidden-test verb call this name
q_4.assert_hidden_calls_pass = q_4.assert_hidden_tests_pass
q_5.assert_hidden_calls_pass = q_5.assert_hidden_tests_pass
