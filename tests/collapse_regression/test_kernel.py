"""Kernel ridge regression pieces of fig3, and its MNIST path on tiny files."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

from paperfigs.collapse_regression import kernel


def test_rbf_kernel_by_hand():
    A = torch.tensor([[0.0, 0.0], [1.0, 2.0]], dtype=torch.float64)
    B = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    K = kernel.rbf_kernel(A, B, gamma=0.5)
    assert torch.allclose(K[:, 0], torch.tensor([np.exp(-0.5), np.exp(-2.0)],
                                                dtype=torch.float64))


def test_ridge_path_equals_direct_solves():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(30, 4, generator=generator, dtype=torch.float64)
    Y = torch.randn(30, 3, generator=generator, dtype=torch.float64)
    X_test = torch.randn(10, 4, generator=generator, dtype=torch.float64)
    Y_test = torch.randn(10, 3, generator=generator, dtype=torch.float64)
    lams = [1e-3, 0.1]
    path = kernel.ridge_path_test_errors(X, Y, X_test, Y_test, lams, 0.3)
    for lam, error in zip(lams, path):
        direct = kernel.KernelRidge(X, Y, lam, 0.3)(X_test)
        assert error == pytest.approx(float(((direct - Y_test) ** 2).sum(1).mean()), rel=1e-8)


def test_scale_gamma_matches_sklearn_rule():
    X = np.random.default_rng(0).random((50, 8))
    assert kernel.scale_gamma(X) == pytest.approx(1 / (8 * X.var()))


def test_generations_table_shape_and_growth():
    rng = np.random.default_rng(1)
    X = rng.random((160, 6))
    labels = (X[:, 0] > 0.5).astype(int) + 2 * (X[:, 1] > 0.5).astype(int)
    table = kernel.krr_generations(X, labels, n_test=40, T0=60, T=60, n_values=[0, 3],
                                   sigma=0.1, sigma0=0.5, lam_gen=1e-3, lam_min=1e-4,
                                   lam_max=1.0, n_lam=5, gamma=None, reps=2,
                                   device=torch.device("cpu"))
    assert list(table.columns) == ["n", "lam", "seed", "test_error"]
    assert len(table) == 2 * 5 * 2
    mean = table.groupby("n")["test_error"].min()
    assert mean.loc[3] > mean.loc[0]


def test_too_few_images_is_an_error():
    with pytest.raises(ValueError, match="exceeds"):
        kernel.krr_generations(np.zeros((10, 2)), np.zeros(10, int), n_test=8, T0=5, T=5,
                               n_values=[0], sigma=0, sigma0=0, lam_gen=1, lam_min=1,
                               lam_max=1, n_lam=3, gamma=1.0, reps=2, device="cpu")


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def test_mnist_path_reads_torchvision_layout(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    write_idx(raw / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (120, 28, 28)))
    write_idx(raw / "train-labels-idx1-ubyte.gz", rng.integers(0, 10, 120))
    table = kernel.fig3_table(dataset="mnist", data_dir=str(tmp_path), device="cpu",
                              n_test=30, T0=40, T=40, n_values=[0, 1], sigma=0.1, sigma0=0.5,
                              lam_gen=1e-3, lam_min=1e-3, lam_max=1.0, n_lam=3, gamma=None,
                              reps=2)
    assert len(table) == 2 * 3 * 2 and np.isfinite(table["test_error"]).all()


def test_missing_mnist_names_the_folder_and_the_fix(tmp_path):
    from paperfigs.common.datasets import MissingDatasetError

    with pytest.raises(MissingDatasetError, match="download=True") as error:
        kernel.fig3_table(dataset="mnist", data_dir=str(tmp_path), device="cpu", n_test=1,
                          T0=1, T=1, n_values=[0], sigma=0, sigma0=0, lam_gen=1, lam_min=1,
                          lam_max=1, n_lam=3, gamma=None, reps=2)
    assert str(tmp_path / "MNIST" / "raw") in str(error.value)
