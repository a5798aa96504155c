"""Chapter 11 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py), plus the chapter's own helpers."""
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import grader.checks.ch11_visualizing as ch  # noqa: E402
from grader.course import datasets  # noqa: E402
from grader.engine.feedback import CORRECT, INCORRECT  # noqa: E402

L = keras.layers


def assert_named(question, value, says, student):
    student[question.var] = value
    outcome = question.evaluate()
    assert outcome.status == INCORRECT, outcome.text()
    for text in ([says] if isinstance(says, str) else says):
        assert text in outcome.message, outcome.message


# ---- question 1: the activation model ----------------------------------------------------------------
def activation_models():
    net = ch.make_convnet()
    out = {name: net.get_layer(name).output for name in ("conv1", "pool1", "conv2", "pool2", "conv3")}
    fresh = L.Conv2D(8, 3, activation="relu", padding="same")(net.input)
    return {
        "order": keras.Model(net.input, [out["conv3"], out["conv2"], out["conv1"]]),
        "pools": keras.Model(net.input, [out["conv1"], out["pool1"], out["conv3"]]),
        "all layers": keras.Model(net.input, [layer.output for layer in net.layers[1:6]]),
        "one output": keras.Model(net.input, out["conv3"]),
        "whole convnet": net,
        "new layer": keras.Model(net.input, [fresh, out["conv2"], out["conv3"]]),
        "arrays": [np.zeros((1, 32, 32, 8)), np.zeros((1, 16, 16, 16)), np.zeros((1, 8, 8, 16))],
        "tensors": [out["conv1"], out["conv2"], out["conv3"]],
        "layers": [net.get_layer(n) for n in ch.CONV_LAYERS],
        "other input": keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(2, 3)]),
    }


ACTIVATION_MISTAKES = [
    ("order", "wrong order"),
    ("pools", "pooling layer"),
    ("all layers", "5 outputs"),
    ("one output", "single output"),
    ("whole convnet", "whole convnet again"),
    ("new layer", "new layers have new weights"),
    ("arrays", "the activations themselves"),
    ("tensors", "now make a model from it"),
    ("layers", "list of layers"),
    ("other input", "(28, 28, 1)"),
]


@pytest.mark.parametrize("name, says", ACTIVATION_MISTAKES, ids=[n for n, _ in ACTIVATION_MISTAKES])
def test_activation_model_mistake_is_named(name, says, student):
    assert_named(ch.q_1, activation_models()[name], says, student)


def test_activation_model_from_sequential_convnet_is_accepted(student):
    """Any model that returns the three layers' activations passes, however it was written."""
    net = ch.make_convnet()
    student["activation_model"] = keras.Model(net.inputs, [net.layers[i].output for i in (1, 3, 5)])
    assert ch.q_1.evaluate().status == CORRECT


# ---- question 2: the kernel of filter 5, and what it detects -----------------------------------------
K = ch._weights()[0]

VALUE_MISTAKES = [
    (ch.q_2.a, K[::-1, ::-1, 0, 5], "flipped"),
    (ch.q_2.a, K[:, :, 0, 5].T, "transposed"),
    (ch.q_2.a, K[:, :, 0, 4], "filter 4 or 6"),
    (ch.q_2.a, K[:, :, 0, 6], "filter 4 or 6"),
    (ch.q_2.a, K[:, :, :, 5], "input-channel axis"),
    (ch.q_2.a, ch._weights()[1], "biases"),
    (ch.q_2.a, K[0, :, 0, :], "one per filter"),
    (ch.q_2.a, K[:, :, 0, 5].tolist(), "Make it an array"),
    (ch.q_2.b, "a", "not between the top and the bottom"),
    (ch.q_2.b, "c", "the sign matters"),
    (ch.q_2.b, "d", "nearly cancel"),
    (ch.q_6, "a", "away from the boats"),
    (ch.q_6, "c", "first layer"),
    (ch.q_6, "d", "evidence *for* the class"),
]


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    assert_named(question, answer, says, student)


def test_planted_kernel_is_a_right_sobel():
    """Question 2b's answer holds: filter 5 correlates with chapter 2's right Sobel, and the layer uses it."""
    kernel = ch.make_convnet().get_layer("conv1").get_weights()[0][:, :, 0, 5]
    np.testing.assert_array_equal(kernel, K[:, :, 0, 5])
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert np.corrcoef(kernel.ravel(), sobel.ravel())[0, 1] > 0.95


# ---- question 3: the z-score display ---------------------------------------------------------------------
def display_float(channel):
    x = np.asarray(channel, float)
    return np.clip(128 + 64 * (x - x.mean()) / (x.std() + 1e-5), 0, 255)


