"""Unit tests of the feedback engine: question kinds, placeholders, never-raise, rendering."""
import numpy as np
import pytest

from grader import binder
from grader.engine.feedback import CORRECT, INCORRECT, NOT_ATTEMPTED, Outcome, show
from grader.engine.placeholder import ____, contains_placeholder
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ObjectQuestion,
                              ThoughtQuestion, ValueQuestion, case, label_questions)


def value_q(**kw):
    return ValueQuestion("answer", lambda: np.array([1.0, 2.0, 3.0]), **kw)


# ---- value questions -------------------------------------------------------------
@pytest.mark.parametrize("given", [np.array([1, 2, 3]), [1, 2, 3], (1.0, 2.0, 3.0000001), np.float32([1, 2, 3])])
def test_value_accepts_equal_numbers_in_any_container(student, given):
    student["answer"] = given
    assert value_q().evaluate().status == CORRECT


def test_value_tolerance_is_configurable(student):
    student["answer"] = [1.0, 2.0, 3.01]
    assert value_q().evaluate().status == INCORRECT
    assert value_q(atol=0.1).evaluate().status == CORRECT


def test_value_reports_shape_and_first_wrong_index(student):
    student["answer"] = [1, 2]
    assert "shape (2,)" in value_q().evaluate().message
    student["answer"] = [1, 5, 7]
    message = value_q().evaluate().message
    assert "2 of 3 values of `answer` are wrong" in message and "index 1" in message and "you have 5" in message


def test_value_names_a_recognised_mistake(student):
    student["answer"] = [3, 2, 1]
    q = value_q(mistakes=[Mistake("reversed!", value=[3, 2, 1])])
    assert q.evaluate().message == "reversed!"


def test_value_kind_int_rejects_floats_with_the_reason(student):
    student["n"] = 6.0
    outcome = ValueQuestion("n", 6, kind="int").evaluate()
    assert outcome.status == INCORRECT and "`//`" in outcome.message
    student["n"] = np.int64(6)
    assert ValueQuestion("n", 6, kind="int").evaluate().status == CORRECT


def test_value_kind_array_names_a_list(student):
    student["answer"] = [1, 2, 3]
    outcome = value_q(kind="array").evaluate()
    assert outcome.status == INCORRECT and "np.array" in outcome.message


def test_tensorflow_tensors_are_compared_by_value(student):
    tf = pytest.importorskip("tensorflow")
    student["answer"] = tf.constant([1.0, 2.0, 3.0])
    assert value_q().evaluate().status == CORRECT
    student["answer"] = tf.constant([1.0, 2.0, 4.0])  # elementwise == must not confuse the check
    assert value_q().evaluate().status == INCORRECT


# ---- not attempted ----------------------------------------------------------------
def test_undefined_name_is_not_attempted(student):
    outcome = value_q().evaluate()
    assert outcome.status == NOT_ATTEMPTED and "not defined" in outcome.message


@pytest.mark.parametrize("expression", [
    lambda: ____, lambda: ____ + 1, lambda: 2 * ____ - 1, lambda: ____.shape, lambda: ____(3)[0],
    lambda: [1, ____, 3], lambda: np.array([1, ____]), lambda: {"k": ____}, lambda: -____ // 2,
])
def test_placeholder_anywhere_is_not_attempted(student, expression):
    student["answer"] = expression()
    assert value_q().evaluate().status == NOT_ATTEMPTED


def test_function_using_placeholder_is_not_attempted(student):
    def f(x):
        def inner():
            return ____
        return inner()
    assert contains_placeholder(f)
    student["f"] = f
    q = FunctionQuestion("f", lambda x: x, [case(1)], returns="any")
    assert q.evaluate().status == NOT_ATTEMPTED


def test_unbound_notebook_says_to_run_the_setup_cell():
    binder._namespace = None
    outcome = value_q().evaluate()
    assert outcome.status == NOT_ATTEMPTED and "binder.bind(globals())" in outcome.message


# ---- never raise --------------------------------------------------------------------
class Hostile:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        raise RuntimeError("no truth for you")

    def __repr__(self):
        raise RuntimeError("no repr")

    def __len__(self):
        raise RuntimeError("no len")

    def __array__(self, *args, **kwargs):
        return np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize("given", [Hostile(), "1, 2, 3", None, {"a": 1}, object(), np.array(["1", "2", "3"]),
                                   np.array([1, 2, 3], dtype=object), [[1, 2], [3]], float("nan"), b"abc"])
def test_odd_values_are_incorrect_with_a_message_never_an_exception(student, given):
    student["answer"] = given
    outcome = value_q().evaluate()
    assert outcome.status == INCORRECT and outcome.message


def test_hostile_eq_cannot_fake_a_pass_in_any_kind(student):
    student["answer"] = student["f"] = student["k"] = student["choice"] = Hostile()
    assert value_q().evaluate().status == INCORRECT
    assert FunctionQuestion("f", lambda x: x, [case(1)]).evaluate().status == INCORRECT
    assert ObjectQuestion("k", [lambda k: None if np.asarray(k).sum() == 6 else "no"]).evaluate().status in (
        CORRECT, INCORRECT)  # __array__ is honest data here; what matters is no exception
    assert ChoiceQuestion("choice", "a", {"a": "A", "b": "B"}).evaluate().status == INCORRECT


