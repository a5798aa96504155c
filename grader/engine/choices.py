"""Multiple choice, single answer or "choose all that apply", with one forgiving reader.

Students type an option as ``'b'``, ``'B'``, ``'(b)'``, ``'b.'``, ``'b)'``, ``' b '`` or
``'option b'``; several as ``'a, c'``, ``'ac'``, ``['a', 'c']`` or ``{'a', 'c'}``. All read the same.
"""
from __future__ import annotations

import re

from .feedback import Outcome
from .base import Incorrect, Question, student_value
from .values import describe

_STRIP = " \t\n'\"()[]{}.:;!"


def _one_key(text: str, keys: dict):
    """The option key a piece of text names, or None."""
    cleaned = text.strip().strip(_STRIP).strip()
    cleaned = re.sub(r"^(option|answer|choice)\s+", "", cleaned, flags=re.I).strip(_STRIP)
    for key in keys:
        if str(key).lower() == cleaned.lower():
            return key
    return None


def read_choices(got, keys: dict, many: bool, var: str = "answer"):
    """The set of keys the student chose; raises Incorrect with what to type when unreadable."""
    example = next(iter(keys))
    letters = all(isinstance(k, str) and len(k) == 1 for k in keys)
    listed = ", ".join(repr(k) for k in keys)
    form = f"one of {listed}" + (f" (a letter in quotes, e.g. `{example!r}`)" if letters else " (in quotes)")
    if many:
        form = (f"the letters of every right option, e.g. `{', '.join(repr(k) for k in list(keys)[:2])}` "
                f"as a string `'{''.join(str(k) for k in list(keys)[:2])}'` or a list")
    if type(got) is str:
        key = _one_key(got, keys)
        if key is not None:
            return {key}
        parts = [p for p in re.split(r"[\s,;/&+]+|\band\b", got) if p.strip(_STRIP)]
        if len(parts) == 1 and letters and all(len(str(k)) == 1 for k in keys):
            parts = list(parts[0].strip(_STRIP))            # 'ac'
        chosen = [_one_key(p, keys) for p in parts]
        if parts and None not in chosen:
            if len(chosen) > 1 and not many:
                raise Incorrect(f"pick one option: you gave {len(chosen)} ({', '.join(map(str, chosen))}).")
            return set(chosen)
        raise Incorrect(f"`{got}` is not one of the options: `{var}` should be {form}.")
    if type(got) in (list, tuple, set, frozenset):
        if not many:
            raise Incorrect(f"`{var}` should be one option, {form}, not {describe(got)}.")
        chosen = set()
        for item in got:
            key = _one_key(item, keys) if type(item) is str else (item if item in keys else None)
            if key is None:
                raise Incorrect(f"{item!r} is not one of the options: `{var}` should list {form}.")
            chosen.add(key)
        return chosen
    if type(got) is int and not isinstance(got, bool):
        if got in keys:
            return {got}
        if letters:
            raise Incorrect(f"you gave the number {got}; the options are letters: `{var}` should be {form}.")
    raise Incorrect(f"`{var}` should be {form}; it is {describe(got)}.")


class ChoiceQuestion(Question):
    """The student sets a variable to an option's key; ``answer`` is a key, or a set of keys for
    "choose all that apply". ``why_not`` says why a wrong option is wrong (shown when chosen)."""

    def __init__(self, var: str, answer, options: dict, *, why_not: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.var, self.options, self.why_not = var, dict(options), dict(why_not or {})
        self.many = isinstance(answer, (set, frozenset, list, tuple))
        self.answer = set(answer) if self.many else answer

    def _evaluate(self) -> Outcome:
        chosen = read_choices(student_value(self.var), self.options, self.many, self.var)
        right = self.answer if self.many else {self.answer}
        if chosen == right:
            return self._correct()
        wrong = sorted(chosen - right, key=str)
        if wrong:
            key = wrong[0]
            why = self.why_not.get(key, f"{key!r} is not the best answer. Reread option {key!r}.")
            more = f" (and {len(wrong) - 1} more wrong choice{'s' if len(wrong) > 2 else ''})" if len(wrong) > 1 else ""
            raise Incorrect(f"{key!r} is not right{more}: {why}" if self.many else why)
        missing = len(right - chosen)
        raise Incorrect(f"what you chose is right, but {missing} more option{'s are' if missing > 1 else ' is'} "
                        "right too: choose all that apply.")
