"""Which config values reach which job."""

import pytest

from paperfigs.bnn_attacks.settings import (
    attack_plan,
    dataset_input,
    eps_for,
    figure_inputs,
    method_settings,
    runs,
    shift_block,
    shift_pairs,
)

COMMON = {"data_dir": "d", "split_seed": 0, "test_size": 0.3, "arch": "mlp", "device": "auto",
          "hidden": 8, "epochs": 1, "lr": 0.1, "weight_decay": 0.0, "batch_size": 4,
          "mfvi_epochs": 2, "methods": ["dnn", "hmc"], "skip": ["cifar10:hmc"]}


def test_method_settings_leave_out_other_methods_values():
    settings = method_settings(COMMON, "dnn", "digits")
    assert "mfvi_epochs" not in settings and settings["epochs"] == 1


def test_eps_grids_and_skips():
    assert eps_for({"eps": [0.1]}, "mnist") == [0.1]
    assert eps_for({"eps": {"mnist": [0.1], "cifar10": [0.01]}}, "cifar10") == [0.01]
    assert runs(COMMON, "cifar10") == ["dnn"] and runs(COMMON, "mnist") == ["dnn", "hmc"]


def test_attack_plan_is_the_union_of_the_figures_needs():
    plan = attack_plan({"eps": [0, 0.1, 0.2]},
                       {"eps": [0.1], "curves": ["clean", "ua"], "ua_steps": 100},
                       {"eps": [0.2], "attacks": ["pgd", "noise"], "ua_steps": 50}, "digits", 40)
    assert plan == [("noise", 0.2, 0), ("pgd", 0.1, 40), ("pgd", 0.2, 40), ("ua", 0.1, 100)]


def test_figure_inputs_and_dataset_inputs():
    config = {"common": {**COMMON, "dataset": ["mnist", "cifar10"], "seeds": [0, 1]},
              "fig4": {"pairs": [{"id": "fmnist", "ood": "mnist"}]}, "fig5": {"methods": ["hmc"]}}
    fig1 = figure_inputs(config, "fig1")["tables"]
    assert len(fig1) == 6 and "eval/fig1_cifar10_dnn_1.csv" in fig1
    assert figure_inputs(config, "fig4")["tables"][0] == "eval/fig4_fmnist_dnn_0.csv"
    assert figure_inputs(config, "fig5")["tables"] == ["eval/fig5_mnist_hmc_0.csv",
                                                       "eval/fig5_mnist_hmc_1.csv"]
    assert len(figure_inputs(config, "tab2")["metas"]) == 6 + 4
    assert dataset_input(COMMON, "digits")[0] is False
    needed, folder, hint = dataset_input(COMMON, "cifar10")
    assert needed and folder == "d/cifar-10-batches-py" and "download=True" in hint


def test_arch_per_dataset_and_shift_pairs():
    common = {**COMMON, "arch": {"mnist": "cnn", "cifar10": "resnet18"}}
    assert method_settings(common, "dnn", "cifar10")["arch"] == "resnet18"
    assert method_settings(COMMON, "dnn", "cifar10")["arch"] == "mlp"
    fig4 = {"pairs": [{"id": "fmnist", "ood": "mnist"}, {"id": "cifar10", "ood": "svhn"}],
            "eps": {"fmnist": [0.0, 0.1], "cifar10": [0.0, 0.01]}, "steps": 3}
    assert shift_pairs(fig4) == {"fmnist": "mnist", "cifar10": "svhn"}
    assert shift_block(fig4, "cifar10") == {"id_dataset": "cifar10", "ood_dataset": "svhn",
                                            "eps": [0.0, 0.01], "steps": 3}
    config = {"common": {**COMMON, "dataset": "mnist", "seeds": [0]}, "fig4": fig4}
    assert figure_inputs(config, "fig4")["tables"] == [
        "eval/fig4_fmnist_dnn_0.csv", "eval/fig4_fmnist_hmc_0.csv", "eval/fig4_cifar10_dnn_0.csv"]
    twice = [{"id": "cifar10", "ood": "svhn"}, {"id": "cifar10", "ood": "mnist"}]
    with pytest.raises(ValueError, match="twice"):
        shift_pairs({"pairs": twice})
    _, folder, hint = dataset_input(COMMON, "svhn")
    assert folder == "d/svhn" and "SVHN('d/svhn', split='test', download=True)" in hint
