"""heap.phase_task: freed memory kept within a phase, handed back when the next phase starts."""

import pickle
import subprocess
import sys
import textwrap

import pytest

from wordnet_lm import heap


@heap.phase_task()
def _phase_a(x):
    return x + 1


@heap.phase_task(big_blocks_too=True)
def _phase_b(x):
    return x * 2


def test_release_only_when_the_phase_changes(monkeypatch):
    released = []
    monkeypatch.setattr(heap, "release_freed_memory", lambda: released.append(heap._phase))
    monkeypatch.setattr(heap, "_phase", None)
    assert [_phase_a(1), _phase_a(2)] == [2, 3]
    assert released == []  # the first phase of a process has nothing to hand back
    assert _phase_b(3) == 6
    assert released == [f"{__name__}._phase_a"]
    _phase_b(4)
    _phase_a(5)
    assert released == [f"{__name__}._phase_a", f"{__name__}._phase_b"]


def test_tasks_pickle_by_name():
    """Process pools and Dask send tasks by reference: the wrapper must be the module's attribute."""
    assert pickle.loads(pickle.dumps(_phase_a)) is _phase_a
    assert _phase_a.__name__ == "_phase_a" and _phase_a.__wrapped__(1) == 2


@pytest.mark.skipif(not sys.platform.startswith("linux") or heap._glibc() is None, reason="glibc only")
def test_next_phase_returns_the_kept_heap():
    """A fresh process: a phase frees 400 MB of 4 MB arrays (kept: RSS stays), the next phase's
    first task hands it back (RSS falls)."""
    code = textwrap.dedent("""
        import numpy as np
        from wordnet_lm.heap import phase_task

        def rss_mb():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024

        @phase_task()
        def grow(n):
            arrays = [np.ones(1 << 19) for _ in range(n)]  # 4 MB each, from the heap
            del arrays

        @phase_task()
        def measure(_):
            return rss_mb()

        base = rss_mb()
        grow(100)
        kept = rss_mb()
        after = measure(0)
        print(kept - base, after - base)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    kept, after = map(float, out.split())
    assert kept > 300, f"the phase's freed memory was not kept ({kept:.0f} MB)"
    assert after < 100, f"the next phase did not hand it back ({after:.0f} MB still resident)"
