"""What every question kind shares, and the value, object, thought and multipart kinds.

Each question reads the student's variables through the binder when checked.

A question's ``evaluate()`` returns an Outcome and never raises; ``check()`` shows it;
``assert_check_passed()`` raises AssertionError with the same text, and
``assert_hidden_tests_pass()`` — the one verb of every nbgrader hidden test — also runs the
hidden part the question declares (``hidden_tests()``). Chapter files declare questions with
these kinds and their options; they do not subclass ``Question``.

Kinds: ValueQuestion, ShapeQuestion (shapes.py), FunctionQuestion (functions.py), ObjectQuestion,
ChoiceQuestion (choices.py), ThoughtQuestion, MultipartQuestion; Keras kinds live in keras_kinds.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from .. import binder
from .feedback import CORRECT, HINT, INCORRECT, INFO, NOT_ATTEMPTED, SOLUTION, Outcome, show
from .placeholder import contains_placeholder
from .values import describe, first_difference, is_tensor, same_values, show_value, to_array


class Incorrect(Exception):
    """Raised inside a check to report a wrong answer with a specific message."""


class NotAttempted(Exception):
    """Raised inside a check when the starter code is still untouched."""


def safe_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "<message unavailable>"
    return text if len(text) <= 1500 else text[:1500] + "…"


def student_value(name: str):
    """The student's value for ``name``; NotAttempted if undefined or still ``____``."""
    value = binder.lookup(name)
    if value is binder.MISSING:
        raise NotAttempted(f"`{name}` is not defined yet. Run the cell that sets it "
                           "(and the cells above it), then check again.")
    if contains_placeholder(value):
        raise NotAttempted(f"`{name}` still contains the `____` placeholder: replace it with your answer.")
    return value


@dataclass
class Mistake:
    """A common wrong answer and what to say about it.

    Give one of: ``value`` (the wrong answer itself, or a zero-argument callable making
    it), ``when`` (a predicate on the student's numeric array), or ``impl`` (for
    function questions: a wrong implementation to compare the student's output with).
    """
    says: str
    value: Any = None
    when: Callable[[np.ndarray], bool] | None = None
    impl: Callable | None = None

    def matches_value(self, got: np.ndarray, rtol: float, atol: float) -> bool:
        try:
            if self.when is not None:
                return bool(self.when(got))
            if self.value is not None:
                wrong = self.value() if callable(self.value) else self.value
                return same_values(got, np.asarray(wrong), rtol, atol)
        except Exception:
            return False
        return False


def outcome_of(run: Callable[[], Outcome]) -> Outcome:
    """Run a check body; Incorrect/NotAttempted/anything unforeseen become outcomes (never raises)."""
    try:
        return run()
    except Incorrect as exc:
        return Outcome(INCORRECT, safe_text(exc))
    except NotAttempted as exc:
        return Outcome(NOT_ATTEMPTED, safe_text(exc))
    except Exception as exc:  # a value the checker did not foresee: say so, never raise
        return Outcome(INCORRECT, f"the checker could not judge this answer ({type(exc).__name__}: "
                                  f"{safe_text(exc)}). Look again at what you gave; if it looks right to you, "
                                  "tell your instructor.")


