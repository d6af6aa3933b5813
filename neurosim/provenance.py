"""Where a result came from: configuration, seed, command line, versions, git commit."""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from .config import to_toml

_PACKAGES = ("neurosim", "numpy", "scipy", "numba", "h5py", "matplotlib")


def versions() -> dict[str, str]:
    """Python and the installed versions of neurosim's core dependencies."""
    out = {"python": sys.version.split()[0]}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_sha() -> str:
    """Commit of the neurosim source tree, with ``-dirty`` if it has changes, or
    ``"unknown"`` outside a git checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=5,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return sha + ("-dirty" if dirty else "")


def collect(config: dict | None = None, seed: int | None = None,
            argv: list[str] | None = None) -> dict[str, str | int]:
    """Provenance attributes for a results file (strings and the seed)."""
    return {
        "config": to_toml(config or {}),
        "seed": -1 if seed is None else int(seed),
        "argv": json.dumps(list(sys.argv if argv is None else argv)),
        "versions": json.dumps(versions(), sort_keys=True),
        "git_sha": git_sha(),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
    }
