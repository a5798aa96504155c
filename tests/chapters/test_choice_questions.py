"""The choice questions of every chapter (several were "think about it" questions): the right
letters are accepted in every form students type, each wrong option is named, a missing one is
asked for, and a number or a word where letters are expected gets a clear message."""
import importlib

import pytest

from grader.engine.choices import ChoiceQuestion
from grader.engine.feedback import CORRECT, INCORRECT
from grader.authoring.notebooks import chapters


def choice_questions():
    found = []
    for chapter in chapters():
        module = importlib.import_module(f"grader.checks.{chapter}")
        for name in module.__all__:
            q = getattr(module, name, None)
            parts = getattr(q, "parts", {}) or {}
            for question in [q, *parts.values()]:
                if isinstance(question, ChoiceQuestion):
                    found.append(pytest.param(question, id=f"{chapter}-{question.name}"))
    return found


QUESTIONS = choice_questions()


def forms(answer, many):
    keys = sorted(answer, key=str) if many else [answer]
    if not all(isinstance(k, str) for k in keys):
        return [keys[0]] if not many else [keys]
    joined = "".join(keys)
    out = [joined, joined.upper(), f" {joined} ", f"({keys[0]})" if not many else ", ".join(keys)]
    if many:
        out += [list(reversed(keys)), set(keys), " and ".join(keys)]
    else:
        out += [f"{keys[0]}.", f"{keys[0]})", f"option {keys[0]}"]
    return out


@pytest.mark.parametrize("question", QUESTIONS)
def test_right_answer_accepted_in_every_form(question, student):
    for given in forms(question.answer, question.many):
        student[question.var] = given
        outcome = question.evaluate()
        assert outcome.status == CORRECT, (given, outcome.text())


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_wrong_option_is_named(question, student):
    right = question.answer if question.many else {question.answer}
    for key in question.options:
        if key in right:
            continue
        student[question.var] = [*right, key] if question.many else key
        outcome = question.evaluate()
        assert outcome.status == INCORRECT
        if key in question.why_not:
            assert question.why_not[key] in outcome.message


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.values[0].many])
def test_a_missing_right_option_is_asked_for(question, student):
    right = sorted(question.answer, key=str)
    student[question.var] = right[:-1] if len(right) > 1 else []
    outcome = question.evaluate()
    assert outcome.status == INCORRECT
    assert "choose all that apply" in outcome.message or "one of" in outcome.message


@pytest.mark.parametrize("question", [q for q in QUESTIONS
                                      if all(isinstance(k, str) and len(k) == 1 for k in q.values[0].options)])
def test_a_number_where_a_letter_is_expected_is_explained(question, student):
    student[question.var] = 2
    outcome = question.evaluate()
    assert outcome.status == INCORRECT and "letters" in outcome.message