class Question:
    """What every kind shares: check / hint / solution / the two assertions of nbgrader cells.

    ``trains = True`` marks a question whose check needs a trained model (the benchmark and
    the progress table treat it accordingly)."""

    trains = False

    def __init__(self, *, hints=(), solution: str = "", solution_code: str = "", on_correct: str = ""):
        self.hints = list(hints)
        self.solution_text = solution
        self.solution_code = solution_code
        self.on_correct = on_correct
        self.name = "q"        # how the student calls it, e.g. "q_3.a"; set by label_questions
        self.title = ""        # e.g. "Question 3a"
        self.chapter = ""      # e.g. "ch02_convolution_2d"

    # --- what kinds implement ----------------------------------------------------------
    def _evaluate(self) -> Outcome:
        raise NotImplementedError

    def hidden_tests(self) -> Outcome | None:
        """The hidden part of the grade, beyond what check() shows; None when there is none."""
        return None

    # --- the student's interface -------------------------------------------------------
    def evaluate(self) -> Outcome:
        if not binder.is_bound():
            outcome = Outcome(NOT_ATTEMPTED, "the checks are not connected to this notebook yet: "
                                             "run the set-up cell, which calls `binder.bind(globals())`.")
        else:
            outcome = outcome_of(self._evaluate)
        return replace(outcome, title=self.title)

    def check(self) -> None:
        show(self.evaluate())

    def hint(self, n: int = 1) -> None:
        show(self._hint_outcome(n))

    def _hint_outcome(self, n) -> Outcome:
        if not self.hints:
            return Outcome(INFO, "there is no hint for this question.", self.title)
        count = len(self.hints)
        note = ""
        if isinstance(n, str) and n.strip().isdigit():
            n = int(n.strip())
        if type(n) is not int:
            note = f"`hint()` takes the hint's number, e.g. `{self.name}.hint(2)`; here is hint 1.\n"
            n = 1
        elif n < 1:
            note = "hints are numbered from 1; here is hint 1.\n"
            n = 1
        elif n > count:
            note = ("this question has only one hint:\n" if count == 1 else
                    f"this question has {count} hints; here is the last one:\n")
            n = count
        more = (f"\n({n} of {count}) More help: `{self.name}.hint({n + 1})`" if n < count else
                (f"\n({n} of {count}) That is the last hint; `{self.name}.solution()` shows the answer."
                 if count > 1 else ""))
        return Outcome(HINT, note + self.hints[n - 1] + more, self.title)

    def solution(self) -> None:
        show(self._solution_outcome())

    def _solution_outcome(self) -> Outcome:
        return Outcome(SOLUTION, self.solution_text, self.title, self.solution_code)

    def assert_check_passed(self) -> None:
        """For nbgrader test cells: silent when correct, AssertionError with the check's text if not."""
        outcome = self.evaluate()
        if not outcome.passed:
            raise AssertionError(outcome.text())

    def assert_hidden_tests_pass(self) -> None:
        """The one verb of hidden tests: the check, then the hidden part the question declares."""
        self.assert_check_passed()
        if not binder.is_bound():
            return
        outcome = outcome_of(lambda: self.hidden_tests() or Outcome(CORRECT))
        if not outcome.passed:
            raise AssertionError(replace(outcome, title=self.title + " (hidden tests)").text())

    def _correct(self, extra: str = "") -> Outcome:
        return Outcome(CORRECT, " ".join(s for s in (self.on_correct, extra) if s))


# --- numbers: the same answer in any form, and the slips a number shows ------------------
def numeric_slip(got: float, want: float) -> str | None:
    """A named slip for a wrong single number (off by one, twice, half, sign), or None."""
    try:
        got, want = float(got), float(want)
    except Exception:
        return None
    if not (np.isfinite(got) and np.isfinite(want)) or want == 0:
        return None
    if abs(got - want) == 1 and float(want).is_integer():
        return f"you are off by one (one {'too many' if got > want else 'too few'})."
    if np.isclose(got, -want):
        return "the sign is wrong: you have the negative of the answer."
    if np.isclose(got, 2 * want):
        return "that is twice the answer: is something counted twice?"
    if np.isclose(got, want / 2):
        return "that is half the answer: is something missing, or counted once where it should count twice?"
    if want != 0 and float(want).is_integer() and got == int(got) and abs(got) > abs(want) and got % want == 0:
        return f"that is {int(got // want)} times the answer: is something multiplied in that should not be?"
    return None