def display_nan(channel):
    x = np.asarray(channel, float)
    with np.errstate(all="ignore"):
        return np.clip(128 + 64 * (x - x.mean()) / x.std(), 0, 255)


def display_cast_first(channel):
    x = np.asarray(channel, float)
    return np.clip((128 + 64 * (x - x.mean()) / (x.std() + 1e-5)).astype("uint8"), 0, 255)


DISPLAY_MISTAKES = [(m.impl, m.says[:30]) for m in ch.q_3.mistakes] + [
    (display_float, "astype('uint8')"),
    (display_nan, "astype('uint8')"),
    (display_cast_first, "wrap around"),
    (lambda channel: channel.mean(), "expected"),
]


@pytest.mark.parametrize("impl, says", DISPLAY_MISTAKES, ids=[s[:25] for _, s in DISPLAY_MISTAKES])
def test_display_mistake_is_named(impl, says, student):
    assert_named(ch.q_3, impl, says, student)


def test_display_that_changes_its_argument_is_told_so(student):
    """The engine copies every argument: a function working in place is named, the module's inputs stay."""
    def in_place(channel):
        channel -= channel.mean()
        channel /= channel.std() + 1e-5
        return np.clip(128 + 64 * channel, 0, 255).astype("uint8")
    before = [c.copy() for c in ch._CHANNELS]
    student["channel_to_pixels"] = in_place
    assert "changes its argument `channel` in place" in ch.q_3.evaluate().message
    assert all(np.array_equal(a, b) for a, b in zip(before, ch._CHANNELS))


def test_display_accepts_rounding(student):
    student["channel_to_pixels"] = lambda c: np.clip(np.round(128 + 64 * (c - c.mean()) / (c.std() + 1e-5)),
                                                     0, 255).astype("uint8")
    assert ch.q_3.evaluate().status == CORRECT


# ---- question 4: one step of gradient ascent ---------------------------------------------------------------
def ascent(sign=1, watch=True, batch=True, change=True):
    def step_fn(feature_model, image, filter_index, step=0.01):
        x = tf.convert_to_tensor(image)
        with tf.GradientTape() as tape:
            if watch:
                tape.watch(x)
            loss = tf.reduce_mean(feature_model(x)[..., filter_index])
        grads = tape.gradient(loss, x)
        grads = grads / (tf.sqrt(tf.reduce_mean(tf.square(grads))) + 1e-5)
        out = (x + sign * step * grads).numpy() if change else np.array(image)
        return out if batch else out[0]
    return step_fn


def descent_unnormalised(feature_model, image, filter_index, step=0.01):
    x = tf.Variable(image)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(feature_model(x)[..., filter_index])
    x.assign_sub(step * tape.gradient(loss, x))
    return x.numpy()


ASCENT_MISTAKES = [(m.impl, m.says[:30]) for m in ch.q_4.mistakes] + [
    (ascent(sign=-1), "gradient *descent*"),
    (descent_unnormalised, "gradient *descent*"),
    (ascent(watch=False), "did not watch the image"),
    (ascent(batch=False), "batch axis is gone"),
    (ascent(change=False), "did not change"),
    (lambda *args: "image", "should return a numpy array"),
]


@pytest.mark.parametrize("impl, says", ASCENT_MISTAKES, ids=[s[:25] for _, s in ASCENT_MISTAKES])
def test_ascent_mistake_is_named(impl, says, student):
    assert_named(ch.q_4, impl, says, student)


def test_descent_message_gives_the_activations(student):
    student["ascent_step"] = ascent(sign=-1)
    message = ch.q_4.evaluate().message
    before = ch._filter_mean(ch._feature_model(), ch.start_images()[0], 3)
    assert f"from {before:.4f}" in message


def test_variable_based_ascent_is_accepted(student):
    def with_variable(feature_model, image, filter_index, step=0.01):
        x = tf.Variable(image)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(feature_model(x)[:, :, :, filter_index])
        g = tape.gradient(loss, x)
        x.assign_add(step * g / (tf.sqrt(tf.reduce_mean(g ** 2)) + 1e-5))
        return x
    student["ascent_step"] = with_variable
    assert "end with `.numpy()`" in ch.q_4.evaluate().message      # the task asks for a numpy array
    student["ascent_step"] = lambda *args: with_variable(*args).numpy()
    assert ch.q_4.evaluate().status == CORRECT
    ch.q_4.assert_hidden_tests_pass()
    ch.q_4.assert_hidden_calls_pass()                              # the name older notebooks use


