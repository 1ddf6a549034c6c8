"""Text renderings of claims for people: the `snakemake claims` table."""

from __future__ import annotations


def _first_failure(checks: list[dict]) -> str:
    for check in checks:
        if not check["passed"] and not check.get("info"):
            return f"{check['name']}: {check['measured']} (want {check['threshold']})"
    return ""


def claims_markdown(papers: list[dict]) -> str:
    """One row per figure: paper, figure, verdict, checks passed, first failing check."""
    rows = ["| paper | figure | verdict | checks | first failure |",
            "|---|---|---|---|---|"]
    total = passed = 0
    for paper in papers:
        for figure, result in paper["figures"].items():
            gating = [c for c in result["checks"] if not c.get("info")]
            ok = sum(c["passed"] for c in gating)
            verdict = "PASS" if result["passed"] else "FAIL"
            rows.append(f"| {paper['paper']} | {figure} | {verdict} | {ok}/{len(gating)} | "
                        f"{_first_failure(result['checks'])} |")
            total += 1
            passed += result["passed"]
    rows.append("")
    rows.append(f"{passed}/{total} figures show their claim.")
    return "\n".join(rows) + "\n"
