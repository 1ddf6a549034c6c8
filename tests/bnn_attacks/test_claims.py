"""Each claim on data where it must pass, and on data where each gating check must fail."""

import itertools

import numpy as np
import pandas as pd
import pytest

from paperfigs.bnn_attacks import claims
from paperfigs.bnn_attacks.evaluate import tab1_table

METHODS = ["dnn", "mcd", "ensemble", "mfvi", "hmc"]
SEEDS = [0, 1]
CFG = {"common": {"seeds": SEEDS}}


def _gating(checks):
    return {c.name: c.passed for c in checks if not c.info}


def assert_passes(check, frame):
    failed = [name for name, ok in _gating(check(frame, CFG)).items() if not ok]
    assert not failed


def assert_fails(check, frame, fragment):
    results = _gating(check(frame, CFG))
    named = {name: ok for name, ok in results.items() if fragment in name}
    assert named, f"no check named like {fragment!r}"
    assert not all(named.values())


def fig1_frame():
    accuracy = {0.0: 0.97, 0.1: 0.5, 0.2: 0.02, 0.3: 0.0}
    return pd.DataFrame([{"dataset": "digits", "method": m, "seed": s, "eps": e,
                          "accuracy": a + 0.01 * s}
                         for m, s, (e, a) in itertools.product(METHODS, SEEDS,
                                                               accuracy.items())])


def set_rows(frame, value_column, value, **where):
    frame = frame.copy()
    mask = np.ones(len(frame), bool)
    for column, wanted in where.items():
        mask &= frame[column] == wanted
    assert mask.any()
    frame.loc[mask, value_column] = value
    return frame


def test_fig1():
    good = fig1_frame()
    assert_passes(claims.check_fig1, good)
    assert_fails(claims.check_fig1, set_rows(good, "accuracy", 0.9, method="mcd", eps=0.0),
                 "mcd: clean")
    assert_fails(claims.check_fig1, set_rows(good, "accuracy", 0.3, method="hmc", eps=0.2),
                 "hmc: accuracy at eps 0.2")
    assert_fails(claims.check_fig1, set_rows(good, "accuracy", 0.3, method="hmc", eps=0.2),
                 "max BNN - DNN")
    assert_fails(claims.check_fig1, set_rows(good, "accuracy", 0.05, method="dnn", eps=0.3),
                 "dnn: accuracy at eps 0.3")
    assert_fails(claims.check_fig1, good[good["method"] != "hmc"], "methods include")


def test_tab1_agrees_with_fig1_and_is_checked(tmp_path):
    fig1 = fig1_frame()
    fig1.to_csv(tmp_path / "fig1.csv", index=False)
    table = tab1_table(str(tmp_path / "fig1.csv"))
    means = fig1.groupby(["dataset", "method", "eps"])["accuracy"].mean()
    assert np.allclose(table.set_index(["dataset", "method", "eps"])["accuracy_mean"]
                       .loc[means.index], means, atol=1e-9, rtol=0)
    assert_passes(claims.check_tab1, table)
    assert_fails(claims.check_tab1, set_rows(table, "n_seeds", 1, method="dnn"), "all seeds")
    assert_fails(claims.check_tab1, set_rows(table, "accuracy_mean", 0.2, method="mfvi",
                                             eps=0.2), "mfvi: mean accuracy at eps 0.2")


def fig2_frame():
    rows = []
    for m, s, eps, curve, r in itertools.product(METHODS, SEEDS, [0.1, 0.3],
                                                 ["clean", "noise", "pgd", "ua", "worst_case"],
                                                 np.round(np.arange(0, 0.96, 0.05), 6)):
        value = {"clean": 0.98, "noise": 0.97, "pgd": 0.9, "ua": 0.3, "worst_case": 0.0}[curve]
        rows.append({"dataset": "digits", "method": m, "seed": s, "eps": eps, "curve": curve,
                     "reject_frac": r, "selective_acc": value})
    return pd.DataFrame(rows)


def test_fig2():
    good = fig2_frame()
    assert_passes(claims.check_fig2, good)
    assert_fails(claims.check_fig2, set_rows(good, "selective_acc", 0.7, method="hmc",
                                             curve="pgd", eps=0.1), "hmc: PGD")
    assert_fails(claims.check_fig2, set_rows(good, "selective_acc", 0.6, method="mcd",
                                             curve="ua", eps=0.3), "mcd: uncertainty-aware")
    assert_fails(claims.check_fig2, set_rows(good, "selective_acc", 0.9, method="dnn",
                                             curve="clean"), "dnn: clean")


def fig3_frame():
    rows = []
    for m, s, eps, attack, score in itertools.product(METHODS, SEEDS, [0.1, 0.2, 0.3],
                                                      ["pgd", "ua", "noise"], ["entropy", "mi"]):
        if score == "mi" and m == "dnn":
            continue
        value = 0.9 if attack == "pgd" and eps == 0.1 else 0.2 if attack == "ua" else 0.5
        rows.append({"dataset": "digits", "method": m, "seed": s, "eps": eps, "attack": attack,
                     "score": score, "auroc": value})
    return pd.DataFrame(rows)


