"""The digits miniature: split sizes, attacked subset, class-split semantic shift."""

import pickle

import numpy as np

from paperfigs.bnn_attacks.data import attack_subset, load_shift, load_split


def test_digits_split_matches_the_spec():
    split = load_split("digits", "unused", 0, 0.33)
    assert split.x_train.shape == (1203, 64) and split.x_test.shape == (594, 64)
    assert split.x_train.min() >= 0 and split.x_train.max() <= 1


def test_attack_subset_is_fixed_stratified_and_sorted():
    labels = load_split("digits", "unused", 0, 0.33).y_test
    subset = attack_subset(labels, 300, 0)
    assert len(subset) == 300 and np.all(np.diff(subset) > 0)
    assert np.array_equal(subset, attack_subset(labels, 300, 0))
    counts = np.bincount(labels[subset], minlength=10)
    assert counts.min() >= 28 and counts.max() <= 32
    assert np.array_equal(attack_subset(labels, 10_000, 0), np.arange(len(labels)))


def test_class_split_shift():
    shift = load_shift("digits", "digits", [0, 1, 2, 3, 4], "unused", 0, 0.33)
    assert shift.train.n_classes == 5
    assert set(shift.train.y_train) == set(range(5))
    assert len(shift.train.x_test) + len(shift.x_ood) == 594
    assert "5,6,7,8,9" in shift.title_ood


def _write_mnist_like(root, name, rng):
    raw = root / name / "raw"
    raw.mkdir(parents=True)
    for split, count in (("train", 6), ("t10k", 4)):
        images = rng.integers(0, 256, (count, 28, 28)).astype(np.uint8)
        labels = rng.integers(0, 10, count).astype(np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            header = bytes([0, 0, 8, array.ndim]) + b"".join(
                n.to_bytes(4, "big") for n in array.shape)
            (raw / f"{split}-{kind}-ubyte").write_bytes(header + array.tobytes())


def test_paper_shift_reads_fmnist_and_mnist_from_disk(tmp_path):
    rng = np.random.default_rng(0)
    for name in ("FashionMNIST", "MNIST"):
        _write_mnist_like(tmp_path, name, rng)
    shift = load_shift("fmnist", "mnist", [0, 1], str(tmp_path), 0, 0.33)
    assert shift.train.image_shape == (1, 28, 28) and shift.train.n_classes == 10
    assert shift.train.x_train.shape == (6, 784) and shift.x_ood.shape == (4, 784)
    assert (shift.title_id, shift.title_ood) == ("FashionMNIST", "MNIST")


def test_paper_shift_reads_cifar10_and_svhn_test_images(tmp_path):
    from scipy.io import savemat

    rng = np.random.default_rng(0)
    (tmp_path / "cifar-10-batches-py").mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(tmp_path / "cifar-10-batches-py" / name, "wb") as handle:
            pickle.dump({b"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8),
                         b"labels": list(rng.integers(0, 10, 2))}, handle)
    (tmp_path / "svhn").mkdir()  # only the test split: an OOD set needs no training images
    savemat(tmp_path / "svhn" / "test_32x32.mat",
            {"X": rng.integers(0, 256, (32, 32, 3, 3), dtype=np.uint8),
             "y": np.array([[10], [2], [5]])})
    shift = load_shift("cifar10", "svhn", [0, 1], str(tmp_path), 0, 0.33)
    assert shift.train.image_shape == (3, 32, 32) and shift.train.x_train.shape == (10, 3072)
    assert shift.x_ood.shape == (3, 3072) and shift.x_ood.dtype == np.float32
    assert (shift.title_id, shift.title_ood) == ("CIFAR-10", "SVHN")
