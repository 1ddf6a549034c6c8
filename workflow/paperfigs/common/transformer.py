"""A small decoder-only transformer, in the spirit of nanoGPT: one readable file, no framework.

Pre-LayerNorm blocks, x + attn(LN(x)) then x + mlp(LN(x)); causal multi-head self-attention;
an MLP of width `mlp_ratio * d_model` with GELU; learned absolute position embeddings (or
frozen at their random initialisation), optionally of `pos_dim` < d_model coordinates added
to the first pos_dim coordinates of the token embeddings only (the rest carry no position);
dropout on the summed embeddings only; a final
LayerNorm and an untied output layer. `bias=False` removes every bias (linear layers and
LayerNorms). The forward pass can return every attention map, for mechanistic studies:

    model = Transformer(TransformerConfig(vocab_size=15, block_size=18, n_layer=2, d_model=64))
    logits, attention = model(tokens, return_attention=True)  # attention: (layer, B, head, T, T)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

# How the residual stream is normalised; recorded in provenance by the papers that use it.
RESIDUAL = "pre-LN: x + attn(LN(x)), x + mlp(LN(x))"


@dataclass(frozen=True)
class TransformerConfig:
    vocab_size: int
    block_size: int  # the longest input, in tokens
    n_layer: int = 2
    n_head: int = 1
    d_model: int = 64
    mlp_ratio: int = 4
    emb_dropout: float = 0.0
    pos: str = "learned"  # learned | frozen (kept at the random initialisation)
    pos_dim: int | None = None  # width of the position embeddings; None: d_model (all of it)
    bias: bool = False
    init_std: float | None = 0.02  # GPT-2's normal init; None keeps PyTorch's defaults


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        if cfg.d_model % cfg.n_head:
            raise ValueError(f"d_model={cfg.d_model} is not a multiple of n_head={cfg.n_head}")
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=cfg.bias)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=cfg.bias)
        mask = torch.ones(cfg.block_size, cfg.block_size, dtype=torch.bool).tril()
        self.register_buffer("causal", mask, persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the attention output and its weights (B, head, T, T)."""
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))
        scores = scores.masked_fill(~self.causal[:T, :T], float("-inf"))
        weights = scores.softmax(dim=-1)
        out = (weights @ v).transpose(1, 2).reshape(B, T, C)
        return self.proj(out), weights


class MLP(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.up = nn.Linear(cfg.d_model, cfg.mlp_ratio * cfg.d_model, bias=cfg.bias)
        self.down = nn.Linear(cfg.mlp_ratio * cfg.d_model, cfg.d_model, bias=cfg.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.gelu(self.up(x)))


class Block(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.ln_attn = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.attn = CausalSelfAttention(cfg)
        self.ln_mlp = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        attended, weights = self.attn(self.ln_attn(x))
        x = x + attended
        return x + self.mlp(self.ln_mlp(x)), weights


class Transformer(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        if cfg.pos not in {"learned", "frozen"}:
            raise ValueError(f"pos must be learned or frozen, not {cfg.pos!r}")
        if cfg.pos_dim is not None and not 1 <= cfg.pos_dim <= cfg.d_model:
            raise ValueError(f"pos_dim={cfg.pos_dim} must be in 1..d_model={cfg.d_model}")
        self.cfg = cfg
        self.pos_dim = cfg.d_model if cfg.pos_dim is None else cfg.pos_dim
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos_emb = nn.Embedding(cfg.block_size, self.pos_dim)
        self.drop = nn.Dropout(cfg.emb_dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_out = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=cfg.bias)
        if cfg.init_std is not None:
            self._init_gpt2(cfg.init_std)
        self.pos_emb.weight.requires_grad_(cfg.pos == "learned")

    def _init_gpt2(self, std: float) -> None:
        """Normal(0, std) weights, zero biases, residual projections scaled by 1/sqrt(2 n_layer)."""
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear | nn.Embedding):
                scale = name.endswith(("attn.proj", "mlp.down"))
                nn.init.normal_(module.weight,
                                std=std / math.sqrt(2 * self.cfg.n_layer) if scale else std)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, tokens: torch.Tensor, return_attention: bool = False):
        """Logits (B, T, vocab) of the next token; with `return_attention`, also the
        attention weights of every layer, stacked as (layer, B, head, T, T)."""
        T = tokens.size(1)
        if T > self.cfg.block_size:
            raise ValueError(f"sequence of {T} tokens exceeds block_size={self.cfg.block_size}")
        positions = self.pos_emb(torch.arange(T, device=tokens.device))
        if self.pos_dim < self.cfg.d_model:  # zeros on the coordinates without position
            positions = F.pad(positions, (0, self.cfg.d_model - self.pos_dim))
        x = self.drop(self.tok_emb(tokens) + positions)
        maps = []
        for block in self.blocks:
            x, weights = block(x)
            maps.append(weights)
        logits = self.head(self.ln_out(x))
        return (logits, torch.stack(maps)) if return_attention else logits

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
