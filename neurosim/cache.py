"""A content-addressed cache of arrays, in memory and on disk.

Expensive results (decoders, simulated f–I tables) are stored under a key that
hashes everything they depend on, so a changed input can never return a stale
result. On disk they live in ``$NEUROSIM_CACHE_DIR`` (default ``~/.cache/neurosim``);
``NEUROSIM_CACHE_DIR=off`` keeps the cache in memory only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

_MEMORY: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
_MEMORY_ITEMS = 128


def key(*parts) -> str:
    """A hex digest of ``parts`` (arrays by their dtype, shape and bytes)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            arr = np.ascontiguousarray(part)
            digest.update(f"ndarray{arr.dtype.str}{arr.shape}".encode())
            digest.update(arr.tobytes())
        else:
            digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def directory() -> Path | None:
    """The on-disk cache folder, or None when disabled."""
    setting = os.environ.get("NEUROSIM_CACHE_DIR", "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "neurosim"


def get(kind: str, name: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``kind/name``, or None."""
    item = f"{kind}/{name}"
    if item in _MEMORY:
        _MEMORY.move_to_end(item)
        return {k: v.copy() for k, v in _MEMORY[item].items()}
    folder = directory()
    path = folder / kind / f"{name}.npz" if folder else None
    if path is None or not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError):
        return None  # unreadable entry: recompute
    _remember(item, arrays)
    return {k: v.copy() for k, v in arrays.items()}


def put(kind: str, name: str, **arrays: np.ndarray):
    """Store ``arrays`` under ``kind/name`` (in memory, and on disk if enabled)."""
    arrays = {k: np.array(v) for k, v in arrays.items()}
    _remember(f"{kind}/{name}", arrays)
    folder = directory()
    if folder is None:
        return
    target = folder / kind
    try:
        target.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=target, suffix=".npz.tmp")
        with os.fdopen(handle, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, target / f"{name}.npz")
    except OSError:
        pass  # a read-only or full disk only costs a recomputation later


def _remember(item, arrays):
    _MEMORY[item] = arrays
    _MEMORY.move_to_end(item)
    while len(_MEMORY) > _MEMORY_ITEMS:
        _MEMORY.popitem(last=False)


def clear_memory():
    """Forget the in-memory entries (the disk cache stays)."""
    _MEMORY.clear()
