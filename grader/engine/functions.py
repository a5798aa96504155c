"""Function questions: the student's function run on several inputs against a reference.

One path for every chapter. Each call gets copies of its inputs (or fresh ones from a
factory), runs under a time limit that counts the student's code and not library imports,
is watched for functions the task rules out, and is followed by a check that the inputs were
not changed in place. The smallest failing input is reported with expected vs. got, and a
known mistake is named when the output equals a wrong implementation's.
"""
from __future__ import annotations

import copy
import functools
import importlib.util
import inspect
import os
import sys
import sysconfig
import traceback
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .feedback import Outcome
from .limits import StudentTimeout, call_with_time_limit
from .placeholder import contains_placeholder
from .base import Incorrect, NotAttempted, Question, array_slip, numeric_slip, safe_text, student_value
from .values import describe, is_tensor, same_values, shape_items, show_value, to_array

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))      # .../grader
_LIBRARY_DIRS = tuple(sorted({os.path.realpath(p) for k, p in sysconfig.get_paths().items()
                              if k in ("stdlib", "platstdlib", "purelib", "platlib")} |
                             {os.path.realpath(p) for p in sys.path if "site-packages" in p}
                             | {_PACKAGE_DIR}, key=len, reverse=True))
_ALIASES = {"np": "numpy", "tf": "tensorflow", "sp": "scipy"}
# Decorators' inner functions: the name the student called is not theirs.
_WRAPPER_NAMES = {"wrapper", "error_handler", "op_dispatch_handler", "new_func", "inner", "wrapped", "decorated"}


@functools.lru_cache(maxsize=4096)
def is_library_file(filename: str) -> bool:
    """Installed code (stdlib, site-packages, this package), as opposed to the student's own cells.
    Cached: the forbidden-call watch asks on every call event."""
    return os.path.realpath(filename).startswith(_LIBRARY_DIRS) or filename.startswith("<frozen")


@dataclass
class Case:
    """One input for a function question: fixed arguments (copied for every call), or a
    ``make`` factory returning fresh ``(args, kwargs)`` (for arguments that cannot be copied,
    such as Keras models); ``label`` names a factory case in messages."""
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    make: Callable | None = None
    label: str = ""

    def fresh(self) -> tuple[tuple, dict]:
        if self.make is not None:
            made = self.make()
            return (made, {}) if not (isinstance(made, tuple) and len(made) == 2 and isinstance(made[1], dict)) \
                else made
        return copy.deepcopy(self.args), copy.deepcopy(self.kwargs)

    def size(self) -> int:
        if self.make is not None:
            return 0
        total = 0
        for a in (*self.args, *self.kwargs.values()):
            arr = to_array(a)
            total += arr.size if arr is not None else 1
        return total


def case(*args, **kwargs) -> Case:
    return Case(args, kwargs)


@functools.lru_cache(maxsize=None)
def _takes_expected(check: Callable) -> bool:
    try:
        return "expected" in inspect.signature(check).parameters
    except (TypeError, ValueError):
        return False


def case_from(make: Callable, label: str) -> Case:
    """A case whose arguments are built fresh for every call by ``make()``. ``make`` must build the
    same values every time (seeded): the reference's result on them is computed once and kept."""
    return Case(make=make, label=label)


