"""The Keras chapters' corpus (corpus_keras.py): every realistic answer gets its verdict, and at least
9 of 10 wrong answers per chapter get a specific diagnosis (not a generic 'wrong result')."""
import importlib
import os
import warnings

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from corpus_keras import CORPUS, GENERIC, RIGHT  # noqa: E402
from grader import binder  # noqa: E402
from grader.checks import solution_namespace  # noqa: E402
from grader.engine.feedback import CORRECT, INCORRECT  # noqa: E402


def question_of(module, path):
    obj = module
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def run(module, path, code):
    namespace = solution_namespace(module, code + "\ntf.constant(0)\n")
    binder.bind(namespace)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            keras.utils.set_random_seed(0)
            exec(code, namespace)      # an answer that raises in the student's own cell is not a check's business
            return question_of(module, path).evaluate()
    finally:
        binder._namespace = None


def is_specific(message: str) -> bool:
    return not any(g in message for g in GENERIC) or "Here " in message


def judge_chapter(chapter):
    module = importlib.import_module(f"grader.checks.{chapter}")
    problems, wrong, specific = [], 0, 0
    for path, code, verdict, *phrase in CORPUS[chapter]:
        outcome = run(module, path, code)
        want = CORRECT if verdict == RIGHT else INCORRECT
        first = code.splitlines()[0][:70]
        if outcome.status != want:
            problems.append(f"{path} `{first}`: {outcome.status} ({outcome.message[:200]})")
            continue
        if want == INCORRECT:
            wrong += 1
            specific += is_specific(outcome.message)
            if phrase and phrase[0] not in outcome.message:
                problems.append(f"{path} `{first}`: message lacks {phrase[0]!r}: {outcome.message[:300]}")
            if outcome.message.count("\n") > 11:
                problems.append(f"{path} `{first}`: message longer than 12 lines")
    return problems, wrong, specific


@pytest.mark.parametrize("chapter", sorted(CORPUS))
def test_corpus_verdicts_and_specific_diagnoses(chapter, capsys):
    problems, wrong, specific = judge_chapter(chapter)
    with capsys.disabled():
        print(f"\n{chapter}: {specific} of {wrong} wrong answers get a specific diagnosis "
              f"({specific / max(wrong, 1):.0%}); {len(CORPUS[chapter]) - wrong} right answers")
    assert not problems, "\n".join(problems)
    assert specific >= 0.9 * wrong
