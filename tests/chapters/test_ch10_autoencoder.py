"""Chapter 10 checks: each recognised mistake is named (reference answers and placeholders are
covered for every chapter in test_questions_all_chapters.py)."""
import numpy as np
import pytest

from grader.engine.feedback import CORRECT, INCORRECT
import grader.checks.ch10_autoencoder as ch

X, W = ch.x_t.astype(float), ch.w_t.astype(float)


def stamps(x, w, stride, overwrite=False):
    out = np.zeros(((x.shape[0] - 1) * stride + w.shape[0], (x.shape[1] - 1) * stride + w.shape[1]))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            block = out[i * stride:i * stride + w.shape[0], j * stride:j * stride + w.shape[1]]
            if overwrite:
                block[...] = x[i, j] * w
            else:
                block += x[i, j] * w
    return out


VALUE_MISTAKES = [
    (ch.q_1.a, (3, 3, 8), "padding='valid'"),
    (ch.q_1.a, (7, 7, 8), "only two poolings"),
    (ch.q_1.a, (4, 4, 16), "channel count"),
    (ch.q_1.a, (4, 4, 4), "axis 2 (channels) is wrong"),
    (ch.q_1.a, (1, 4, 4, 8), "batch axis"),
    (ch.q_1.a, (None, 4, 4, 8), "batch axis in front"),
    (ch.q_1.a, (8, 4, 4), "channels first"),
    (ch.q_1.a, (4, 4), "three axes"),
    (ch.q_1.b, 392, "two poolings"),
    (ch.q_1.b, 72, "'valid' pooling"),
    (ch.q_1.b, 16, "forgets the channels"),
    (ch.q_1.b, 784, "size of the input"),
    (ch.q_1.b, 6.125, "compression factor"),
    (ch.q_1.b, 128.0, "`//`"),
    (ch.q_2, stamps(X, W[::-1, ::-1], 2), "kernel is flipped"),
    (ch.q_2, stamps(X, W, 1), "stride 1"),
    (ch.q_2, stamps(X, W, 2, overwrite=True), "*adds*"),
    (ch.q_2, stamps(X, W, 2).T, "rows and columns are swapped"),
    (ch.q_2, stamps(X, W, 2)[:4, :4], "n·stride"),
    (ch.q_2, X, "size of the *input*"),
    (ch.q_4, "a", "1, 2 or 4 stamps"),
    (ch.q_4, "c", "only crops the border"),
    (ch.q_4, "d", "not a multiple of 2 either"),
    (ch.q_4, "e", "one of 'a', 'b', 'c', 'd'"),
]


def test_code_shape_in_any_form_is_accepted(student):
    tf = pytest.importorskip("tensorflow")
    for given in ((4, 4, 8), [4, 4, 8], np.array([4, 4, 8]), tf.TensorShape([4, 4, 8]), (np.int64(4), 4, 8)):
        student["code_shape"] = given
        assert ch.q_1.a.evaluate().status == CORRECT, ch.q_1.a.evaluate().message


def test_transposed_size_must_return_a_whole_number(student):
    student["transposed_size"] = lambda n, kernel, stride, padding="valid", output_padding=None: float(
        ch.reference_transposed_size(n, kernel, stride, padding, output_padding))
    assert "whole number" in ch.q_3.evaluate().message


@pytest.mark.parametrize("question, answer, says", VALUE_MISTAKES,
                         ids=[f"{q.name}-{says[:20]}" for q, _, says in VALUE_MISTAKES])
def test_value_mistake_is_named(question, answer, says, student):
    student[question.var] = answer
    outcome = question.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


# ---- question 3: transposed_size ----------------------------------------------------------------
def forgot_output_padding(n, kernel, stride, padding="valid", output_padding=None):
    p = kernel // 2 if padding == "same" else 0
    if output_padding is None:
        return n * stride if padding == "same" else (n - 1) * stride + kernel
    return (n - 1) * stride + kernel - 2 * p


def conv2d_formula(n, kernel, stride, padding="valid", output_padding=None):
    p = kernel // 2 if padding == "same" else 0
    return (n + 2 * p - kernel) // stride + 1


def same_is_n_stride(n, kernel, stride, padding="valid", output_padding=None):
    if padding == "same":
        return n * stride
    return (n - 1) * stride + kernel + (output_padding or 0)


def none_is_zero(n, kernel, stride, padding="valid", output_padding=None):
    p = kernel // 2 if padding == "same" else 0
    return (n - 1) * stride + kernel - 2 * p + (output_padding or 0)


def padding_once(n, kernel, stride, padding="valid", output_padding=None):
    if output_padding is None:
        return n * stride if padding == "same" else (n - 1) * stride + kernel
    p = kernel // 2 if padding == "same" else 0
    return (n - 1) * stride + kernel - p + output_padding


def padding_ignored(n, kernel, stride, padding="valid", output_padding=None):
    return (n - 1) * stride + kernel + (output_padding or 0)


