"""Shape questions: a tuple, list, TensorShape or array of sizes, read the same way everywhere.

Beyond the chapter's own mistakes, any shape answer gets the diagnoses shapes invite: a
leading batch axis (``None`` or 1) the task did not ask for, channels first instead of last,
the right sizes in the wrong order, sizes that are not whole numbers, and the form (a string,
a float) when the value itself is right.
"""
from __future__ import annotations

from .feedback import Outcome
from .base import Incorrect, Question, student_value
from .values import describe, shape_items


def _show(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class ShapeQuestion(Question):
    """``var`` must be the shape ``expected`` (a tuple; ``None`` for an unknown batch size).

    ``axes`` names the axes for messages, e.g. ``("height", "width", "channels")``;
    ``mistakes`` maps wrong shapes (tuples) to what they say about the student's reasoning.
    """

    def __init__(self, var: str, expected, *, axes=None, mistakes=None, **kwargs):
        super().__init__(**kwargs)
        self.var, self._expected, self.axes = var, expected, tuple(axes) if axes else None
        if isinstance(mistakes, dict):
            self.mistakes = {tuple(k): v for k, v in mistakes.items()}
        else:      # a list of Mistake(says, value=shape)
            self.mistakes = {tuple(m.value): m.says for m in (mistakes or ()) if m.value is not None}

    def expected(self) -> tuple:
        value = self._expected() if callable(self._expected) else self._expected
        return tuple(value)

    def _evaluate(self) -> Outcome:
        got = student_value(self.var)
        want = self.expected()
        if type(got) is str:
            raise Incorrect(f"`{self.var}` is a string; it should be a shape, a tuple of whole numbers such as "
                            f"`{_show(tuple(3 for _ in want))}`, without quotes.")
        if (type(got) is int or type(got).__module__ == "numpy" and hasattr(got, "dtype")
                and getattr(got, "ndim", 1) == 0):
            if len(want) != 1:
                raise Incorrect(f"`{self.var}` is a single number; a shape has one number per axis: write a tuple "
                                f"such as `{_show(tuple(3 for _ in want))}`.")
            got = (int(got),)
        shape = shape_items(got)
        if shape is None:
            raise Incorrect(f"`{self.var}` should be a shape, a tuple of whole numbers such as "
                            f"`{_show(tuple(3 for _ in want))}`, but it is {describe(got)}.")
        if any(type(d) is float for d in shape):
            rounded = tuple(None if d is None else int(d) for d in shape)
            if rounded == want:
                raise Incorrect(f"the sizes are right, but some are floats ({_show(shape)}), not whole numbers: "
                                "a shape counts positions. Use `//` instead of `/`, or `int(...)`.")
            shape = rounded
        if shape == want:
            return self._correct()
        if shape in self.mistakes:
            raise Incorrect(self.mistakes[shape])
        message = self._diagnose(shape, want)
        if message is None and None in shape and None not in want:
            message = f"`{self.var} = {_show(shape)}` has `None` in it: every axis here has a known length."
        raise Incorrect(message or f"`{self.var} = {_show(shape)}` is not the answer.")

    def _axis(self, i: int) -> str:
        return f"axis {i} ({self.axes[i]})" if self.axes and i < len(self.axes) else f"axis {i}"

    def _diagnose(self, shape: tuple, want: tuple) -> str:
        got = f"`{self.var} = {_show(shape)}`"
        if len(shape) == len(want) + 1 and shape[1:] == want and shape[0] in (None, 1):
            lead = "None" if shape[0] is None else "1"
            return (f"{got} has a batch axis in front; the task asks for the shape of one example, without the "
                    f"batch axis. Drop the leading `{lead}`.")
        if len(shape) + 1 == len(want) and want[0] in (None, 1) and want[1:] == shape:
            return (f"{got} is missing the leading batch axis: Keras adds it in front, as `None` "
                    "(any number of examples).")
        if len(shape) == len(want) and len(want) >= 3:
            batch = 1 if want[0] is None else 0
            body_w, body_g = want[batch:], shape[batch:]
            if body_g == (body_w[-1],) + body_w[:-1]:
                return (f"{got} puts the channels first; Keras (and this course) put channels last: "
                        "(height, width, channels).")
        if len(shape) != len(want):
            names = f" ({', '.join(self.axes)})" if self.axes and len(self.axes) == len(want) else ""
            return f"{got} has {len(shape)} axes; the answer has {len(want)}{names}."
        if sorted(shape, key=str) == sorted(want, key=str):
            return f"{got} has the right sizes in the wrong order: check which axis is which."
        wrong = [i for i, (g, w) in enumerate(zip(shape, want)) if g != w]
        if len(wrong) == 1:
            i = wrong[0]
            return f"{got}: {self._axis(i)} is wrong (you have {shape[i]}); the other axes are right."
        return f"{got}: {', '.join(self._axis(i) for i in wrong)} are wrong; recompute each."
