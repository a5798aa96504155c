"""Every question kind, from one place: ``from grader.engine.questions import ValueQuestion, …``.

A question's ``evaluate()`` returns an Outcome and never raises; ``check()`` shows it;
``assert_check_passed()`` raises AssertionError with the same text, and
``assert_hidden_tests_pass()`` — the one verb of every nbgrader hidden test — also runs the
hidden part the question declares. Chapter files declare questions with these kinds and their
options; they do not subclass ``Question``.
"""
from .base import (Incorrect, Mistake, MultipartQuestion, NotAttempted, ObjectQuestion, Question, ThoughtQuestion,
                   ValueQuestion, array_slip, label_questions, numeric_slip, outcome_of, safe_text, student_value)
from .choices import ChoiceQuestion
from .functions import Case, FunctionQuestion, case, case_from
from .shapes import ShapeQuestion

__all__ = ["Incorrect", "NotAttempted", "Mistake", "Question", "ValueQuestion", "ShapeQuestion", "ObjectQuestion",
           "FunctionQuestion", "Case", "case", "case_from", "ChoiceQuestion", "ThoughtQuestion", "MultipartQuestion",
           "label_questions", "student_value", "outcome_of", "numeric_slip", "array_slip", "safe_text"]
