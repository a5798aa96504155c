"""Chapter 6 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py); the reference pooling equals Keras."""
import os

import numpy as np
import pytest

from grader.engine.feedback import CORRECT, INCORRECT
import grader.checks.ch06_pooling as ch
from helpers import assert_mistake_named

FMAP = ch.fmap_q
def run_solution(question, student):
    student.update(np=np, fmap_q=FMAP)
    exec(question.solution_code, student)


def test_multipart_questions_are_correct_when_all_parts_are(student):
    for q in (ch.q_1, ch.q_3, ch.q_4, ch.q_5):
        for part in q.parts.values():
            run_solution(part, student)
        assert q.evaluate().status == CORRECT
    student["cell_right"] = (1, 2)
    assert ch.q_5.evaluate().status == INCORRECT


# ---- the reference is Keras ----------------------------------------------------------
def keras_pool(x, size=2, stride=2, padding="valid", layer="MaxPool2D"):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    batch = np.asarray(x, dtype="float32")[None, :, :, None]
    pool = getattr(keras.layers, layer)(pool_size=size, strides=stride, padding=padding)
    return keras.ops.convert_to_numpy(pool(batch))[0, :, :, 0]


def test_reference_max_pool_equals_keras_on_every_case():
    rng = np.random.default_rng(0)
    extra = [ch.case(rng.normal(size=(h, w)), size=k, stride=s, padding=p)
             for h, w, k, s, p in [(9, 8, 3, 2, "same"), (6, 11, 2, 3, "same"), (10, 10, 4, 3, "valid"),
                                   (3, 3, 4, 2, "same"), (8, 5, 1, 2, "valid"), (7, 7, 3, 3, "same")]]
    for c in ch.q_2.cases + extra:
        np.testing.assert_allclose(ch.reference_max_pool2d(*c.args, **c.kwargs),
                                   keras_pool(*c.args, **c.kwargs), rtol=1e-6)


def test_by_hand_answers_equal_keras():
    np.testing.assert_allclose(ch.q_1.a.expected(), keras_pool(FMAP))
    np.testing.assert_allclose(ch.q_1.b.expected(), keras_pool(FMAP, layer="AveragePooling2D"))


def test_shapes_and_parameter_counts_equal_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    shapes = [(keras.layers.MaxPool2D(2), (32, 32, 16)), (keras.layers.MaxPool2D(3, strides=2), (15, 15, 8)),
              (keras.layers.MaxPool2D(2, padding="same"), (15, 15, 8))]
    for (layer, shape), q in zip(shapes, [ch.q_3.a, ch.q_3.b, ch.q_3.c]):
        assert tuple(layer.compute_output_shape((None, *shape))[1:]) == tuple(q.expected())

    def model(head):
        return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 3, padding="same"),
                                 keras.layers.MaxPool2D(2), head, keras.layers.Dense(10)])
    assert model(keras.layers.GlobalAveragePooling2D()).count_params() == ch.q_4.a.expected()
    assert model(keras.layers.Flatten()).count_params() == ch.q_4.b.expected()


def test_shift_answers_follow_from_pooling():
    def cell(row, col):
        m = np.zeros((8, 8))
        m[row, col] = 1
        return tuple(int(v) for v in np.argwhere(ch.reference_max_pool2d(m))[0])
    assert cell(2, 5) == tuple(ch.q_5.a.expected())
    assert cell(2, 6) == tuple(ch.q_5.b.expected())
    assert cell(3, 5) == tuple(ch.q_5.c.expected())


# ---- value mistakes -------------------------------------------------------------------
MAX, AVG = ch.q_1.a.expected(), ch.q_1.b.expected()

