"""Chapter 3 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py)."""
import os

import numpy as np
import pytest

from grader.engine.feedback import CORRECT
import grader.checks.ch03_convolution_3d as ch
from helpers import assert_mistake_named, assert_endless_loop_stopped

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

IMAGE, KERNEL, BATCH = ch.image_q, ch.kernel_q, ch.batch_q


def run_solution(question, student):
    student.update(np=np, image_q=IMAGE, kernel_q=KERNEL, batch_q=BATCH)
    exec(question.solution_code, student)


@pytest.fixture(scope="module")
def keras():
    import keras
    return keras


def test_keras_layer_solution_is_correct(student, keras):
    student["keras"] = keras
    run_solution(ch.q_6, student)
    outcome = ch.q_6.evaluate()
    assert outcome.status == CORRECT, outcome.text()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(student["maps_keras"])[0],
                               ch.reference_conv2d_multi(IMAGE, KERNEL))


def test_multipart_and_thought_questions(student):
    for question in (ch.q_1, ch.q_2, ch.q_3):
        for part in question.parts.values():
            run_solution(part, student)
        assert question.evaluate().status == CORRECT


def test_the_lesson_example_matches_keras(keras):
    layer = keras.layers.Conv2D(2, 3, kernel_initializer=keras.initializers.Constant(KERNEL))
    maps = keras.ops.convert_to_numpy(layer(IMAGE[np.newaxis]))[0]
    np.testing.assert_allclose(maps, ch.reference_conv2d_multi(IMAGE, KERNEL))


def test_counts_and_shapes_agree_with_keras(keras):
    """The expected answers of questions 1-3 are what Keras itself says."""
    def built(layer, shape):
        out = layer(keras.Input(shape))
        return layer, tuple(out.shape[1:])
    layer, _ = built(keras.layers.Conv2D(32, (5, 3)), (64, 64, 3))
    assert tuple(layer.kernel.shape) == ch.q_1.a.expected()
    layer, _ = built(keras.layers.Conv3D(8, 3), (16, 64, 64, 3))
    assert tuple(layer.kernel.shape) == ch.q_1.b.expected()
    first, first_out = built(keras.layers.Conv2D(64, 3), (32, 32, 3))
    second, _ = built(keras.layers.Conv2D(128, 3), first_out)
    hd, _ = built(keras.layers.Conv2D(16, 5, strides=5, use_bias=False), (1920, 1080, 3))
    assert (first.count_params(), second.count_params(), hd.count_params()) == \
        (ch.q_2.a.expected(), ch.q_2.b.expected(), ch.q_2.c.expected())
    _, out2d = built(keras.layers.Conv2D(8, (3, 5)), (28, 40, 3))
    _, out3d = built(keras.layers.Conv3D(4, (3, 5, 5)), (16, 64, 64, 3))
    assert (out2d, out3d) == (ch.q_3.a.expected(), ch.q_3.b.expected())