def test_ascent_that_changes_the_image_in_place_is_told_so(student):
    def in_place(feature_model, image, filter_index, step=0.01):
        image += ch.reference_ascent_step(feature_model, image, filter_index, step) - image
        return image
    student["ascent_step"] = in_place
    assert "changes `image` in place" in ch.q_4.evaluate().message
    assert ch.start_images()[0].flags.writeable


# ---- question 5: Grad-CAM ---------------------------------------------------------------------------------
def cam_variant(batch_axis=False, upsample=False, input_gradient=False):
    def grad_cam(model, image, class_index, layer_name):
        heat = ch.reference_grad_cam(model, image, class_index, layer_name)
        if input_gradient:
            x = tf.convert_to_tensor(image[None])
            with tf.GradientTape() as tape:
                tape.watch(x)
                score = model(x)[:, class_index]
            g = np.abs(tape.gradient(score, x).numpy()[0, :, :, 0])
            return g / g.max()
        if upsample:
            return tf.image.resize(heat[..., None], (32, 32)).numpy()[..., 0]
        return heat[None] if batch_axis else heat
    return grad_cam


def cam_nan(model, image, class_index, layer_name):
    return ch.reference_grad_cam(model, image, class_index, layer_name) * np.nan


def cam_raises(model, image, class_index, layer_name):
    return model(image)      # no batch axis: Keras raises


CAM_MISTAKES = [(m.impl, m.says[:30]) for m in ch.q_5.mistakes] + [
    (cam_variant(batch_axis=True), "drop the batch axis"),
    (cam_variant(upsample=True), "the size of the image"),
    (cam_variant(input_gradient=True), "the size of the image"),
    (cam_nan, "contains NaN"),
    (cam_raises, "raised"),
]


@pytest.mark.parametrize("impl, says", CAM_MISTAKES, ids=[s[:25] for _, s in CAM_MISTAKES])
def test_grad_cam_mistake_is_named(impl, says, student):
    assert_named(ch.q_5, impl, says, student)


def test_grad_cam_reference_agrees_with_the_channel_weights_of_the_paper():
    """Independent check of the reference: for the Flatten + Dense head, dy/dA is the Dense weight column."""
    net, image = ch.make_convnet(), ch.sample_images()[0]
    maps = keras.Model(net.input, net.get_layer("conv3").output)(image[None]).numpy()[0]   # (8, 8, 16)
    w = net.get_layer("scores").get_weights()[0][:, 1].reshape(8, 8, 16)                   # dy_1/dA
    heat = np.maximum(maps @ w.mean(axis=(0, 1)), 0)
    np.testing.assert_allclose(ch.reference_grad_cam(net, image, 1, "conv3"), heat / heat.max(), rtol=1e-4)


@pytest.mark.parametrize("question", [ch.q_4, ch.q_5], ids=["q_4", "q_5"])
def test_hidden_calls(question, student):
    student[question.var] = question.reference
    question.assert_hidden_tests_pass()
    student[question.var] = question.mistakes[0].impl
    with pytest.raises(AssertionError):
        question.assert_hidden_tests_pass()


def test_grad_cam_returning_a_tensor_is_told_to_return_numpy(student):
    student["grad_cam"] = lambda *args: tf.constant(ch.reference_grad_cam(*args))
    assert "end with `.numpy()`" in ch.q_5.evaluate().message


def test_check_cases_have_something_to_find():
    """The visible Grad-CAM call asks for a class that is not the prediction, on a layer that is not the last,
    with negative evidence for the ReLU to remove: each named mistake shows on it."""
    net, image = ch.make_convnet(), ch.sample_images()[0]
    assert int(np.argmax(net(image[None]))) != 0
    maps, grads = ch._cam_parts(net, image, 0, "conv2")
    raw = maps @ grads.mean(axis=(0, 1))
    assert raw.max() > 0 and (raw < 0).mean() > 0.2


# ---- the lesson's noise-free masks ---------------------------------------------------------------------------
def test_shape_masks_replay_the_shapes_generator():
    """The lesson redraws the shapes without noise by replaying datasets.shapes_images' random calls."""
    n = 40
    images, labels = datasets.shapes_images(n=n, size=32, seed=0)
    rng = np.random.default_rng(0)
    order = np.arange(n) % 4
    rng.shuffle(order)
    masks = np.stack([datasets.draw_shape(datasets.SHAPES[k], 32, rng) for k in order])
    np.testing.assert_array_equal(order, labels)
    assert images[..., 0][masks > 0].mean() > 0.6 and images[..., 0][masks == 0].mean() < 0.1
