"""The ``neurosim`` command run as a user runs it: a separate process."""

import os
import subprocess
import sys


def neurosim(*args, cwd):
    """``python -m neurosim.cli ARGS`` in the folder ``cwd``; the finished process,
    its output as text."""
    return subprocess.run([sys.executable, "-m", "neurosim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def neurosim_in_process(*args, cwd, capsys):
    """``neurosim.cli.main(ARGS)`` in this process, in the folder ``cwd``; the result
    as ``neurosim`` gives it (returncode, stdout, stderr). For refusals, which stop
    before any work: a new interpreter would cost 2-3 s to start and import for
    nothing (``tests/test_cli.py`` checks the status of the command itself)."""
    from neurosim.cli import main
    capsys.readouterr()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    finally:
        os.chdir(here)
    out = capsys.readouterr()
    return subprocess.CompletedProcess(["neurosim", *args], code, out.out, out.err)


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
