"""Reading the loss a student gives: a name string, a Keras loss object or a loss function.

One table (``KINDS``) maps every spelling Keras accepts to one canonical kind; the engine's
``LossQuestion`` (grader/engine/keras_kinds.py) turns a kind into a verdict with the chapter's
messages. This module never imports Keras.
"""
from __future__ import annotations

import re

from grader.engine.questions import Incorrect
from grader.engine.values import describe


def normalise(name: str) -> str:
    """'SparseCategoricalCrossentropy', 'sparse_categorical_crossentropy' -> 'sparsecategoricalcrossentropy'."""
    return re.sub(r"[\s_\-]", "", name).lower()


# canonical kind -> every name Keras knows it by (functions, classes, aliases, metrics)
_SPELLINGS = {
    "sparse_categorical_crossentropy": ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "scce"),
    "categorical_crossentropy": ("categorical_crossentropy", "CategoricalCrossentropy", "cce"),
    "binary_crossentropy": ("binary_crossentropy", "BinaryCrossentropy", "bce"),
    "mse": ("mse", "mean_squared_error", "MeanSquaredError"),
    "mae": ("mae", "mean_absolute_error", "MeanAbsoluteError"),
    "mape": ("mape", "mean_absolute_percentage_error", "MeanAbsolutePercentageError"),
    "msle": ("msle", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"),
    "huber": ("huber", "huber_loss", "Huber"),
    "log_cosh": ("log_cosh", "logcosh", "LogCosh"),
    "accuracy": ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy",
                 "Accuracy", "SparseCategoricalAccuracy", "CategoricalAccuracy", "BinaryAccuracy"),
    "hinge": ("hinge", "squared_hinge", "categorical_hinge", "Hinge", "SquaredHinge", "CategoricalHinge"),
    "kl_divergence": ("kl_divergence", "kld", "kullback_leibler_divergence", "KLDivergence"),
    "poisson": ("poisson", "Poisson"),
    "cosine_similarity": ("cosine_similarity", "CosineSimilarity"),
    "binary_focal_crossentropy": ("binary_focal_crossentropy", "BinaryFocalCrossentropy"),
    "categorical_focal_crossentropy": ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy"),
}
KINDS = {normalise(spelling): kind for kind, spellings in _SPELLINGS.items() for spelling in spellings}


def loss_name(value, var: str, *, from_logits_says: str) -> str:
    """The loss's name as given (normalise it to compare); Incorrect for a class, from_logits or a non-loss."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, type):
        raise Incorrect(f"`{var}` is the class `{value.__name__}` itself; a loss object is an instance: add "
                        f"parentheses, `{value.__name__}()` (or give the name as a string).")
    if callable(getattr(value, "get_config", None)):  # a Keras loss (or metric) object
        config = value.get_config() or {}
        if config.get("from_logits"):
            raise Incorrect(from_logits_says)
        name = type(value).__name__
        if name == "LossFunctionWrapper":
            name = getattr(getattr(value, "fn", None), "__name__", "") or str(config.get("name", ""))
        return name
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    raise Incorrect(f"`{var}` should be a loss: its name as a string, e.g. \"mse\", or a Keras loss such as "
                    f"`keras.losses.MeanSquaredError()`; it is {describe(value)}.")


def loss_kind(value, var: str, *, from_logits_says: str, unknown_says: str) -> str:
    """The canonical kind of the loss (a key of ``_SPELLINGS``); Incorrect otherwise.

    ``unknown_says`` is formatted with ``name`` (as the student wrote it) for a name Keras does not know.
    """
    name = loss_name(value, var, from_logits_says=from_logits_says)
    kind = KINDS.get(normalise(name))
    if kind is None:
        raise Incorrect(unknown_says.format(name=repr(name)))
    return kind
