"""The shared transformer: shapes, causality, attention maps, options."""

import pytest
import torch

from paperfigs.common.transformer import Transformer, TransformerConfig


def small(**overrides) -> Transformer:
    torch.manual_seed(0)
    cfg = TransformerConfig(**{"vocab_size": 7, "block_size": 10, "n_layer": 2, "n_head": 2,
                               "d_model": 16, **overrides})
    return Transformer(cfg).eval()


def test_logits_and_attention_shapes():
    model = small()
    tokens = torch.randint(7, (3, 9))
    logits, attention = model(tokens, return_attention=True)
    assert logits.shape == (3, 9, 7)
    assert attention.shape == (2, 3, 2, 9, 9)  # layer, batch, head, query, key
    assert torch.equal(model(tokens), logits)


def test_attention_rows_are_causal_distributions():
    _, attention = small()(torch.randint(7, (2, 8)), return_attention=True)
    torch.testing.assert_close(attention.sum(-1), torch.ones(2, 2, 2, 8))
    future = torch.ones(8, 8, dtype=torch.bool).triu(1)
    assert torch.all(attention[..., future] == 0)


def test_future_tokens_do_not_change_earlier_predictions():
    model = small()
    tokens = torch.randint(7, (1, 8))
    changed = tokens.clone()
    changed[0, 5:] = (changed[0, 5:] + 1) % 7
    torch.testing.assert_close(model(tokens)[0, :5], model(changed)[0, :5])
    assert not torch.allclose(model(tokens)[0, 5:], model(changed)[0, 5:])


def test_no_biases_anywhere_and_untied_output():
    model = small()
    assert not [name for name, _ in model.named_parameters() if name.endswith("bias")]
    assert model.head.weight.data_ptr() != model.tok_emb.weight.data_ptr()
    with_bias = small(bias=True)
    assert any(name.endswith("bias") for name, _ in with_bias.named_parameters())


def test_frozen_positions_are_not_trained():
    assert small(pos="learned").pos_emb.weight.requires_grad
    assert not small(pos="frozen").pos_emb.weight.requires_grad
    with pytest.raises(ValueError, match="pos"):
        small(pos="sinusoidal")


def test_parameter_count_and_initialisations():
    model = small(n_head=1, d_model=8)
    # embeddings 7x8 + 10x8, per layer 2 LayerNorms (8 each) + qkv 8x24 + proj 8x8 + MLP
    # 8x32 + 32x8, final LayerNorm 8, head 8x7
    per_layer = 2 * 8 + 8 * 24 + 8 * 8 + 8 * 32 + 32 * 8
    assert model.n_parameters() == 7 * 8 + 10 * 8 + 2 * per_layer + 8 + 8 * 7
    assert small(d_model=64).tok_emb.weight.std().item() == pytest.approx(0.02, rel=0.2)
    assert small(d_model=64, init_std=None).tok_emb.weight.std().item() == pytest.approx(
        1.0, rel=0.2)  # PyTorch's default N(0, 1) embeddings


def test_embedding_dropout_only_in_training_mode():
    model = small(emb_dropout=0.5)
    tokens = torch.randint(7, (2, 6))
    torch.testing.assert_close(model(tokens), model(tokens))
    model.train()
    assert not torch.allclose(model(tokens), model(tokens))


def test_too_long_input_is_an_error():
    with pytest.raises(ValueError, match="block_size"):
        small()(torch.zeros(1, 11, dtype=torch.long))
    with pytest.raises(ValueError, match="multiple"):
        small(n_head=3)


def _embedding_sum(model: Transformer, tokens: torch.Tensor) -> torch.Tensor:
    """What the first block receives before dropout: token + position embeddings."""
    seen = []
    handle = model.drop.register_forward_hook(lambda _m, args, _out: seen.append(args[0]))
    model(tokens)
    handle.remove()
    return seen[0]


def test_pos_dim_restricts_positions_to_the_first_coordinates():
    model = small(pos_dim=3)
    assert model.pos_emb.weight.shape == (10, 3)
    tokens = torch.randint(7, (2, 9))
    logits, attention = model(tokens, return_attention=True)
    assert logits.shape == (2, 9, 7) and attention.shape == (2, 2, 2, 9, 9)
    summed = _embedding_sum(model, tokens)
    torch.testing.assert_close(summed[..., 3:], model.tok_emb(tokens)[..., 3:])
    torch.testing.assert_close(summed[..., :3] - model.tok_emb(tokens)[..., :3],
                               model.pos_emb.weight[:9].expand(2, 9, 3))
    assert model.n_parameters() == small().n_parameters() - 10 * (16 - 3)
    assert not small(pos="frozen", pos_dim=3).pos_emb.weight.requires_grad


def test_pos_dim_equal_to_d_model_is_the_default_model():
    default, full = small(), small(pos_dim=16)
    assert default.cfg.pos_dim is None
    for (name, a), (_, b) in zip(default.state_dict().items(), full.state_dict().items(),
                                 strict=True):
        assert torch.equal(a, b), name
    tokens = torch.randint(7, (3, 9))
    assert torch.equal(default(tokens), full(tokens))


@pytest.mark.parametrize("pos_dim", [0, 17])
def test_pos_dim_outside_one_to_d_model_is_an_error(pos_dim):
    with pytest.raises(ValueError, match="pos_dim"):
        small(pos_dim=pos_dim)
