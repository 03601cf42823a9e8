"""The benchmarks' memory column: a child's own peak, not its parent's (benchmarks/bench_process.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if not (ROOT / "benchmarks" / "bench_process.py").exists():  # pragma: no cover - a wheel without benchmarks/
    pytest.skip("benchmarks/ is not in this checkout", allow_module_level=True)

#: a parent touches this many MB, then starts a child that reports its own peak
PARENT_MB = 300
CHILD = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.bench_process import peak_rss_mb; "
PARENT = f"""
import resource, subprocess, sys
block = bytearray({PARENT_MB} * 2**20)
block[::4096] = b"x" * len(block[::4096])
code = {{!r}}
child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
print(child.stdout.strip())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_peak_rss_of_a_child_is_its_own_not_its_parents():
    """A small child of a 300 MB parent: ru_maxrss reports the parent's peak, peak_rss_mb the child's."""
    code = CHILD + "import resource; print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    out = subprocess.run([sys.executable, "-c", PARENT.format(code)], capture_output=True, text=True, check=True)
    own, inherited = map(float, out.stdout.split())
    assert inherited > PARENT_MB  # Linux carries the parent's peak over fork and exec
    assert 1 < own < PARENT_MB / 3


def test_peak_rss_grows_with_what_the_process_touches():
    """peak_rss_mb sees an allocation of 100 MB made by the process itself."""
    code = (
        CHILD
        + "a = peak_rss_mb(); b = bytearray(100 * 2**20); b[::4096] = b'x' * len(b[::4096]); print(peak_rss_mb() - a)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 90 < float(out.stdout) < 130


def test_the_process_bench_times_numbas_import_and_loads_as_phases():
    """bench_process's finder times ``import numba`` and the first call of a compiled function."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks.bench_process import _NumbaTimer\n"
        "from cogrnn._progress import phase_times\n"
        "sys.meta_path.insert(0, _NumbaTimer())\n"
        "import numba\n"
        "f = numba.njit(lambda x: x + 1)\n"
        "before = dict(phase_times())\n"
        "f(1); f(2)\n"
        "after = phase_times()\n"
        "print(before.get('numba_import', 0) > 0, 'numba_load' in before, after['numba_load'] > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "True"]
