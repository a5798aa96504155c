"""What the chapters' checks need to know about a Keras model a student handed in.

Keras is never imported here: a student who built a model has imported it already, so the classes
are looked up in ``sys.modules`` (``grader.engine.values.loaded_object``) and the checks stay fast.
"""
from __future__ import annotations

import numpy as np

from grader.engine.values import describe, loaded_object


def kind(value) -> str:
    """The class name: ``Conv2D``, ``Sequential``, ``History``, ..."""
    return type(value).__name__


def not_a_model(model, var: str, first_layer: str = "keras.Input(...)",
                make: str = "keras.Sequential([...])") -> str | None:
    """None for a built Keras model, else what the student handed in instead, and how to fix it.

    ``first_layer`` is the input the exercise asks for, quoted when the model has no input shape;
    ``make`` is how the exercise builds its model (Sequential or functional).
    """
    model_class = loaded_object("keras.Model")
    if model_class is not None and isinstance(model, model_class):
        try:
            inputs = model.inputs if getattr(model, "built", False) else None
        except Exception:       # Keras raises on .inputs of a model that was never called
            inputs = None
        if not inputs:
            return (f"`{var}` does not know its input shape yet, so Keras has not built it (no weights, no "
                    f"output shapes). Start with `{first_layer}`.")
        return None
    layer_class = loaded_object("keras.layers.Layer")
    if layer_class is not None and isinstance(model, layer_class):
        return (f"`{var}` is a single `{kind(model)}` layer. Put the layers in a model: "
                f"`keras.Sequential([{first_layer}, layer, ...])`.")
    if type(model) in (list, tuple) and model and layer_class is not None and any(
            isinstance(v, layer_class) for v in model):
        return f"`{var}` is a {type(model).__name__} of layers; make a model of them: `{make}`."
    if kind(model) == "History":
        return (f"`{var}` is the `History` that `fit` returns (the curves). Keep the model itself: "
                f"`{var} = {make}`, then `history = {var}.fit(...)`.")
    if kind(model) in ("KerasTensor", "EagerTensor", "SymbolicTensor", "Variable", "ResourceVariable"):
        return (f"`{var}` holds a tensor (the result of calling layers or a model), not the model. Keep the "
                f"model itself: `{var} = {make}`.")
    return f"`{var}` should be a Keras model (`{make}`), but it is {describe(model)}."


def predict(model, x) -> np.ndarray:
    """The model's output in inference mode (Dropout and augmentation off), as float64 numpy.

    A direct call, not ``model.predict``: no progress bar, no tf.function retracing per check.
    """
    out = model(x, training=False)
    return np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=np.float64)
