"""The paper profile's LLM experiment (Sec. 6.2; fig1 and fig4 (a) at paper scale).

Llama-2 (7B in the paper) is fine-tuned with LoRA on Wikitext-103 cut into `chunk_tokens`
token chunks; the fine-tuned model continues real prompts with top-p / temperature sampling;
the next generation is fine-tuned on those generated chunks, and so on. Scaling curves: fresh
LoRA adapters fine-tuned on the first T chunks (a seeded subset) of one generation's data,
scored by loss and perplexity on the real test split.

Everything is read from local folders (`tale_of_tails.common.model_dir` with the Hugging Face
weights and tokenizer, `data_dir` with Wikitext-103); nothing is downloaded at run time. The
training loop is `paperfigs.common.training.train` (checkpoints hold the adapter only, and a
rerun resumes). Needs the `paper` extra: `pip install -e .[paper]` (transformers, peft,
datasets).

Each public `*_job` function is one Snakemake job: it takes its input and output paths as
dicts, the config values as keywords, and returns a tidy table (or None).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from paperfigs.common import pick_device, rng_for, seed_everything
from paperfigs.common.io import atomic_path
from paperfigs.common.training import train
from paperfigs.tale_of_tails.data import llama_dir, read_wikitext

log = logging.getLogger(__name__)


def _hf():
    try:
        import peft
        import transformers
    except ImportError as error:  # one line, saying how to get them
        raise ImportError(f"the LLM experiment needs transformers and peft ({error.name} is "
                          "missing): pip install -e '.[paper]'") from None
    return transformers, peft


def _dtype(name: str, device) -> torch.dtype:
    return torch.float32 if device.type == "cpu" else getattr(torch, name)


def load_tokenizer(model_dir):
    transformers, _ = _hf()
    return transformers.AutoTokenizer.from_pretrained(str(llama_dir(model_dir)),
                                                      local_files_only=True)


def load_base_model(model_dir, device, dtype: str = "bfloat16"):
    """The base causal LM from its local folder (a missing one stops with how to get it)."""
    transformers, _ = _hf()
    path = llama_dir(model_dir)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        str(path), local_files_only=True, dtype=_dtype(dtype, device))
    return model.to(device)


def lora_model(model_dir, llm: dict, device):
    """The base model with fresh LoRA adapters (rank, alpha, dropout, target modules)."""
    _, peft = _hf()
    base = load_base_model(model_dir, device, llm["dtype"])
    config = peft.LoraConfig(r=llm["lora_r"], lora_alpha=llm["lora_alpha"],
                             lora_dropout=llm["lora_dropout"],
                             target_modules=list(llm["target_modules"]), task_type="CAUSAL_LM")
    return peft.get_peft_model(base, config)


def trainable_fraction(model) -> float:
    total = sum(p.numel() for p in model.parameters())
    return sum(p.numel() for p in model.parameters() if p.requires_grad) / total


class AdapterView(nn.Module):
    """A PEFT model seen through its trainable parameters only: `state_dict` and
    `load_state_dict` cover the adapters, so the common loop's checkpoints hold megabytes,
    not the frozen base weights."""

    def __init__(self, model: nn.Module):
        super().__init__()
        object.__setattr__(self, "inner", model)  # not a submodule: kept out of state_dict

    def forward(self, *args, **kwargs):
        return self.inner(*args, **kwargs)

    def train(self, mode: bool = True):
        self.inner.train(mode)
        return super().train(mode)

    def parameters(self, recurse: bool = True):
        return (p for p in self.inner.parameters() if p.requires_grad)

    def state_dict(self, *args, **kwargs):
        return {name: p.detach().cpu().clone() for name, p in self.inner.named_parameters()
                if p.requires_grad}

    def load_state_dict(self, state, strict: bool = True, assign: bool = False):
        params = dict(self.inner.named_parameters())
        with torch.no_grad():
            for name, value in state.items():
                params[name].copy_(value)


# --- Data ---------------------------------------------------------------------------------

def chunk_lines(lines, tokenizer, chunk_tokens: int, n_chunks: int) -> torch.Tensor:
    """The first n_chunks chunks of chunk_tokens tokens of the concatenated lines (one BOS at
    the start of each chunk when the tokenizer has one)."""
    bos = tokenizer.bos_token_id
    body = chunk_tokens - (bos is not None)
    ids, needed, step = [], n_chunks * body, 1024
    for start in range(0, len(lines), step):
        encoded = tokenizer(list(lines[start:start + step]), add_special_tokens=False)
        for line in encoded["input_ids"]:
            ids.extend(line)
        if len(ids) >= needed:
            break
    count = min(n_chunks, len(ids) // body)
    chunks = torch.as_tensor(ids[:count * body], dtype=torch.long).view(count, body)
    if bos is not None:
        chunks = torch.cat([torch.full((count, 1), bos, dtype=torch.long), chunks], dim=1)
    return chunks


def prepare_job(inputs, outputs, model_dir, data_dir, chunk_tokens, n_train, n_test,
                logger=log):
    """Tokenize Wikitext-103 into train and test chunks (outputs: data)."""
    tokenizer = load_tokenizer(model_dir)
    data = {split: chunk_lines(read_wikitext(data_dir, name), tokenizer, chunk_tokens, n)
            for split, name, n in (("train", "train", n_train), ("test", "test", n_test))}
    for split, chunks in data.items():
        logger.info("wikitext %s: %d chunks of %d tokens", split, *chunks.shape)
    if len(data["train"]) < n_train:
        logger.warning("only %d train chunks (n_train = %d)", len(data["train"]), n_train)
    _save(data, outputs["data"])


def _save(obj, path) -> None:
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def _load(path):
    return torch.load(path, map_location="cpu", weights_only=False)


# --- Fine-tuning, generation, scoring -------------------------------------------------------

def finetune(model_dir, chunks: torch.Tensor, llm: dict, seed: int, checkpoint_path, device,
             logger=log):
    """A fresh LoRA fine-tune on `chunks` for llm.epochs passes (batches drawn with
    replacement through the common checkpointed loop); returns the PEFT model."""
    device = pick_device(device)
    seed_everything(seed)
    model = lora_model(model_dir, llm, device)
    logger.info("LoRA trainable fraction %.5f%% of %d parameters",
                100 * trainable_fraction(model), sum(p.numel() for p in model.parameters()))
    view = AdapterView(model)
    optimizer = torch.optim.Adam(view.parameters(), lr=llm["lr"])
    steps = max(1, math.ceil(llm["epochs"] * len(chunks) / llm["batch_size"]))

    def make_batch(step, generator):
        return chunks[torch.randint(len(chunks), (llm["batch_size"],), generator=generator)]

    def loss_fn(model, batch):
        batch = batch.to(device)
        return model(input_ids=batch, labels=batch).loss

    fingerprint = {"llm": {k: v for k, v in llm.items() if k not in ("T_values", "seeds")},
                   "n": len(chunks), "seed": seed, "head": chunks[:4].tolist()}
    train(view, optimizer, make_batch, loss_fn, steps=steps, seed=seed,
          checkpoint_path=checkpoint_path, fingerprint=fingerprint,
          checkpoint_every=llm["checkpoint_every"], logger=logger,
          progress_every=max(1, min(llm["checkpoint_every"], steps // 20 or 1)))
    return model.eval()


def save_adapter(model, path) -> None:
    _save(AdapterView(model).state_dict(), path)


def load_adapter(model_dir, path, llm: dict, device):
    model = lora_model(model_dir, llm, pick_device(device))
    AdapterView(model).load_state_dict(_load(path))
    return model.eval()


def decoding_settings(decoding: str, top_p: float, temperature: float) -> dict:
    """Sampling settings of a decoding: top_p (nucleus), temperature, or none (plain)."""
    settings = {"top_p": 1.0, "temperature": 1.0}
    if decoding == "top_p":
        settings["top_p"] = top_p
    elif decoding == "temperature":
        settings["temperature"] = temperature
    elif decoding != "none":
        raise ValueError(f"decoding must be none, top_p or temperature, not {decoding!r}")
    return settings


@torch.no_grad()
def generate(model, prompts: torch.Tensor, new_tokens: int, decoding: str, top_p: float,
             temperature: float, seed: int, batch_size: int, pad_token_id: int,
             logger=log) -> torch.Tensor:
    """Continue each prompt by exactly new_tokens sampled tokens; returns prompt + text."""
    device = next(model.parameters()).device
    settings = decoding_settings(decoding, top_p, temperature)
    out = []
    for index, start in enumerate(range(0, len(prompts), batch_size)):
        torch.manual_seed(int(rng_for("llm", "generate", seed, index).integers(2**31)))
        batch = prompts[start:start + batch_size].to(device)
        text = model.generate(input_ids=batch, attention_mask=torch.ones_like(batch),
                              do_sample=True, top_k=0, max_new_tokens=new_tokens,
                              min_new_tokens=new_tokens, pad_token_id=pad_token_id, **settings)
        out.append(text[:, :batch.size(1) + new_tokens].cpu())
        if index % 50 == 0:
            logger.info("generated %d/%d", start + len(batch), len(prompts))
    return torch.cat(out)


@torch.no_grad()
def token_scores(model, chunks: torch.Tensor, batch_size: int, start: int = 1):
    """Per-token NLL (nats) and rank (1 = the model's most likely token) of tokens
    chunks[:, start:] under the model, each (n, L - start)."""
    device = next(model.parameters()).device
    nll, rank = [], []
    for first in range(0, len(chunks), batch_size):
        batch = chunks[first:first + batch_size].to(device)
        logp = torch.log_softmax(model(input_ids=batch).logits[:, start - 1:-1].float(), -1)
        chosen = logp.gather(-1, batch[:, start:, None])
        nll.append(-chosen[..., 0].cpu())
        rank.append(((logp > chosen).sum(-1) + 1).cpu())
    return torch.cat(nll), torch.cat(rank)


def pad_id(tokenizer) -> int:
    for candidate in (tokenizer.pad_token_id, tokenizer.eos_token_id, 0):
        if candidate is not None:
            return candidate
    return 0


# --- Jobs -----------------------------------------------------------------------------------

def generator_job(inputs, outputs, model_dir, llm, device, source, checkpoint_dir,
                  logger=log):
    """Fine-tune the generator on the first n_train chunks of `source` data (outputs:
    adapter)."""
    chunks = _load(inputs["data"])["train"][:llm["n_train"]]
    model = finetune(model_dir, chunks, llm, int(rng_for("llm", "generator", source)
                                                 .integers(2**31)),
                     Path(checkpoint_dir) / f"generator_{source}.ckpt", device, logger)
    save_adapter(model, outputs["adapter"])


def generate_job(inputs, outputs, model_dir, llm, device, decoding, gen, logger=log):
    """Generation `gen` data: the previous generation's model continues the prompt_tokens
    first tokens of n_train real chunks up to chunk_tokens (outputs: data)."""
    model = load_adapter(model_dir, inputs["adapter"], llm, device)
    real = _load(inputs["real"])["train"][:llm["n_train"]]
    prompts = real[:, :llm["prompt_tokens"]]
    text = generate(model, prompts, real.size(1) - prompts.size(1), decoding, llm["top_p"],
                    llm["temperature"], gen, llm["batch_size"], pad_id(load_tokenizer(model_dir)),
                    logger)
    _save({"train": text, "prompt_tokens": llm["prompt_tokens"]}, outputs["data"])
    logger.info("gen %d (%s): %d chunks", gen, decoding, len(text))


def student_job(inputs, outputs, model_dir, llm, device, decoding, gen, T, seed,
                checkpoint_dir, logger=log) -> pd.DataFrame:
    """A fresh LoRA fine-tune on T chunks of one generation's data (a seeded subset), scored on
    the real test chunks: one row with test loss (nats/token) and perplexity."""
    pool = _load(inputs["data"])["train"]
    pick = rng_for("llm", "student", decoding, gen, T, seed).permutation(len(pool))[:T]
    if len(pick) < T:
        logger.warning("only %d chunks for T = %d", len(pick), T)
    name = f"student_{decoding}_gen{gen}_T{T}_seed{seed}"
    model = finetune(model_dir, pool[np.sort(pick)], llm,
                     int(rng_for("llm", name).integers(2**31)),
                     Path(checkpoint_dir) / f"{name}.ckpt", device, logger)
    nll, _ = token_scores(model, _load(inputs["real"])["test"], llm["batch_size"])
    loss = float(nll.mean())
    logger.info("%s: test loss %.4f, perplexity %.2f", name, loss, math.exp(loss))
    return pd.DataFrame([{"panel": "lm", "decoding": decoding, "gen": gen, "T": int(T),
                          "seed": seed, "kind": "sim", "test_error": loss, "test_loss": loss,
                          "test_ppl": math.exp(loss), "test_kl": np.nan,
                          "model": "llama"}])


def fig1_job(inputs, outputs, model_dir, llm, device, quantiles, max_rank, logger=log):
    """fig1 at paper scale: the fine-tuned (gen-0) model scores real test text and the text it
    generated with top-p and temperature (the generated tokens only). Rows: rank panel
    (share of tokens at each model rank up to max_rank, the rest pooled at max_rank + 1), nll
    panel (token-NLL quantiles) and ppl panel (per-sequence perplexity)."""
    model = load_adapter(model_dir, inputs["adapter"], llm, device)
    corpora = {"real": (_load(inputs["real"])["test"], 1)}
    for source in ("top_p", "temperature"):
        data = _load(inputs[source])
        corpora[source] = (data["train"][:llm["n_test"]], data["prompt_tokens"])
    rows = []
    for source, (chunks, start) in corpora.items():
        nll, rank = token_scores(model, chunks, llm["batch_size"], start=max(start, 1))
        ranks = np.minimum(rank.numpy().ravel(), max_rank + 1)
        freq = np.bincount(ranks, minlength=max_rank + 2)[1:] / ranks.size
        rows += [{"panel": "rank", "source": source, "rank": r + 1, "freq": f}
                 for r, f in enumerate(freq) if f > 0]
        flat = nll.numpy().ravel()
        rows += [{"panel": "nll", "source": source, "quantile": q,
                  "nll": float(np.quantile(flat, q))} for q in quantiles]
        ppl = np.exp(nll.numpy().mean(axis=1))
        rows += [{"panel": "ppl", "source": source, "sequence": i, "ppl": float(v)}
                 for i, v in enumerate(ppl)]
        logger.info("fig1 %s: %d sequences, median perplexity %.2f", source, len(ppl),
                    np.median(ppl))
    frame = pd.DataFrame(rows)
    frame["seed"] = 0
    frame["model"] = "llama"
    return frame
