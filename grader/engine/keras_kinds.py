"""Question kinds for Keras answers: a trained model judged on data it never fitted, and a loss.

Lazy-import policy: this module never imports Keras or TensorFlow at import time (a test checks
it). Recognising Keras objects goes through ``grader.course.keras_models`` (classes looked up in
``sys.modules``); only ``watch_fit`` (called by the chapters' data helpers, which are about to
train anyway) and the training helpers import Keras, inside the function.

``TrainedModelQuestion`` (chapters 7, 8, 9, 10 and 13):

    look up the student's model → is it a built model → input shape → the chapter's structural
    checks → was it fitted on the split being judged? → predict on that split → score against the
    target, with an 'untrained' floor and named diagnoses.

Which images a model was fitted on is known from a fingerprint: ``watch_fit()`` wraps
``keras.Model.fit`` once per process and records, on the model itself, a hash of every image row
passed to ``fit`` as ``x`` or (for image-shaped targets, e.g. autoencoders) ``y``. A model fitted on
the judged split is told so, and its score is not counted. Its ``hidden_tests()`` judges the test
split with ``hidden_minimum``.

``LossQuestion`` (chapters 7 and 10): a loss as a name, a Keras loss object or a loss function,
read through the one table of ``grader.course.losses``.
"""
from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.course import keras_models as km
from grader.course.losses import loss_kind
from .feedback import Outcome
from .base import Incorrect, Question, run_checks, student_value

__all__ = ["TrainedModelQuestion", "Judged", "LossQuestion", "watch_fit", "watched", "record_fit", "fitted_rows",
           "row_keys"]


# ---- which images a model was fitted on ------------------------------------------------------------
_FIT_ATTR = "_course_fit_rows"      # on the model: set of row hashes, or None when fit saw data we cannot read
_MIN_ROW = 16                       # rows smaller than this (labels, one-hot rows) are not fingerprinted


def row_keys(x) -> set[int] | None:
    """One hash per image (row of the first axis), independent of float32/float64; None if unreadable."""
    try:
        arr = np.asarray(x.numpy() if hasattr(x, "numpy") and not isinstance(x, np.ndarray) else x)
        if arr.dtype == object or arr.ndim < 2 or arr.size // max(len(arr), 1) < _MIN_ROW:
            return None
        rows = np.ascontiguousarray(arr, dtype=np.float32).reshape(len(arr), -1)
        return {hash(row.tobytes()) for row in rows}
    except Exception:
        return None


def record_fit(model, *arrays, fraction: float = 1.0) -> None:
    """Note on ``model`` that it was fitted on these arrays (the first ``fraction`` of their rows)."""
    seen = getattr(model, _FIT_ATTR, None) or set()
    for a in arrays:
        if a is None:
            continue
        try:
            n = len(a)
            a = a[:int(n * fraction)] if fraction < 1 else a
        except Exception:
            continue
        keys = row_keys(a)
        if keys:
            seen |= keys
    try:
        object.__setattr__(model, _FIT_ATTR, seen)
    except Exception:
        pass


def fitted_rows(model) -> set[int] | None:
    """The row hashes recorded for ``model`` (None when its fits were not watched)."""
    return getattr(model, _FIT_ATTR, None)


def watch_fit() -> None:
    """Wrap ``keras.Model.fit`` (once per process) so that every fit records what it trained on."""
    keras = sys.modules.get("keras")
    if keras is None:
        import keras
    fit = keras.Model.fit
    if getattr(fit, "_course_watched", False):
        return

    @functools.wraps(fit)
    def fit_and_record(self, x=None, y=None, *args, **kwargs):
        try:
            split = kwargs.get("validation_split", args[4] if len(args) > 4 else 0.0) or 0.0
            record_fit(self, x, y, fraction=1.0 - float(split))
        except Exception:
            pass
        return fit(self, x, y, *args, **kwargs)

    fit_and_record._course_watched = True
    keras.Model.fit = fit_and_record