def crashes(n, kernel, stride, padding="valid", output_padding=None):
    return n + output_padding


FUNCTION_MISTAKES = [
    (forgot_output_padding, "output padding is missing"),
    (conv2d_formula, "ordinary (strided) Conv2D"),
    (same_is_n_stride, "always return n·stride"),
    (none_is_zero, "is not the same as 0"),
    (padding_once, "subtracted once"),
    (padding_ignored, "treated like 'valid'"),
    (crashes, "raised TypeError"),
]


@pytest.mark.parametrize("impl, says", FUNCTION_MISTAKES, ids=[s for _, s in FUNCTION_MISTAKES])
def test_transposed_size_mistake_is_named(impl, says, student):
    student["transposed_size"] = impl
    outcome = ch.q_3.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def test_transposed_size_reference_matches_keras():
    import keras
    for c in ch.q_3.cases:
        n, kernel, stride, *rest = c.args
        padding = rest[0] if rest else "valid"
        output_padding = rest[1] if len(rest) > 1 else None
        layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding,
                                             output_padding=output_padding)
        got = layer(np.zeros((1, n, n, 1), "float32")).shape[1]
        assert got == ch.reference_transposed_size(*c.args), c


def test_transposed_by_hand_matches_keras():
    import keras
    layer = keras.layers.Conv2DTranspose(1, 3, strides=2, use_bias=False,
                                         kernel_initializer=keras.initializers.Constant(W[:, :, None, None]))
    out = keras.ops.convert_to_numpy(layer(X[None, :, :, None].astype("float32")))[0, :, :, 0]
    np.testing.assert_allclose(out, ch.q_2.expected())


# ---- question 5: the decoder ----------------------------------------------------------------------
def seq(*layers, shape=(4, 4, 8)):
    import keras
    return keras.Sequential([keras.Input(shape=shape), *layers])


def decoder(last_conv_padding="valid", filters_out=1, activation="sigmoid", shape=(4, 4, 8)):
    import keras
    L = keras.layers
    return seq(L.Conv2D(8, 3, activation="relu", padding="same"), L.UpSampling2D(2),
               L.Conv2D(8, 3, activation="relu", padding="same"), L.UpSampling2D(2),
               L.Conv2D(16, 3, activation="relu", padding=last_conv_padding), L.UpSampling2D(2),
               L.Conv2D(filters_out, 3, activation=activation, padding="same"), shape=shape)


def decoders():
    import keras
    L = keras.layers
    return {
        "forgot valid": decoder(last_conv_padding="same"),
        "relu": decoder(activation="relu"),
        "linear": decoder(activation=None),
        "softmax": decoder(activation="softmax"),
        "channels": decoder(filters_out=16),
        "input": decoder(shape=(4, 4, 4)),
        "autoencoder": keras.Sequential([ch.make_encoder(), decoder()]),
        "layers": [L.Conv2D(8, 3), L.UpSampling2D(2)],
        "one layer": L.Conv2D(1, 3),
        "dense": seq(L.Flatten(), L.Dense(784, activation="sigmoid"), L.Reshape((28, 28, 1))),
        "valid early": seq(L.Conv2D(8, 3, activation="relu"), L.UpSampling2D(2),
                           L.Conv2D(8, 3, activation="relu", padding="same"), L.UpSampling2D(2),
                           L.Conv2D(16, 3, activation="relu", padding="same"), L.UpSampling2D(2),
                           L.Conv2D(1, 3, activation="sigmoid", padding="same")),
        "flat output": seq(L.Flatten(), L.Dense(10)),
    }


DECODER_MISTAKES = [
    ("forgot valid", ["32×32", "4 rows and columns too many", "`up_sampling2d", "8 where the encoder had 7 (+1)",
                      "padding='valid'"]),
    ("relu", ["wrong final activation", "ReLU"]),
    ("linear", ["wrong final activation", "unbounded"]),
    ("softmax", ["wrong final activation", "exactly 1"]),
    ("channels", ["16 channels", "filters=1"]),
    ("input", ["(4, 4, 4)", "keras.Input(shape=(4, 4, 8))"]),
    ("autoencoder", ["whole autoencoder"]),
    ("layers", ["list of layers"]),
    ("one layer", ["single `Conv2D` layer"]),
    ("dense", ["three layers that double it", "0 steps"]),
    ("valid early", ["12 rows and columns too few", "2 where the encoder had 4 (-2)"]),
    ("flat output", ["(10,)", "no Flatten"]),
]


@pytest.mark.parametrize("name, says", DECODER_MISTAKES, ids=[n for n, _ in DECODER_MISTAKES])
def test_decoder_mistake_is_named(name, says, student):
    student["decoder"] = decoders()[name]
    outcome = ch.q_5.evaluate()
    assert outcome.status == INCORRECT
    for text in says:
        assert text in outcome.message, outcome.message


