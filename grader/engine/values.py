"""Safe handling of student values: describe them, turn them into numpy arrays, compare.

Nothing here calls a student object's own ``__eq__``, ``__bool__`` or ``__repr__``
unguarded: only known types (Python numbers, sequences of them, numpy arrays and
scalars, TensorFlow/Keras tensors) become numbers; anything else is described by its
type name. TensorFlow is recognised by module name, never imported.
"""
from __future__ import annotations

import reprlib

import numpy as np

_NUMBER_TYPES = (bool, int, float, complex)


def _module_of(value) -> str:
    return getattr(type(value), "__module__", "") or ""


def is_tensor(value) -> bool:
    mod = _module_of(value)
    return mod.startswith(("tensorflow", "keras", "tf_keras")) and hasattr(type(value), "numpy")


def _plain_numbers(value, depth: int = 0) -> bool:
    """True for a Python number or a (nested) list/tuple of numbers and numpy values."""
    if depth > 32:
        return False
    if type(value) in _NUMBER_TYPES or isinstance(value, np.generic):
        return True
    if type(value) in (list, tuple):
        return all(_plain_numbers(v, depth + 1) for v in value)
    if type(value) is np.ndarray:
        return value.dtype != object
    return False


def to_array(value) -> np.ndarray | None:
    """A numeric numpy array for the value, or None when it is not numeric data."""
    try:
        if is_tensor(value):
            arr = np.asarray(value.numpy())
        elif isinstance(value, np.ndarray):
            arr = np.array(value, copy=True).view(np.ndarray)
        elif _plain_numbers(value):
            arr = np.asarray(value)
        else:
            return None
    except Exception:
        return None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        return None
    return arr


def type_name(value) -> str:
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ not in ("builtins", None) else t.__qualname__


def describe(value) -> str:
    """A short phrase naming what the student gave, e.g. 'a list of 5 numbers'."""
    if value is None:
        return "`None`"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
    if is_tensor(value):
        shape = getattr(value, "shape", None)
        try:
            shape = tuple(shape)
        except Exception:
            pass
        return f"a TensorFlow tensor of shape {shape}"
    if type(value) in (list, tuple):
        kind = type(value).__name__
        return f"a {kind} of {len(value)} item{'s' if len(value) != 1 else ''}"
    if type(value) in _NUMBER_TYPES or isinstance(value, np.generic):
        return f"the {type(value).__name__} `{show_value(value)}`"
    if type(value) is str:
        return f"the string `{show_value(value)}`"
    return f"an object of type `{type_name(value)}`"


_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 12


def show_value(value) -> str:
    """A compact, exception-proof rendering of a value for messages."""
    try:
        arr = to_array(value)
        if arr is not None and arr.ndim > 0:
            return np.array2string(arr, precision=4, separator=", ", threshold=24, max_line_width=100)
        if arr is not None:
            return repr(arr.item())
        if type(value) in (str, list, tuple, dict, type(None)):
            return _short.repr(value)
    except Exception:
        pass
    return f"<{type_name(value)} object>"


def same_values(got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """Same shape and numerically equal within tolerance."""
    if got.shape != expected.shape:
        return False
    try:
        return bool(np.allclose(got.astype(np.complex128), expected.astype(np.complex128), rtol=rtol, atol=atol))
    except Exception:
        return False


def first_difference(got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6, atol: float = 1e-8):
    """(index, count) of the first value that differs, for arrays of equal shape."""
    close = np.isclose(got.astype(np.complex128), expected.astype(np.complex128), rtol=rtol, atol=atol)
    wrong = np.argwhere(~close)
    if len(wrong) == 0:
        return None, 0
    index = tuple(int(i) for i in wrong[0])
    return (index[0] if len(index) == 1 else index), len(wrong)


def loaded_object(path: str):
    """``"keras.layers.Conv2D"`` -> that object if its library is already imported, else None.

    Lets checks recognise TensorFlow/Keras objects without importing those libraries.
    """
    import sys
    root, *attrs = path.split(".")
    obj = sys.modules.get(root)
    try:
        for attr in attrs:
            obj = getattr(obj, attr) if obj is not None else None
    except Exception:
        return None
    return obj