VALUE_MISTAKES = [
    (ch.q_1.a, AVG, "*averages*"),
    (ch.q_1.a, np.array([[1, 0], [0, 2]]), "smallest values"),
    (ch.q_1.a, np.ones((3, 3)), "stride 1"),
    (ch.q_1.a, MAX.T, "rows and columns are swapped"),
    (ch.q_1.a, AVG * 4, "sums"),
    (ch.q_1.b, MAX, "*maxima*"),
    (ch.q_1.b, AVG * 4, "divide by the 4"),
    (ch.q_1.b, AVG * 2, "divided by 2"),
    (ch.q_1.b, np.ones((3, 3)), "stride 1"),
    (ch.q_1.b, AVG.T, "swapped"),
    (ch.q_3.a, (16, 16, 8), "channels stays 16"),
    (ch.q_3.a, (31, 31, 16), "stride 1"),
    (ch.q_3.a, (16, 16), "channels are missing"),
    (ch.q_3.b, (8, 8, 8), "rounds up"),
    (ch.q_3.b, (5, 5, 8), "stride 3"),
    (ch.q_3.b, (13, 13, 8), "stride 1"),
    (ch.q_3.b, (6, 6, 8), "one short"),
    (ch.q_3.c, (15, 15, 8), "does not mean 'the same size'"),
    (ch.q_3.c, (7, 7, 8), "'valid' result"),
    (ch.q_3.c, (8, 8), "channels are missing"),
    (ch.q_4.a, 602, "bias is missing"),
    (ch.q_4.a, 592, "bias is missing"),
    (ch.q_4.a, 682, "no parameters"),
    (ch.q_4.a, 622, "no parameters"),
    (ch.q_4.a, 170, "only the Dense"),
    (ch.q_4.a, 448, "only the Conv2D"),
    (ch.q_4.a, 618.0, "`//`"),
    (ch.q_4.b, 41408, "bias is missing"),
    (ch.q_4.b, 41482, "no parameters"),
    (ch.q_4.b, 448 + 32 * 32 * 16 * 10 + 10, "halves height and width"),
    (ch.q_4.b, 40970, "only the Dense"),
    (ch.q_4.b, 618, "not 16"),
    (ch.q_5.a, (2, 5), "pixel position"),
    (ch.q_5.a, (1, 3), "rounded up"),
    (ch.q_5.a, (2, 1), "swapped"),
    (ch.q_5.b, (2, 6), "pixel position"),
    (ch.q_5.b, (1, 2), "starts a new 2×2 window"),
    (ch.q_5.b, (2, 2), "changes the column"),
    (ch.q_5.c, (3, 5), "pixel position"),
    (ch.q_5.c, (2, 2), "does not change"),
    (ch.q_5.c, (1, 3), "changes the row"),
    (ch.q_6, 5, "nothing in between"),
    (ch.q_6, 6, "not what it does to the next layer"),
    (ch.q_6, 7, "forgets the pooling window"),
    (ch.q_6, 8.0, "`//`"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    outcome = assert_mistake_named(question, answer, says, student, var=question.var)
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


# ---- max_pool2d -----------------------------------------------------------------------
def _windows(x, size, stride):
    rows = (x.shape[0] - size) // stride + 1
    cols = (x.shape[1] - size) // stride + 1
    return rows, cols


def _pad(x, size, stride, value, extra_first=False):
    pads = []
    for n in x.shape:
        out = -(-n // stride)
        total = max((out - 1) * stride + size - n, 0)
        small, big = total // 2, total - total // 2
        pads.append((big, small) if extra_first else (small, big))
    return np.pad(x, pads, constant_values=value)


def pool_avg(x, size=2, stride=2, padding="valid"):
    x = np.asarray(x, float)
    if padding == "same":
        x = _pad(x, size, stride, np.nan)
    rows, cols = _windows(x, size, stride)
    return np.array([[np.nanmean(x[i * stride:i * stride + size, j * stride:j * stride + size])
                      for j in range(cols)] for i in range(rows)])


def student_style(x, size=2, stride=2, padding="valid", fill=-np.inf, step=None, extra_first=False,
                  transpose=False, short=0):
    x = np.asarray(x, float)
    if padding == "same":
        x = _pad(x, size, stride, fill, extra_first)
    step = step or stride
    rows, cols = _windows(x, size, step)
    out = np.array([[x[i * step:i * step + size, j * step:j * step + size].max()
                     for j in range(cols - short)] for i in range(rows - short)])
    return out.T if transpose else out


def pool_stride_one(x, size=2, stride=2, padding="valid"):
    return student_style(x, size, stride, padding, step=1)


def pool_index_step_one(x, size=2, stride=2, padding="valid"):
    x = np.asarray(x, float)
    if padding == "same":
        x = _pad(x, size, stride, -np.inf)
    rows, cols = _windows(x, size, stride)
    return np.array([[x[i:i + size, j:j + size].max() for j in range(cols)] for i in range(rows)])


def pool_zero_padded(x, size=2, stride=2, padding="valid"):
    return student_style(x, size, stride, padding, fill=0.0)


def pool_transposed(x, size=2, stride=2, padding="valid"):
    return student_style(x, size, stride, padding, transpose=True)


def pool_extra_first(x, size=2, stride=2, padding="valid"):
    return student_style(x, size, stride, padding, extra_first=True)


def pool_padding_ignored(x, size=2, stride=2, padding="valid"):
    return student_style(x, size, stride, "valid")


def pool_one_short(x, size=2, stride=2, padding="valid"):
    return student_style(x, size, stride, padding, short=1)


def pool_list(x, size=2, stride=2, padding="valid"):
    return student_style(x, size, stride, padding).tolist()


def pool_crashes_on_same(x, size=2, stride=2, padding="valid"):
    if padding == "same":
        raise ValueError("same is not supported")
    return student_style(x, size, stride, padding)


POOL_MISTAKES = [
    (pool_avg, "*average*"),
    (pool_stride_one, "stride is ignored"),
    (pool_index_step_one, "window i starts at row i·stride"),
    (pool_zero_padded, "pad with zeros"),
    (pool_transposed, "rows and columns are swapped"),
    (pool_extra_first, "wrong side"),
    (pool_padding_ignored, "treated like 'valid'"),
    (pool_one_short, "last row and column of windows are missing"),
    (pool_list, "return a numpy array"),
    (pool_crashes_on_same, "raised ValueError"),
]


@pytest.mark.parametrize("impl, says", POOL_MISTAKES, ids=[s for _, s in POOL_MISTAKES])
def test_max_pool2d_mistake_is_named(impl, says, student):
    outcome = assert_mistake_named(ch.q_2, impl, says, student, var="max_pool2d")
    assert not outcome.message.endswith("…"), "the message was cut off: " + outcome.message


def test_max_pool2d_accepts_a_loop_with_window_clipping(student):
    """A different correct idea: clip the windows at the border instead of padding."""
    def max_pool2d(x, size=2, stride=2, padding="valid"):
        x = np.asarray(x, float)
        if padding == "valid":
            return student_style(x, size, stride)
        outs = []
        for n in x.shape:
            out = -(-n // stride)
            before = max((out - 1) * stride + size - n, 0) // 2
            outs.append((out, before))
        (rows, top), (cols, left) = outs
        return np.array([[x[max(i * stride - top, 0):i * stride - top + size,
                            max(j * stride - left, 0):j * stride - left + size].max()
                          for j in range(cols)] for i in range(rows)])
    student["max_pool2d"] = max_pool2d
    assert ch.q_2.evaluate().status == CORRECT


def test_max_pool2d_hidden_cases_catch_a_memorised_solution(student):
    visible = {np.asarray(c.args[0], float).tobytes() for c in ch.q_2.cases}

    def memorised(x, size=2, stride=2, padding="valid"):
        x = np.asarray(x, float)
        return ch.reference_max_pool2d(x, size, stride, padding) if x.tobytes() in visible else np.zeros((1, 1))
    student["max_pool2d"] = memorised
    assert ch.q_2.evaluate().status == CORRECT
    with pytest.raises(AssertionError):
        ch.q_2.assert_passes_on([ch.case(np.random.default_rng(1).normal(size=(9, 9)), size=3, stride=2,
                                         padding="same")])