# --- functions a task rules out ----------------------------------------------------------
class _Watch:
    """Records calls into forbidden functions or modules while the student's code runs."""

    def __init__(self, forbidden: dict):
        self.forbidden = forbidden
        self.hit: str | None = None
        self.codes: dict = {}
        self.builtins: dict = {}
        self.prefixes: list = []
        self._resolve()

    def _resolve(self) -> None:
        for key in self.forbidden:
            root, *rest = key.split(".")
            module = _ALIASES.get(root, root)
            if rest and module not in sys.modules:
                continue          # not imported, so not called; find_spec("tensorflow.nn") would import it
            if not rest or (rest and _is_module(".".join([module, *rest]))):
                path = _package_dir(".".join([module, *rest]))
                if path:
                    self.prefixes.append((path, key))
                continue
            if module not in sys.modules:
                continue          # not imported: the student cannot have called it (re-resolved after the call)
            obj = sys.modules[module]
            try:
                for attr in rest:
                    obj = getattr(obj, attr)
            except AttributeError:
                continue
            chain = _implementations(obj)
            innermost = chain[-1]
            code = getattr(innermost, "__code__", None)
            if code is not None:
                self.codes[code] = key           # wrappers' code is often shared by many functions
            else:
                self.builtins[id(innermost)] = key

    def profile(self, frame, event, arg):
        if self.hit:
            return
        if event == "call":
            code = frame.f_code
            if code in self.codes:               # the function itself, however it was reached
                self.hit = self.codes[code]
                return
            back = frame.f_back
            if self.prefixes and back is not None and not is_library_file(back.f_code.co_filename):
                for prefix, name in self.prefixes:   # a whole library: calls from the student's code
                    if code.co_filename.startswith(prefix):
                        self.hit = f"{name} ({code.co_name})"
                        return
        elif event == "c_call" and id(arg) in self.builtins and not is_library_file(frame.f_code.co_filename):
            self.hit = self.builtins[id(arg)]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def _package_dir(name: str) -> str | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return os.path.realpath(list(spec.submodule_search_locations)[0]) + os.sep
    return os.path.realpath(spec.origin) if spec.origin else None


def _implementations(obj) -> list:
    """``obj`` and what it wraps (decorators' ``__wrapped__``, numpy's dispatcher target), outermost first."""
    found = [obj]
    while len(found) < 20:
        inner = getattr(found[-1], "__wrapped__", None) or getattr(found[-1], "_implementation", None)
        if inner is None or any(inner is f for f in found):
            break
        found.append(inner)
    return found


def watched_call(func, args, kwargs, time_limit: float, forbidden: dict):
    """Call the student's function under the time limit; return (result, forbidden name or None)."""
    if not forbidden:
        return call_with_time_limit(func, args, kwargs, time_limit), None
    watch = _Watch(forbidden)
    previous = sys.getprofile()
    sys.setprofile(watch.profile)
    try:
        result = call_with_time_limit(func, args, kwargs, time_limit)
    finally:
        sys.setprofile(previous)
    return result, watch.hit


# --- the question ------------------------------------------------------------------------
_RETURNS = {"array": "a numpy array", "int": "a whole number (an `int`)", "number": "a number",
            "any": "numbers", "shape": "a shape (a tuple of whole numbers)"}


