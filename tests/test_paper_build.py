"""The README's and paper's result tables are generated from the replications' claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paper import build

ROOT = Path(__file__).resolve().parents[1]


def _fake_run(generated: Path, name: str, passed: bool) -> None:
    run = generated / name
    run.mkdir(parents=True)
    claims = {
        "replication": name,
        "all_passed": passed,
        "claims": [
            {
                "id": "c1",
                "statement": "a | b",
                "paper": "0.9",
                "measured": "0.8",
                "criterion": ">= 0.5",
                "passed": passed,
                "n_seeds": 10,
                "n_seeds_passed": 9 if passed else 2,
            }
        ],
    }
    prov = {
        "n_seeds": 10,
        "root_seed": 3,
        "mode": "full",
        "config_hash": "cafe",
        "cogrnn_version": "9.9",
        "git": {"commit": "0123456789abcdef", "dirty": False},
        "packages": {"torch": "2.13.0"},
        "wall_time_s": 12.3,
        "reference": "Someone (1990)",
    }
    (run / "claims.json").write_text(json.dumps(claims))
    (run / "provenance.json").write_text(json.dumps(prov))


def test_blocks_are_rebuilt_from_claims(tmp_path):
    _fake_run(tmp_path, "rep-a", True)
    _fake_run(tmp_path, "rep-b", False)
    runs = build.load_runs(tmp_path)
    text = (
        "intro\n<!-- generated:claims rep-a -->\nstale 0.1\n<!-- /generated:claims -->\n"
        "<!-- generated:claims rep-missing -->\nkept\n<!-- /generated:claims -->\n"
        "<!-- generated:summary -->\n<!-- /generated:summary -->\nend\n"
    )
    out = build.replace_blocks(text, runs)
    assert "stale 0.1" not in out
    assert "| a \\| b | reproduced | 0.9 | 0.8 | >= 0.5 | 9/10 |" in out
    assert "kept" in out  # no output for that run: the block is left alone
    assert "| rep-b | 0/1 | c1 |" in out
    assert "10 seeds from root 3" in out and "commit 0123456789" in out
    assert out.startswith("intro\n") and out.endswith("end\n")
    assert build.replace_blocks(out, runs) == out  # idempotent


def test_claims_markdown_needs_outputs(tmp_path):
    with pytest.raises(SystemExit, match="make figures"):
        build.claims_markdown(tmp_path)


@pytest.mark.parametrize("name", ["elman-xor", "elman-letters", "elman-words", "elman-lexical", "hopfield-recall"])
def test_readme_has_a_generated_block_per_replication(name):
    text = (ROOT / "README.md").read_text()
    assert f"<!-- generated:claims {name} -->" in text
