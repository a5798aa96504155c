"""Engine tests of the options every chapter relies on: equivalent forms accepted, forbidden
functions named, arguments copied and checked for changes on every call, time limits that do not
count imports, shapes, choices, several outputs, hidden tests, hints and progress()."""
import sys

import numpy as np
import pytest

from grader.engine.feedback import CORRECT, INCORRECT, NOT_ATTEMPTED
from grader.engine.progress import progress_of
from grader.engine.questions import (ChoiceQuestion, FunctionQuestion, Mistake, MultipartQuestion, ShapeQuestion,
                                     ValueQuestion, case, label_questions)


def reference_double(x):
    return np.asarray(x, float) * 2


def double_q(**kw):
    return FunctionQuestion("double", reference_double, [case(np.array([1.0, -2.0])), case(np.arange(6.0))], **kw)


# ---- the same answer in any form -----------------------------------------------------
def test_a_tensorshape_a_tuple_a_list_and_an_array_are_the_same_answer(student):
    tf = pytest.importorskip("tensorflow")
    q = ValueQuestion("shape", (4, 4, 8))
    for given in [(4, 4, 8), [4, 4, 8], np.array([4, 4, 8]), tf.TensorShape([4, 4, 8]), tf.constant([4, 4, 8])]:
        student["shape"] = given
        assert q.evaluate().status == CORRECT, given
    s = ShapeQuestion("shape", (4, 4, 8))
    for given in [(4, 4, 8), [4, 4, 8], np.array([4, 4, 8]), tf.TensorShape([4, 4, 8]), (np.int64(4), 4, 8)]:
        student["shape"] = given
        assert s.evaluate().status == CORRECT, given


def test_int_kind_names_floats_strings_and_tensors(student):
    q = ValueQuestion("n", 64, kind="int")
    for given, says in [(64.0, "whole number"), ("64", "without quotes"), (63, "off by one"), (128, "twice"),
                        (64.5, "not a whole number")]:
        student["n"] = given
        outcome = q.evaluate()
        assert outcome.status == INCORRECT and says in outcome.message, (given, outcome.message)


@pytest.mark.parametrize("given, says", [
    ([[1, 3], [2, 4]], "transpose"), ([[-1, -2], [-3, -4]], "negative"), ([[3, 4], [1, 2]], "reverse order"),
    ([[4, 3], [2, 1]], "rotated by 180°"),
    ([[2, 4], [6, 8]], "2 times"), ([[2, 3], [4, 5]], "same amount (+1)"),
])
def test_array_slips_are_named(given, says, student):
    student["a"] = given
    outcome = ValueQuestion("a", np.array([[1, 2], [3, 4]])).evaluate()
    assert outcome.status == INCORRECT and says in outcome.message, outcome.message


def test_a_generic_wrong_array_says_which_element_and_expected_vs_got(student):
    student["a"] = [[1, 2], [3, 9]]
    message = ValueQuestion("a", np.array([[1, 2], [3, 4]])).evaluate().message
    assert "index (1, 1)" in message and "you have 9" in message and "the answer is 4" in message


# ---- shapes -------------------------------------------------------------------------------
@pytest.mark.parametrize("given, says", [
    ((None, 4, 4, 8), "batch axis in front"), ((1, 4, 4, 8), "Drop the leading `1`"), ((8, 4, 4), "channels first"),
    ((4, 8, 4), "wrong order"), ("(4, 4, 8)", "string"), ((4.0, 4.0, 8.0), "floats"), ((4, 4), "2 axes"),
    ((5, 4, 8), "axis 0 (height) is wrong"), (3.5, "should be a shape"),
])
def test_shape_diagnoses(given, says, student):
    student["s"] = given
    outcome = ShapeQuestion("s", (4, 4, 8), axes=("height", "width", "channels")).evaluate()
    assert outcome.status == INCORRECT and says in outcome.message, outcome.message


def test_shape_with_a_batch_axis_reads_none(student):
    student["s"] = (4, 4, 8)
    assert "missing the leading batch axis" in ShapeQuestion("s", (None, 4, 4, 8)).evaluate().message
    student["s"] = [None, 4, 4, 8]
    assert ShapeQuestion("s", (None, 4, 4, 8)).evaluate().status == CORRECT


