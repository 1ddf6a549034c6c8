"""Classifiers and the posteriors built from them.

Every posterior answers `log_probs(x, n_samples)`: per-sample log-softmaxes (S, N, C) on flat
inputs in [0, 1]. A `SampleSet` holds fixed weight samples stacked along a first axis (the
deterministic net: one; a deep ensemble: its members; HMC: the chain's samples) and runs them
all at once with `torch.func.vmap`; `MCDropout` and `MeanField` draw fresh samples (dropout
masks, weights) at every call.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call, vmap


class MLP(nn.Module):
    """n_in - hidden - n_classes, ReLU; dropout after the hidden layer when p > 0."""

    def __init__(self, n_in: int, hidden: int, n_classes: int, dropout: float = 0.0):
        super().__init__()
        self.hidden = nn.Linear(n_in, hidden)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x):
        return self.out(self.dropout(torch.relu(self.hidden(x))))


class CNN(nn.Module):
    """conv5x5(32) - pool - conv5x5(64) - pool - FC(hidden) - FC(n_classes), on flat inputs."""

    def __init__(self, image_shape, hidden: int, n_classes: int, dropout: float = 0.0):
        super().__init__()
        channels, height, width = image_shape
        self.image_shape = tuple(image_shape)
        self.features = nn.Sequential(
            nn.Conv2d(channels, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.hidden = nn.Linear(64 * (height // 4) * (width // 4), hidden)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x):
        lead = x.shape[:-1]
        features = self.features(x.reshape(-1, *self.image_shape))
        logits = self.out(self.dropout(torch.relu(self.hidden(features))))
        return logits.reshape(*lead, -1)


def _norm(channels: int) -> nn.Module:
    # GroupNorm, not BatchNorm: running statistics are buffers that stacked (vmapped) weight
    # samples cannot share, and batch statistics would couple the test points of an attack.
    return nn.GroupNorm(min(32, channels // 4), channels)


class BasicBlock(nn.Module):
    """Two 3x3 convs with a shortcut (a 1x1 conv when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.norm1 = _norm(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.norm2 = _norm(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                          _norm(c_out))

    def forward(self, x):
        out = torch.relu(self.norm1(self.conv1(x)))
        return torch.relu(self.norm2(self.conv2(out)) + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18, CIFAR variant (3x3 stem, no max-pool): 4 stages of 2 basic blocks with
    64-128-256-512 channels, global average pool, dropout, FC(n_classes); on flat inputs."""

    def __init__(self, image_shape, n_classes: int, dropout: float = 0.0, width: int = 64):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.stem = nn.Sequential(nn.Conv2d(image_shape[0], width, 3, 1, 1, bias=False),
                                  _norm(width), nn.ReLU())
        blocks, c_in = [], width
        for stage, c_out in enumerate([width, 2 * width, 4 * width, 8 * width]):
            blocks += [BasicBlock(c_in, c_out, 1 if stage == 0 else 2),
                       BasicBlock(c_out, c_out, 1)]
            c_in = c_out
        self.blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.out = nn.Linear(c_in, n_classes)

    def forward(self, x):
        lead = x.shape[:-1]
        features = self.blocks(self.stem(x.reshape(-1, *self.image_shape)))
        logits = self.out(self.dropout(features.mean(dim=(2, 3))))
        return logits.reshape(*lead, -1)


ARCHS = ("mlp", "cnn", "resnet18")


def build_model(arch: str, image_shape, n_classes: int, hidden: int,
                dropout: float = 0.0) -> nn.Module:
    """`hidden` sizes the MLP's and the CNN's FC layer; ResNet-18 has none."""
    if arch == "mlp":
        n_in = 1
        for size in image_shape:
            n_in *= size
        return MLP(n_in, hidden, n_classes, dropout)
    if arch == "cnn":
        return CNN(image_shape, hidden, n_classes, dropout)
    if arch == "resnet18":
        return ResNet18(image_shape, n_classes, dropout)
    raise ValueError(f"arch must be one of {', '.join(ARCHS)}, not {arch!r}")


def _key(name: str) -> str:
    return name.replace(".", "__")  # ParameterDict keys cannot hold dots


def _name(key: str) -> str:
    return key.replace("__", ".")


class SampleSet(nn.Module):
    """Fixed weight samples of `model`, stacked on a first axis of size S."""

    stochastic = False

    def __init__(self, model: nn.Module, stacked: dict[str, torch.Tensor]):
        super().__init__()
        self.model = model
        self.stacked = nn.ParameterDict({_key(k): nn.Parameter(v) for k, v in stacked.items()})

    @classmethod
    def independent(cls, make_model, seeds, dtype=torch.float32) -> SampleSet:
        """S freshly initialised copies of `make_model()`, one per seed."""
        members = []
        for seed in seeds:
            torch.manual_seed(seed)
            members.append(make_model().to(dtype))
        stacked = {k: torch.stack([dict(m.named_parameters())[k].detach() for m in members])
                   for k, _ in members[0].named_parameters()}
        return cls(make_model().to(dtype), stacked)

    @property
    def n_samples(self) -> int:
        return next(iter(self.stacked.values())).shape[0]

    def params(self) -> dict[str, torch.Tensor]:
        return {_name(k): v for k, v in self.stacked.items()}

    def forward(self, x):
        """Member s on its own batch x[s]: (S, B, D) -> logits (S, B, C)."""
        return vmap(lambda p, xs: functional_call(self.model, p, (xs,)))(self.params(), x)

    def log_probs(self, x, n_samples: int | None = None):
        x = x.to(next(iter(self.stacked.values())).dtype)
        logits = vmap(lambda p: functional_call(self.model, p, (x,)))(self.params())
        return torch.log_softmax(logits, dim=-1)

    def subset(self, indices) -> SampleSet:
        return SampleSet(self.model, {k: v.detach()[indices] for k, v in self.params().items()})


class MCDropout(nn.Module):
    """MC dropout: dropout stays on; every call averages fresh masks (one per sample)."""

    stochastic = True

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.train()(x)

    def log_probs(self, x, n_samples: int):
        self.model.train()
        return torch.log_softmax(self.model(x.expand(n_samples, *x.shape)), dim=-1)


class MeanField(nn.Module):
    """q(theta) = N(mu, softplus(rho)^2) per weight; mu at `model`'s init, rho at rho0."""

    stochastic = True

    def __init__(self, model: nn.Module, rho0: float):
        super().__init__()
        self.model = model
        self.mu = nn.ParameterDict({_key(k): nn.Parameter(v.detach().clone())
                                    for k, v in model.named_parameters()})
        self.rho = nn.ParameterDict({_key(k): nn.Parameter(torch.full_like(v, rho0))
                                     for k, v in self.mu.items()})

    def draw(self, n_samples: int) -> dict[str, torch.Tensor]:
        """Reparameterised weight samples, stacked (S, ...)."""
        return {_name(k): mu + nn.functional.softplus(self.rho[k])
                * torch.randn(n_samples, *mu.shape, device=mu.device, dtype=mu.dtype)
                for k, mu in self.mu.items()}

    def log_probs(self, x, n_samples: int):
        weights = self.draw(n_samples)
        x = x.to(next(iter(self.mu.values())).dtype)
        logits = vmap(lambda p: functional_call(self.model, p, (x,)),
                      randomness="different")(weights)
        return torch.log_softmax(logits, dim=-1)

    def kl(self, prior_std: float) -> torch.Tensor:
        """KL(q || N(0, prior_std^2)) summed over every weight and bias."""
        total = 0.0
        for k, mu in self.mu.items():
            sigma = nn.functional.softplus(self.rho[k])
            total = total + gaussian_kl(mu, sigma, prior_std).sum()
        return total


def gaussian_kl(mu, sigma, prior_std):
    """KL(N(mu, sigma^2) || N(0, prior_std^2)), elementwise."""
    return (torch.log(prior_std / sigma) + (sigma**2 + mu**2) / (2 * prior_std**2) - 0.5)


def posterior_state(posterior, meta: dict) -> dict:
    """What `load_posterior` needs to rebuild `posterior`: its kind, tensors and `meta`."""
    kinds = {SampleSet: "samples", MCDropout: "dropout", MeanField: "meanfield"}
    state = {k: v.detach().cpu() for k, v in posterior.state_dict().items()}
    return {"kind": kinds[type(posterior)], "state": state, **meta}


def load_posterior(saved: dict, device="cpu"):
    """Rebuild a posterior from `posterior_state`'s dict (architecture fields in `saved`)."""
    dtype = getattr(torch, saved["dtype"])
    model = build_model(saved["arch"], saved["image_shape"], saved["n_classes"],
                        saved["hidden"], saved.get("dropout", 0.0)).to(dtype)
    if saved["kind"] == "samples":
        stacked = {_name(k.removeprefix("stacked.")): v for k, v in saved["state"].items()
                   if k.startswith("stacked.")}
        posterior = SampleSet(model, stacked)
    elif saved["kind"] == "dropout":
        posterior = MCDropout(model)
    else:
        posterior = MeanField(model, 0.0)
    posterior.load_state_dict(saved["state"])
    return posterior.to(device).requires_grad_(False)