VALUE_MISTAKES = [
    (ch.q_1.a, (5, 3, 32), "input channels are missing"),
    (ch.q_1.a, (5, 3, 3), "shape of one filter"),
    (ch.q_1.a, (32, 3, 5, 3), "PyTorch's order"),
    (ch.q_1.a, (5, 3, 32, 3), "cin and cout are swapped"),
    (ch.q_1.a, (3, 5, 3, 32), "height and width are swapped"),
    (ch.q_1.a, [5, 3, 1, 32], "3 for an RGB image"),
    (ch.q_1.a, (None, 5, 3, 3, 32), "batch axis in front"),
    (ch.q_1.a, 480, "single number"),
    (ch.q_1.a, (5.0, 3.0, 3.0, 32.0), "not whole"),
    (ch.q_1.a, "5, 3, 3, 32", "should be a shape"),
    (ch.q_1.a, (5, 3, 3, 31), "axis 3 is wrong"),
    (ch.q_1.b, (3, 3, 3, 8), "input channels are missing"),
    (ch.q_1.b, (3, 3, 3, 3), "number of filters is missing"),
    (ch.q_1.b, (8, 3, 3, 3, 3), "PyTorch's order"),
    (ch.q_1.b, (3, 3, 3, 16, 8), "16 frames are not channels"),
    (ch.q_1.b, (3, 3, 48, 8), "48 channels"),
    (ch.q_1.b, (3, 3, 8), "five axes"),
    (ch.q_2.a, 1728, "forgets the biases"),
    (ch.q_2.a, 640, "forgets the input channels"),
    (ch.q_2.a, 576, "input channels and the biases"),
    (ch.q_2.a, 1729, "one bias per filter"),
    (ch.q_2.a, 1792 * 30 * 30, "size of the output"),
    (ch.q_2.a, 1728 * 32 * 32, "size of the output"),
    (ch.q_2.a, 1792.0, "`//`"),
    (ch.q_2.b, 73728, "forgets the biases"),
    (ch.q_2.b, 3584, "64 channels"),
    (ch.q_2.b, 3456, "64 channels"),
    (ch.q_2.b, 1280, "forgets the input channels"),
    (ch.q_2.b, 75648, "total of both layers"),
    (ch.q_2.b, 73856 * 28 * 28, "size of the output"),
    (ch.q_2.b, 73856 * 3, "3 times the answer"),           # a multiple that is no output size: not that mistake
    (ch.q_2.c, 1216, "use_bias=False"),
    (ch.q_2.c, 400, "forgets the input channels"),
    (ch.q_2.c, 1200 * 384 * 216, "number of multiplications"),
    (ch.q_2.c, 6220800, "dense unit on the raw pixels"),
    (ch.q_2.c, 240, "stride does not change"),
    (ch.q_3.a, (26, 36, 3), "one channel per filter"),
    (ch.q_3.a, (28, 40, 8), "padding='same'"),
    (ch.q_3.a, (24, 38, 8), "swapped"),
    (ch.q_3.a, (8, 26, 36), "channels_first"),
    (ch.q_3.a, (25, 35, 8), "one short"),
    (ch.q_3.a, (26, 36, 3, 8), "do not survive"),
    (ch.q_3.a, (26, 36, 24), "summed inside each filter"),
    (ch.q_3.a, (None, 26, 36, 8), "batch axis in front"),
    (ch.q_3.a, (1, 26, 36, 8), "Drop the leading `1`"),
    (ch.q_3.b, (16, 60, 60, 4), "slides along time"),
    (ch.q_3.b, (14, 60, 60, 3), "one channel per filter"),
    (ch.q_3.b, (60, 60, 4), "keeps all three sliding axes"),
    (ch.q_3.b, (4, 14, 60, 60), "channels_first"),
    (ch.q_3.b, (13, 59, 59, 4), "one short"),
    (ch.q_3.b, (14, 60, 60, 3, 4), "do not"),
    (ch.q_3.b, (14, 62, 62, 4), "lose 4"),
    (ch.q_4, BATCH.reshape(2, 3, 5, 4), "`reshape` re-reads"),
    (ch.q_4, np.swapaxes(BATCH, 1, 3), "swapaxes"),
    (ch.q_4, BATCH.T, "reverses all axes"),
    (ch.q_4, np.moveaxis(BATCH, -1, 0), "in front of the batch axis"),
    (ch.q_4, np.moveaxis(BATCH[0], -1, 0), "one image"),
    (ch.q_4, BATCH, "unchanged"),
    (ch.q_4, np.moveaxis(BATCH, -1, 1).tolist(), "Make it an array"),
    (ch.q_7, ch.LUMA, "four axes"),
    (ch.q_7, ch.LUMA.reshape(1, 1, 1, 3), "cin and cout are swapped"),
    (ch.q_7, ch.LUMA.reshape(3, 1, 1, 1), "kernel-height axis"),
    (ch.q_7, ch.LUMA[::-1].reshape(1, 1, 3, 1), "reverse order"),
    (ch.q_7, np.array([0.299, 0.587, 0.114]).reshape(1, 1, 3, 1), "Rec. 601"),
    (ch.q_7, np.full((1, 1, 3, 1), 1 / 3), "plain mean"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    assert_mistake_named(question, answer, says, student, var=question.var)


def test_any_equivalent_form_of_a_shape_is_accepted(student):
    for answer in [(5, 3, 3, 32), [5, 3, 3, 32], np.array([5, 3, 3, 32]), (np.int64(5), 3, 3, 32)]:
        student["kernel_shape_2d"] = answer
        assert ch.q_1.a.evaluate().status == CORRECT


# ---- question 5: conv2d_multi --------------------------------------------------------------
ref = ch.reference_conv2d_multi


def loop_solution(image, kernels):
    image, kernels = np.asarray(image, float), np.asarray(kernels, float)
    kh, kw, _, cout = kernels.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1, cout))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for o in range(cout):
                out[i, j, o] = np.sum(image[i:i + kh, j:j + kw, :] * kernels[:, :, :, o])
    return out