# ---- functions ----------------------------------------------------------------------------
def test_forbidden_function_is_named_even_through_an_alias_or_a_helper(student):
    q = FunctionQuestion("smooth", lambda x: np.convolve(x, [1, 1], "valid"), [case(np.arange(5.0))],
                         forbidden={"np.convolve": "write the sum yourself."})
    from numpy import convolve as c

    def helper(x):
        return c(x, [1, 1], "valid")

    def via_helper(x):
        return helper(x)
    for given in [lambda x: np.convolve(x, [1, 1], "valid"), via_helper]:
        student["smooth"] = given
        outcome = q.evaluate()
        assert outcome.status == INCORRECT and "`np.convolve`" in outcome.message and "rules out" in outcome.message
    student["smooth"] = lambda x: np.asarray(x[:-1] + x[1:], float)
    assert q.evaluate().status == CORRECT


def test_forbidden_library_is_named_but_the_grader_may_use_it(student):
    from scipy import signal
    q = FunctionQuestion("corr", lambda x, w: signal.correlate(x, w, "valid"), [case(np.arange(5.0), np.ones(2))],
                         forbidden={"scipy": "numpy only."})
    student["corr"] = lambda x, w: signal.correlate(x, w, "valid")
    assert "calls `correlate` from `scipy`" in q.evaluate().message
    student["corr"] = lambda x, w: np.array([x[i:i + len(w)] @ w for i in range(len(x) - len(w) + 1)])
    assert q.evaluate().status == CORRECT          # the reference itself calls scipy: that is not the student


def test_in_place_change_of_an_argument_is_named_on_every_call(student):
    def relu_in_place(x):
        x[x < 0] = 0
        return x
    q = FunctionQuestion("relu", lambda x: np.maximum(x, 0), [case(np.array([1.0, -2.0]))])
    student["relu"] = relu_in_place
    outcome = q.evaluate()
    assert outcome.status == INCORRECT and "changes its argument `x` in place" in outcome.message
    assert np.array_equal(q.cases[0].args[0], [1.0, -2.0])        # the question's own input is untouched


def test_time_limit_does_not_count_an_import(student, monkeypatch):
    import time
    class SlowFinder:
        def find_spec(self, name, path=None, target=None):
            if name != "slow_library_for_test":
                return None
            import importlib.machinery

            class Loader:
                def create_module(self, spec):
                    return None

                def exec_module(self, module):
                    time.sleep(1.5)
            return importlib.machinery.ModuleSpec(name, Loader())
    monkeypatch.setattr(sys, "meta_path", [SlowFinder(), *sys.meta_path])
    sys.modules.pop("slow_library_for_test", None)

    def relu(x):
        import slow_library_for_test  # noqa: F401  (a first import takes 1.5 s)
        return np.maximum(x, 0)
    q = FunctionQuestion("relu", lambda x: np.maximum(x, 0), [case(np.array([1.0, -2.0]))], time_limit=0.5)
    student["relu"] = relu
    assert q.evaluate().status == CORRECT
    sys.modules.pop("slow_library_for_test", None)


def test_booleans_where_numbers_are_asked_are_named(student):
    q = FunctionQuestion("step", lambda x: (np.asarray(x) > 0).astype(float), [case(np.array([1.0, -2.0]))])
    student["step"] = lambda x: np.asarray(x) > 0
    assert "booleans" in q.evaluate().message


def test_several_outputs_are_compared_and_named(student):
    def ref(x):
        return x * 2, x.sum()
    q = FunctionQuestion("two", ref, [case(np.arange(3.0))], outputs=("doubled", "total"), returns="any",
                         mistakes=[Mistake("forgot to add up.", impl=lambda x: (x * 2, x))])
    student["two"] = lambda x: (x * 2, x.sum())
    assert q.evaluate().status == CORRECT
    student["two"] = lambda x: [np.asarray(x * 2).tolist(), float(x.sum())]
    assert q.evaluate().status == CORRECT          # a list of outputs, plain lists and floats inside
    student["two"] = lambda x: (x * 2, x.sum() + 1)
    assert "`total` is wrong" in q.evaluate().message
    student["two"] = lambda x: x * 2
    assert "should return 2 values" in q.evaluate().message


