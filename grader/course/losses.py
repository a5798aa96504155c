"""Reading the loss a student gives: a name string, a Keras loss object or a loss function.

Chapters map the normalised name to their own verdicts; this module only finds the name and
names the mistakes that do not depend on the task. It never imports Keras.
"""
from __future__ import annotations

import re

from grader.engine.questions import Incorrect
from grader.engine.values import describe


def normalise(name: str) -> str:
    """'SparseCategoricalCrossentropy', 'sparse_categorical_crossentropy' -> 'sparsecategoricalcrossentropy'."""
    return re.sub(r"[\s_\-]", "", name).lower()


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


def loss_kind(value, var: str, kinds: dict, *, from_logits_says: str, unknown_says: str) -> str:
    """The chapter's kind for the loss (``kinds`` maps normalised names to kinds); Incorrect otherwise.

    ``unknown_says`` is formatted with ``name`` (as the student wrote it) for a loss not in ``kinds``.
    """
    name = loss_name(value, var, from_logits_says=from_logits_says)
    kind = kinds.get(normalise(name))
    if kind is None:
        raise Incorrect(unknown_says.format(name=repr(name)))
    return kind
