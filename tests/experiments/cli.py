"""The ``neurosim`` command run as a user runs it: a separate process."""

import subprocess
import sys


def neurosim(*args, cwd):
    """``python -m neurosim.cli ARGS`` in the folder ``cwd``; the finished process,
    its output as text."""
    return subprocess.run([sys.executable, "-m", "neurosim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def assert_redrawn_alike(folder, figures, tmp_path):
    """The run in ``folder`` drew exactly ``figures`` (names), and ``neurosim plot``,
    in a new process, redraws them from its results file alone byte for byte."""
    assert sorted(p.name for p in folder.glob("*.png")) == sorted(figures)
    out = neurosim("plot", str(folder / "results.h5"), "--out", "again", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    again = tmp_path / "again"
    assert sorted(p.name for p in again.glob("*.png")) == sorted(figures)
    for name in figures:
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name