def no_channel_sum(image, kernels):
    image, kernels = np.asarray(image, float), np.asarray(kernels, float)
    kh, kw, cin, cout = kernels.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1, cin, cout))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for c in range(cin):
                for o in range(cout):
                    out[i, j, c, o] = np.sum(image[i:i + kh, j:j + kw, c] * kernels[:, :, c, o])
    return out


def first_channel(image, kernels):
    return loop_solution(np.asarray(image)[..., :1], np.asarray(kernels)[:, :, :1])


def flipped(image, kernels):
    return loop_solution(image, np.flip(kernels, axis=(0, 1)))


def flipped_all(image, kernels):
    return loop_solution(image, np.flip(kernels, axis=(0, 1, 2)))


def scipy_convolve(image, kernels):
    from scipy import signal
    kernels = np.asarray(kernels, float)
    return np.stack([signal.convolve(np.asarray(image, float), kernels[..., o], mode="valid")[..., 0]
                     for o in range(kernels.shape[-1])], axis=-1)


def test_conv2d_multi_built_on_scipy_is_refused_by_name(student):
    assert_mistake_named(ch.q_5, scipy_convolve, "calls `convolve` from `scipy`, which this task rules out", student)


def channels_first(image, kernels):
    return np.stack([loop_solution(image, np.asarray(kernels)[..., o:o + 1])[..., 0]
                     for o in range(np.shape(kernels)[-1])])


def transposed(image, kernels):
    return np.swapaxes(loop_solution(image, kernels), 0, 1)


def one_short(image, kernels):
    return loop_solution(image, kernels)[:-1, :-1]


def as_list(image, kernels):
    return loop_solution(image, kernels).tolist()


def crashes(image, kernels):
    return image[100]


def endless(image, kernels):
    while True:
        pass


def test_reference_and_loop_solution_agree_with_scipy():
    from scipy import signal
    got = loop_solution(IMAGE, KERNEL)
    np.testing.assert_allclose(got, ref(IMAGE, KERNEL))
    for o in range(2):
        np.testing.assert_allclose(got[..., o], signal.correlate(IMAGE, KERNEL[..., o], mode="valid")[..., 0])


def test_loop_solution_is_correct(student):
    student["conv2d_multi"] = loop_solution
    assert ch.q_5.evaluate().status == CORRECT


FUNCTION_MISTAKES = [
    (no_channel_sum, "one result per input channel"),
    (first_channel, "only the first input channel"),
    (flipped, "the kernel is flipped: that is true convolution"),
    (flipped_all, "all three axes"),
    (channels_first, "(cout, h', w')"),
    (transposed, "rows and columns of the output are swapped"),
    (one_short, "last row and column"),
    (as_list, "return a numpy array"),
    (crashes, "raised IndexError"),
]


@pytest.mark.parametrize("impl, says", FUNCTION_MISTAKES, ids=[s[:25] for _, s in FUNCTION_MISTAKES])
def test_conv2d_multi_mistake_is_named(impl, says, student):
    assert_mistake_named(ch.q_5, impl, says, student, var="conv2d_multi")


