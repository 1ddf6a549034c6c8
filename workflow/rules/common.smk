# Shared helpers of every paper module: config checks, paths, figure outputs, claims.
import os
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# One BLAS/OpenMP thread per job: small solves ran 10-100x slower with two on 2 cores.
# Jobs that declare more threads get them back through paperfigs.common.script_job.
for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_variable] = "1"


def _config_files():
    """The config files of this run in merge order: the defaults, then each --configfile."""
    given = [str(f) for f in workflow.overwrite_configfiles or []]
    defaults = [str(f) for f in workflow.configfiles if str(f) not in given]
    return defaults + given


def _sets_key(node, key_path):
    if not key_path or not node:
        return False
    for key in key_path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _defining_file(key_path):
    """Where `key_path` got its value, to name it in an error: --config, or the last file."""
    if _sets_key(dict(workflow.config_settings.config or {}), key_path):
        return "--config on the command line"
    found = None
    for name in _config_files():
        try:
            if _sets_key(yaml.safe_load(Path(name).read_text()), key_path):
                found = name
        except (OSError, yaml.YAMLError):
            continue
    return found


def _first_schema_error(schema_file):
    """The most relevant jsonschema error of the config, with $refs to sibling schema files."""
    from urllib.parse import urlparse

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
    from referencing import Registry, Resource

    def retrieve(uri):
        return Resource.from_contents(
            yaml.safe_load(Path(urlparse(uri).path).read_text())
        )

    schema = yaml.safe_load(schema_file.read_text())
    schema["$id"] = schema_file.resolve().as_uri()
    validator = Draft202012Validator(schema, registry=Registry(retrieve=retrieve))
    return best_match(validator.iter_errors(config))


def validate_config(schema):
    """Validate the merged config (snakemake.utils.validate); on error stop with one line
    naming the key, the file that sets it, and what is wrong."""
    try:
        validate(config, schema, set_default=False)
    except WorkflowError:
        error = _first_schema_error(
            Path(workflow.current_basedir.get_path_or_uri(False)) / schema
        )
        if error is None:
            raise
        key_path = [str(p) for p in error.absolute_path]
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            key_path += sorted(set(error.instance) - set(allowed))[:1]
            problem = f"unknown key (allowed: {', '.join(allowed)})"
        elif error.validator == "required":
            problem = error.message.replace("property", "key")
        else:
            problem = error.message
        where = _defining_file(key_path) or " + ".join(_config_files())
        key = ".".join(key_path) or "<top level>"
        raise WorkflowError(
            f"Config error at '{key}' ({where}): {problem}. Fix the value in that file."
        ) from None


validate_config("../schemas/config.schema.yaml")

RUN = config["run"]
RESULTS = f"results/{RUN}"
PAPERS = {}  # slug -> figure ids, filled by each paper module through register_paper


def _check_writable(folder):
    """Stop early, in one line, when the results folder cannot be created or written."""
    path = Path(folder).absolute()
    while not path.exists():
        path = path.parent
    if not path.is_dir() or not os.access(path, os.W_OK):
        raise WorkflowError(
            f"Results folder '{folder}' cannot be written ({path} is "
            f"{'not a folder' if not path.is_dir() else 'not writable'}): "
            "run from a folder you can write to, or set `run` to another name."
        )


_check_writable(RESULTS)


def register_paper(slug, figures):
    PAPERS[slug] = list(figures)


def script_path(name):
    """A workflow script, listed as an input so that changing it reruns its rule."""
    return f"workflow/scripts/{name}"


def library_files(slug, modules=None):
    """The paper's library modules (all, or the named ones): inputs of its rules, so a change
    to the science reruns the jobs that use it, and a change to the plots only the figures.

    Snakemake compares checksums of small inputs, so a `touch` or a fresh clone reruns nothing.
    """
    folder = Path(f"workflow/paperfigs/{slug}")
    if modules is None:
        return sorted(str(p) for p in folder.glob("*.py"))
    return [str(folder / "__init__.py")] + [str(folder / f"{m}.py") for m in modules]


def work(slug, name):
    return f"{RESULTS}/{slug}/work/{name}"


def log_file(slug, name):
    return f"logs/{RUN}/{slug}/{name}.log"


def benchmark_file(slug, name):
    return f"benchmarks/{RUN}/{slug}/{name}.tsv"


def _figure_outputs_by_name(slug, figure):
    """Output name -> file: figN.{pdf,png,csv,json}; a table tabN is tabN.{csv,md,json}."""
    extensions = (
        {"csv": "csv", "md": "md", "meta": "json"}
        if figure.startswith("tab")
        else {"pdf": "pdf", "png": "png", "csv": "csv", "meta": "json"}
    )
    return {
        name: f"{RESULTS}/{slug}/{figure}.{ext}" for name, ext in extensions.items()
    }


def figure_files(slug, figure):
    return list(_figure_outputs_by_name(slug, figure).values())


def all_figure_files():
    return [
        f
        for slug, figs in PAPERS.items()
        for fig in figs
        for f in figure_files(slug, fig)
    ]


def claim_verdict(slug, figure):
    """The verdict of the last claims run, for the report's labels."""
    path = Path(f"{RESULTS}/{slug}/claims.json")
    if not path.exists():
        return "not checked yet"
    figure_claims = yaml.safe_load(path.read_text())["figures"].get(figure)
    if figure_claims is None:
        return "not checked yet"
    return "PASS" if figure_claims["passed"] else "FAIL"


def _report_labels(slug, figure):
    """The report's labels; `figure` may be a "{figure}" wildcard pattern."""
    return lambda wildcards: {
        "figure": figure.format(**wildcards),
        "claim": claim_verdict(slug, figure.format(**wildcards)),
    }


def figure_caption(slug):
    """params.caption of a figure rule: the text of `workflow/report/<slug>/<figure>.rst`,
    which the report shows beside the figure (report captions cannot follow wildcards).
    """
    return lambda wildcards, output: Path(
        f"workflow/report/{slug}/{Path(output.csv).stem}.rst"
    ).read_text()


def figure_outputs(slug, figure):
    """The files of a figure (or table) as named outputs; the PNG (a table's CSV) goes into
    the HTML report, with the rule's params.caption (see figure_caption) as its caption.

    `figure` may be the wildcard "{figure}"; the report's labels then name the real one.
    """
    files = _figure_outputs_by_name(slug, figure)
    shown = "png" if "png" in files else "csv"
    files[shown] = report(
        files[shown],
        caption="../report/figure.rst",
        category=slug,
        subcategory=figure,
        labels=_report_labels(slug, figure),
    )
    return files


def required_dataset(needed, path, how_to_get):
    """An input function for a dataset folder: no input when the config does not use it;
    when it does and the folder is missing, the run stops before any job starts, with one
    line saying how to get it. Only targets that need the data ask for it, so a paper-scale
    run of other figures works without it. (Snakemake ignores this error when the job's
    outputs already exist, which they do not after a switch of `run`, as between profiles.)
    """

    def dataset_input(wildcards):
        if not needed:
            return []
        if not Path(path).exists():
            raise WorkflowError(
                f"Missing dataset: '{path}' does not exist. {how_to_get}"
            )
        return [path]

    return dataset_input
