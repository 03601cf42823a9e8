"""The benchmark harness (benchmarks/run.py) in quick pieces: cases, sections, rendering."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if not (ROOT / "benchmarks" / "run.py").exists():  # pragma: no cover - an installed wheel without benchmarks/
    pytest.skip("benchmarks/ is not in this checkout", allow_module_level=True)
sys.path.insert(0, str(ROOT))

from benchmarks import alternatives, run  # noqa: E402
from benchmarks.baseline_numba import init_srn, train_srn  # noqa: E402


def test_baseline_learns_what_cogrnn_learns_for_one_network():
    """The frozen baseline computes Elman's online algorithm: the same weights as cogrnn's R=1 kernel."""
    import torch

    from cogrnn.models import ElmanSRN
    from cogrnn.training import Trainer

    bits = np.random.default_rng(0).integers(0, 2, (61, 1)).astype(np.float64)
    net = ElmanSRN(1, 2, 1, random_state=0, dtype=torch.float64)
    w = {
        "W_ih": net.weight_ih_l0[0].detach().numpy().copy(),
        "W_ch": net.weight_ch_l0[0].detach().numpy().copy(),
        "b_h": net.bias_h_l0[0].detach().numpy().copy(),
        "W_ho": net.weight_ho[0].detach().numpy().copy(),
        "b_o": net.bias_o[0].detach().numpy().copy(),
    }
    train_srn(*w.values(), bits[:-1], bits[1:], 3, 0.1, 0.5)
    Trainer(lr=0.1, epochs=3, backend="compiled", quiet=True).fit(net, bits[:-1, None], bits[1:, None])
    np.testing.assert_allclose(w["W_ho"], net.weight_ho[0].detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(w["W_ch"], net.weight_ch_l0[0].detach().numpy(), rtol=0, atol=1e-12)
    assert init_srn(1, 2, 1)["W_ih"].shape == (2, 1)


def test_quick_case_extrapolates_to_the_full_workload():
    r = run.run_case("xor/baseline-numba", quick=True)
    assert r["extrapolation_factor"] == 10.0
    assert r["full_workload_s"] == pytest.approx(10 * r["measured_s"])
    assert r["per_network_s"] > 0


def test_optional_sections_absent_are_skipped_and_present_ones_collected(monkeypatch, tmp_path):
    rows, absent = run.optional_sections(True, names=("no_such_bench_section",))
    assert rows == [] and absent == ["no_such_bench_section"]
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "__init__.py").write_text("")
    fake = "def bench(quick=False):\n    return [{'section': 'fake', 'case': 'a', 'seconds': 1.5, 'quick': quick}]\n"
    (tmp_path / "benchmarks" / "bench_fake.py").write_text(fake)
    monkeypatch.setattr(run, "__package__", "benchmarks")
    import benchmarks

    monkeypatch.setattr(benchmarks, "__path__", [*benchmarks.__path__, str(tmp_path / "benchmarks")])
    rows, absent = run.optional_sections(True, names=("bench_fake",))
    assert rows == [{"section": "fake", "case": "a", "seconds": 1.5, "quick": True}] and absent == []
    doc = {
        "machine": run.machine_info(),
        "fma_peak_per_core": {"gflops_per_core": 10.0, "fma_per_s": 5e9},
        "results": {},
        "rows": rows,
        "sections_absent": ["bench_sweep"],
    }
    md = run.render(doc)
    assert "### fake" in md and "| a | 1.5 | True |" in md and "bench_sweep" in md
    assert doc["machine"]["device_name"]  # the GPU's name when CUDA is there, else says cpu


def test_alternatives_run_and_agree_on_shapes():
    assert alternatives.bptt_torch_func("gru", 2, 1) > 0
    assert alternatives.bptt_python_loop("lstm", 2, 1) > 0
    assert alternatives.online_torch_func(2, 5) > 0
