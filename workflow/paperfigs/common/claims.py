"""Claims: each figure exists to show a claim, and code checks that it does.

A paper's `claims.py` maps each figure id to a `Claim`: the sentence it shows and a function
that reads the figure's tidy CSV (as a DataFrame) and the paper's config block and returns a
list of `Check`s. A figure passes when every gating check passes; `info` checks are reported
but do not gate (the spec marks them so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    measured: str
    threshold: str
    info: bool = False

    @classmethod
    def compare(cls, name: str, measured: float, threshold: float, op: str = "<=",
                info: bool = False) -> Check:
        """A numeric check `measured op threshold`, with both numbers kept for the table."""
        ops = {"<=": measured <= threshold, "<": measured < threshold,
               ">=": measured >= threshold, ">": measured > threshold}
        return cls(name, bool(ops[op]), f"{measured:.4g}", f"{op} {threshold:.4g}", info)


@dataclass(frozen=True)
class Claim:
    text: str
    check: Callable[[pd.DataFrame, dict], list[Check]]


def evaluate_claims(claims: dict[str, Claim], tables: dict[str, pd.DataFrame],
                    paper_config: dict) -> dict:
    """Run every figure's checks; a check that raises counts as a failure, not a crash."""
    figures = {}
    for figure, claim in claims.items():
        try:
            checks = claim.check(tables[figure], paper_config)
        except Exception as error:  # noqa: BLE001 - a broken check is a failed claim
            checks = [Check("check ran", False, f"{type(error).__name__}: {error}", "no error")]
        gating = [c for c in checks if not c.info]
        figures[figure] = {
            "claim": claim.text,
            "passed": bool(gating) and all(c.passed for c in gating),
            "checks": [asdict(c) for c in checks],
        }
    return {"passed": all(f["passed"] for f in figures.values()), "figures": figures}
