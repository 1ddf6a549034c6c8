# The two commands of the quick start, each from a fresh clone:
#   make figures   install, then every figure of every paper at laptop scale
#   make test      install, then the tests (library, claims, the whole DAG on config/smoke.yaml)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is pinned: on these machines 2.13.0 is a CPU build on local disk; an open range can
# pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0

.PHONY: install figures test lint report clean

$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH)" -e ".[dev,cluster,paper]"
	touch $@

install: $(BIN)/snakemake

figures: install
	$(BIN)/snakemake --cores all

test: install
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest

lint: install
	PATH="$(abspath $(BIN)):$$PATH" snakemake --lint && $(BIN)/snakefmt --check . && $(BIN)/ruff check .

report: install
	$(BIN)/snakemake --cores all claims
	$(BIN)/snakemake --report report.html

clean:
	rm -rf results logs benchmarks .snakemake report.html
