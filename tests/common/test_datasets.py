"""The on-disk dataset readers, on small files in torchvision's layouts."""

import gzip
import pickle

import numpy as np
import pytest

from paperfigs.common.datasets import (
    MissingDatasetError,
    load_cifar10,
    load_digits_images,
    load_mnist_like,
    load_svhn,
)


def _write_idx(path, array, compress):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_like_reads_idx_files(tmp_path, compress):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    _write_idx(raw / "t10k-images-idx3-ubyte", images, compress)
    _write_idx(raw / "t10k-labels-idx1-ubyte", np.array([7, 0, 9]), compress)
    x, y = load_mnist_like(tmp_path, "FashionMNIST", "test")
    assert x.shape == (3, 784) and np.allclose(x * 255, images.reshape(3, -1))
    assert y.tolist() == [7, 0, 9]


def test_cifar10_reads_the_python_pickles(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batches[name] = {b"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8),
                         b"labels": list(rng.integers(0, 10, 2))}
        with open(folder / name, "wb") as handle:
            pickle.dump(batches[name], handle)
    x, y = load_cifar10(tmp_path, "train")
    assert x.shape == (10, 3072) and y.shape == (10,)
    assert np.allclose(x[:2] * 255, batches["data_batch_1"][b"data"])
    x_test, y_test = load_cifar10(tmp_path, "test")
    assert np.allclose(x_test * 255, batches["test_batch"][b"data"])
    assert y_test.tolist() == batches["test_batch"][b"labels"]


def test_missing_datasets_say_where_and_how(tmp_path):
    with pytest.raises(MissingDatasetError, match="download=True"):
        load_mnist_like(tmp_path, "MNIST", "train")
    with pytest.raises(MissingDatasetError, match=r"cifar-10-batches-py.*CIFAR10"):
        load_cifar10(tmp_path, "test")


def test_svhn_reads_the_mat_files(tmp_path):
    from scipy.io import savemat

    (tmp_path / "svhn").mkdir()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 32, 3, 5), dtype=np.uint8)  # SVHN's H, W, C, N
    savemat(tmp_path / "svhn" / "test_32x32.mat",
            {"X": images, "y": np.array([[10], [1], [9], [10], [3]], dtype=np.uint8)})
    x, y = load_svhn(tmp_path, "test")
    assert x.shape == (5, 3072) and x.min() >= 0 and x.max() <= 1
    assert y.tolist() == [0, 1, 9, 0, 3]  # label 10 is the digit 0
    chw = x.reshape(5, 3, 32, 32) * 255
    assert np.allclose(chw[2, 1, 4, 7], images[4, 7, 1, 2])  # channel-first, like CIFAR-10
    assert np.allclose(chw, np.transpose(images, (3, 2, 0, 1)))
    with pytest.raises(MissingDatasetError, match=r"svhn.train_32x32\.mat.*SVHN\(.*split='train'"):
        load_svhn(tmp_path, "train")


def test_digits_are_in_the_unit_interval():
    x, y = load_digits_images()
    assert x.shape == (1797, 64) and x.min() == 0 and x.max() == 1 and set(y) == set(range(10))
