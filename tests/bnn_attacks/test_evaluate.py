"""The figure rows computed from attack results, on a tiny untrained ensemble."""

import numpy as np

from paperfigs.bnn_attacks import evaluate
from paperfigs.bnn_attacks.data import Split
from paperfigs.bnn_attacks.models import MLP, SampleSet

SETTINGS = {"attack_batch": 7, "pgd_step_factor": 2.5, "eot_samples": 2, "pgd_steps": 3}
FIG2 = {"eps": [0.1, 0.3], "curves": ["clean", "noise", "pgd", "ua"], "reject_step": 0.25,
        "ua_steps": 4, "score": "entropy"}
FIG3 = {"eps": [0.1, 0.3], "attacks": ["pgd", "ua", "noise"], "scores": ["entropy", "mi"],
        "ua_steps": 4}


def _setup():
    rng = np.random.default_rng(0)
    split = Split(rng.random((5, 64), dtype=np.float32), rng.integers(0, 10, 5),
                  rng.random((30, 64), dtype=np.float32), rng.integers(0, 10, 30), (1, 8, 8), 10)
    posterior = SampleSet.independent(lambda: MLP(64, 8, 10), [0, 1, 2]).requires_grad_(False)
    return split, posterior


def test_label_rows():
    split, posterior = _setup()
    subset = np.arange(0, 30, 2)
    plan = [("noise", 0.1, 0), ("noise", 0.3, 0), ("pgd", 0.1, 3), ("pgd", 0.3, 3),
            ("ua", 0.1, 4), ("ua", 0.3, 4)]
    results = evaluate.label_attacks(posterior, "ensemble", split, subset, plan, SETTINGS, 0,
                                     "cpu")
    ids = {"dataset": "digits", "method": "ensemble", "seed": 0}
    fig1 = evaluate.fig1_rows(results, split.y_test, subset, **ids, eps_grid=[0.0, 0.3],
                              pgd_steps=3, n_eval=3)
    assert fig1["n"].tolist() == [30, 15] and fig1["attack"].tolist() == ["none", "pgd"]
    labels = split.y_test[subset]
    fig2 = evaluate.fig2_rows(results, labels, **ids, fig2=FIG2, pgd_steps=3, split_seed=0)
    assert len(fig2) == 2 * 5 * 4
    clean = fig2[(fig2["curve"] == "clean") & (fig2["reject_frac"] == 0)]
    accuracy = (results["clean"]["probs"].argmax(1) == labels).mean()
    assert np.allclose(clean["selective_acc"], accuracy)
    mixes = fig2[(fig2["curve"] == "pgd") & (fig2["reject_frac"] == 0)]
    assert (mixes["n_kept"] == 30).all()
    fig3 = evaluate.fig3_rows(results, labels, **ids, fig3=FIG3, pgd_steps=3)
    assert len(fig3) == 2 * 3 * 2 and fig3["auroc"].between(0, 1).all()
    x_adv = results["pgd_eps0.3_k3"]["x_adv"]
    assert np.abs(x_adv - split.x_test[subset]).max() <= 0.3 + 1e-6


def test_shift_rows_share_the_unattacked_point():
    split, posterior = _setup()
    fig4 = {"eps": [0.0, 0.2], "modes": ["ood", "id", "both"], "steps": 3,
            "scores": ["entropy"]}
    results = evaluate.shift_attacks(posterior, "dnn", split.x_test[:10], split.x_test[10:],
                                     fig4, SETTINGS, 0, "cpu")
    rows = evaluate.fig4_rows(results, dataset_id="a", dataset_ood="b", method="dnn", seed=0,
                              fig4=fig4)
    assert rows["mode"].tolist() == ["none", "ood", "id", "both"]
    assert rows["n_id"].tolist() == [10] * 4 and rows["n_ood"].tolist() == [20] * 4


def test_fig5_splits_the_samples():
    split, posterior = _setup()
    fig5 = {"n_samples": [1, 2, 5], "eps": 0.2, "n_grad": 5, "loss_impls": ["logsumexp"]}
    table = evaluate.fig5_table(posterior, "ensemble", split, np.arange(10), fig5, SETTINGS, 0,
                                "cpu")
    attack = table[table["part"] == "attack"]
    assert sorted(set(table["n_samples"])) == [1, 2]  # S = 5 > 3 members: skipped
    assert attack["eval_set"].tolist() == ["same", "independent", "same", "independent"]
    grads = table[table["part"] == "grad"]
    assert (grads["grad_norm_pred_mean"] > 0).all() and (grads["frac_zero_grad"] == 0).all()
