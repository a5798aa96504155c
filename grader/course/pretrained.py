"""The course's own pretrained convolutional base, for chapter 9 (transfer learning), offline.

ImageNet weights need a download, so the course trains a small base itself and ships it as
``grader/course/data/course_base.keras``:

- **source task**: the handwritten digits 0–4 (scikit-learn's real digits), each drawn several
  times at a random size, angle and position on a 32×32 canvas with noise. Plenty of labelled
  images, like ImageNet for a photo model.
- **target task**: the digits 5–9, drawn the same way, with only a few labelled images per class.
  The base never saw a 5, 6, 7, 8 or 9.

``load_base()`` returns a fresh copy of the shipped base (its own weights each call).
``python -m grader.course.pretrained`` retrains it (seeded; about a minute: 52 s of CPU time and 43 s of wall time
on 2 CPU cores at load average 2.3, measured) and rewrites
the file and its record ``course_base.json`` (source-task accuracy, training time, versions).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from grader.course.datasets import Split

DATA_DIR = Path(__file__).resolve().parent / "data"
BASE_PATH = DATA_DIR / "course_base.keras"
RECORD_PATH = DATA_DIR / "course_base.json"

SIZE = 32                      # the canvas: images are (32, 32, 1), values in [0, 1]
SOURCE_DIGITS = (0, 1, 2, 3, 4)
TARGET_DIGITS = (5, 6, 7, 8, 9)
SOURCE_COPIES = 8              # each source digit is drawn this many times, differently
FILTERS = (16, 32, 64)         # block1, block2, block3
BASE_NAME = "course_base"
EPOCHS, BATCH, LEARNING_RATE, SEED = 8, 64, 2e-3, 0


# ---- drawing digits on a canvas -----------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    data = load_digits()
    return (data.images / 16.0).astype(np.float32), data.target.astype(np.int64)


SIDES, ANGLE, NOISE = (16, 24), 15.0, 0.05   # digit size in pixels (low, high), rotation ±degrees, noise


def draw_digit(image8: np.ndarray, rng: np.random.Generator, size: int = SIZE, noise: float = NOISE) -> np.ndarray:
    """One 8×8 digit drawn on a size×size canvas at a random scale, angle and place, with noise."""
    from skimage.transform import resize, rotate
    side = int(rng.integers(SIDES[0], SIDES[1] + 1))
    digit = resize(image8, (side, side), order=1, anti_aliasing=False)
    digit = rotate(digit, float(rng.uniform(-ANGLE, ANGLE)), resize=True, order=1)
    digit = digit[:size, :size]
    h, w = digit.shape
    top, left = int(rng.integers(0, size - h + 1)), int(rng.integers(0, size - w + 1))
    canvas = np.zeros((size, size), np.float32)
    canvas[top:top + h, left:left + w] = digit
    canvas = canvas * rng.uniform(0.7, 1.0) + rng.normal(0.0, noise, canvas.shape)
    return np.clip(canvas, 0.0, 1.0).astype(np.float32)


def _draw_all(images8, copies: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.stack([draw_digit(img, rng) for _ in range(copies) for img in images8])
    return out[..., np.newaxis]


@functools.lru_cache(maxsize=2)
def _source(copies: int, seed: int):
    images, labels = _raw_digits()
    keep = np.isin(labels, SOURCE_DIGITS)
    images, labels = images[keep], labels[keep]
    # hold out whole original digits (not just other drawings of them) for validation
    order = np.random.default_rng(seed).permutation(len(images))
    n_val = len(images) // 7
    val, train = order[:n_val], order[n_val:]
    x_train, x_val = _draw_all(images[train], copies, seed), _draw_all(images[val], 1, seed + 100)
    return x_train, np.tile(labels[train], copies), x_val, labels[val]


def source_task(copies: int = SOURCE_COPIES, seed: int = SEED) -> Split:
    """The source task: digits 0–4 on the canvas; labels 0–4. Its test split is empty.

    The validation images are drawn from original digits that no training image comes from.
    """
    x_train, y_train, x_val, y_val = _source(copies, seed)
    empty = np.zeros((0, SIZE, SIZE, 1), np.float32)
    return Split(x_train.copy(), y_train.copy(), x_val.copy(), y_val.copy(), empty, np.zeros(0, np.int64),
                 tuple(str(d) for d in SOURCE_DIGITS))


@functools.lru_cache(maxsize=1)
def _target_pool():
    images, labels = _raw_digits()
    keep = np.isin(labels, TARGET_DIGITS)
    return _draw_all(images[keep], 1, seed=1000), labels[keep] - TARGET_DIGITS[0]


def target_task(per_class: int = 10, seed: int = 0) -> Split:
    """The target task: digits 5–9 on the canvas, labels 0–4 (label k is the digit 5 + k).

    ``x_train`` holds ``per_class`` labelled images of each class (chosen with ``seed``); every other
    image of the digits 5–9 goes, half and half, to ``x_val`` and ``x_test``.
    """
    x, y = _target_pool()
    rng = np.random.default_rng(seed)
    chosen = np.concatenate([rng.choice(np.flatnonzero(y == k), per_class, replace=False)
                             for k in range(len(TARGET_DIGITS))])
    rng.shuffle(chosen)
    rest = np.setdiff1d(np.arange(len(x)), chosen)
    rest = rng.permutation(rest)
    half = len(rest) // 2
    val, test = rest[:half], rest[half:]
    return Split(x[chosen].copy(), y[chosen].copy(), x[val].copy(), y[val].copy(), x[test].copy(), y[test].copy(),
                 tuple(str(d) for d in TARGET_DIGITS))


# ---- the base -----------------------------------------------------------------------------------
def build_base(name: str = BASE_NAME, filters=FILTERS):
    """The architecture of the base, with fresh random weights: three blocks of
    Conv2D (3×3, 'same', no bias) → BatchNormalization (momentum 0.9) → ReLU → MaxPooling2D(2), named
    ``block1_conv``, ``block1_bn``, ``block1_relu``, ``block1_pool``, …, ``block3_pool``.
    Input (32, 32, 1), output (4, 4, 64)."""
    import keras
    layers = [keras.Input(shape=(SIZE, SIZE, 1))]
    for i, f in enumerate(filters, start=1):
        layers += [keras.layers.Conv2D(f, 3, padding="same", use_bias=False, name=f"block{i}_conv"),
                   keras.layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn"),
                   keras.layers.ReLU(name=f"block{i}_relu"),
                   keras.layers.MaxPooling2D(2, name=f"block{i}_pool")]
    return keras.Sequential(layers, name=name)


class BaseFileError(RuntimeError):
    """The shipped base is missing or unreadable."""


def load_base(path: str | os.PathLike | None = None):
    """A fresh copy of the course's pretrained base (a Keras model named ``course_base``).

    Every call reads the file again, so each caller gets its own weights to freeze, fine-tune
    or break. All layers are trainable, as after ``keras.applications.VGG16(...)``.
    """
    path = Path(path) if path is not None else BASE_PATH
    fix = ("Reinstall the course package (`pip install -e .` in the course folder), or rebuild the base with "
           "`python -m grader.course.pretrained` (about a minute).")
    if not path.is_file():
        raise BaseFileError(f"The course's pretrained base is missing: no file {path}. {fix}")
    import keras
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as exc:  # noqa: BLE001 - any failure to read means a damaged file
        raise BaseFileError(f"The course's pretrained base {path} could not be read ({type(exc).__name__}: "
                            f"{str(exc)[:300]}). The file is damaged or not a .keras model. {fix}") from None
    if getattr(model, "name", None) != BASE_NAME or tuple(model.output_shape[1:]) != (4, 4, FILTERS[-1]):
        raise BaseFileError(f"{path} holds a Keras model, but not the course's base (name {model.name!r}, output "
                            f"{model.output_shape}). {fix}")
    return model


def fingerprint(base) -> dict:
    """The sum of the absolute kernel values of each block's convolution: a cheap way for the
    exercise checks to tell the shipped weights from fresh or retrained ones."""
    return {f"block{i}_conv": float(np.abs(np.asarray(base.get_layer(f"block{i}_conv").kernel)).sum())
            for i in range(1, len(FILTERS) + 1)}


def record() -> dict:
    """What the training script wrote about the shipped base (accuracy, time, versions)."""
    return json.loads(RECORD_PATH.read_text())


# ---- training (python -m grader.course.pretrained) ------------------------------------------------------
def train_base(epochs: int = EPOCHS, copies: int = SOURCE_COPIES, seed: int = SEED, verbose: int = 0):
    """Train the base on the source task, with a temporary head; return (base, report)."""
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    data = source_task(copies, seed)
    base = build_base()
    model = keras.Sequential([base, keras.layers.GlobalAveragePooling2D(name="source_pool"),
                              keras.layers.Dense(len(SOURCE_DIGITS), activation="softmax", name="source_head")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=BATCH, shuffle=True,
                        validation_data=(data.x_val, data.y_val), verbose=verbose)
    seconds = time.perf_counter() - start
    report = {"source_val_accuracy": round(float(history.history["val_accuracy"][-1]), 4),
              "source_train_accuracy": round(float(history.history["accuracy"][-1]), 4),
              "train_images": int(len(data.x_train)), "val_images": int(len(data.x_val)),
              "epochs": epochs, "seed": seed, "training_seconds": round(seconds, 1),
              "parameters": int(base.count_params()),
              "keras": keras.__version__, "tensorflow": tf.__version__}
    return base, report


def main() -> None:
    base, report = train_base(verbose=2)
    DATA_DIR.mkdir(exist_ok=True)
    base.save(BASE_PATH)
    report["file_bytes"] = BASE_PATH.stat().st_size
    report["sha256"] = hashlib.sha256(BASE_PATH.read_bytes()).hexdigest()
    report["fingerprint"] = fingerprint(base)
    RECORD_PATH.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {BASE_PATH} and {RECORD_PATH}")


if __name__ == "__main__":
    main()
