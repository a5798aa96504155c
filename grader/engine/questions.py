"""Question kinds. Each reads the student's variables through the binder when checked.

A question's ``evaluate()`` returns an Outcome and never raises; ``check()`` shows it;
``assert_check_passed()`` raises AssertionError with the same text (nbgrader test cells).
Chapter checks build on these kinds; custom logic raises ``Incorrect``/``NotAttempted``.
"""
from __future__ import annotations

import copy
import inspect
import re
import traceback
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from .. import binder
from .feedback import CORRECT, HINT, INCORRECT, INFO, NOT_ATTEMPTED, SOLUTION, Outcome, show
from .limits import StudentTimeout, call_with_time_limit
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


class Question:
    def __init__(self, *, hints=(), solution: str = "", solution_code: str = "", on_correct: str = ""):
        self.hints = list(hints)
        self.solution_text = solution
        self.solution_code = solution_code
        self.on_correct = on_correct
        self.name = "q"        # how the student calls it, e.g. "q_3.a"; set by label_questions
        self.title = ""        # e.g. "Question 3a"

    # --- what subclasses implement -------------------------------------------------
    def _evaluate(self) -> Outcome:
        raise NotImplementedError

    # --- the student's interface -----------------------------------------------------
    def evaluate(self) -> Outcome:
        if not binder.is_bound():
            outcome = Outcome(NOT_ATTEMPTED, "the checks are not connected to this notebook yet: "
                                             "run the set-up cell, which calls `binder.bind(globals())`.")
        else:
            try:
                outcome = self._evaluate()
            except Incorrect as exc:
                outcome = Outcome(INCORRECT, safe_text(exc))
            except NotAttempted as exc:
                outcome = Outcome(NOT_ATTEMPTED, safe_text(exc))
            except Exception as exc:  # a value the checker did not foresee: say so, never raise
                outcome = Outcome(INCORRECT, f"the checker could not judge this answer "
                                             f"({type(exc).__name__}: {safe_text(exc)}). Look again at what "
                                             "you gave; if it looks right to you, tell your instructor.")
        return replace(outcome, title=self.title)

    def check(self) -> None:
        show(self.evaluate())

    def hint(self, n: int = 1) -> None:
        show(self._hint_outcome(n))

    def _hint_outcome(self, n) -> Outcome:
        if not self.hints:
            return Outcome(INFO, "there is no hint for this question.", self.title)
        count = len(self.hints)
        n = n if type(n) is int else 1
        n = min(max(n, 1), count)
        text = self.hints[n - 1] + (f"\n({n} of {count}) More help: `{self.name}.hint({n + 1})`" if n < count else
                                    (f"\n({n} of {count})" if count > 1 else ""))
        return Outcome(HINT, text, self.title)

    def solution(self) -> None:
        show(self._solution_outcome())

    def _solution_outcome(self) -> Outcome:
        return Outcome(SOLUTION, self.solution_text, self.title, self.solution_code)

    def assert_check_passed(self) -> None:
        """For nbgrader test cells: silent when correct, AssertionError with the check's text if not."""
        outcome = self.evaluate()
        if not outcome.passed:
            raise AssertionError(outcome.text())

    def _correct(self, extra: str = "") -> Outcome:
        return Outcome(CORRECT, " ".join(s for s in (self.on_correct, extra) if s))