def test_other_correct_decoders_are_accepted(student):
    import keras
    L = keras.layers
    cropped = seq(L.Conv2D(8, 3, activation="relu", padding="same"), L.UpSampling2D(2),
                  L.Conv2D(8, 3, activation="relu", padding="same"), L.UpSampling2D(2),
                  L.Conv2D(16, 3, activation="relu", padding="same"), L.UpSampling2D(2),
                  L.Conv2D(1, 3, padding="same"), L.Cropping2D(2), L.Activation("sigmoid"))
    transposed = seq(L.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=0, activation="relu"),
                     L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
                     L.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid"))
    for model in (cropped, transposed):
        student["decoder"] = model
        assert ch.q_5.evaluate().status == CORRECT, ch.q_5.evaluate().message


# ---- question 6: the loss --------------------------------------------------------------------------
def losses():
    import keras
    return {
        "cce": ("categorical_crossentropy", "0 whatever the model outputs"),
        "cce object": (keras.losses.CategoricalCrossentropy(), "0 whatever the model outputs"),
        "scce": ("sparse_categorical_crossentropy", "integer class labels"),
        "accuracy": ("accuracy", "a metric, not a loss"),
        "hinge": ("hinge", "labels −1/+1"),
        "kld": ("kld", "distributions"),
        "logits": (keras.losses.BinaryCrossentropy(from_logits=True), "applied twice"),
        "class": (keras.losses.BinaryCrossentropy, "add parentheses"),
        "unknown": ("pixel_loss", "not a Keras loss"),
        "number": (0.5, "should be a loss"),
    }


@pytest.mark.parametrize("name", ["cce", "cce object", "scce", "accuracy", "hinge", "kld", "logits", "class",
                                  "unknown", "number"])
def test_loss_mistake_is_named(name, student):
    value, says = losses()[name]
    student["recon_loss"] = value
    outcome = ch.q_6.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def test_accepted_losses_explain_themselves(student):
    import keras
    for value, says in [("mse", "Mean squared error"), ("binary_crossentropy", "Binary crossentropy"),
                        (keras.losses.MeanSquaredError(), "Mean squared error"),
                        (keras.losses.binary_crossentropy, "Binary crossentropy"), ("mae", "absolute")]:
        student["recon_loss"] = value
        outcome = ch.q_6.evaluate()
        assert outcome.status == CORRECT and says in outcome.message, outcome.message


# ---- question 7: the denoiser (no training here: models that need none) -----------------------------
def denoisers():
    import keras
    L = keras.layers
    untrained = seq(L.Conv2D(4, 3, padding="same"), L.Conv2D(1, 3, activation="sigmoid", padding="same"),
                    shape=(28, 28, 1))
    return {
        "untrained": (untrained, "was never fitted"),
        "identity": (seq(L.Activation("linear"), shape=(28, 28, 1)), "copies the noise"),
        "grey": (seq(L.Lambda(lambda x: x * 0.5 + 0.15), shape=(28, 28, 1)), "background is grey"),
        "shape": (seq(L.UpSampling2D(2), shape=(28, 28, 1)), "same shape as"),
        "input": (seq(L.Conv2D(1, 3), shape=(32, 32, 1)), "(32, 32, 1)"),
        "not a model": ("denoiser", "should be a Keras model"),
    }


@pytest.mark.parametrize("name", ["untrained", "identity", "grey", "shape", "input", "not a model"])
def test_denoiser_mistake_is_named(name, student):
    model, says = denoisers()[name]
    student["denoiser"] = model
    outcome = ch.q_7.evaluate()
    assert outcome.status == INCORRECT
    assert says in outcome.message, outcome.message


def test_denoiser_that_blurs_is_not_enough(student):
    """A fixed 3×3 mean filter (tuned by hand) helps, but not enough, and the message says by how much."""
    import keras
    blur = keras.layers.Conv2D(1, 3, padding="same", use_bias=False,
                               kernel_initializer=keras.initializers.Constant(np.full((3, 3, 1, 1), 1 / 9)))
    model = seq(blur, keras.layers.Lambda(lambda x: keras.ops.relu(x - 0.12) * 1.3), shape=(28, 28, 1))
    student["denoiser"] = model
    outcome = ch.q_7.evaluate()
    assert outcome.status == INCORRECT
    assert ("the goal is at most" in outcome.message or "worse than the noisy input" in outcome.message), \
        outcome.message


def test_denoiser_fitted_on_the_validation_digits_does_not_count(student):
    import keras
    data = ch.digits_split()                # the student's data helper starts watching fit
    model = seq(keras.layers.Conv2D(1, 3, activation="sigmoid", padding="same"), shape=(28, 28, 1))
    model.compile(optimizer="adam", loss="mse")
    model.fit(ch.add_noise(data.x_val), data.x_val, epochs=1, verbose=0)
    student["denoiser"] = model
    outcome = ch.q_7.evaluate()
    assert outcome.status == INCORRECT and "fitted on 270 of the 270 validation digits" in outcome.message


def test_denoiser_question_is_marked_as_training():
    assert getattr(ch.q_7, "trains", False) is True
    assert not getattr(ch.q_5, "trains", False)
