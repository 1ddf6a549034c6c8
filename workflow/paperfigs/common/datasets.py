"""Image datasets read from disk in the layout torchvision's downloads leave, plus sklearn's
bundled 8x8 digits for laptop-scale miniatures. Nothing here downloads: fetching is a step
the user takes (the error says how)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np


class MissingDatasetError(FileNotFoundError):
    """A dataset the config points at is not on disk; the message says how to get it."""


def load_digits_images():
    """sklearn's 1797 8x8 digits, pixels scaled to [0, 1], flattened: (X, labels)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data / 16.0, digits.target.astype(np.int64)


def read_idx(path) -> np.ndarray:
    """Read an IDX file (MNIST's format), gzipped or not."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(raw_dir: Path, stem: str) -> Path | None:
    for candidate in (raw_dir / stem, raw_dir / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    return None


def load_mnist_like(root, name: str = "MNIST", split: str = "train"):
    """MNIST or FashionMNIST from `root/<name>/raw/` (torchvision's layout): flattened images
    in [0, 1] and integer labels."""
    raw_dir = Path(root) / name / "raw"
    images_stem, labels_stem = MNIST_FILES[split]
    images, labels = _find(raw_dir, images_stem), _find(raw_dir, labels_stem)
    if images is None or labels is None:
        raise MissingDatasetError(
            f"{name} not found in {raw_dir}: on a machine with internet run "
            f"`python -c \"import torchvision; torchvision.datasets.{name}('{root}', "
            f"download=True)\"` and copy {Path(root) / name} here."
        )
    X = read_idx(images).reshape(-1, 28 * 28).astype(np.float64) / 255.0
    return X, read_idx(labels).astype(np.int64)


CIFAR10_FILES = {
    "train": [f"data_batch_{i}" for i in range(1, 6)],
    "test": ["test_batch"],
}


def load_cifar10(root, split: str = "train"):
    """CIFAR-10 from `root/cifar-10-batches-py/` (torchvision's layout, python pickles):
    images in [0, 1] flattened channel-first (N, 3*32*32), and integer labels."""
    import pickle

    folder = Path(root) / "cifar-10-batches-py"
    paths = [folder / name for name in CIFAR10_FILES[split]]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise MissingDatasetError(
            f"CIFAR-10 not found: {missing[0]} is missing. On a machine with internet run "
            f"`python -c \"import torchvision; torchvision.datasets.CIFAR10('{root}', "
            f"download=True)\"` and copy {folder} here."
        )
    images, labels = [], []
    for path in paths:
        with open(path, "rb") as handle:
            batch = pickle.load(handle, encoding="bytes")
        images.append(np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3 * 32 * 32))
        labels.append(np.asarray(batch[b"labels"], dtype=np.int64))
    return np.concatenate(images).astype(np.float64) / 255.0, np.concatenate(labels)


def load_svhn(root, split: str = "test"):
    """SVHN (cropped digits) from `root/svhn/<split>_32x32.mat` (torchvision's layout, MATLAB
    files): images in [0, 1] flattened channel-first (N, 3*32*32), integer labels with SVHN's
    label 10 mapped to digit 0."""
    from scipy.io import loadmat

    path = Path(root) / "svhn" / f"{split}_32x32.mat"
    if not path.exists():
        raise MissingDatasetError(
            f"SVHN not found: {path} is missing. On a machine with internet run "
            f"`python -c \"import torchvision; torchvision.datasets.SVHN('{Path(root) / 'svhn'}', "
            f"split='{split}', download=True)\"` and copy {path.parent} here."
        )
    mat = loadmat(path)
    images = np.transpose(mat["X"], (3, 2, 0, 1)).reshape(-1, 3 * 32 * 32)  # HWCN -> NCHW
    labels = mat["y"].astype(np.int64).reshape(-1) % 10
    return images.astype(np.float64) / 255.0, labels