def watched(make_data: Callable) -> Callable:
    """A chapter's data helper that also starts watching ``fit`` (students call it before training)."""
    @functools.wraps(make_data)
    def data(*args, **kwargs):
        try:
            watch_fit()
        except Exception:
            pass
        return make_data(*args, **kwargs)
    return data


# ---- the trained-model kind --------------------------------------------------------------------------
_SPLIT_WORDS = {"val": "validation", "test": "test", "train": "training"}


@dataclass
class Judged:
    """What a diagnosis sees: the model's predictions on one split and its score."""
    model: Any
    var: str
    split: str                 # "val" or "test"
    inputs: np.ndarray         # what the model was given
    clean: np.ndarray          # the split's own images (the inputs before any noise)
    targets: np.ndarray        # labels (accuracy) or target images (mse)
    pred: np.ndarray           # the model's outputs
    score: float
    steps: int | None          # optimizer steps taken by fit (None: never compiled)

    @property
    def words(self) -> str:
        return _SPLIT_WORDS.get(self.split, self.split)


class TrainedModelQuestion(Question):
    """A model the student trains, scored on a split its ``fit`` never saw.

    ``data``: zero-argument callable returning a ``grader.course.datasets.Split`` (cached by the
    chapter); ``metric``: "accuracy" (at least ``target``; outputs are ``classes`` probabilities) or
    "mse" (at most ``target``); ``floor``: an accuracy at or below it is chance level.
    ``inputs(clean, split)`` makes the model's inputs from the split's images (default: the images);
    ``targets(split_data, split)`` what outputs are compared with (default: the labels, or the
    clean images for "mse"). ``checks``: functions of the model returning a message or None, run
    first (what the task specifies: a frozen base, an augmentation block, ...). ``diagnoses``:
    functions of a ``Judged`` returning a message or None, tried in order when the score misses the
    target. ``hidden_minimum``: the score the hidden tests want on the test split.
    """

    trains = True     # `make bench` leaves it out of the check() latency figure

    def __init__(self, var: str, *, data: Callable, input_shape: tuple, target: float, metric: str = "accuracy",
                 classes: int | None = None, floor: float | None = None, hidden_minimum: float | None = None,
                 inputs: Callable | None = None, targets: Callable | None = None, checks=(), diagnoses=(),
                 first_layer: str = "keras.Input(...)", make: str = "keras.Sequential([...])",
                 output_layer: str = "", fit_call: str = "", items: str = "images", advice: str = "", **kwargs):
        super().__init__(**kwargs)
        if metric not in ("accuracy", "mse"):
            raise ValueError(f"metric must be 'accuracy' or 'mse', not {metric!r}")
        self.var, self.data, self.input_shape, self.target, self.metric = var, data, tuple(input_shape), target, metric
        self.classes, self.floor, self.hidden_minimum = classes, floor, hidden_minimum
        self.inputs, self.targets = inputs, targets
        self.checks, self.diagnoses = list(checks), list(diagnoses)
        self.first_layer, self.make, self.output_layer = first_layer, make, output_layer
        self.fit_call = fit_call or f"{var}.fit(...)"
        self.items, self.advice = items, advice

    # --- the steps ------------------------------------------------------------------------------------
    def model(self):
        model = student_value(self.var)
        problem = km.not_a_model(model, self.var, self.first_layer, self.make)
        if problem:
            raise Incorrect(problem)
        return model

    def _check_input(self, model) -> None:
        shape = km.input_shape(model)
        want = self.input_shape
        if shape == want:
            return
        start = f"Start the model with `{self.first_layer}`."
        if len(want) == 3 and shape == want[:2]:
            raise Incorrect(f"`{self.var}` takes inputs of shape {shape}: the channel axis is missing (the images "
                            f"are {want}, and Conv2D wants (height, width, channels)). {start}")
        if len(want) == 3 and shape == (want[2], want[0], want[1]) and want[2] != want[0]:
            raise Incorrect(f"`{self.var}` takes channels-first inputs {shape}; Keras wants channels last, {want}. "
                            f"{start}")
        if len(shape) == 1 and shape[0] == int(np.prod(want)):
            raise Incorrect(f"`{self.var}` takes flat vectors of {shape[0]} numbers, but the {self.items} are "
                            f"arrays of shape {want}. Start the model with `{self.first_layer}` (a `Flatten` layer "
                            "inside the model does the flattening).")
        raise Incorrect(f"`{self.var}` expects inputs of shape {shape}, but the {self.items} have shape {want}. "
                        f"{start}")

    def _split(self, split: str):
        data = self.data()
        clean, labels = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        inputs = self.inputs(clean, split) if self.inputs else clean
        if self.targets is not None:
            targets = self.targets(data, split)
        else:
            targets = clean if self.metric == "mse" else labels
        return clean, inputs, targets

    def _check_not_fitted_on(self, model, clean, split: str) -> bool | None:
        """Incorrect when ``fit`` saw the split's images; True when it provably did not, None if unknown."""
        seen = fitted_rows(model)
        if seen is None:
            return None
        keys = row_keys(clean) or set()
        overlap = len(keys & seen)
        if keys and overlap >= max(1, len(keys) // 20):
            words = _SPLIT_WORDS.get(split, split)
            raise Incorrect(f"`{self.var}` was fitted on {overlap} of the {len(keys)} {words} {self.items}: they were "
                            f"in the data passed to `fit`, so its score on them says nothing about new {self.items}, "
                            f"and it does not count. Train on the training split only, `{self.fit_call}` (the "
                            f"{words} split may go to `validation_data=`, which is never trained on). Build the "
                            "model again first: it remembers what it was fitted on.")
        return True

    def _predict(self, model, inputs, targets) -> np.ndarray:
        pred = km.predict(model, inputs)
        if self.metric == "accuracy":
            if pred.ndim != 2 or pred.shape[1] != self.classes:
                fix = f" End with `{self.output_layer}`." if self.output_layer else ""
                flat = (" (a `Flatten` before the Dense layers turns the feature maps into a vector)"
                        if pred.ndim > 2 else "")
                raise Incorrect(f"`{self.var}` gives {pred.shape[1:]} numbers per image; this task needs "
                                f"{self.classes}, one probability per class{flat}.{fix}")
        elif pred.shape != np.shape(targets):
            raise Incorrect(f"`{self.var}` turns a batch of shape {np.shape(inputs)} into {pred.shape}; it should "
                            f"return {self.items} of the same shape as the targets, {np.shape(targets)[1:]} each.")
        if not np.all(np.isfinite(pred)):
            raise Incorrect(f"`{self.var}` outputs NaN or infinite values: training diverged. Build it again and "
                            "train with a smaller learning rate (Adam's default, 1e-3, works here).")
        return pred

    def _score(self, pred, targets) -> float:
        if self.metric == "accuracy":
            return float(np.mean(np.argmax(pred, axis=1) == np.asarray(targets)))
        return float(np.mean((pred - np.asarray(targets, dtype=np.float64)) ** 2))

    def _passes(self, score: float, bound: float) -> bool:
        return score >= bound if self.metric == "accuracy" else score <= bound

    def _show(self, score: float) -> str:
        return f"{score:.1%}" if self.metric == "accuracy" else f"{score:.4f}"

    def _bound_text(self, bound: float) -> str:
        return (f"at least {bound:.0%}" if self.metric == "accuracy" else f"at most {bound:g}")

    def judge(self, split: str, bound: float) -> str:
        """The verdict on one split: a ✓ text, or Incorrect/NotAttempted."""
        model = self.model()
        self._check_input(model)
        run_checks(self.var, model, self.checks)
        clean, inputs, targets = self._split(split)
        unseen = self._check_not_fitted_on(model, clean, split)
        pred = self._predict(model, inputs, targets)
        score = self._score(pred, targets)
        words = _SPLIT_WORDS.get(split, split)
        name = "accuracy" if self.metric == "accuracy" else "mean squared error"
        if self._passes(score, bound):
            never = ", which `fit` never trained on" if unseen else ""
            return f"{words} {name} {self._show(score)} on {len(clean)} {self.items}{never} (target: {self._bound_text(bound)})."
        judged = Judged(model, self.var, split, inputs, clean, targets, pred, score, km.training_steps(model))
        for diagnose in self.diagnoses:
            message = diagnose(judged)
            if message:
                raise Incorrect(message)
        raise Incorrect(self._generic_miss(judged, bound, name))

    def _generic_miss(self, j: Judged, bound: float, name: str) -> str:
        head = f"{j.words} {name} {self._show(j.score)}"
        at_floor = self.floor is None or (j.score <= self.floor if self.metric == "accuracy" else j.score >= self.floor)
        if not j.steps and at_floor:
            compiled = "was compiled, but `fit` never ran on it" if j.steps == 0 else "was never compiled or fitted"
            return (f"{head}: `{self.var}` {compiled}. Train this very model (not a copy built afterwards): "
                    f"`{self.fit_call}`.")
        if self.metric == "accuracy":
            predicted = np.argmax(j.pred, axis=1)
            if len(np.unique(predicted)) == 1:
                return (f"{head}: after {j.steps} training steps `{self.var}` predicts class {int(predicted[0])} for "
                        f"every image. Training got stuck: check the loss (it must suit integer labels and "
                        f"softmax outputs), the learning rate (try Adam's default) and that the labels passed to "
                        f"`fit` belong to the images.")
            if self.floor is not None and j.score <= self.floor:
                return (f"{head}, about chance, after {j.steps} training steps: `fit` ran but the model learned "
                        f"nothing that carries over. Check that `fit` got the images with their own labels "
                        f"(`{self.fit_call}`), and the loss and learning rate.")
        advice = f" {self.advice}" if self.advice else ""
        return f"{head}, the goal is {self._bound_text(bound)}.{advice}"

    # --- the student's interface ------------------------------------------------------------------
    def _evaluate(self) -> Outcome:
        return self._correct(self.judge("val", self.target))

    def hidden_tests(self) -> Outcome | None:
        """The hidden part (after the check passed): the test split, never given to ``fit``, with
        ``hidden_minimum``."""
        if self.hidden_minimum is None:
            return None
        return self._correct(self.judge("test", self.hidden_minimum))

    # the hidden-test names of the solutions written before the one verb (same test, same minimum)
    def assert_test_accuracy(self, minimum=None) -> None:
        self.assert_hidden_tests_pass()

    assert_denoises_test_split = assert_test_accuracy


# ---- the loss kind -----------------------------------------------------------------------------------
class LossQuestion(Question):
    """A loss given as a name, a Keras loss object or a loss function.

    ``accepted`` maps each right kind (a canonical name of ``grader.course.losses``, e.g.
    "binary_crossentropy") to what ✓ adds (may be ""); ``wrong`` maps wrong kinds to why they do not fit;
    ``otherwise`` is said for a Keras loss with no message of its own.
    """

    def __init__(self, var: str, *, accepted: dict, wrong: dict, from_logits_says: str, unknown_says: str,
                 otherwise: str = "", **kwargs):
        super().__init__(**kwargs)
        self.var, self.accepted, self.wrong = var, dict(accepted), dict(wrong)
        self.from_logits_says, self.unknown_says, self.otherwise = from_logits_says, unknown_says, otherwise

    def _evaluate(self) -> Outcome:
        kind = loss_kind(student_value(self.var), self.var, from_logits_says=self.from_logits_says,
                         unknown_says=self.unknown_says)
        if kind in self.accepted:
            return self._correct(self.accepted[kind])
        raise Incorrect(self.wrong.get(kind) or self.otherwise or
                        f"`{kind}` does not fit this task. `{self.name}.hint()` can help.")
