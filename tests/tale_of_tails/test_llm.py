"""The paper-profile LLM pipeline end to end on a tiny random Llama and a tiny Wikitext made
here: loaders, LoRA fine-tune (resume), generation with top-p / temperature, students, fig1."""

import math

import pandas as pd
import pytest
import torch

pytest.importorskip("transformers")
pytest.importorskip("peft")

from paperfigs.common.datasets import MissingDatasetError  # noqa: E402
from paperfigs.tale_of_tails import llm  # noqa: E402

WORDS = [f"w{i}" for i in range(40)]
LLM = {"lora_r": 4, "lora_alpha": 8, "lora_dropout": 0.1, "target_modules": ["q_proj", "v_proj"],
       "lr": 1e-3, "n_train": 24, "n_test": 6, "chunk_tokens": 12, "prompt_tokens": 4,
       "top_p": 0.9, "temperature": 0.7, "batch_size": 8, "epochs": 1, "checkpoint_every": 2,
       "dtype": "float32"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A tiny Llama (2 layers, width 32) with a word-level tokenizer, and Wikitext-like raw
    files whose words follow a Zipf law."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    root = tmp_path_factory.mktemp("llm")
    vocab = {token: i for i, token in enumerate(["<unk>", "<s>", "</s>", *WORDS])}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>",
                                        bos_token="<s>", eos_token="</s>")
    model_dir = root / "llama"
    tokenizer.save_pretrained(model_dir)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                         max_position_embeddings=64, bos_token_id=1, eos_token_id=2)
    LlamaForCausalLM(config).save_pretrained(model_dir)
    data_dir = root / "wikitext-103"
    (data_dir / "wikitext-103-raw").mkdir(parents=True)
    generator = torch.Generator().manual_seed(1)
    weights = torch.arange(1, len(WORDS) + 1, dtype=torch.float) ** -1.5
    for split, lines in (("train", 60), ("valid", 5), ("test", 20)):
        draws = torch.multinomial(weights, 10 * lines, True, generator=generator).view(lines, 10)
        text = [" ".join(WORDS[i] for i in row) for row in draws.tolist()]
        (data_dir / "wikitext-103-raw" / f"wiki.{split}.raw").write_text("\n\n".join(text))
    return model_dir, data_dir


def test_missing_model_names_path_and_command(tmp_path):
    with pytest.raises(MissingDatasetError, match="huggingface-cli download") as error:
        llm.load_tokenizer(tmp_path / "absent")
    assert str(tmp_path / "absent") in str(error.value)


def test_pipeline_end_to_end(folders, tmp_path):
    model_dir, data_dir = folders
    real = {"data": tmp_path / "real.pt"}
    llm.prepare_job({}, real, model_dir, data_dir, LLM["chunk_tokens"], LLM["n_train"],
                    LLM["n_test"])
    data = torch.load(real["data"])
    assert data["train"].shape == (24, 12) and data["test"].shape == (6, 12)
    assert (data["train"][:, 0] == 1).all()  # BOS first

    adapter = {"adapter": tmp_path / "adapter_real.pt"}
    llm.generator_job(real, adapter, model_dir, LLM, "cpu", "real", tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "generator_real.ckpt").stat().st_size < 1e6  # adapters only
    model = llm.load_adapter(model_dir, adapter["adapter"], LLM, "cpu")
    assert 0 < llm.trainable_fraction(model) < 0.2

    corpora = {}
    for decoding in ("top_p", "temperature"):
        out = {"data": tmp_path / f"{decoding}_gen1.pt"}
        llm.generate_job({"adapter": adapter["adapter"], "real": real["data"]}, out, model_dir,
                         LLM, "cpu", decoding, 1)
        corpora[decoding] = out["data"]
        text = torch.load(out["data"])["train"]
        assert text.shape == (24, 12)
        torch.testing.assert_close(text[:, :4], data["train"][:, :4])  # real prompts kept

    row = llm.student_job({"data": corpora["top_p"], "real": real["data"]}, {}, model_dir, LLM,
                          "cpu", "top_p", 1, 16, 0, tmp_path / "ckpt").iloc[0]
    assert row["gen"] == 1 and row["T"] == 16
    assert math.isclose(row["test_ppl"], math.exp(row["test_loss"]))
    assert 0 < row["test_loss"] < 2 * math.log(43)

    frame = llm.fig1_job({"adapter": adapter["adapter"], "real": real["data"], **corpora}, {},
                         model_dir, LLM, "cpu", [0.5, 0.99], 20)
    ranks = frame[frame["panel"] == "rank"]
    for _source, rows in ranks.groupby("source"):
        assert rows["freq"].sum() == pytest.approx(1.0)
    assert set(frame["panel"]) == {"rank", "nll", "ppl"}
    assert len(frame[(frame["panel"] == "ppl") & (frame["source"] == "real")]) == 6


def test_top_p_generation_keeps_the_nucleus(folders):
    """With top-p the sampled tokens are among the smallest set of most likely tokens that
    reaches p (checked against the model's own next-token law, one step)."""
    model_dir, _ = folders
    model = llm.load_base_model(model_dir, torch.device("cpu"), "float32").eval()
    prompts = torch.tensor([[1, 5, 6, 7]] * 64)
    text = llm.generate(model, prompts, 1, "top_p", 0.5, 1.0, 0, 64, 0)
    with torch.no_grad():
        probs = model(input_ids=prompts[:1]).logits[0, -1].softmax(-1)
    order = probs.argsort(descending=True)
    kept = int((probs[order].cumsum(0) < 0.5).sum()) + 1
    assert set(text[:, -1].tolist()) <= set(order[:kept].tolist())
    assert pd.Series(text[:, -1].tolist()).nunique() <= kept
