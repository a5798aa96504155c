"""The course's pretrained base (grader/course/pretrained.py and grader/course/data/course_base.keras)."""
import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from grader.course import pretrained  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_file_is_small_and_matches_its_record():
    record = pretrained.record()
    data = pretrained.BASE_PATH.read_bytes()
    assert len(data) <= 5 * 1024 * 1024
    assert hashlib.sha256(data).hexdigest() == record["sha256"]
    assert record["source_val_accuracy"] >= 0.9
    assert record["fingerprint"] == pytest.approx(pretrained.fingerprint(pretrained.load_base()), rel=1e-6)


def test_the_file_is_installed_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["grader"]
    assert "course/data/*.keras" in patterns and "course/data/*.json" in patterns


def test_load_base_returns_an_independent_trainable_copy():
    one, two = pretrained.load_base(), pretrained.load_base()
    assert one.name == "course_base" and one.output_shape == (None, 4, 4, 64)
    assert [layer.name for layer in one.layers][:4] == ["block1_conv", "block1_bn", "block1_relu", "block1_pool"]
    assert all(layer.trainable for layer in one.layers)
    kernel = one.get_layer("block1_conv")
    kernel.set_weights([np.zeros_like(w) for w in kernel.get_weights()])
    one.trainable = False
    assert np.abs(two.get_layer("block1_conv").get_weights()[0]).sum() > 0
    assert two.trainable


@pytest.mark.parametrize("content, says", [(None, "is missing"), (b"not a zip file", "could not be read")])
def test_a_missing_or_damaged_file_is_explained(tmp_path, content, says):
    path = tmp_path / "course_base.keras"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(pretrained.BaseFileError, match=says) as info:
        pretrained.load_base(path)
    assert "python -m grader.course.pretrained" in str(info.value)


def test_another_model_is_not_taken_for_the_base(tmp_path):
    path = tmp_path / "other.keras"
    keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten()], name="other").save(path)
    with pytest.raises(pretrained.BaseFileError, match="not the course's base"):
        pretrained.load_base(path)


def test_target_task_splits_are_disjoint_balanced_and_seeded():
    data = pretrained.target_task(per_class=10, seed=0)
    assert data.x_train.shape == (50, 32, 32, 1) and np.array_equal(np.bincount(data.y_train), [10] * 5)
    assert set(np.unique(data.y_val)) == set(range(5))
    pool, _ = pretrained._target_pool()
    assert len(data.x_train) + len(data.x_val) + len(data.x_test) == len(pool)
    rows = {img.tobytes() for img in np.concatenate([data.x_train, data.x_val, data.x_test])}
    assert len(rows) == len(pool)
    again = pretrained.target_task(per_class=10, seed=0)
    assert np.array_equal(again.x_train, data.x_train)
    assert not np.array_equal(pretrained.target_task(per_class=10, seed=1).y_train, data.y_train)


def test_source_task_holds_only_digits_0_to_4():
    data = pretrained.source_task()
    assert set(np.unique(data.y_train)) == set(range(5)) and data.x_train.shape[1:] == (32, 32, 1)
    assert data.x_train.min() >= 0 and data.x_train.max() <= 1


_ONE_EPOCH = """
import os, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
from grader.course import pretrained
base, report = pretrained.train_base(epochs=1, copies=1)
print(json.dumps(pretrained.fingerprint(base)))
"""


@pytest.mark.slow
@pytest.mark.xdist_group("ch09-training")
def test_training_script_is_deterministic():
    """Two short runs of the seeded training give the same weights (op determinism is on)."""
    runs = [subprocess.run([sys.executable, "-c", _ONE_EPOCH], capture_output=True, text=True, timeout=600,
                           cwd=ROOT) for _ in range(2)]
    outs = [r.stdout.strip().splitlines()[-1] for r in runs]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr[-2000:]
    assert outs[0] == outs[1]
