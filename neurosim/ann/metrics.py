"""Classification accuracy from network outputs."""

from __future__ import annotations

import numpy as np

from ..validation import as_array, as_float


def accuracy(outputs, targets, threshold=0.0):
    """Fraction of samples classified correctly.

    Parameters
    ----------
    outputs : array_like, shape (n, n_classes) or (n,) or (n, 1)
        Network outputs. With several columns the predicted class is the largest
        output; with one column the prediction is ``outputs > threshold``.
    targets : array_like, shape (n,) or (n, n_classes) or (n, 1)
        Integer labels, one-hot rows, or binary targets (>= 0.5 counts as 1).
    threshold : float
        Decision threshold for one-column outputs: 0 for logits (default), 0.5 for
        probabilities.

    Returns
    -------
    float
        In [0, 1].
    """
    outputs = as_array("outputs", outputs)
    targets = as_array("targets", targets)
    threshold = as_float("threshold", threshold)
    n = outputs.shape[0] if outputs.ndim else 0
    if outputs.ndim not in (1, 2) or n == 0:
        raise ValueError(f"outputs must have shape (n,) or (n, n_classes) with n >= 1, "
                         f"got {outputs.shape}")
    if targets.ndim not in (1, 2) or targets.shape[0] != n:
        raise ValueError(f"targets must have shape (n,) or (n, k) with n = {n} like the "
                         f"outputs, got {targets.shape}")
    multiclass = outputs.ndim == 2 and outputs.shape[1] > 1
    if multiclass and targets.ndim == 2 and targets.shape != outputs.shape:
        raise ValueError(f"one-hot targets must have the shape of the outputs, "
                         f"{outputs.shape}, got {targets.shape}")
    if not multiclass and targets.size != n:
        raise ValueError(f"targets for one-column outputs must hold one value per sample "
                         f"({n}), got shape {targets.shape}")
    if multiclass:
        labels = targets if targets.ndim == 1 else targets.argmax(axis=1)
        return np.count_nonzero(outputs.argmax(axis=1) == labels) / n
    return np.count_nonzero((outputs.ravel() > threshold) == (targets.ravel() >= 0.5)) / n
