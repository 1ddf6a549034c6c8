"""The glue every workflow script uses: threads, logging, timing and the job's sidecar.

A script reads::

    with script_job(snakemake) as job:
        frame = simulate(**snakemake.params.cfg, log=job.log)
        job.write_csv(frame, snakemake.output.csv)

`script_job` limits threads to the rule's `threads`, sends logging to the rule's log file,
records the wall time, and, when the rule has an output named `meta`, writes a JSON sidecar
(seeds, config, device, versions, time) that the figure's provenance file gathers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import traceback
from dataclasses import dataclass, field

from paperfigs.common import io
from paperfigs.common.provenance import device_description, git_commit, now_utc, package_versions
from paperfigs.common.runtime import limit_threads


@dataclass
class ScriptJob:
    name: str
    log: logging.Logger
    started: float
    extra: dict = field(default_factory=dict)

    def write_csv(self, frame, path) -> None:
        io.write_csv(frame, path)
        self.log.info("wrote %s (%d rows)", path, len(frame))

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def _logger(name: str, log_path: str | None) -> logging.Logger:
    logger = logging.getLogger(f"paperfigs.job.{name}")
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    logger.propagate = False
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S")
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w"))
    for handler in handlers:
        handler.setFormatter(fmt)
        logger.addHandler(handler)
    return logger


def job_provenance(params: dict, wall_time_s: float, extra: dict | None = None) -> dict:
    return {
        "commit": git_commit(),
        "config": params,
        "device": device_description(),
        "versions": package_versions(),
        "finished_utc": now_utc(),
        "wall_time_s": round(wall_time_s, 3),
        **(extra or {}),
    }


@contextlib.contextmanager
def script_job(smk):
    """Set up a job run by Snakemake's `script:` directive (see the module docstring)."""
    limit_threads(getattr(smk, "threads", 1) or 1)
    log_path = smk.log[0] if len(smk.log) else None
    logger = _logger(smk.rule, log_path)
    logger.info("rule %s: started (threads=%s)", smk.rule, smk.threads)
    for variable in ("SLURM_JOB_ID", "CUDA_VISIBLE_DEVICES"):
        if variable in os.environ:
            logger.info("%s=%s", variable, os.environ[variable])
    job = ScriptJob(name=smk.rule, log=logger, started=time.perf_counter())
    try:
        yield job
    except BaseException:
        logger.error("rule %s failed:\n%s", smk.rule, traceback.format_exc())
        raise
    if "meta" in smk.output.keys():
        params = {k: v for k, v in smk.params.items()}
        io.write_json(job_provenance(params, job.elapsed(), job.extra), smk.output.meta)
    logger.info("rule %s: done in %.1f s", smk.rule, job.elapsed())
