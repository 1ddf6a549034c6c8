"""Bad config stops the run before any job, with one line naming the key, the file and the fix."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from workflow_runner import REPO, run_snakemake

BAD_CONFIGS = {
    "wrong type": (
        "collapse_regression: {fig1: {iso: {d: many}}}",
        "Config error at 'collapse_regression.fig1.iso.d'",
        "'many' is not of type 'integer'",
    ),
    "unknown key": (
        "collapse_regression: {fig1: {iso: {dimension: 10}}}",
        "Config error at 'collapse_regression.fig1.iso.dimension'",
        "unknown key",
    ),
    "negative size": (
        "collapse_regression: {fig4: {linear: {T: -5}}}",
        "Config error at 'collapse_regression.fig4.linear.T'",
        "-5 is less than the minimum of 1",
    ),
    "unknown choice": (
        "collapse_regression: {fig3: {dataset: imagenet}}",
        "Config error at 'collapse_regression.fig3.dataset'",
        "'imagenet' is not one of ['digits', 'mnist']",
    ),
    "negative noise": (
        "collapse_regression: {fig1: {power: {sigma0: -0.1}}}",
        "Config error at 'collapse_regression.fig1.power.sigma0'",
        "less than the minimum of 0",
    ),
    "fraction above one": (
        "tale_of_tails: {fig5: {tail_pi: 1.5}}",
        "Config error at 'tale_of_tails.fig5.tail_pi'",
        "1.5 is greater than the maximum of 1",
    ),
    "negative fraction in a list": (
        "tale_of_tails: {fig5: {pis: [0.0, -0.2]}}",
        "Config error at 'tale_of_tails.fig5.pis.1'",
        "-0.2 is less than the minimum of 0",
    ),
    "bad run name": (
        "run: ../elsewhere",
        "Config error at 'run'",
        "does not match",
    ),
}


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "Config error" in line]
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_names_key_and_file(case, tmp_path):
    override, where, problem = BAD_CONFIGS[case]
    bad = tmp_path / "bad.yaml"
    bad.write_text(override + "\n")
    process = run_snakemake(REPO, "-n", "--configfile", str(bad), check=False)
    assert process.returncode != 0
    line = _one_error_line(process.stdout)
    assert where in line and problem in line and str(bad) in line


def test_missing_key_is_reported(workflow_copy):
    """A config/config.yaml that lost a key (say, by an edit) names the missing key."""
    config_file = workflow_copy / "config" / "config.yaml"
    full = yaml.safe_load(config_file.read_text())
    del full["collapse_regression"]["fig2"]
    config_file.write_text(yaml.safe_dump(full))
    process = run_snakemake(workflow_copy, "-n", check=False)
    assert process.returncode != 0
    line = _one_error_line(process.stdout)
    assert "Config error at 'collapse_regression'" in line
    assert "'fig2' is a required key" in line


def test_extra_configfile_merges_over_defaults(tmp_path):
    """A private variant keeps every default and changes only what it names."""
    variant = tmp_path / "variant.yaml"
    variant.write_text(textwrap.dedent("""\
        run: my_variant
        collapse_regression: {fig2: {n_show: 5}}
    """))
    process = run_snakemake(REPO, "collapse_regression_fig2", "-n", "--configfile", str(variant))
    assert "results/my_variant/collapse_regression/fig2.pdf" in process.stdout


def test_unknown_figure_target_is_one_clear_line():
    process = run_snakemake(REPO, "-n", "collapse_regression_fig9", check=False)
    assert process.returncode != 0
    assert "collapse_regression_fig9" in process.stdout
    assert "Traceback" not in process.stdout


def test_missing_dataset_stops_before_any_job(tmp_path):
    paper_like = tmp_path / "paper_like.yaml"
    missing = tmp_path / "no-such-data"
    paper_like.write_text(  # a run of its own, as the paper profile has
        "run: missing_data\n"
        f"collapse_regression: {{common: {{data_dir: {missing}}}, fig3: {{dataset: mnist}}}}\n")
    process = run_snakemake(REPO, "collapse_regression_fig3", "-n", "--configfile",
                            str(paper_like), check=False)
    assert process.returncode != 0
    lines = [line for line in process.stdout.splitlines() if "Missing dataset" in line]
    assert len(lines) == 1
    assert f"{missing}/MNIST" in lines[0] and "download=True" in lines[0]


def test_paper_profile_builds_its_dag(tmp_path):
    """config/paper.yaml validates, reads MNIST from data_dir and asks for a GPU for fig3."""
    (tmp_path / "MNIST" / "raw").mkdir(parents=True)
    data = tmp_path / "data.yaml"
    data.write_text(f"collapse_regression: {{common: {{data_dir: {tmp_path}}}}}\n")
    process = run_snakemake(REPO, "collapse_regression", "-n", "--configfile",
                            "config/paper.yaml", str(data))
    assert "results/paper/collapse_regression/fig3.pdf" in process.stdout
    krr_job = process.stdout.split("rule collapse_regression_fig3_krr:")[1].split("\n\n")[0]
    assert "gpu=1" in krr_job and f"{tmp_path}/MNIST" in krr_job
