"""Rebuild the paper's generated parts from the replications' outputs.

``make paper`` first runs every replication (``make figures``), then this script, which
writes ``paper/generated/claims.md`` (every claim with its verdict, measured value and
per-seed pass count, plus each run's config hash, seeds and versions) and, where pandoc is
installed, ``paper/paper.pdf``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "generated"


def claims_markdown(generated: Path = GENERATED) -> str:
    lines = ["# Replication results (generated)", ""]
    runs = sorted(p.parent for p in generated.glob("*/claims.json"))
    if not runs:
        raise SystemExit(f"no replication outputs under {generated}; run `make figures` first")
    for run in runs:
        claims = json.loads((run / "claims.json").read_text())
        prov = json.loads((run / "provenance.json").read_text())
        lines += [
            f"## {claims['replication']}",
            "",
            f"{prov['reference']}  ",
            f"cogrnn {prov['cogrnn_version']}, commit {str(prov['git']['commit'])[:10]}"
            f"{' (dirty)' if prov['git']['dirty'] else ''}, config {prov['config_hash']}, "
            f"{prov['n_seeds']} seeds from root {prov['root_seed']}, {prov['wall_time_s']:.0f} s, "
            f"torch {prov['packages'].get('torch')}, numpy {prov['packages'].get('numpy')}.",
            "",
            f"![{claims['replication']}]({run.name}/figure.png)",
            "",
            "| claim | verdict | seeds | measured |",
            "| --- | --- | --- | --- |",
        ]
        for c in claims["claims"]:
            verdict = "reproduced" if c["passed"] else "**not reproduced**"
            lines.append(f"| {c['id']} | {verdict} | {c['n_seeds_passed']}/{c['n_seeds']} | {c['measured']} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    text = claims_markdown()
    (GENERATED / "claims.md").write_text(text)
    print(f"wrote {GENERATED / 'claims.md'}")
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        print("pandoc not found: skipping paper.pdf (apt-get install pandoc texlive-xetex to build it)")
        return 0
    cmd = [pandoc, "paper.md", "generated/claims.md", "--citeproc", "--bibliography", "paper.bib",
           "--pdf-engine", "xelatex", "--resource-path", "generated", "-o", "paper.pdf"]  # fmt: skip
    return subprocess.run(cmd, cwd=HERE, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