class ValueQuestion(Question):
    """A number, array, tensor or shape compared with the expected value, with tolerance.

    ``kind``: "any" accepts any numeric container; "int" wants a whole number of int
    type; "array" wants a numpy array or tensor (a list with the right values is a
    named mistake).
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
        arr = to_array(got)
        want = {"int": "a whole number", "array": "a numpy array"}.get(self.kind, "a number or an array of numbers")
        if arr is None:
            raise Incorrect(f"`{self.var}` should be {want}, but it is {describe(got)}.")
        expected = self.expected()
        if same_values(arr, expected, self.rtol, self.atol):
            if self.kind == "int" and not (np.issubdtype(arr.dtype, np.integer)):
                raise Incorrect(f"the value of `{self.var}` is right, but it is {describe(got)}: lengths are whole "
                                "numbers. Use `//` (floor division) instead of `/`, or wrap it in `int(...)`.")
            if self.kind == "array" and not (isinstance(got, np.ndarray) or is_tensor(got)):
                raise Incorrect(f"the numbers are right, but `{self.var}` is {describe(got)}. "
                                "Make it an array: `np.array(...)`.")
            return self._correct()
        for mistake in self.mistakes:
            if mistake.matches_value(arr, self.rtol, self.atol):
                raise Incorrect(mistake.says)
        if arr.shape != expected.shape:
            if expected.ndim == 0:
                raise Incorrect(f"`{self.var}` should be a single number, but it has shape {arr.shape}.")
            raise Incorrect(f"`{self.var}` has shape {arr.shape}, but the answer has shape {expected.shape}.")
        if expected.ndim == 0:
            raise Incorrect(f"`{self.var} = {show_value(got)}` is not right. `{self.name}.hint()` can help.")
        index, count = first_difference(arr, expected, self.rtol, self.atol)
        raise Incorrect(f"the shape is right, but {count} of {expected.size} values are wrong; the first wrong "
                        f"one is at index {index} (you have {show_value(arr[index])}).")


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
        got = student_value(self.var)
        for check in self.checks:
            try:
                message = check(got)
            except (Incorrect, NotAttempted):
                raise
            except Exception as exc:
                raise Incorrect(f"checking `{self.var}` failed: it is {describe(got)}, and using it raised "
                                f"{type(exc).__name__}: {safe_text(exc)}")
            if message:
                raise Incorrect(message)
        return self._correct()


@dataclass
class Case:
    """One input for a function question."""
    args: tuple
    kwargs: dict = field(default_factory=dict)

    def size(self) -> int:
        total = 0
        for a in (*self.args, *self.kwargs.values()):
            arr = to_array(a)
            total += arr.size if arr is not None else 1
        return total


def case(*args, **kwargs) -> Case:
    return Case(args, kwargs)


class FunctionQuestion(Question):
    """A function the student writes, run on several inputs against a reference.

    Reports the smallest failing input with expected vs. got, names a known mistake
    when the student's output equals a wrong implementation's, and stops endless loops.
    """

    def __init__(self, var: str, reference: Callable, cases, *, mistakes=(), returns: str = "array",
                 rtol: float = 1e-6, atol: float = 1e-8, time_limit: float = 5.0, **kwargs):
        super().__init__(**kwargs)
        self.var, self.reference, self.cases = var, reference, list(cases)
        self.mistakes, self.returns = list(mistakes), returns
        self.rtol, self.atol, self.time_limit = rtol, atol, time_limit

    def _evaluate(self, cases=None) -> Outcome:
        func = student_value(self.var)
        if not callable(func):
            raise Incorrect(f"`{self.var}` should be a function (`def {self.var}(...):`), but it is {describe(func)}.")
        failures = []
        for c in sorted(cases if cases is not None else self.cases, key=Case.size):
            message = self._try_case(func, c)
            if message:
                failures.append(message)
                break  # cases are sorted, so this is the smallest failing input
        if failures:
            raise Incorrect(failures[0])
        return self._correct()

    def call_text(self, c: Case) -> str:
        try:
            bound = inspect.signature(self.reference).bind(*c.args, **c.kwargs)
            parts = [f"{k}={show_value(v)}" for k, v in bound.arguments.items()]
        except Exception:
            parts = [show_value(a) for a in c.args] + [f"{k}={show_value(v)}" for k, v in c.kwargs.items()]
        return f"{self.var}({', '.join(parts)})"

    def _try_case(self, func, c: Case) -> str | None:
        call = self.call_text(c)
        args, kwargs = copy.deepcopy(c.args), copy.deepcopy(c.kwargs)
        try:
            got = call_with_time_limit(func, args, kwargs, self.time_limit)
        except StudentTimeout:
            return (f"`{call}` did not finish within {self.time_limit:g} s. Is there a loop that never ends, "
                    "e.g. a `while` whose condition never changes?")
        except Exception as exc:
            return f"`{call}` raised {type(exc).__name__}: {safe_text(exc)}{_where(exc)}"
        if contains_placeholder(got):
            raise NotAttempted(f"`{self.var}` still returns the `____` placeholder: fill in its body.")
        expected = np.asarray(self.reference(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)))
        arr = to_array(got)
        if arr is None:
            return f"`{call}` returned {describe(got)}; it should return {self._wants()}."
        if same_values(arr, expected, self.rtol, self.atol):
            if self.returns == "array" and not (isinstance(got, np.ndarray) or is_tensor(got)):
                return (f"the numbers are right, but `{self.var}` returns {describe(got)}: return a numpy array "
                        "(e.g. `np.array(result)`), as numpy and scipy functions do.")
            return None
        for mistake in self.mistakes:
            try:
                wrong = to_array(mistake.impl(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)))
            except Exception:
                continue
            if wrong is not None and same_values(arr, wrong, self.rtol, self.atol):
                return f"{mistake.says}\nOn `{call}` you return {show_value(arr)}; the answer is {show_value(expected)}."
        detail = f" (shape {arr.shape} instead of {expected.shape})" if arr.shape != expected.shape else ""
        return (f"wrong result on the smallest failing input{detail}:\n`{call}`\n"
                f"expected: {show_value(expected)}\ngot:      {show_value(arr)}")

    def _wants(self) -> str:
        return "a numpy array" if self.returns == "array" else "numbers"

    def assert_passes_on(self, cases) -> None:
        """For hidden tests: assert the student's function is right on extra inputs."""
        cases = [c if isinstance(c, Case) else Case(tuple(c)) for c in cases]
        try:
            outcome = self._evaluate(cases)
        except Incorrect as exc:
            outcome = Outcome(INCORRECT, safe_text(exc))
        except NotAttempted as exc:
            outcome = Outcome(NOT_ATTEMPTED, safe_text(exc))
        except Exception as exc:
            outcome = Outcome(INCORRECT, f"the checker failed: {type(exc).__name__}: {safe_text(exc)}")
        outcome = replace(outcome, title=self.title + " (more inputs)")
        if not outcome.passed:
            raise AssertionError(outcome.text())