class FunctionQuestion(Question):
    """A function the student writes, run on ``cases`` against ``reference``.

    Options:
    - ``returns``: "array" (numpy array or tensor), "number", "int", "shape" or "any";
    - ``outputs``: names of the outputs when the function returns several (a tuple), e.g.
      ``("dx", "dw", "db")``; each is compared and named in messages;
    - ``mistakes``: ``Mistake(says, impl=wrong_function)``, tried when an output is wrong;
    - ``forbidden``: ``{"np.convolve": "why the task rules it out", "scipy": "…"}`` — functions or whole
      libraries the student's code must not call (named, and never ✓);
    - ``explain``: ``{"text in an error message": "what it usually means"}`` for errors students meet;
    - ``check_args``: functions ``(args, kwargs, result) -> message or None`` run after each call
      (e.g. "the base model is still trainable"); one with a parameter named ``expected`` also gets
      the reference's result for that input;
    - ``hidden_cases``: more inputs (or a function making them) for the hidden test;
    - ``time_limit`` (seconds of the student's own code), ``rtol``/``atol``.
    Arguments are copied for every call and checked for changes in place.
    """

    def __init__(self, var: str, reference: Callable, cases, *, mistakes=(), returns: str = "array",
                 outputs=None, forbidden=None, explain=None, check_args=(), hidden_cases=(),
                 rtol: float = 1e-6, atol: float = 1e-8, time_limit: float = 5.0, **kwargs):
        super().__init__(**kwargs)
        self.var, self.reference, self.cases = var, reference, list(cases)
        self.mistakes, self.returns = list(mistakes), returns
        self.outputs = tuple(outputs) if outputs else None
        self.forbidden = (dict(forbidden) if isinstance(forbidden, dict) else
                          {name: "" for name in (forbidden or ())})
        self.explain = dict(explain or {})
        self.check_args = list(check_args)
        self._hidden_cases = hidden_cases
        self.rtol, self.atol, self.time_limit = rtol, atol, time_limit
        self._reference_cache: dict = {}

    # --- public ---------------------------------------------------------------------------
    def _evaluate(self, cases=None) -> Outcome:
        func = student_value(self.var)
        if not callable(func):
            raise Incorrect(f"`{self.var}` should be a function (`def {self.var}(...):`), but it is {describe(func)}.")
        for i, c in enumerate(sorted(cases if cases is not None else self.cases, key=Case.size)):
            # Watching for forbidden calls profiles every call: once, on the smallest input, is enough.
            message = self.run_case(func, c, watch=i == 0)
            if message:
                raise Incorrect(message)   # cases are sorted, so this is the smallest failing input
        return self._correct()

    def hidden_tests(self) -> Outcome | None:
        cases = self._hidden_cases() if callable(self._hidden_cases) else list(self._hidden_cases)
        if not cases:
            return None
        cases = [c if isinstance(c, Case) else Case(tuple(c)) for c in cases]
        return self._evaluate(cases)

    def assert_passes_on(self, cases) -> None:
        """Older hidden-test form (kept for submitted notebooks): the check on extra inputs."""
        from .base import outcome_of
        from dataclasses import replace
        cases = [c if isinstance(c, Case) else Case(tuple(c)) for c in cases]
        outcome = outcome_of(lambda: self._evaluate(cases))
        if not outcome.passed:
            raise AssertionError(replace(outcome, title=self.title + " (more inputs)").text())

    def call_text(self, c: Case) -> str:
        if c.make is not None:
            return f"{self.var}({c.label or '…'})"
        try:
            bound = inspect.signature(self.reference).bind(*c.args, **c.kwargs)
            parts = [f"{k}={show_value(v)}" for k, v in bound.arguments.items()]
        except Exception:
            parts = [show_value(a) for a in c.args] + [f"{k}={show_value(v)}" for k, v in c.kwargs.items()]
        return f"{self.var}({', '.join(parts)})"

    # --- one input ----------------------------------------------------------------------------
    def run_case(self, func, c: Case, watch: bool = True) -> str | None:
        """None when the student's function is right on ``c``, else the message."""
        call = self.call_text(c)
        args, kwargs = c.fresh()
        try:
            got, used = watched_call(func, args, kwargs, self.time_limit, self.forbidden if watch else {})
        except StudentTimeout:
            return (f"`{call}` did not finish within {self.time_limit:g} s. Is there a loop that never ends, "
                    "e.g. a `while` whose condition never changes?")
        except (Incorrect, NotAttempted):
            raise
        except Exception as exc:
            text = safe_text(exc)
            for pattern, meaning in self.explain.items():
                if pattern in text:
                    return f"{meaning}\n`{call}` raised {type(exc).__name__}: {text}{_where(exc)}"
            return f"`{call}` raised {type(exc).__name__}: {text}{_where(exc)}"
        if used:
            root, _, inner = used.partition(" (")
            inner = inner.rstrip(")")
            what = (f"`{root}`" if not inner or inner.startswith("_") or inner in _WRAPPER_NAMES
                    else f"`{inner}` from `{root}`")
            why = self.forbidden.get(root, "")
            return f"`{self.var}` calls {what}, which this task rules out" + (f": {why}" if why else
                                                                               ". Write that part yourself.")
        if contains_placeholder(got):
            raise NotAttempted(f"`{self.var}` still returns the `____` placeholder: fill in its body.")
        changed = self._changed_argument(c, args, kwargs)
        if changed:
            return (f"`{self.var}` changes its argument `{changed}` in place: after `{call}` the caller's "
                    f"`{changed}` is different. Leave the input as it is: work on a copy "
                    f"(`{changed} = {changed}.copy()` first) or build a new result.")
        for check in self.check_args:
            try:
                message = (check(args, kwargs, got, expected=self._expected(c)) if _takes_expected(check)
                           else check(args, kwargs, got))
            except Exception as exc:
                message = f"checking what `{call}` did failed: {type(exc).__name__}: {safe_text(exc)}"
            if message:
                return message
        expected = self._expected(c)
        if self.outputs:
            return self._compare_outputs(call, c, got, expected)
        return self._compare(call, c, got, expected, None)

    def _expected(self, c: Case):
        key = id(c)
        if key not in self._reference_cache:
            args, kwargs = c.fresh() if c.make is not None else (copy.deepcopy(c.args), copy.deepcopy(c.kwargs))
            self._reference_cache[key] = (c, self.reference(*args, **kwargs))
        return self._reference_cache[key][1]

    def _param_names(self, c: Case) -> list[str]:
        try:
            params = list(inspect.signature(self.reference).parameters)
        except Exception:
            params = []
        return params[:len(c.args)] + list(c.kwargs)

    def _changed_argument(self, c: Case, args, kwargs) -> str | None:
        if c.make is not None:
            return None
        names = self._param_names(c)
        for name, before, after in zip(names, (*c.args, *c.kwargs.values()), (*args, *kwargs.values())):
            a, b = to_array(before), to_array(after)
            if a is None or b is None:
                continue
            if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
                return name
        return None

    def _compare_outputs(self, call: str, c: Case, got, expected) -> str | None:
        names = self.outputs
        if type(got) not in (tuple, list) or len(got) != len(names):
            return (f"`{call}` returned {describe(got)}; it should return {len(names)} values: "
                    f"`return {', '.join(names)}`.")
        for i, name in enumerate(names):
            message = self._compare(call, c, got[i], expected[i], i)
            if message:
                return f"`{name}` is wrong. " + message
        return None

    def _compare(self, call: str, c: Case, got, expected, index) -> str | None:
        want = np.asarray(expected)
        if self.returns == "shape":
            shape = shape_items(got)
            if shape == tuple(want.tolist()):
                return None
            arr = None if shape is None else to_array([d for d in shape])
        else:
            arr = to_array(got)
        if arr is None:
            return f"`{call}` returned {describe(got)}; it should return {_RETURNS.get(self.returns, 'numbers')}."
        if arr.dtype == bool and want.dtype != bool and same_values(arr, want, self.rtol, self.atol):
            return (f"`{self.var}` returns booleans (True/False), not numbers: booleans do not add up like numbers "
                    f"(`True + True` in an array stays `True`). Convert: `.astype(float)`. (Seen on `{call}`.)")
        if same_values(arr, want, self.rtol, self.atol):
            return self._form(call, got, arr)
        for mistake in self.mistakes:
            try:
                args, kwargs = c.fresh()
                wrong = mistake.impl(*args, **kwargs)
                wrong = to_array(wrong if index is None else wrong[index])
            except Exception:
                continue
            if wrong is not None and not same_values(wrong, want, self.rtol, self.atol) \
                    and same_values(arr, wrong, self.rtol, self.atol):
                return f"{mistake.says}\nOn `{call}` you return {show_value(arr)}; the answer is {show_value(want)}."
        slip = (numeric_slip(arr.item(), want.item()) if want.ndim == 0 and arr.size == 1
                else array_slip(arr, want, self.rtol, self.atol))
        detail = f" (shape {arr.shape} instead of {want.shape})" if arr.shape != want.shape else ""
        return (f"wrong result on the smallest failing input{detail}:\n`{call}`\n" + (f"Here {slip}\n" if slip else "")
                + f"expected: {show_value(want)}\ngot:      {show_value(arr)}")

    def _form(self, call: str, got, arr) -> str | None:
        if self.returns == "array" and not (isinstance(got, np.ndarray) or is_tensor(got)):
            return (f"the numbers are right, but `{self.var}` returns {describe(got)}: return a numpy array "
                    "(e.g. `np.array(result)`), as numpy and scipy functions do.")
        if self.returns == "int":
            if is_tensor(got) or not (type(got) is int or isinstance(got, np.integer)):
                return (f"the value is right, but `{call}` returns {describe(got)}, not a whole number (an `int`) "
                        "as the task asks. Use `//` instead of `/`, or `int(...)`.")
        if self.returns == "number" and arr.ndim != 0:
            return f"the value is right, but `{call}` returns {describe(got)}: return a single number."
        return None


def _where(exc: BaseException) -> str:
    """' (at line 7: `out[i] = ...`)' for the innermost frame of the student's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not is_library_file(f.filename)]
    if not own:
        return ""
    frame = own[-1]
    code = (frame.line or "").strip()
    return f" (at line {frame.lineno}: `{code}`)" if code else f" (at line {frame.lineno})"
