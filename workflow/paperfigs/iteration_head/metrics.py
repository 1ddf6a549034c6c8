"""Teacher-forced accuracy per length and the attention peakiness of the iteration head.

acc(L): the fraction of sequences of length L whose argmax prediction is right at every
post-EoI target. Peakiness, for a sequence of length L with layer maps A1, A2 (query x key):
the EoI head's weights A1[q, L+1] for q = L+2..2L+1 and the iteration head's A2[L+t, t] for
t = 1..L; `peak` is the fraction above the threshold, `mass` their mean, both per head and
then the max over heads. NaN where undefined (no layer 2; no CoT query when L = 0).
"""

from __future__ import annotations

import numpy as np
import torch

from paperfigs.iteration_head.data import Split, target_mask


def head_cells(L: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """(query, key) positions of the EoI head (layer 1) and the iteration head (layer 2)."""
    t = np.arange(1, L + 1)
    eoi_queries = np.arange(L + 2, 2 * L + 2)
    return {1: (eoi_queries, np.full_like(eoi_queries, L + 1)), 2: (L + t, t)}


@torch.no_grad()
def forward_length(model, tokens: np.ndarray, L: int, device) -> tuple[torch.Tensor, ...]:
    """Logits and attention of sequences of one length L, cut after their last target
    (causal attention makes the rest irrelevant)."""
    inputs = torch.as_tensor(tokens[:, :2 * L + 2], device=device)
    return model(inputs, return_attention=True)


def length_metrics(model, tokens: np.ndarray, L: int, cot: bool, n_len: int, threshold: float,
                   device) -> dict:
    """acc and peakiness of sequences of one length L (rows of `tokens`)."""
    logits, attention = forward_length(model, tokens, L, device)
    targets = torch.as_tensor(tokens[:, 1:2 * L + 3], device=device)
    mask = torch.as_tensor(target_mask(np.full(len(tokens), L), cot, n_len)[:, :2 * L + 2],
                           device=device)
    right = (logits.argmax(-1) == targets) | ~mask
    row = {"acc": right.all(dim=1).float().mean().item()}
    for layer in (1, 2):
        if layer > attention.shape[0]:
            row[f"attn{layer}_peak"] = row[f"attn{layer}_mass"] = float("nan")
            continue
        queries, keys = head_cells(L)[layer]
        weights = attention[layer - 1][:, :, queries, keys]  # (B, head, cells)
        row[f"attn{layer}_peak"] = (weights > threshold).float().mean(dim=(0, 2)).max().item()
        row[f"attn{layer}_mass"] = weights.mean(dim=(0, 2)).max().item()
    return row


def split_metrics(model, split: Split, cot: bool, n_len: int, threshold: float,
                  device) -> list[dict]:
    """One row per length present in `split`: L, acc and the four peakiness numbers."""
    rows = []
    for L in np.unique(split.lengths):
        tokens = split.tokens[split.lengths == L]
        rows.append({"L": int(L), **length_metrics(model, tokens, int(L), cot, n_len,
                                                   threshold, device)})
    return rows


@torch.no_grad()
def mean_attention(model, tokens: np.ndarray, L: int, device) -> np.ndarray:
    """The attention maps of sequences of length L averaged over the rows of `tokens`:
    (layer, head, 2L+2, 2L+2)."""
    _, attention = forward_length(model, tokens, L, device)
    return attention.mean(dim=1).cpu().numpy()


def summary(frame, columns, min_len: int):
    """Mean over L >= min_len of `columns`, every length weighted equally (per group of the
    other columns of `frame` that are not L)."""
    kept = frame[frame["L"] >= min_len]
    keys = [c for c in kept.columns if c not in columns and c != "L"]
    return kept.groupby(keys, dropna=False)[columns].mean().reset_index()
