"""For every question of every chapter: the reference solution is correct, the untouched
placeholder reads 'not attempted', hints and a solution exist. Chapter test files add the
named mistakes."""
import importlib

import pytest

from grader.engine.feedback import CORRECT, NOT_ATTEMPTED
from grader.checks import solution_namespace
from grader.authoring.notebooks import chapters
from grader.engine.placeholder import ____
from grader.engine.questions import MultipartQuestion, Question, ThoughtQuestion


def all_questions():
    for chapter in chapters():
        module = importlib.import_module(f"grader.checks.{chapter}")
        for name in module.__all__:
            q = getattr(module, name)
            if isinstance(q, MultipartQuestion):
                yield from ((chapter, module, part) for part in q.parts.values())
            elif isinstance(q, Question):
                yield chapter, module, q


QUESTIONS = list(all_questions())
GRADED = [(c, m, q) for c, m, q in QUESTIONS if not isinstance(q, ThoughtQuestion)]
IDS = [f"{c}-{q.name}" for c, _, q in GRADED]


@pytest.mark.parametrize("chapter, module, question", GRADED, ids=IDS)
def test_reference_solution_is_correct(chapter, module, question, student):
    assert question.solution_code, f"{question.name} has no solution_code"
    student.update(solution_namespace(module, question.solution_code))
    exec(question.solution_code, student)
    outcome = question.evaluate()
    assert outcome.status == CORRECT, outcome.text()


@pytest.mark.parametrize("chapter, module, question", GRADED, ids=IDS)
def test_placeholder_reads_not_attempted(chapter, module, question, student):
    student[question.var] = ____
    assert question.evaluate().status == NOT_ATTEMPTED
    del student[question.var]
    assert question.evaluate().status == NOT_ATTEMPTED


@pytest.mark.parametrize("chapter, module, question", QUESTIONS, ids=[f"{c}-{q.name}" for c, _, q in QUESTIONS])
def test_every_question_has_hints_and_a_solution(chapter, module, question):
    assert question.hints and question.solution_text
    assert question.title.startswith("Question ")
