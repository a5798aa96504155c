"""What the checks need to know about Keras objects a student handed in: the one place that says
"is this a Keras model / layer", reads its layers, activations and shapes, and runs it.

Lazy-import policy (the same everywhere in ``grader``): nothing here imports Keras at import time.
Recognition (``is_model``, ``is_layer``, ``not_a_model``, ...) looks the classes up in
``sys.modules`` (``grader.engine.values.loaded_object``): a student who built a model has imported
Keras already, and anything built without Keras is simply not a Keras object. Code that *builds*
or *trains* (data helpers, reference models) imports Keras inside the function that needs it.
"""
from __future__ import annotations

import numpy as np

from grader.engine.values import describe, loaded_object


def kind(value) -> str:
    """The class name: ``Conv2D``, ``Sequential``, ``History``, ..."""
    return type(value).__name__


def _isinstance(value, path: str) -> bool:
    cls = loaded_object(path)
    try:
        return cls is not None and isinstance(value, cls)
    except Exception:
        return False


def is_model(value) -> bool:
    """A Keras model (Sequential, functional or subclassed)."""
    return _isinstance(value, "keras.Model")


def is_layer(value) -> bool:
    """A Keras layer (models are layers too)."""
    return _isinstance(value, "keras.layers.Layer")


def is_sequential(value) -> bool:
    return _isinstance(value, "keras.Sequential")


def is_layer_list(value) -> bool:
    """A non-empty list or tuple of Keras layers (what ``keras.Sequential`` takes)."""
    return type(value) in (list, tuple) and bool(value) and all(is_layer(v) for v in value)


def flat_layers(block) -> list:
    """The leaf layers of a model or a list of layers, in order, with nested models (Sequential or
    functional blocks) opened and ``InputLayer`` left out."""
    items = list(block.layers) if is_model(block) else list(block) if type(block) in (list, tuple) else [block]
    out = []
    for item in items:
        if is_model(item):
            out.extend(flat_layers(item))
        elif kind(item) != "InputLayer":
            out.append(item)
    return out


_NAMES = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax", "relu6": "relu6", "silu": "silu",
          "swish": "silu", "hard_sigmoid": "hard_sigmoid", "identity": "linear"}
_LAYER_ACTIVATIONS = {"ReLU": "relu", "Softmax": "softmax", "LeakyReLU": "leaky_relu", "ELU": "elu"}


def _probe_name(fn) -> str | None:
    """An activation told by what it does on a probe input (for lambdas and wrapped functions)."""
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], dtype=np.float32)
    try:
        out = fn(x)
        y = np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=np.float64)
    except Exception:
        return None
    e = np.exp(x - x.max())
    for name, want in (("softmax", e / e.sum()), ("relu", np.maximum(x, 0)), ("sigmoid", 1 / (1 + np.exp(-x))),
                       ("tanh", np.tanh(x)), ("linear", x)):
        if y.shape == want.shape and np.allclose(y, want, atol=1e-5):
            return name
    return None


def activation_name(layer) -> str | None:
    """The layer's activation as one name ('softmax', 'relu', 'sigmoid', 'linear', ...), whichever way it
    was given: "softmax", ``keras.activations.softmax``, ``tf.nn.softmax``, ``keras.layers.ReLU()``, a
    lambda. None when the layer has no activation at all (pooling, Flatten)."""
    if kind(layer) in _LAYER_ACTIVATIONS:
        return _LAYER_ACTIVATIONS[kind(layer)]
    fn = getattr(layer, "activation", None)
    if fn is None:
        return None
    if is_layer(fn):
        return activation_name(fn)
    name = getattr(fn, "__name__", "") or ""
    name = _NAMES.get(name, name)
    if name in ("softmax", "relu", "sigmoid", "linear", "tanh", "elu", "selu", "gelu", "softplus", "softsign",
                "exponential", "hard_sigmoid", "leaky_relu", "relu6", "silu", "log_softmax", "mish"):
        return name
    return _probe_name(fn) or name or "custom"


def input_shape(model) -> tuple:
    """The model's input shape without the batch axis, e.g. (28, 28, 1)."""
    return tuple(model.inputs[0].shape)[1:]


def output_shape(model) -> tuple:
    return tuple(model.outputs[0].shape)[1:]


def not_a_model(model, var: str, first_layer: str = "keras.Input(...)",
                make: str = "keras.Sequential([...])") -> str | None:
    """None for a built Keras model, else what the student handed in instead, and how to fix it.

    ``first_layer`` is the input the exercise asks for, quoted when the model has no input shape;
    ``make`` is how the exercise builds its model (Sequential or functional).
    """
    if is_model(model):
        try:
            inputs = model.inputs if getattr(model, "built", False) else None
        except Exception:       # Keras raises on .inputs of a model that was never called
            inputs = None
        if not inputs:
            return (f"`{var}` does not know its input shape yet, so Keras has not built it (no weights, no "
                    f"output shapes). Start with `{first_layer}`.")
        return None
    if is_layer(model):
        return (f"`{var}` is a single `{kind(model)}` layer. Put the layers in a model: "
                f"`keras.Sequential([{first_layer}, layer, ...])`.")
    if type(model) in (list, tuple) and model and any(is_layer(v) for v in model):
        return f"`{var}` is a {type(model).__name__} of layers; make a model of them: `{make}`."
    if kind(model) == "History":
        return (f"`{var}` is the `History` that `fit` returns (the curves). Keep the model itself: "
                f"`{var} = {make}`, then `history = {var}.fit(...)`.")
    if kind(model) in ("KerasTensor", "EagerTensor", "SymbolicTensor", "Variable", "ResourceVariable"):
        return (f"`{var}` holds a tensor (the result of calling layers or a model), not the model. Keep the "
                f"model itself: `{var} = {make}`.")
    if callable(model) and not isinstance(model, type) and getattr(model, "__name__", "") not in ("", "<lambda>"):
        return (f"`{var}` is the function `{model.__name__}`; call it and keep the model it returns: "
                f"`{var} = {model.__name__}(...)`.")
    return f"`{var}` should be a Keras model (`{make}`), but it is {describe(model)}."


def training_steps(model) -> int | None:
    """How many optimizer steps ``fit`` has taken on this model (0 when compiled but never fitted;
    None when it was never compiled)."""
    optimizer = getattr(model, "optimizer", None)
    iterations = getattr(optimizer, "iterations", None)
    if iterations is None:
        return None
    try:
        return int(np.asarray(iterations))
    except Exception:
        return None


def predict(model, x, batch_size: int = 512) -> np.ndarray:
    """The model's output in inference mode (Dropout and augmentation off), as float64 numpy.

    Direct calls in batches, not ``model.predict``: no progress bar, no tf.function retracing per check.
    """
    parts = []
    for start in range(0, max(len(x), 1), batch_size):
        out = model(x[start:start + batch_size], training=False)
        parts.append(np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=np.float64))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def epoch_log(total_epochs: int, metric: str = "accuracy"):
    """A Keras callback printing one line per epoch (loss, the metric, their validation values and the
    seconds taken), so that a long ``fit`` shows progress without Keras' bar (which floods saved notebooks)."""
    import time

    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            parts = [f"{k} {logs[k]:.3f}" for k in ("loss", metric, "val_loss", f"val_{metric}") if k in logs]
            print(f"epoch {epoch + 1:>{len(str(total_epochs))}}/{total_epochs}: {', '.join(parts)} "
                  f"({time.perf_counter() - self._start:.1f} s)", flush=True)

    return EpochLog()
