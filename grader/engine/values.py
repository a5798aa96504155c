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


def is_tensor_shape(value) -> bool:
    """A TensorFlow/Keras ``TensorShape`` (recognised by name, TensorFlow is never imported)."""
    return type(value).__name__ == "TensorShape" and _module_of(value).startswith(("tensorflow", "keras"))


def shape_items(value):
    """A shape given in any form (tuple, list, TensorShape, 1-D int array or tensor) as a tuple of ints and
    ``None`` for unknown sizes; None when the value is not a shape."""
    try:
        if is_tensor_shape(value):
            dims = value.as_list() if getattr(value, "rank", None) is not None else None
            return None if dims is None else tuple(None if d is None else int(d) for d in dims)
        if type(value) in (list, tuple):
            items = []
            for v in value:
                if v is None:
                    items.append(None)
                elif (type(v) is int or isinstance(v, np.integer)) and not isinstance(v, bool):
                    items.append(int(v))
                elif type(v) is float and v.is_integer():
                    items.append(v)          # kept as a float: the check says it should be a whole number
                else:
                    return None
            return tuple(items)
        arr = to_array(value)
        if arr is not None and arr.ndim == 1 and np.issubdtype(arr.dtype, np.integer):
            return tuple(int(v) for v in arr)
    except Exception:
        return None
    return None


def to_array(value) -> np.ndarray | None:
    """A numeric numpy array for the value, or None when it is not numeric data.

    A fully known ``TensorShape`` counts as its tuple of sizes, so every question accepts it where
    a tuple is right."""
    try:
        if is_tensor_shape(value):
            dims = shape_items(value)
            if dims is None or any(d is None for d in dims):
                return None
            arr = np.asarray(dims, dtype=np.int64)
        elif is_tensor(value):
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
    if is_tensor_shape(value):
        return f"the TensorShape `{show_value(value)}`"
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
        if is_tensor_shape(value):
            dims = shape_items(value)
            return "unknown" if dims is None else repr(dims)
        arr = to_array(value)
        if arr is not None and (arr.ndim > 2 or (arr.ndim == 2 and arr.size > 36)):  # too big to read: one line
            flat = arr.ravel()
            ends = lambda part: np.array2string(part, precision=4, separator=", ")[1:-1]  # noqa: E731
            return f"<array of shape {arr.shape}: {ends(flat[:3])}, …, {ends(flat[-3:])}>"
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
