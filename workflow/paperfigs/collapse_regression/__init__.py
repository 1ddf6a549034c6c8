"""Model Collapse Demystified: the case of regression (Dohmatob, Feng, Kempe; arXiv 2402.07712).

A chain of linear models, each fitted to noisy labels of the previous one, stands in for
training on synthetic data. `theory` has the paper's closed forms and deterministic
equivalents, `simulate` the Monte Carlo of the same chains, `kernel` the kernel-ridge
version on images, `plots` the figure layouts and `claims` the checks.
"""