def test_fig3():
    good = fig3_frame()
    assert_passes(claims.check_fig3, good)
    assert_passes(claims.check_fig3, set_rows(good, "auroc", 0.5, score="mi"))  # MI: reported
    assert_fails(claims.check_fig3, set_rows(good, "auroc", 0.7, method="mfvi", attack="pgd",
                                             score="entropy"), "mfvi entropy: AUROC PGD")
    assert_fails(claims.check_fig3, set_rows(good, "auroc", 0.5, method="hmc", attack="ua",
                                             score="entropy"), "hmc entropy: AUROC uncertainty")


def fig4_frame():
    rows = []
    for m, s, score in itertools.product(METHODS, SEEDS, ["entropy", "mi"]):
        if score == "mi" and m == "dnn":
            continue
        rows.append({"method": m, "seed": s, "eps": 0.0, "mode": "none", "score": score,
                     "auroc": 0.95})
        rows += [{"method": m, "seed": s, "eps": eps, "mode": mode, "score": score,
                  "auroc": 0.05} for eps in (0.1, 0.2) for mode in ("ood", "id", "both")]
    return pd.DataFrame(rows).assign(dataset_id="8×8 digits 0,1,2,3,4",
                                     dataset_ood="8×8 digits 5,6,7,8,9")


def test_fig4_checks_each_pair_and_names_it_when_there_are_several():
    one = fig4_frame()
    two = pd.concat([one, one.assign(dataset_id="CIFAR-10", dataset_ood="SVHN")])
    names = [check.name for check in claims.check_fig4(two, {})]
    assert len(names) == 2 * len(claims.check_fig4(one, {}))
    assert any(name.startswith("CIFAR-10 vs SVHN hmc") for name in names)
    assert not any(" vs " in check.name for check in claims.check_fig4(one, {}))


def test_fig4():
    good = fig4_frame()
    assert_passes(claims.check_fig4, good)
    assert_fails(claims.check_fig4, set_rows(good, "auroc", 0.8, method="ensemble",
                                             mode="none", score="entropy"),
                 "ensemble entropy: clean")
    assert_fails(claims.check_fig4, set_rows(good, "auroc", 0.3, method="hmc", mode="both",
                                             score="entropy"), "hmc entropy: AUROC, both")


def fig5_frame():
    rows = []
    for m, s, n in itertools.product(["hmc", "ensemble"], SEEDS, [1, 2, 5]):
        for impl in ("logsumexp", "naive"):
            rows.append({"part": "grad", "method": m, "seed": s, "n_samples": n,
                         "loss_impl": impl, "grad_norm_expected_loss": 10.0 / n,
                         "grad_norm_pred_mean": 5.0, "frac_zero_grad": 0.0})
            for eval_set in ("same", "independent"):
                rows.append({"part": "attack", "method": m, "seed": s, "n_samples": n,
                             "loss_impl": impl, "eval_set": eval_set, "eps": 0.2,
                             "accuracy": 0.02})
    return pd.DataFrame(rows)


def test_fig5():
    good = fig5_frame()
    assert_passes(claims.check_fig5, good)
    assert_passes(claims.check_fig5, set_rows(good, "frac_zero_grad", 0.9, loss_impl="naive"))
    assert_fails(claims.check_fig5, set_rows(good, "accuracy", 0.3, method="hmc", n_samples=5,
                                             eval_set="same"), "same samples")
    assert_fails(claims.check_fig5, set_rows(good, "accuracy", 0.3, method="hmc", n_samples=5,
                                             eval_set="independent"), "independent samples")
    assert_fails(claims.check_fig5, set_rows(good, "frac_zero_grad", 0.5, method="ensemble",
                                             loss_impl="logsumexp", n_samples=2), "ensemble")


def tab2_frame():
    rows = [{"task": t, "dataset": "digits", "method": m, "seed": s,
             "clean_acc": 0.98 if m == "hmc" else 0.97,
             "hmc_accept": 0.8 if m == "hmc" else np.nan}
            for t, m, s in itertools.product(["label", "ood"], METHODS, SEEDS)]
    return pd.DataFrame(rows)


def test_tab2():
    good = tab2_frame()
    assert_passes(claims.check_tab2, good)
    assert_fails(claims.check_tab2, set_rows(good, "hmc_accept", 0.3, method="hmc", seed=1,
                                             task="ood"), "ood seed 1: HMC acceptance >= 0.5")
    assert_fails(claims.check_tab2, set_rows(good, "hmc_accept", 0.99, method="hmc"),
                 "HMC acceptance <= 0.97")
    assert_fails(claims.check_tab2, set_rows(good, "clean_acc", 0.9, method="hmc",
                                             task="label"), "HMC - DNN")


@pytest.mark.parametrize("figure", list(claims.CLAIMS))
def test_every_figure_has_a_gating_check(figure):
    frames = {"fig1": fig1_frame, "fig2": fig2_frame, "fig3": fig3_frame, "fig4": fig4_frame,
              "fig5": fig5_frame, "tab2": tab2_frame}
    if figure == "tab1":
        return  # tab1_table's frame: covered above
    assert _gating(claims.CLAIMS[figure].check(frames[figure](), CFG))
