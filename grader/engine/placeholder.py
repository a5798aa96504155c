"""The ``____`` placeholder of the starter code, and how to tell it is still there.

Any operation on the placeholder gives the placeholder back, so ``n - ____ + 1`` or
``____.shape`` still evaluate and the check can say "not attempted" instead of the
student meeting a TypeError in their own cell.
"""
from __future__ import annotations

import types

import numpy as np


class Placeholder:
    __slots__ = ()

    def __repr__(self) -> str:
        return "____"

    def __getattr__(self, name):
        # Dunder and private names are probed by numpy and IPython's display: refuse them.
        if name.startswith("_"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, key):
        return self

    def __bool__(self) -> bool:
        return False

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other):
        return self

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__


def _returns_self(self, *args):
    return self


for _op in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow",
            "and", "or", "xor", "lshift", "rshift"):
    setattr(Placeholder, f"__{_op}__", _returns_self)
    setattr(Placeholder, f"__r{_op}__", _returns_self)
for _op in ("neg", "pos", "abs", "invert"):
    setattr(Placeholder, f"__{_op}__", _returns_self)

____ = Placeholder()

_MAX_ITEMS = 10_000


def contains_placeholder(value, _depth: int = 0) -> bool:
    """True when ``value`` is, holds, or (for a function) refers to the placeholder."""
    if _depth > 20:
        return False
    if type(value) is Placeholder or (type(value).__name__ == "Placeholder" and type(value).__module__ == __name__):
        # the second test: hidden tests judge with a freshly imported copy of the package
        # (grader.instructor.integrity.fresh), whose Placeholder class is not the notebook's
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(contains_placeholder(v, _depth + 1) for v in list(value)[:_MAX_ITEMS])
    if isinstance(value, dict):
        return any(contains_placeholder(v, _depth + 1) for v in list(value.values())[:_MAX_ITEMS])
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(contains_placeholder(v, _depth + 1) for v in value.ravel()[:_MAX_ITEMS])
    if isinstance(value, types.FunctionType):
        return _code_uses_placeholder(value.__code__)
    return False


def _code_uses_placeholder(code: types.CodeType) -> bool:
    if "____" in code.co_names:
        return True
    return any(isinstance(c, types.CodeType) and _code_uses_placeholder(c) for c in code.co_consts)