def test_int_return_kind(student):
    q = FunctionQuestion("size", lambda n, k: n - k + 1, [case(5, 3)], returns="int")
    student["size"] = lambda n, k: (n - k) / 1 + 1
    assert "not a whole number" in q.evaluate().message
    student["size"] = lambda n, k: np.int64(n - k + 1)
    assert q.evaluate().status == CORRECT


def test_explain_adds_the_meaning_of_an_error(student):
    q = FunctionQuestion("f", reference_double, [case(np.ones(2))], explain={"can't multiply sequence": "a list!"})
    student["f"] = lambda x: [1, 2] * 2.0
    message = q.evaluate().message
    assert message.startswith("a list!") and "TypeError" in message


def test_hidden_cases_run_only_in_the_hidden_test(student):
    q = double_q(hidden_cases=lambda: [case(np.array([7.0]))])
    student["double"] = lambda x: np.asarray(x, float) * 2 if len(x) > 1 else np.asarray(x, float)
    assert q.evaluate().status == CORRECT
    with pytest.raises(AssertionError, match="hidden tests"):
        q.assert_hidden_tests_pass()


# ---- choices ----------------------------------------------------------------------------------
@pytest.mark.parametrize("given", ["b", "B", "(b)", "b.", "b)", " b ", "'b'", "option b", "Option B"])
def test_single_choice_reads_what_students_type(given, student):
    student["c"] = given
    assert ChoiceQuestion("c", "b", {"a": "A", "b": "B", "c": "C"}).evaluate().status == CORRECT


@pytest.mark.parametrize("given, says", [(2, "the options are letters"), (["b"], "one option"),
                                         ("bc", "pick one option"), ("e", "not one of the options")])
def test_single_choice_explains_unreadable_answers(given, says, student):
    student["c"] = given
    outcome = ChoiceQuestion("c", "b", {"a": "A", "b": "B", "c": "C"}).evaluate()
    assert outcome.status == INCORRECT and says in outcome.message, outcome.message


@pytest.mark.parametrize("given, status", [("ac", CORRECT), ("a, c", CORRECT), (["c", "a"], CORRECT),
                                           ({"a", "c"}, CORRECT), ("A and C", CORRECT), ("a", INCORRECT),
                                           ("abc", INCORRECT)])
def test_choose_all_that_apply(given, status, student):
    student["c"] = given
    q = ChoiceQuestion("c", {"a", "c"}, {"a": "A", "b": "B", "c": "C"}, why_not={"b": "B is wrong because."})
    outcome = q.evaluate()
    assert outcome.status == status, outcome.message
    if given == "a":
        assert "choose all that apply" in outcome.message
    if given == "abc":
        assert "B is wrong because." in outcome.message


# ---- hints and progress -----------------------------------------------------------------------
def test_hint_numbers_given_as_text_or_beyond_the_last(student):
    q = ValueQuestion("x", 1, hints=["first", "second"])
    q.name = "q_1"
    assert "second" in q._hint_outcome("2").message
    assert "has 2 hints; here is the last one" in q._hint_outcome(5).message
    one = ValueQuestion("x", 1, hints=["only"])
    one.name = "q_2"
    assert "only one hint" in one._hint_outcome(2).message
    assert "takes the hint's number" in q._hint_outcome("two").message


def test_progress_lists_every_question_with_its_status(student):
    namespace = {"__name__": "grader.checks.ch99_test", "__all__": ["q_1", "q_2"],
                 "q_1": ValueQuestion("a", 1), "q_2": MultipartQuestion(x=ValueQuestion("b", 2),
                                                                        y=ValueQuestion("c", 3))}
    label_questions(namespace)
    assert "progress" in namespace["__all__"]
    student.update(a=1, b=5)
    report = progress_of({**student, **namespace})
    statuses = [row[1] for row in report.rows]
    assert statuses == [CORRECT, INCORRECT]            # q_2 as a whole: one part wrong, one missing
    assert "Left to do: Question 2" in report.summary()
    assert "✓" in report.text() and "<table>" in report.html()
    student.update(c=3, b=2)
    assert progress_of({**student, **namespace}).summary().startswith("All done")


def test_progress_never_raises_without_set_up(student):
    assert progress_of({}).rows == []
    bad = {"q_1": ValueQuestion("a", 1)}
    bad["q_1"].evaluate = lambda: 1 / 0
    assert progress_of(bad).rows[0][1] == INCORRECT
    assert NOT_ATTEMPTED
