"""Lists of arrays packed end to end in one buffer: the kernel's form of a list of
arrays of different shapes (numba takes no lists of arrays)."""

from __future__ import annotations

import numpy as np


def packed_layout(shapes):
    """(n, 3) int64 rows [offset, rows, columns] of arrays of ``shapes`` (2-D; a
    vector is one row) laid end to end in one buffer."""
    layout = np.zeros((len(shapes), 3), np.int64)
    for i, shape in enumerate(shapes):
        layout[i, 1:] = shape
    sizes = layout[:, 1] * layout[:, 2]
    layout[:, 0] = np.cumsum(sizes) - sizes
    return layout


def packed(arrays):
    """A list of 1-D or 2-D arrays as one new float64 buffer and its layout
    (``packed_layout``): the kernel's form of a list of arrays."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    layout = packed_layout([(1, a.size) if a.ndim == 1 else a.shape for a in arrays])
    data = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)
    return data, layout


def view(data, layout, i):
    """Array ``i`` of ``packed``'s list (a view)."""
    start, rows, cols = layout[i]
    return data[start:start + rows * cols].reshape(rows, cols)
