"""The Keras kinds (grader/engine/keras_kinds.py): lazy imports, the fit fingerprint, the loss kind."""
import subprocess
import sys

import numpy as np

from grader.engine.feedback import CORRECT, INCORRECT


def test_keras_kinds_and_recognition_do_not_import_tensorflow():
    code = ("import sys, grader.engine.keras_kinds, grader.course.keras_models, grader.course.losses, "
            "grader.course.datasets; print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_row_keys_ignore_the_float_type_and_skip_labels():
    from grader.engine.keras_kinds import row_keys
    x = np.random.default_rng(0).random((5, 4, 4, 1)).astype(np.float32)
    assert row_keys(x) == row_keys(x.astype(np.float64)) == row_keys(x.reshape(5, 16))
    assert len(row_keys(x)) == 5
    assert row_keys(np.arange(5)) is None and row_keys(np.eye(10)) is None


def test_loss_kind_reads_every_spelling(student):
    from grader.engine.keras_kinds import LossQuestion
    q = LossQuestion("loss", accepted={"mse": "squares"}, wrong={"mae": "absolute"}, from_logits_says="logits",
                     unknown_says="unknown {name}")
    for given in ("mse", "mean_squared_error", "MeanSquaredError", " MSE "):
        student["loss"] = given
        assert q.evaluate().status == CORRECT and "squares" in q.evaluate().message
    student["loss"] = "mean_absolute_error"
    assert q.evaluate().message == "absolute"
    student["loss"] = "pixelwise"
    assert q.evaluate().status == INCORRECT and "unknown 'pixelwise'" in q.evaluate().message
