"""Feedback on answers as students type them (tests/chapters/corpus_basics.py), chapters 1-6: no
right answer refused, no wrong answer accepted, and at least 9 of 10 wrong answers get a message
that names the mistake rather than a generic fall-back."""
import importlib
import re

import numpy as np
import pytest
from scipy import signal

from corpus_basics import CORPUS
from grader import binder
from grader.engine.feedback import CORRECT, INCORRECT

# What the engine says when it has no name for the mistake (it still says what differs).
GENERIC = [r"is not the answer, and it is not one of the usual slips", r"values of `\w+` are wrong",
           r"wrong result on the smallest failing input(?![\s\S]*\nHere )", r"is not the best answer",
           r"is not the answer\.$"]


def is_generic(message: str) -> bool:
    return any(re.search(p, message) for p in GENERIC)


def answer(chapter: str, question: str, code: str):
    namespace: dict = {}
    binder.bind(namespace)
    exec(f"from grader.checks.{chapter} import *", namespace)
    namespace.update(np=np, signal=signal)
    if "tf." in code or "keras" in code:
        import keras
        import tensorflow as tf
        namespace.update(tf=tf, keras=keras)
    exec(code, namespace)
    q = importlib.import_module(f"grader.checks.{chapter}")
    for part in question.split("."):
        q = getattr(q, part)
    return q.evaluate()


ENTRIES = [pytest.param(ch, q, code, verdict, says, id=f"{ch[:4]}-{q}-{i}")
           for ch, rows in CORPUS.items() for i, (q, code, verdict, says) in enumerate(rows)]


@pytest.mark.parametrize("chapter, question, code, verdict, says", ENTRIES)
def test_student_answer_gets_the_right_verdict(chapter, question, code, verdict, says):
    outcome = answer(chapter, question, code)
    if verdict == "right":
        assert outcome.status == CORRECT, outcome.text()
        return
    assert outcome.status == INCORRECT, outcome.text()
    assert says.lower() in outcome.message.lower(), outcome.message
    assert len(outcome.message.splitlines()) <= 12, outcome.message


@pytest.mark.parametrize("chapter", sorted(CORPUS))
def test_nine_of_ten_wrong_answers_are_named(chapter):
    wrong = [(q, code) for q, code, verdict, _ in CORPUS[chapter] if verdict == "wrong"]
    generic = [(q, answer(chapter, q, code).message) for q, code in wrong]
    generic = [(q, m) for q, m in generic if is_generic(m)]
    share = 1 - len(generic) / len(wrong)
    print(f"{chapter}: {len(wrong) - len(generic)} of {len(wrong)} wrong answers named ({share:.0%})")
    assert share >= 0.9, generic