def test_conv2d_multi_endless_loop_is_stopped(student, monkeypatch):
    assert_endless_loop_stopped(ch.q_5, student, monkeypatch)


def test_conv2d_multi_hidden_cases_catch_a_memorised_answer(student):
    visible = {tuple(np.ravel(c.args[0])) for c in ch.q_5.cases}

    def memorised(image, kernels):
        return ref(image, kernels) if tuple(np.ravel(image)) in visible else np.zeros((2, 2, 1))
    student["conv2d_multi"] = memorised
    assert ch.q_5.evaluate().status == CORRECT
    rng = np.random.default_rng(0)
    with pytest.raises(AssertionError):
        ch.q_5.assert_passes_on([(rng.normal(size=(8, 9, 5)), rng.normal(size=(4, 3, 5, 2)))])


def make_layer(keras, build=True, **overrides):
    """The right layer for question 6, with some settings overridden."""
    config = dict(filters=2, kernel_size=3, kernel_initializer=keras.initializers.Constant(KERNEL))
    config.update(overrides)
    layer = keras.layers.Conv2D(**config)
    if build:
        layer.build((None, *IMAGE.shape))
    return layer


LAYER_MISTAKES = [
    (lambda k: make_layer(k)(IMAGE[np.newaxis]), "holds numbers"),
    (lambda k: k.layers.Conv3D(2, 3), "`Conv3D` slides along three axes"),
    (lambda k: k.layers.Dense(2), "`Dense` layer"),
    (lambda k: k.layers.MaxPooling2D(), "of type `MaxPooling2D`"),
    (lambda k: KERNEL, "holds numbers"),
    (lambda k: "Conv2D", "should be a `keras.layers.Conv2D`"),
    (lambda k: make_layer(k, filters=3, kernel_initializer="zeros"), "has 3 filters"),
    (lambda k: make_layer(k, kernel_size=(3, 2), kernel_initializer="zeros"), "`kernel_size` is (3, 2)"),
    (lambda k: make_layer(k, strides=2), "`strides`"),
    (lambda k: make_layer(k, padding="same"), "5×5 maps"),
    (lambda k: make_layer(k, activation="relu"), "activation='relu'"),
    (lambda k: make_layer(k, build=False), "no weights yet"),
    (lambda k: _built_for(k, (1, 5, 5, 1)), "built for a different input"),
    (lambda k: make_layer(k, kernel_initializer=k.initializers.Constant(KERNEL[::-1, ::-1])), "is flipped"),
    (lambda k: make_layer(k, kernel_initializer=k.initializers.Constant(np.moveaxis(KERNEL, 2, 0))),
     "axes were moved"),
    (lambda k: make_layer(k, kernel_initializer=k.initializers.Constant(1.0)), "every weight is 1.0"),
    (lambda k: make_layer(k, kernel_initializer="glorot_uniform"), "random numbers"),
    (lambda k: make_layer(k, kernel_initializer=k.initializers.Constant(np.where(KERNEL == 1, 2, KERNEL))),
     "kernel weights differ"),
    (lambda k: make_layer(k, bias_initializer=k.initializers.Constant(1.0)), "the biases are"),
]


def _built_for(keras, shape):
    layer = keras.layers.Conv2D(2, 3)
    layer.build(shape)
    return layer


@pytest.mark.parametrize("make, says", LAYER_MISTAKES, ids=[s[:25] for _, s in LAYER_MISTAKES])
def test_layer_mistake_is_named(make, says, student, keras):
    assert_mistake_named(ch.q_6, make(keras), says, student, var="layer")


def test_layer_with_set_weights_or_no_bias_is_accepted(student, keras):
    layer = keras.layers.Conv2D(2, 3)
    layer.build((None, 5, 5, 3))
    layer.set_weights([KERNEL, np.zeros(2)])
    student["layer"] = layer
    assert ch.q_6.evaluate().status == CORRECT
    student["layer"] = make_layer(keras, use_bias=False)
    assert ch.q_6.evaluate().status == CORRECT
