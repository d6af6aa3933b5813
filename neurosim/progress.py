"""Progress bars that appear only for work taking over a second, on a terminal."""

from __future__ import annotations

from tqdm.auto import tqdm

#: Seconds before a bar appears; shorter work shows nothing.
DELAY = 1.0


def progress(iterable=None, desc: str = "", total: int | None = None,
             enabled: bool | None = None, **kwargs):
    """``tqdm`` over ``iterable``, shown after ``DELAY`` seconds when stderr is a
    terminal (``enabled=None``), always (``True``) or never (``False``)."""
    return tqdm(iterable, desc=desc, total=total, delay=DELAY, leave=False,
                disable=None if enabled is None else not enabled, **kwargs)