def _where(exc: BaseException) -> str:
    """' (line 7: out[i] = ...)' for the innermost frame of the student's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not f.filename.startswith(_PACKAGE_DIR) and "site-packages" not in f.filename]
    if not own:
        return ""
    frame = own[-1]
    code = (frame.line or "").strip()
    return f" (at line {frame.lineno}: `{code}`)" if code else f" (at line {frame.lineno})"


_PACKAGE_DIR = __file__.rsplit("/", 2)[0]  # the whole grader package, checks included


class ChoiceQuestion(Question):
    """Multiple choice: the student sets a variable to one option's key."""

    def __init__(self, var: str, answer, options: dict, *, why_not: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.var, self.answer, self.options, self.why_not = var, answer, dict(options), dict(why_not or {})

    def _evaluate(self) -> Outcome:
        got = student_value(self.var)
        key = got.strip().lower().strip("'\"()") if type(got) is str else got
        if type(key) not in (str, int) or key not in self.options:
            keys = ", ".join(repr(k) for k in self.options)
            raise Incorrect(f"`{self.var}` should be one of {keys}; it is {describe(got)}.")
        if key == self.answer:
            return self._correct()
        raise Incorrect(self.why_not.get(key, f"{key!r} is not the best answer. Reread option {key!r}."))


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

    def _hint_outcome(self, n) -> Outcome:
        calls = ", ".join(f"`{p.name}.hint()`" for p in self.parts.values())
        return Outcome(HINT, f"each part has its own hints: {calls}.", self.title)

    def _solution_outcome(self) -> Outcome:
        texts = [f"({k}) {p.solution_text}" for k, p in self.parts.items()]
        code = "\n".join(p.solution_code for p in self.parts.values() if p.solution_code)
        return Outcome(SOLUTION, "\n".join(texts), self.title, code)


def label_questions(namespace: dict) -> None:
    """Name the questions of a chapter module after their variables (q_3 -> 'Question 3')."""
    for name, obj in list(namespace.items()):
        match = re.fullmatch(r"q_(\d+)", name)
        if not (match and isinstance(obj, Question)):
            continue
        obj.name, obj.title = name, f"Question {match.group(1)}"
        if isinstance(obj, MultipartQuestion):
            for key, part in obj.parts.items():
                part.name, part.title = f"{name}.{key}", f"Question {match.group(1)}{key}"
