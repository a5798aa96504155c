"""Connects the checks to the student's notebook namespace.

Checks read the student's variables by name at the moment ``check()`` runs, so a
student can fix a cell, re-run it and check again without re-importing anything.
"""
from __future__ import annotations

_namespace: dict | None = None


def bind(namespace: dict) -> None:
    """Call once, in the notebook's set-up cell, as ``binder.bind(globals())``."""
    global _namespace
    if not isinstance(namespace, dict):
        raise TypeError("bind() expects the notebook's globals(): binder.bind(globals())")
    _namespace = namespace


def is_bound() -> bool:
    return _namespace is not None


class Missing:
    """Marks a name the student has not defined (distinct from a value of None)."""

    def __repr__(self) -> str:
        return "<undefined>"


MISSING = Missing()


def lookup(name: str):
    """The student's value for ``name``, or MISSING when it is not defined."""
    if _namespace is None:
        return MISSING
    return _namespace.get(name, MISSING)
