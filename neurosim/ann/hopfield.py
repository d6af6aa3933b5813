"""Hopfield network: Hebbian storage of bipolar patterns, synchronous and asynchronous
recall, energy, and a capacity curve.

States are vectors of +1 / -1. A unit whose local field is exactly 0 takes +1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import _show, as_array, as_choice, as_int
from .checks import as_fraction, as_generator


def _as_bipolar(name, value, n_units=None):
    arr = as_array(name, value)
    if arr.ndim not in (1, 2) or arr.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (n_units,) or (n, n_units), got "
                         f"{arr.shape}")
    if n_units is not None and arr.shape[-1] != n_units:
        raise ValueError(f"{name} must have {n_units} units on its last axis, got shape "
                         f"{arr.shape}")
    if not np.all(np.abs(arr) == 1.0):
        raise ValueError(f"{name} must hold only +1 and -1, got values "
                         f"{_show(np.unique(arr).tolist())}")
    return arr


def random_patterns(n_patterns, n_units, *, rng):
    """Independent random bipolar patterns (each unit +1 or -1 with probability 1/2).

    Returns
    -------
    ndarray, shape (n_patterns, n_units)
    """
    n_patterns = as_int("n_patterns", n_patterns, minimum=1)
    n_units = as_int("n_units", n_units, minimum=1)
    rng = as_generator("rng", rng)
    return rng.integers(0, 2, size=(n_patterns, n_units)) * 2.0 - 1.0


def flip_bits(patterns, fraction, *, rng):
    """Copies of ``patterns`` with ``round(fraction * n_units)`` units flipped in each,
    chosen at random without repetition.

    Parameters
    ----------
    patterns : array_like, shape (n_units,) or (n, n_units)
        Bipolar patterns.
    fraction : float
        Fraction of units to flip, 0 <= fraction < 1.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, same shape as patterns
    """
    noisy = _as_bipolar("patterns", patterns).copy()
    fraction = as_fraction("fraction", fraction)
    rng = as_generator("rng", rng)
    rows = noisy.reshape(-1, noisy.shape[-1])
    n_flip = int(round(fraction * rows.shape[1]))
    for row in rows:
        row[rng.choice(rows.shape[1], size=n_flip, replace=False)] *= -1.0
    return noisy


@dataclass(frozen=True)
class Recall:
    """Outcome of ``Hopfield.recall``.

    Attributes
    ----------
    state : ndarray, shape (n_units,)
        Final state.
    converged : bool
        True when the last sweep changed no unit (a fixed point).
    sweeps : int
        Sweeps run (a sweep updates every unit once).
    trajectory : ndarray, shape (n_steps + 1, n_units), or None
        With ``record=True``: the initial state, then the state after every update
        (every single-unit update in asynchronous mode, every sweep in synchronous).
    """

    state: np.ndarray
    converged: bool
    sweeps: int
    trajectory: np.ndarray | None


class Hopfield:
    """Hopfield network storing ``patterns`` with the Hebbian rule
    ``W = (1/n) sum_s x_s x_s^T`` over the n patterns, diagonal set to zero.

    Parameters
    ----------
    patterns : array_like, shape (n_patterns, n_units)
        Bipolar (+1 / -1) patterns to store.

    Attributes
    ----------
    weights : ndarray, shape (n_units, n_units)
        Symmetric, zero diagonal.
    """

    def __init__(self, patterns):
        patterns = _as_bipolar("patterns", patterns)
        if patterns.ndim == 1:
            patterns = patterns[None, :]
        self.n_units = patterns.shape[1]
        self.weights = patterns.T @ patterns / patterns.shape[0]
        np.fill_diagonal(self.weights, 0.0)

    def energy(self, states):
        """Hopfield energy ``E = -1/2 s^T W s``.

        Parameters
        ----------
        states : array_like, shape (n_units,) or (n, n_units)

        Returns
        -------
        float or ndarray of shape (n,)
        """
        states = _as_bipolar("states", states, self.n_units)
        values = -0.5 * np.einsum("...i,ij,...j->...", states, self.weights, states)
        return float(values) if states.ndim == 1 else values

    def step_synchronous(self, states):
        """Update every unit at once from the current states.

        Parameters
        ----------
        states : array_like, shape (n_units,) or (n, n_units)

        Returns
        -------
        ndarray, same shape
        """
        states = _as_bipolar("states", states, self.n_units)
        return self._sync(states)

    def _sync(self, states):
        return np.where(states @ self.weights >= 0.0, 1.0, -1.0)

    def recall(self, state, *, mode="async", rng=None, max_sweeps=100, record=False):
        """Run the network from ``state`` until no unit changes in a sweep.

        Parameters
        ----------
        state : array_like, shape (n_units,)
            Initial (e.g. noisy) bipolar state.
        mode : {"async", "sync"}
            ``"async"``: one unit at a time, each sweep in a fresh random order from
            ``rng``; the energy never increases. ``"sync"``: all units at once; can
            end in a 2-cycle, reported as not converged.
        rng : numpy.random.Generator
            Update order; required for ``"async"``.
        max_sweeps : int
            Most sweeps, >= 1.
        record : bool
            Keep the trajectory (see ``Recall``).

        Returns
        -------
        Recall
        """
        state = _as_bipolar("state", state, self.n_units)
        if state.ndim != 1:
            raise ValueError(f"state must have shape ({self.n_units},), got {state.shape}")
        mode = as_choice("mode", mode, {"async", "sync"})
        max_sweeps = as_int("max_sweeps", max_sweeps, minimum=1)
        if mode == "async":
            rng = as_generator("rng", rng)
        state = state.copy()
        trajectory = [state.copy()] if record else None
        for sweep in range(1, max_sweeps + 1):
            changed = False
            if mode == "sync":
                new = self._sync(state)
                changed = not np.array_equal(new, state)
                state = new
                if record:
                    trajectory.append(state.copy())
            else:
                for unit in rng.permutation(self.n_units):
                    value = 1.0 if self.weights[unit] @ state >= 0.0 else -1.0
                    if value != state[unit]:
                        state[unit] = value
                        changed = True
                    if record:
                        trajectory.append(state.copy())
            if not changed:
                return Recall(state, True, sweep, _stack(trajectory))
        return Recall(state, False, max_sweeps, _stack(trajectory))


def _stack(trajectory):
    return None if trajectory is None else np.array(trajectory)


def capacity_curve(n_units, pattern_counts, *, rng, trials=5, flip_fraction=0.0,
                   mode="async", max_sweeps=50):
    """Fraction of stored patterns recalled exactly, against the number stored.

    For each count, ``trials`` networks store that many random patterns; each pattern
    (with ``flip_fraction`` of its units flipped) is recalled and counts as recalled
    when the final state equals it.

    Parameters
    ----------
    n_units : int
        Network size, >= 2.
    pattern_counts : array_like of int, shape (k,)
        Numbers of patterns to store, each >= 1.
    rng : numpy.random.Generator
        Source of patterns, noise and update order.
    trials : int
        Networks per count, >= 1.
    flip_fraction : float
        Noise on the recall cues, 0 <= flip_fraction < 1.
    mode : {"async", "sync"}
        Update mode of the recall.
    max_sweeps : int
        Most sweeps per recall.

    Returns
    -------
    ndarray, shape (k,)
        Mean fraction of patterns recalled, per count.
    """
    n_units = as_int("n_units", n_units, minimum=2)
    counts = np.asarray(pattern_counts)
    if counts.ndim != 1 or counts.size == 0 or counts.dtype.kind not in "iu" \
            or counts.min() < 1:
        raise ValueError(f"pattern_counts must be a non-empty 1-D array of integers >= 1, "
                         f"got {_show(pattern_counts)}")
    rng = as_generator("rng", rng)
    trials = as_int("trials", trials, minimum=1)
    fractions = np.empty(counts.size)
    for k, count in enumerate(counts):
        recalled = 0
        for _ in range(trials):
            patterns = random_patterns(count, n_units, rng=rng)
            net = Hopfield(patterns)
            cues = flip_bits(patterns, flip_fraction, rng=rng)
            recalled += sum(
                np.array_equal(net.recall(cue, mode=mode, rng=rng,
                                          max_sweeps=max_sweeps).state, pattern)
                for cue, pattern in zip(cues, patterns, strict=True))
        fractions[k] = recalled / (count * trials)
    return fractions
