"""Data for the training chapters, offline first.

The book, the exercises and the tests use only what is on this machine:
- ``digits``: scikit-learn's bundled handwritten digits (1,797 real images, 8×8),
  upsampled to 28×28 so they fit MNIST-shaped models;
- ``shapes``: a seeded generated dataset of circles, squares, triangles and stars at
  random positions, sizes and rotations, with noise.
The full-size loaders (MNIST, Fashion-MNIST, a cats-vs-dogs folder) stay in code: they use
a local copy when there is one, and otherwise say so and fall back to the offline data.
Nothing here downloads.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHAPES = ("circle", "square", "triangle", "star")


@dataclass
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple

    def sizes(self) -> tuple[int, int, int]:
        return len(self.x_train), len(self.x_val), len(self.x_test)


def split(x: np.ndarray, y: np.ndarray, class_names, *, val: float = 0.15, test: float = 0.15,
          seed: int = 0) -> Split:
    """Shuffle (seeded) and cut into train / validation / test."""
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test, n_val = int(round(len(x) * test)), int(round(len(x) * val))
    n_train = len(x) - n_val - n_test
    return Split(x[:n_train], y[:n_train], x[n_train:n_train + n_val], y[n_train:n_train + n_val],
                 x[n_train + n_val:], y[n_train + n_val:], tuple(class_names))


def digits_images(size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits as float32 images (n, size, size, 1) in [0, 1], labels 0–9.

    Upsampling takes seconds, so it is done once per size; callers get their own copies.
    """
    images, labels = _digits_images(size)
    return images.copy(), labels.copy()


@functools.lru_cache(maxsize=4)
def _digits_images(size: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from skimage.transform import resize
    data = load_digits()
    images = data.images.astype(np.float32) / 16.0
    if size != 8:
        images = resize(images, (len(images), size, size), order=1, anti_aliasing=False).astype(np.float32)
    return np.clip(images, 0, 1)[..., np.newaxis], data.target.astype(np.int64)


def digits(size: int = 28, seed: int = 0) -> Split:
    x, y = digits_images(size)
    return split(x, y, [str(d) for d in range(10)], seed=seed)


def digits_split() -> Split:
    """The offline digits at 28×28 cut into train / validation / test (1,257 / 270 / 270 images), as
    chapters 7, 8 and 10 use them. Fresh arrays on every call (the images are upsampled once), so a
    student's in-place edits never reach the checks."""
    return digits(28)


def _polygon(points: np.ndarray, size: int) -> np.ndarray:
    from skimage.draw import polygon
    mask = np.zeros((size, size), np.float32)
    rr, cc = polygon(points[:, 1], points[:, 0], (size, size))
    mask[rr, cc] = 1.0
    return mask


def draw_shape(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """One shape at a random position, size and rotation, filled with 1 on 0."""
    radius = rng.uniform(0.22, 0.38) * size
    cx, cy = rng.uniform(radius + 1, size - radius - 1, size=2)
    angle = rng.uniform(0, 2 * np.pi)
    if kind == "circle":
        yy, xx = np.mgrid[:size, :size]
        return ((xx - cx) ** 2 + (yy - cy) ** 2 <= radius ** 2).astype(np.float32)
    corners = {"square": 4, "triangle": 3, "star": 10}[kind]
    t = angle + np.arange(corners) * 2 * np.pi / corners
    r = np.full(corners, radius * (0.9 if kind == "square" else 1.0))
    if kind == "star":
        r[1::2] *= 0.45
    points = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)
    return _polygon(points, size)


def shapes_images(n: int = 1200, size: int = 32, classes=SHAPES, noise: float = 0.1,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A balanced, seeded set of noisy shape images (n, size, size, 1) in [0, 1]."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(classes)
    rng.shuffle(labels)
    images = np.stack([draw_shape(classes[k], size, rng) for k in labels])
    images = np.clip(images * rng.uniform(0.6, 1.0, size=(n, 1, 1)) + rng.normal(0, noise, images.shape), 0, 1)
    return images.astype(np.float32)[..., np.newaxis], labels.astype(np.int64)


def shapes(n: int = 1200, size: int = 32, classes=SHAPES, noise: float = 0.1, seed: int = 0) -> Split:
    x, y = shapes_images(n, size, classes, noise, seed)
    return split(x, y, classes, seed=seed)


# ---- full-size datasets: a local copy if present, else the offline fallback -------------
def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def _as_uint8_pairs(data: Split):
    to_u8 = lambda x: (x[..., 0] * 255).round().astype(np.uint8)  # noqa: E731
    x_train = np.concatenate([data.x_train, data.x_val])
    y_train = np.concatenate([data.y_train, data.y_val])
    return (to_u8(x_train), y_train), (to_u8(data.x_test), data.y_test)


def load_mnist(name: str = "mnist", verbose: bool = True):
    """``keras.datasets.<name>.load_data()`` from the local cache, else the offline digits.

    Returns ((x_train, y_train), (x_test, y_test)) with uint8 28×28 images, like Keras.
    """
    cached = keras_cache_dir() / f"{name}.npz"
    if cached.exists():  # the file keras.datasets.<name>.load_data() saved; read it without Keras
        with np.load(cached, allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    if verbose:
        print(f"{name}: no local copy in {cached.parent} (this course works offline), so using the offline "
              "stand-in: scikit-learn's 1,797 real handwritten digits, upsampled to 28×28. With internet, "
              f"`keras.datasets.{name}.load_data()` downloads the full dataset once into that folder.")
    return _as_uint8_pairs(digits(28))


def image_folder(directory, image_size=(150, 150), batch_size: int = 32, verbose: bool = True, seed: int = 0):
    """A labelled image folder (e.g. cats-vs-dogs: train/cats, train/dogs) as a tf.data dataset.

    Without the folder, falls back to the offline two-class shapes data (circles vs squares)
    at ``image_size`` with three colour channels, and says so.
    """
    import keras
    directory = Path(directory)
    if directory.is_dir() and any(p.is_dir() for p in directory.iterdir()):
        return keras.utils.image_dataset_from_directory(directory, image_size=image_size, batch_size=batch_size,
                                                        label_mode="binary", seed=seed)
    if verbose:
        print(f"{directory}: not found, so using the offline stand-in: generated circles vs squares at "
              f"{image_size[0]}×{image_size[1]} (label 0 = circle, 1 = square).")
    import tensorflow as tf
    x, y = shapes_images(n=400, size=image_size[0], classes=("circle", "square"), seed=seed)
    x = np.repeat(x, 3, axis=-1) * 255.0
    if image_size[1] != image_size[0]:
        x = tf.image.resize(x, image_size).numpy()
    return tf.data.Dataset.from_tensor_slices((x, y.astype(np.float32)[:, None])).batch(batch_size)
