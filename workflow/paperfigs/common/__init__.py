"""Pieces shared by every paper: runtime set-up, atomic I/O, provenance, style, claims."""

from paperfigs.common.claims import Check, Claim, evaluate_claims
from paperfigs.common.io import atomic_path, read_json, write_csv, write_json
from paperfigs.common.jobs import script_job
from paperfigs.common.runtime import limit_threads, pick_device, rng_for, seed_everything

__all__ = [
    "Check",
    "Claim",
    "atomic_path",
    "evaluate_claims",
    "limit_threads",
    "pick_device",
    "read_json",
    "rng_for",
    "script_job",
    "seed_everything",
    "write_csv",
    "write_json",
]
