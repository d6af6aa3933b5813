"""The ``neurosim`` command run as a user runs it: a separate process."""

import subprocess
import sys


def neurosim(*args, cwd):
    """``python -m neurosim.cli ARGS`` in the folder ``cwd``; the finished process,
    its output as text."""
    return subprocess.run([sys.executable, "-m", "neurosim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)
