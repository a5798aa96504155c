"""Offline data: real bundled digits, seeded generated shapes, and loaders that fall back
(saying so) instead of downloading."""
import socket

import numpy as np
import pytest

from grader.course import datasets


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_shapes_are_seeded_balanced_and_in_range():
    a, b = datasets.shapes(n=200, seed=3), datasets.shapes(n=200, seed=3)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.sizes() == (140, 30, 30)
    assert a.x_train.shape[1:] == (32, 32, 1) and a.x_train.dtype == np.float32
    assert 0 <= a.x_train.min() and a.x_train.max() <= 1
    labels = np.concatenate([a.y_train, a.y_val, a.y_test])
    assert np.bincount(labels).tolist() == [50, 50, 50, 50]
    assert not np.array_equal(datasets.shapes(n=200, seed=4).x_train, a.x_train)


@pytest.mark.parametrize("kind", datasets.SHAPES)
def test_each_shape_is_drawn_inside_the_image(kind):
    mask = datasets.draw_shape(kind, 32, np.random.default_rng(0))
    assert 30 < mask.sum() < 32 * 32 * 0.5
    assert mask[0].sum() == mask[-1].sum() == mask[:, 0].sum() == mask[:, -1].sum() == 0


def test_digits_are_the_real_bundled_images_upsampled():
    x8, y = datasets.digits_images(8)
    from sklearn.datasets import load_digits
    np.testing.assert_allclose(x8[..., 0], load_digits().images / 16)
    x28, _ = datasets.digits_images(28)
    assert x28.shape == (1797, 28, 28, 1) and len(y) == 1797


def test_mnist_without_a_local_copy_falls_back_and_says_so(tmp_path, monkeypatch, capsys, no_network):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist()
    assert "no local copy" in capsys.readouterr().out
    assert x_train.dtype == np.uint8 and x_train.shape[1:] == (28, 28)
    assert len(x_train) + len(x_test) == 1797 and set(np.unique(y_train)) == set(range(10))


def test_mnist_uses_the_local_copy_when_present(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets"
    folder.mkdir()
    fake = {k: np.zeros(s, np.uint8) for k, s in
            [("x_train", (5, 28, 28)), ("y_train", (5,)), ("x_test", (2, 28, 28)), ("y_test", (2,))]}
    np.savez(folder / "mnist.npz", **fake)
    (x_train, _), (x_test, _) = datasets.load_mnist()
    assert x_train.shape == (5, 28, 28) and x_test.shape == (2, 28, 28)


def test_image_folder_falls_back_to_shapes(tmp_path, capsys, no_network):
    pytest.importorskip("tensorflow")
    ds = datasets.image_folder(tmp_path / "cats_and_dogs_small" / "train", image_size=(64, 64), batch_size=16)
    assert "offline stand-in" in capsys.readouterr().out
    x, y = next(iter(ds))
    assert tuple(x.shape) == (16, 64, 64, 3) and tuple(y.shape) == (16, 1)


def test_digits_load_once_but_each_caller_gets_its_own_arrays():
    first = datasets.digits(28)
    first.x_train[:] = 0  # a student's in-place edit
    assert datasets.digits(28).x_train.max() == 1.0