def test_student_function_exceptions_become_messages_with_the_line(student):
    def f(x):
        return x[10]
    student["f"] = f
    outcome = FunctionQuestion("f", lambda x: x, [case([1, 2])], returns="any").evaluate()
    assert outcome.status == INCORRECT
    assert "IndexError" in outcome.message and "return x[10]" in outcome.message


def test_endless_student_function_is_stopped(student):
    def f(x):
        while True:
            pass
    student["f"] = f
    outcome = FunctionQuestion("f", lambda x: x, [case(1)], returns="any", time_limit=0.3).evaluate()
    assert outcome.status == INCORRECT and "did not finish" in outcome.message


def test_object_check_that_raises_on_student_object_is_reported(student):
    student["k"] = 5
    outcome = ObjectQuestion("k", [lambda k: k.shape]).evaluate()
    assert outcome.status == INCORRECT and "AttributeError" in outcome.message


# ---- function questions ------------------------------------------------------------
def test_function_reports_smallest_failing_input_with_expected_and_got(student):
    student["double"] = lambda x: np.asarray(x) * 2 if len(x) < 3 else np.asarray(x) * 3
    q = FunctionQuestion("double", lambda x: np.asarray(x) * 2,
                         [case([1, 2, 3, 4, 5]), case([1, 2, 3]), case([1])])
    message = q.evaluate().message
    assert "double(x=[1, 2, 3])" in message
    assert "expected: [2, 4, 6]" in message and "got:      [3, 6, 9]" in message


def test_function_names_the_mistake_implementation(student):
    student["double"] = lambda x: np.asarray(x) + 2
    q = FunctionQuestion("double", lambda x: np.asarray(x) * 2, [case([1, 2])],
                         mistakes=[Mistake("you added instead of multiplying", impl=lambda x: np.asarray(x) + 2)])
    assert q.evaluate().message.startswith("you added instead of multiplying")


def test_student_cannot_mutate_the_reference_inputs(student):
    data = np.array([1.0, 2.0])

    def sneaky(x):
        x[:] = 0
        return x
    student["f"] = sneaky
    q = FunctionQuestion("f", lambda x: np.asarray(x) * 1, [case(data)])
    q.evaluate()
    assert data.tolist() == [1.0, 2.0]


def test_assert_passes_on_extra_cases(student):
    student["f"] = lambda x: np.asarray(x) if len(x) < 4 else np.zeros(len(x))
    q = FunctionQuestion("f", lambda x: np.asarray(x), [case([1, 2])])
    q.assert_check_passed()
    with pytest.raises(AssertionError, match="smallest failing input"):
        q.assert_passes_on([case([1, 2, 3, 4])])


# ---- choice, thought, multipart, hints, solutions ---------------------------------
def test_choice_explains_the_wrong_option_and_normalises_input(student):
    q = ChoiceQuestion("choice", "b", {"a": "A", "b": "B"}, why_not={"a": "A is the flip"})
    student["choice"] = " B "
    assert q.evaluate().status == CORRECT
    student["choice"] = "a"
    assert q.evaluate().message == "A is the flip"
    student["choice"] = "z"
    assert "one of 'a', 'b'" in q.evaluate().message


def test_multipart_summarises_each_part(student):
    ns = {"q_3": MultipartQuestion(a=ValueQuestion("a", 1), b=ValueQuestion("b", 2))}
    label_questions(ns)
    q = ns["q_3"]
    assert q.a.title == "Question 3a" and q.a.name == "q_3.a"
    assert q.evaluate().status == NOT_ATTEMPTED
    student["a"] = 1
    outcome = q.evaluate()
    assert outcome.status == INCORRECT and "(a) ✓ Correct" in outcome.message and "(b) ○" in outcome.message
    student["b"] = 2
    assert q.evaluate().status == CORRECT


def test_hints_are_tiered_and_point_to_the_next(student, capsys):
    ns = {"q_1": value_q(hints=["first", "second"])}
    label_questions(ns)
    ns["q_1"].hint()
    out = capsys.readouterr().out
    assert "first" in out and "q_1.hint(2)" in out
    ns["q_1"].hint(5)
    assert "second" in capsys.readouterr().out


def test_thought_question_is_not_graded(student):
    assert ThoughtQuestion(solution="think").evaluate().status == "info"


def test_assert_check_passed_raises_with_the_same_message(student):
    student["answer"] = [9, 9, 9]
    q = value_q()
    with pytest.raises(AssertionError) as err:
        q.assert_check_passed()
    assert str(err.value) == q.evaluate().text()


# ---- rendering --------------------------------------------------------------------
def test_html_escapes_student_text_and_keeps_icon_and_word():
    outcome = Outcome(INCORRECT, "got `<script>alert(1)</script>` & more", "Question 1")
    html = outcome.html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "✗ Incorrect" in html and "#cf222e" in html and "<code>" in html


def test_plain_text_outside_jupyter(capsys):
    show(Outcome(CORRECT, "well done", "Question 2"))
    assert capsys.readouterr().out.strip() == "✓ Correct — Question 2: well done"


def test_core_does_not_import_tensorflow():
    import subprocess
    import sys
    code = ("import sys, grader, grader.engine.questions, grader.engine.feedback, grader.engine.values, grader.binder;"
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_html_marks_up_emphasis_but_not_inside_code():
    html = Outcome(INCORRECT, "detects *falling* edges; `a * b * c` stays").html()
    assert "<em>falling</em>" in html and "<code>a * b * c</code>" in html
