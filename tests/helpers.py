"""Assertions shared by the chapter tests."""
from grader.engine.feedback import INCORRECT


def assert_mistake_named(question, answer, says, student, var=None):
    """The student's ``answer`` is marked incorrect with a message containing ``says``."""
    student[var or question.var] = answer
    outcome = question.evaluate()
    assert outcome.status == INCORRECT, outcome.text()
    assert says in outcome.message, outcome.message
    return outcome


def assert_endless_loop_stopped(question, student, monkeypatch):
    def endless(*args, **kwargs):
        while True:
            pass
    monkeypatch.setattr(question, "time_limit", 0.5)
    student[question.var] = endless
    assert "did not finish" in question.evaluate().message
