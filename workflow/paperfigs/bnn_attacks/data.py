"""The images: sklearn's 8x8 digits at laptop scale, MNIST / FashionMNIST / CIFAR-10 (and
SVHN, an OOD set) from disk at paper scale, all in [0, 1] pixel space (the attacks' domain),
flattened."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from paperfigs.common.datasets import (
    load_cifar10,
    load_digits_images,
    load_mnist_like,
    load_svhn,
)

TITLES = {"digits": "8×8 digits", "mnist": "MNIST", "fmnist": "FashionMNIST",
          "cifar10": "CIFAR-10", "svhn": "SVHN"}
IMAGE_SHAPES = {"digits": (1, 8, 8), "mnist": (1, 28, 28), "fmnist": (1, 28, 28),
                "cifar10": (3, 32, 32), "svhn": (3, 32, 32)}


@dataclass
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple
    n_classes: int


def _train_test(dataset: str, data_dir: str, split_seed: int, test_size: float):
    if dataset == "digits":
        images, labels = load_digits_images()
        return train_test_split(images, labels, test_size=test_size, stratify=labels,
                                random_state=split_seed)
    if dataset in ("cifar10", "svhn"):
        load = load_cifar10 if dataset == "cifar10" else load_svhn
        (x_train, y_train), (x_test, y_test) = (load(data_dir, s) for s in ("train", "test"))
    elif dataset in ("mnist", "fmnist"):
        name = {"mnist": "MNIST", "fmnist": "FashionMNIST"}[dataset]
        (x_train, y_train), (x_test, y_test) = (load_mnist_like(data_dir, name, s)
                                                for s in ("train", "test"))
    else:
        raise ValueError(f"unknown dataset {dataset!r}")
    return x_train, x_test, y_train, y_test


def load_test_images(dataset: str, data_dir: str) -> np.ndarray:
    """A real dataset's test images only (an OOD set needs no training split)."""
    if dataset == "cifar10":
        return load_cifar10(data_dir, "test")[0].astype(np.float32)
    if dataset == "svhn":
        return load_svhn(data_dir, "test")[0].astype(np.float32)
    name = {"mnist": "MNIST", "fmnist": "FashionMNIST"}[dataset]
    return load_mnist_like(data_dir, name, "test")[0].astype(np.float32)


def load_split(dataset: str, data_dir: str, split_seed: int, test_size: float) -> Split:
    """The label task's data: digits split stratified (test_size, split_seed); the real
    datasets use their own train/test split."""
    x_train, x_test, y_train, y_test = _train_test(dataset, data_dir, split_seed, test_size)
    return Split(x_train.astype(np.float32), y_train, x_test.astype(np.float32), y_test,
                 IMAGE_SHAPES[dataset], 10)


@dataclass
class ShiftSplit:
    """Semantic shift: train and ID test on the in-distribution classes, OOD test apart."""

    train: Split
    x_ood: np.ndarray
    title_id: str
    title_ood: str


def load_shift(id_dataset: str, ood_dataset: str, id_classes, data_dir: str,
               split_seed: int, test_size: float) -> ShiftSplit:
    """Digits: ID = classes `id_classes` (relabelled 0..k-1), OOD = the other classes of the
    same test split. Real datasets: ID = `id_dataset` (all classes), OOD = `ood_dataset`'s
    test images."""
    split = load_split(id_dataset, data_dir, split_seed, test_size)
    if ood_dataset == id_dataset:
        classes = np.asarray(id_classes)
        relabel = {int(c): i for i, c in enumerate(classes)}
        train_in, test_in = np.isin(split.y_train, classes), np.isin(split.y_test, classes)
        shifted = Split(split.x_train[train_in],
                        np.array([relabel[int(c)] for c in split.y_train[train_in]]),
                        split.x_test[test_in],
                        np.array([relabel[int(c)] for c in split.y_test[test_in]]),
                        split.image_shape, len(classes))
        rest = ",".join(str(c) for c in sorted(set(range(split.n_classes)) - set(relabel)))
        return ShiftSplit(shifted, split.x_test[~test_in],
                          f"{TITLES[id_dataset]} {','.join(map(str, classes))}",
                          f"{TITLES[ood_dataset]} {rest}")
    if IMAGE_SHAPES[ood_dataset] != split.image_shape:
        raise ValueError(f"{ood_dataset} images {IMAGE_SHAPES[ood_dataset]} do not match "
                         f"{id_dataset} images {split.image_shape}")
    return ShiftSplit(split, load_test_images(ood_dataset, data_dir), TITLES[id_dataset],
                      TITLES[ood_dataset])


def attack_subset(labels, n_attack: int, split_seed: int) -> np.ndarray:
    """The fixed, stratified test points every attack runs on (sorted indices)."""
    indices = np.arange(len(labels))
    if n_attack >= len(labels):
        return indices
    chosen, _ = train_test_split(indices, train_size=n_attack, stratify=labels,
                                 random_state=split_seed)
    return np.sort(chosen)
