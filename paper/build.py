"""Rebuild the generated parts of the paper and the README from the replications' outputs.

``make paper`` first runs every replication (``make figures``), then this script, which

* writes ``paper/generated/claims.md`` (every claim with its verdict, the paper's value, the
  measured value, the criterion and the per-seed pass count, plus each run's config hash,
  seeds and versions);
* rewrites the blocks of ``README.md`` and ``paper/paper.md`` between the markers
  ``<!-- generated:claims NAME -->`` and ``<!-- /generated:claims -->`` (one claims table per
  replication) and ``<!-- generated:summary -->`` ... ``<!-- /generated:summary -->`` (one
  line per replication), so that the numbers quoted there are the ones the code produced
  and cannot go stale;
* builds ``paper/paper.pdf`` where pandoc is installed.

``python -m paper.build --check`` only reports whether the README and paper blocks match the
outputs (exit 1 if not), without writing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATED = HERE / "generated"

__all__ = ["claims_markdown", "claims_table", "load_runs", "replace_blocks", "run_line", "summary_table"]

_BLOCK = re.compile(
    r"(<!-- generated:(?P<kind>claims|summary)(?: (?P<name>[\w.-]+))? -->\n)"
    r"(?P<body>.*?)(<!-- /generated:(?P=kind) -->)",
    re.DOTALL,
)


def load_runs(generated: Path = GENERATED) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """``{name: (claims.json, provenance.json)}`` for every finished run under ``generated``."""
    runs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for path in sorted(generated.glob("*/claims.json")):
        prov_path = path.parent / "provenance.json"
        if not prov_path.exists():
            continue
        claims = json.loads(path.read_text())
        runs[claims["replication"]] = (claims, json.loads(prov_path.read_text()))
    return runs


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def run_line(prov: dict[str, Any]) -> str:
    """One line saying what produced a run: seeds, root, config hash, commit, versions, time."""
    git = prov.get("git", {})
    commit = str(git.get("commit") or "unknown")[:10]
    return (
        f"{prov['n_seeds']} seeds from root {prov['root_seed']} ({prov.get('mode', 'full')} run), "
        f"config {prov['config_hash']}, cogrnn {prov['cogrnn_version']} at commit {commit}"
        f"{' (dirty)' if git.get('dirty') else ''}, torch {prov['packages'].get('torch')}, "
        f"{prov['wall_time_s']:.0f} s."
    )


def claims_table(claims: dict[str, Any], prov: dict[str, Any]) -> str:
    """The claims of one run as a markdown table (verdict, paper, measured, criterion, seeds)."""
    lines = [
        "| claim | verdict | paper | measured | criterion | seeds passed |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in claims["claims"]:
        verdict = "reproduced" if c["passed"] else "**not reproduced**"
        lines.append(
            f"| {_cell(c['statement'])} | {verdict} | {_cell(c['paper'])} | {_cell(c['measured'])} | "
            f"{_cell(c['criterion'])} | {c['n_seeds_passed']}/{c['n_seeds']} |"
        )
    lines += ["", f"Generated from `paper/generated/{claims['replication']}/claims.json`: {run_line(prov)}"]
    return "\n".join(lines)


def summary_table(runs: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> str:
    """One row per replication: claims reproduced out of claims checked."""
    lines = ["| replication | claims reproduced | not reproduced |", "| --- | --- | --- |"]
    for name, (claims, _prov) in runs.items():
        cs = claims["claims"]
        failed = [c["id"] for c in cs if not c["passed"]]
        lines.append(f"| {name} | {len(cs) - len(failed)}/{len(cs)} | {', '.join(failed) or 'none'} |")
    return "\n".join(lines)


def replace_blocks(text: str, runs: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> str:
    """``text`` with every generated block rebuilt from ``runs`` (blocks of missing runs are kept).

    Examples
    --------
    >>> claims = {"replication": "x", "claims": [{"statement": "s", "paper": "p", "measured": "m",
    ...           "criterion": "c", "passed": True, "n_seeds": 2, "n_seeds_passed": 2}]}
    >>> prov = {"n_seeds": 2, "root_seed": 7, "config_hash": "abc", "cogrnn_version": "0",
    ...         "git": {"commit": "f00"}, "packages": {"torch": "2"}, "wall_time_s": 1.0}
    >>> text = "a\\n<!-- generated:claims x -->\\nold\\n<!-- /generated:claims -->\\n"
    >>> out = replace_blocks(text, {"x": (claims, prov)})
    >>> "| s | reproduced | p | m | c | 2/2 |" in out and "old" not in out
    True
    """

    def rebuild(match: re.Match[str]) -> str:
        kind, name = match.group("kind"), match.group("name")
        if kind == "summary":
            body = summary_table(runs)
        elif name in runs:
            body = claims_table(*runs[name])
        else:
            return match.group(0)
        return f"{match.group(1)}{body}\n{match.group(5)}"

    return _BLOCK.sub(rebuild, text)


def claims_markdown(generated: Path = GENERATED) -> str:
    """The generated results section of the paper: one claims table and figure per replication."""
    runs = load_runs(generated)
    if not runs:
        raise SystemExit(f"no replication outputs under {generated}; run `make figures` first")
    lines = ["# Replication results (generated)", ""]
    for name, (claims, prov) in runs.items():
        lines += [
            f"## {name}",
            "",
            f"{prov['reference']}",
            "",
            f"![{name}]({name}/figure.png)",
            "",
            claims_table(claims, prov),
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paper.build", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether README/paper blocks are current")
    parser.add_argument("--no-pdf", action="store_true", help="do not build paper.pdf")
    args = parser.parse_args(argv)
    runs = load_runs()
    if not runs:
        print(f"no replication outputs under {GENERATED}; run `make figures` first", file=sys.stderr)
        return 2
    stale = []
    for path in (ROOT / "README.md", HERE / "paper.md"):
        old = path.read_text()
        new = replace_blocks(old, runs)
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new)
                print(f"updated the generated blocks of {path.relative_to(ROOT)}")
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)}: generated blocks differ from paper/generated", file=sys.stderr)
        return 1 if stale else 0
    (GENERATED / "claims.md").write_text(claims_markdown())
    print(f"wrote {GENERATED / 'claims.md'}")
    pandoc = shutil.which("pandoc")
    if args.no_pdf or pandoc is None:
        print("pandoc not found or --no-pdf: skipping paper.pdf (apt-get install pandoc texlive-xetex to build it)")
        return 0
    cmd = [pandoc, "paper.md", "generated/claims.md", "--citeproc", "--bibliography", "paper.bib",
           "--pdf-engine", "xelatex", "--resource-path", "generated", "-o", "paper.pdf"]  # fmt: skip
    return subprocess.run(cmd, cwd=HERE, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
