"""A memory task for recurrent networks: recall, after a delay, a value shown once."""

from __future__ import annotations

import numpy as np

from ..validation import as_int
from .checks import as_generator


def delay_task(n_samples, delay, *, rng):
    """Sequences that show a value at t = 0 and ask for it back at the last step.

    Each sequence has ``delay + 1`` steps and two input channels: channel 0 carries
    the value v ~ Uniform(-1, 1) at t = 0 and fresh Uniform(-1, 1) distractors at
    every later step; channel 1 is a cue, 1 at t = 0 and 0 after. The target is v.
    Predicting 0 scores a mean squared error of 1/3; doing better needs a memory that
    holds v across ``delay`` steps of distractors.

    Parameters
    ----------
    n_samples : int
        Number of sequences, >= 1.
    delay : int
        Steps between the value and the recall, >= 1.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n_samples, delay + 1, 2)
        Input sequences (batch, time, features).
    Y : ndarray, shape (n_samples, 1)
        The value to recall.
    """
    n_samples = as_int("n_samples", n_samples, minimum=1)
    delay = as_int("delay", delay, minimum=1)
    rng = as_generator("rng", rng)
    values = rng.uniform(-1.0, 1.0, size=(n_samples, delay + 1))
    X = np.zeros((n_samples, delay + 1, 2))
    X[:, :, 0] = values
    X[:, 0, 1] = 1.0
    return X, values[:, :1].copy()
