"""Function-space variational inference (FSVI; Rudner, Chen, Teh, Gal 2022, "Tractable
function-space variational inference in Bayesian neural networks").

The variational family is `MeanField`'s, q(θ) = N(μ, diag σ²), and predictions sample weights
exactly as for mfvi. What changes is the KL term of the ELBO: it is evaluated in function
space, at a small batch of context points x_C, between the Gaussians that the *linearised*
network induces over its K outputs:

    f(x; θ) ≈ f(x; μ) + J_μ(x) (θ − μ)            linearisation about the mean
    q(f(x_C)) = N(f(x_C; μ), J_μ diag(σ²) J_μᵀ)    induced variational distribution
    p(f(x_C)) = N(f(x_C; μ₀), σ₀² J_μ₀ J_μ₀ᵀ)      linearised prior network, p(θ) = N(μ₀, σ₀²I)
    ELBO = E_q(θ)[log p(y | f(x; θ))] − KL(q(f(x_C)) ‖ p(f(x_C)))

The paper's equation numbers could not be checked here (its text was not readable); the
comments below state each equation instead. The covariance over the |C|·K outputs is kept
block-diagonal across classes (one |C|×|C| covariance per class) and both sides get the same
diagonal jitter. μ₀ is a fresh draw of the network's standard initialisation (seeded): at
μ₀ = 0 a ReLU network's Jacobian vanishes except for the last bias, a degenerate prior.
"""

from __future__ import annotations

import torch
from torch.func import functional_call, jacrev

from paperfigs.bnn_attacks.models import MeanField, _name


def linearised_moments(model, mean: dict, var: dict, x):
    """Mean (K, C) and per-class covariance (K, C, C) of the outputs at the C points `x` of
    the network linearised about `mean`, with independent weight variances `var`."""
    def f(params):
        return functional_call(model, params, (x,))

    out = f(mean)                                   # f(x_C; μ): (C, K)
    jac = jacrev(f)(mean)                           # J_μ(x_C): name -> (C, K, *shape)
    cov = 0.0
    for name, j in jac.items():                     # J diag(σ²) Jᵀ, summed over tensors
        j = j.flatten(2)
        cov = cov + torch.einsum("ckp,dkp->kcd", j * var[name].reshape(1, 1, -1), j)
    return out.T, cov


def gaussian_kl_mvn(m_q, cov_q, m_p, cov_p):
    """Σ_k KL(N(m_q[k], cov_q[k]) ‖ N(m_p[k], cov_p[k])), batches of C-dim Gaussians:
    ½ [tr(Σp⁻¹Σq) + (m_p − m_q)ᵀ Σp⁻¹ (m_p − m_q) − C + log|Σp| − log|Σq|]."""
    chol_p, chol_q = torch.linalg.cholesky(cov_p), torch.linalg.cholesky(cov_q)
    trace = torch.linalg.solve_triangular(chol_p, chol_q, upper=False).pow(2).sum((-2, -1))
    diff = (m_p - m_q).unsqueeze(-1)
    mahalanobis = torch.linalg.solve_triangular(chol_p, diff, upper=False).pow(2).sum((-2, -1))
    logdet = 2 * (chol_p.diagonal(dim1=-2, dim2=-1).log().sum(-1)
                  - chol_q.diagonal(dim1=-2, dim2=-1).log().sum(-1))
    return 0.5 * (trace + mahalanobis - m_q.shape[-1] + logdet).sum()


def function_space_kl(posterior: MeanField, prior_mean: dict, prior_std: float, x_context,
                      jitter: float):
    """KL(q(f(x_C)) ‖ p(f(x_C))) between the linearised posterior and prior networks."""
    model = posterior.model
    mean = {_name(k): v for k, v in posterior.mu.items()}
    var = {_name(k): torch.nn.functional.softplus(r).pow(2) for k, r in posterior.rho.items()}
    m_q, cov_q = linearised_moments(model, mean, var, x_context)
    with torch.no_grad():                           # the prior does not depend on q
        prior_var = {k: torch.full_like(v, prior_std**2) for k, v in prior_mean.items()}
        m_p, cov_p = linearised_moments(model, prior_mean, prior_var, x_context)
    eye = jitter * torch.eye(len(x_context), dtype=cov_q.dtype, device=cov_q.device)
    return gaussian_kl_mvn(m_q, cov_q + eye, m_p, cov_p + eye)


def fsvi_loss(posterior: MeanField, x, y, x_context, *, prior_mean: dict, prior_std: float,
              n_train: int, n_samples: int, jitter: float):
    """Negative ELBO per training point: mean NLL under reparameterised weight samples of q
    (Monte Carlo E_q(θ)[−log p(y | f(x; θ))]) + function-space KL / N."""
    log_probs = posterior.log_probs(x, n_samples)
    nll = -log_probs.gather(2, y.expand(len(log_probs), -1)[..., None]).mean()
    kl = function_space_kl(posterior, prior_mean, prior_std, x_context, jitter)
    return nll + kl / n_train
