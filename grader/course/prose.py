"""Numbers glued into the book's prose, formatted to read as prose.

myst-nb's ``{glue:}`` role shows a value's text representation, so a glued Python string
appears in quotes ('48%'). Glue through :func:`glue` instead: values become :class:`Prose`,
text whose representation is the text itself.

    from grader.course.prose import glue, integer, percent, decimal
    glue("n_params", integer(63182))         # 63,182
    glue("accuracy", percent(0.4817))        # 48%
    glue("loss", decimal(0.12345, 3))        # 0.123
    glue("shape_name", "star")               # star
"""
from __future__ import annotations

import numbers


class Prose(str):
    """A string that displays as itself (no quotes) in IPython and in glued prose."""

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str.__str__(self))


def integer(value) -> Prose:
    """A whole number with thousands separators: 3453121 -> '3,453,121'."""
    return Prose(f"{int(round(float(value))):,}")


def percent(fraction, digits: int = 0) -> Prose:
    """A fraction as a percentage: 0.4817 -> '48%' (digits=1: '48.2%')."""
    return Prose(f"{float(fraction) * 100:.{digits}f}%")


def decimal(value, digits: int = 2) -> Prose:
    """A float to a stated precision, with thousands separators: 1234.5678 -> '1,234.57'."""
    return Prose(f"{float(value):,.{digits}f}")


def text(value) -> Prose:
    return Prose(str(value))


def as_prose(value) -> Prose:
    """What glue does with a value that was not formatted by one of the helpers above."""
    if isinstance(value, Prose):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return text(value)
    if isinstance(value, numbers.Integral) or float(value).is_integer() and abs(float(value)) >= 1:
        return integer(value)
    raise TypeError(f"say how to show {value!r} in prose: percent(...), decimal(..., digits) or integer(...)")


def glue(name: str, value) -> Prose:
    """Glue ``value`` for ``{glue:}`name``` in the page's prose, without displaying it here.

    Outside the book (a lesson's notebook copy on Colab or Binder, where myst-nb is not
    installed) there is nothing to glue into: the formatted value is only returned."""
    prose = as_prose(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return prose
    myst_glue(name, prose, display=False)
    return prose