def array_slip(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> str | None:
    """A named slip for a wrong array (transposed, reversed, negated, scaled, shifted), or None."""
    def same(a):
        return same_values(np.asarray(a), want, rtol, atol)
    try:
        if got.ndim == 2 and got.shape == want.shape[::-1] and same(got.T):
            return "rows and columns are swapped: you have the transpose of the answer."
        if got.shape != want.shape:
            return None
        if same(-got):
            return "the sign is wrong everywhere: you have the negative of the answer."
        if got.ndim >= 1 and same(got[::-1]):
            return "the values are in reverse order."
        if got.ndim == 2 and same(got[::-1, ::-1]):
            return "the array is rotated by 180° (flipped on both axes)."
        g, w = got.astype(float).ravel(), want.astype(float).ravel()
        nonzero = np.abs(w) > atol
        if nonzero.any() and (np.abs(g) > atol).any():
            ratios = g[nonzero] / w[nonzero]
            if np.allclose(ratios, ratios[0], rtol=1e-6) and np.allclose(g[~nonzero], 0, atol=atol):
                return f"every value is {ratios[0]:.4g} times the answer: a scale factor is off."
        diff = g - w
        if np.allclose(diff, diff[0], rtol=1e-6, atol=atol):
            return f"every value is off by the same amount ({diff[0]:+.4g}): an offset is off."
    except Exception:
        return None
    return None


_WANTS = {"int": "a whole number", "array": "a numpy array", "number": "a number"}


class ValueQuestion(Question):
    """A number, array or tensor compared with the expected value, with tolerance.

    ``kind``: "any" accepts any numeric container (list, tuple, array, tensor, TensorShape);
    "number" a single number; "int" a whole number of int type (a float with the right
    value, a string or a tensor is named); "array" a numpy array or tensor (a list with the
    right values is named). Chapter ``mistakes`` are tried first, then the slips any
    number or array shows (off by one, twice, sign, transposed, reversed, …).
    """

    def __init__(self, var: str, expected, *, mistakes=(), kind: str = "any",
                 rtol: float = 1e-6, atol: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.var, self._expected, self.mistakes, self.kind = var, expected, list(mistakes), kind
        self.rtol, self.atol = rtol, atol

    def expected(self) -> np.ndarray:
        value = self._expected() if callable(self._expected) else self._expected
        return np.asarray(value)

    def _evaluate(self) -> Outcome:
        got = student_value(self.var)
        want = _WANTS.get(self.kind, "a number or an array of numbers")
        if type(got) is str:
            hint = ""
            try:
                float(got.replace(",", "").replace("_", ""))
                hint = " Write the number itself, without quotes."
            except ValueError:
                pass
            raise Incorrect(f"`{self.var}` should be {want}, but it is a string (text in quotes).{hint}")
        arr = to_array(got)
        if arr is None:
            raise Incorrect(f"`{self.var}` should be {want}, but it is {describe(got)}.")
        expected = self.expected()
        if arr.dtype == bool and expected.dtype != bool and same_values(arr, expected, self.rtol, self.atol):
            raise Incorrect(f"`{self.var}` holds booleans (True/False), not numbers. Convert them: "
                            "`.astype(float)` or `int(...)`.")
        if same_values(arr, expected, self.rtol, self.atol):
            self._check_form(got, arr)
            return self._correct()
        for mistake in self.mistakes:
            if mistake.matches_value(arr, self.rtol, self.atol):
                raise Incorrect(mistake.says)
        if expected.ndim == 0:
            if self.kind == "int" and arr.size == 1 and not float(np.real(arr.item())).is_integer():
                raise Incorrect(f"`{self.var} = {show_value(got)}` is not a whole number, and the answer counts "
                                "something. Recheck the division: does it round down, round up, or divide evenly?")
            if arr.size != 1:
                raise Incorrect(f"`{self.var}` should be a single number, but it has shape {arr.shape}.")
            slip = numeric_slip(arr.item(), expected.item())
            if slip:
                raise Incorrect(f"`{self.var} = {show_value(got)}`: {slip}")
            raise Incorrect(f"`{self.var} = {show_value(got)}` is not the answer, and it is not one of the usual "
                            f"slips. Recompute it step by step; `{self.name}.hint()` can help.")
        slip = array_slip(arr, expected, self.rtol, self.atol)
        if slip:
            raise Incorrect(f"`{self.var}`: {slip}")
        if arr.shape != expected.shape:
            raise Incorrect(f"`{self.var}` has shape {arr.shape}, but the answer has shape {expected.shape}.")
        index, count = first_difference(arr, expected, self.rtol, self.atol)
        raise Incorrect(f"{count} of {expected.size} values of `{self.var}` are wrong; the first is at index {index}: "
                        f"you have {show_value(arr[index])}, the answer is {show_value(expected[index])}.")

    def _check_form(self, got, arr) -> None:
        if self.kind == "int":
            if is_tensor(got):
                raise Incorrect(f"the value of `{self.var}` is right, but it is {describe(got)}: give it as a "
                                "Python whole number, `int(...)`.")
            if not np.issubdtype(arr.dtype, np.integer) or arr.ndim != 0:
                raise Incorrect(f"the value of `{self.var}` is right, but it is {describe(got)}: it counts "
                                "something, so it is a whole number. Use `//` (floor division) instead of `/`, or "
                                "wrap it in `int(...)`.")
        if self.kind == "number" and arr.ndim != 0:
            raise Incorrect(f"the value is right, but `{self.var}` is {describe(got)}: give a single number.")
        if self.kind == "array" and not (isinstance(got, np.ndarray) or is_tensor(got)):
            raise Incorrect(f"the numbers are right, but `{self.var}` is {describe(got)}. "
                            "Make it an array: `np.array(...)`.")


class ObjectQuestion(Question):
    """Something the student builds (a kernel, a layer, a model) checked by its properties.

    ``checks`` is a list of functions taking the student's object and returning None
    when fine or a message naming what is wrong; the first message found is reported,
    so list specific diagnoses before general ones.
    """

    def __init__(self, var: str, checks, **kwargs):
        super().__init__(**kwargs)
        self.var, self.checks = var, list(checks)

    def _evaluate(self) -> Outcome:
        run_checks(self.var, student_value(self.var), self.checks)
        return self._correct()


def run_checks(var: str, value, checks) -> None:
    """Run property checks (value -> message or None) in order; the first message is the verdict."""
    for check in checks:
        try:
            message = check(value)
        except (Incorrect, NotAttempted):
            raise
        except Exception as exc:
            raise Incorrect(f"checking `{var}` failed: it is {describe(value)}, and using it raised "
                            f"{type(exc).__name__}: {safe_text(exc)}")
        if message:
            raise Incorrect(message)


class ThoughtQuestion(Question):
    """Nothing to check: the student thinks, then reads the solution."""

    def _evaluate(self) -> Outcome:
        return Outcome(INFO, f"this is a question to think about; there is nothing to check. "
                             f"When you have an answer, compare it with `{self.name}.solution()`.")


class MultipartQuestion(Question):
    """Parts checked one by one (``q_3.a.check()``) or all at once (``q_3.check()``)."""

    def __init__(self, **parts: Question):
        super().__init__()
        self.parts = parts
        for key, part in parts.items():
            setattr(self, key, part)

    @property
    def trains(self) -> bool:
        return any(p.trains for p in self.parts.values())

    def _evaluate(self) -> Outcome:
        outcomes = {k: p.evaluate() for k, p in self.parts.items()}
        statuses = {o.status for o in outcomes.values()}
        if statuses == {CORRECT}:
            return Outcome(CORRECT, f"all {len(outcomes)} parts are right.")
        if statuses == {NOT_ATTEMPTED}:
            return Outcome(NOT_ATTEMPTED, "none of the parts is answered yet.")
        lines = [f"({k}) {o.headline().split(' — ')[0]}" + (f": {o.message}" if not o.passed else "")
                 for k, o in outcomes.items()]
        return Outcome(INCORRECT, "\n".join(lines))

    def hidden_tests(self) -> Outcome | None:
        for key, part in self.parts.items():
            outcome = part.hidden_tests()
            if outcome is not None and not outcome.passed:
                return replace(outcome, message=f"({key}) {outcome.message}")
        return None

    def _hint_outcome(self, n) -> Outcome:
        calls = ", ".join(f"`{p.name}.hint()`" for p in self.parts.values())
        return Outcome(HINT, f"each part has its own hints: {calls}.", self.title)

    def _solution_outcome(self) -> Outcome:
        texts = [f"({k}) {p.solution_text}" for k, p in self.parts.items()]
        code = "\n".join(p.solution_code for p in self.parts.values() if p.solution_code)
        return Outcome(SOLUTION, "\n".join(texts), self.title, code)


def label_questions(namespace: dict) -> None:
    """Name the questions of a chapter module after their variables (q_3 -> 'Question 3'), and give
    the chapter's notebook ``progress()`` (exported with the questions)."""
    from .progress import progress
    chapter = str(namespace.get("__name__", "")).rsplit(".", 1)[-1]
    for name, obj in list(namespace.items()):
        match = re.fullmatch(r"q_(\d+)", name)
        if not (match and isinstance(obj, Question)):
            continue
        obj.name, obj.title, obj.chapter = name, f"Question {match.group(1)}", chapter
        if isinstance(obj, MultipartQuestion):
            for key, part in obj.parts.items():
                part.name, part.title, part.chapter = f"{name}.{key}", f"Question {match.group(1)}{key}", chapter
    from ..instructor.validate import validate      # before submitting: will the saved notebook grade?
    namespace["progress"], namespace["validate"] = progress, validate
    for name in ("progress", "validate"):
        if "__all__" in namespace and name not in namespace["__all__"]:
            namespace["__all__"] = [*namespace["__all__"], name]
