"""A Hopfield network recalls stored patterns from corrupted cues; energy; capacity.

Recall: ``n_patterns`` random bipolar patterns of ``n_units`` units are stored with
the Hebbian rule (``neurosim.ann.Hopfield``). Each is recalled by asynchronous
updates (one unit at a time, each sweep in a fresh random order) from a cue with
``flip_fraction`` of its units flipped, for at most ``max_sweeps`` sweeps. The
energy ``E = -1/2 s^T W s`` and the overlap ``s . pattern / n_units`` are recorded
after every single-unit update; the energy can only fall.

Capacity: for each number of stored patterns P in ``capacity_counts``,
``capacity_trials`` fresh networks store P patterns and each pattern is recalled
from a cue with each of ``capacity_flip_fractions`` of its units flipped; the
fraction recalled exactly is the capacity curve (``neurosim.ann.capacity_curve``).
Beside it, the probability that a stored pattern is a fixed point, in the Gaussian
approximation of the crosstalk: a unit sees its own pattern with weight n - 1 and a
sum of (P - 1)(n - 1) independent +-1 crosstalk terms, so it is stable with
probability Phi(sqrt((n - 1) / (P - 1))) and the whole pattern with that to the
power n. 0.138 n is the classic limit (Amit, Gutfreund & Sompolinsky, 1985) up to
which recall states survive with a small fraction of wrong units.

Randomness: the seed feeds a ``SeedSequence``; its children draw the patterns, the
cue noise, the update order, and each capacity curve.

Writes ``/analysis/hopfield/{patterns, cues, recalled}``,
``/analysis/hopfield/recall/p<k>/{energy, overlap}`` (per update; attributes sweeps,
converged, recalled), ``/analysis/hopfield/capacity/{counts, flip_fraction,
fraction, fixed_point_theory}``; figures ``hopfield_recall.png``,
``hopfield_energy.png`` and ``hopfield_capacity.png``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from scipy.stats import norm

import neurosim as ns
import neurosim.ann as nn
from neurosim.plots import figure, save_figure
from neurosim.progress import progress

CONFIG = {
    "n_units": 100,
    "n_patterns": 5,
    "flip_fraction": 0.1,
    "max_sweeps": 50,
    "capacity_counts": list(range(1, 31)),
    "capacity_trials": 20,
    "capacity_flip_fractions": [0.0, 0.1],
}

CAPACITY = 0.138

log = logging.getLogger("neurosim.experiments.hopfield")


def fixed_point_probability(n_units, counts):
    """Probability that a stored pattern is a fixed point, Gaussian crosstalk.

    Parameters
    ----------
    n_units : int
        Network size n.
    counts : ndarray of int, shape (k,)
        Numbers of stored patterns P.

    Returns
    -------
    ndarray, shape (k,)
        ``Phi(sqrt((n - 1) / (P - 1))) ** n``; 1 for P = 1.
    """
    counts = np.asarray(counts, dtype=float)
    crosstalk = np.maximum(counts - 1.0, 1e-300)
    return norm.cdf(np.sqrt((n_units - 1.0) / crosstalk)) ** n_units


def recall(config, rngs, results):
    """Store the patterns, recall each from its noisy cue, record energy and overlap."""
    pattern_rng, noise_rng, order_rng = rngs
    n = config["n_units"]
    patterns = nn.random_patterns(config["n_patterns"], n, rng=pattern_rng)
    net = nn.Hopfield(patterns)
    cues = nn.flip_bits(patterns, config["flip_fraction"], rng=noise_rng)
    finals = np.empty_like(patterns)
    increases = []
    for k, (pattern, cue) in enumerate(zip(patterns, cues)):
        outcome = net.recall(cue, mode="async", rng=order_rng,
                             max_sweeps=config["max_sweeps"], record=True)
        finals[k] = outcome.state
        energy = net.energy(outcome.trajectory)
        overlap = outcome.trajectory @ pattern / n
        recalled = bool(np.array_equal(outcome.state, pattern))
        base = f"hopfield/recall/p{k}"
        results.add(f"{base}/energy", energy, units="1",
                    description="-1/2 s^T W s after each single-unit update")
        results.add(f"{base}/overlap", overlap, units="1",
                    description="s . pattern / n_units after each single-unit update")
        results.set_attrs(base, sweeps=outcome.sweeps, converged=outcome.converged,
                          recalled=recalled)
        increases.append(float(np.max(np.diff(energy), initial=0.0)))
        log.info("pattern %d: %s after %d sweeps, energy %.3f -> %.3f", k,
                 "recalled" if recalled else "NOT recalled", outcome.sweeps, energy[0],
                 energy[-1])
    results.add("hopfield/patterns", patterns.astype(np.int8), units="1")
    results.add("hopfield/cues", cues.astype(np.int8), units="1")
    results.add("hopfield/recalled", finals.astype(np.int8), units="1")
    results.set_attrs("hopfield", n_units=n, n_patterns=config["n_patterns"],
                      flip_fraction=config["flip_fraction"])
    recalled = int(np.sum(np.all(finals == patterns, axis=1)))
    results.metrics["patterns_recalled"] = recalled
    results.metrics["fraction_recalled"] = recalled / config["n_patterns"]
    results.metrics["max_energy_increase"] = max(increases)


def _half_point(counts, fraction):
    """Where a falling curve first crosses 0.5 (linear interpolation), or NaN."""
    below = np.flatnonzero(fraction < 0.5)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    return float(np.interp(0.5, [fraction[i], fraction[i - 1]], [counts[i], counts[i - 1]]))


def capacity(config, rngs, results):
    """Capacity curves, one per cue noise level, and the fixed-point theory."""
    n = config["n_units"]
    counts = np.array(config["capacity_counts"], dtype=np.int64)
    flips = np.array(config["capacity_flip_fractions"], dtype=float)
    fractions = np.array([
        nn.capacity_curve(n, counts, rng=rng, trials=config["capacity_trials"],
                          flip_fraction=flip, max_sweeps=config["max_sweeps"])
        for flip, rng in zip(progress(flips, desc="capacity"), rngs)])
    theory = fixed_point_probability(n, counts)
    results.add("hopfield/capacity/counts", counts, units="1")
    results.add("hopfield/capacity/flip_fraction", flips, units="1")
    results.add("hopfield/capacity/fraction", fractions, units="1",
                description="fraction of stored patterns recalled exactly, "
                            "[flip_fraction index, count index]")
    results.add("hopfield/capacity/fixed_point_theory", theory, units="1",
                description="Phi(sqrt((n-1)/(P-1)))**n")
    results.set_attrs("hopfield/capacity", trials=config["capacity_trials"],
                      n_units=n, classic_limit=CAPACITY * n)
    for flip, fraction in zip(flips, fractions):
        half = _half_point(counts, fraction)
        results.metrics[f"half_recall_patterns_flip{flip:g}"] = half
        log.info("capacity, %g%% of the cue flipped: half the patterns recalled at "
                 "P = %.1f (0.138 n = %.1f)", 100 * flip, half, CAPACITY * n)
    results.metrics["half_recall_patterns_theory"] = _half_point(counts, theory)


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    counts = config["capacity_counts"]
    if not counts or any(not isinstance(c, int) or c < 1 for c in counts):
        raise ValueError(f"capacity_counts must be a non-empty list of integers >= 1, "
                         f"got {counts!r}")


def run(config, out):
    flips = config["capacity_flip_fractions"]
    children = np.random.SeedSequence(config["seed"]).spawn(3 + len(flips))
    rngs = [np.random.default_rng(child) for child in children]
    results = ns.Results()
    recall(config, rngs[:3], results)
    capacity(config, rngs[3:], results)
    return results


def _image(state):
    """A state as a square image when n_units is a square, else as one row."""
    side = math.isqrt(state.size)
    return state.reshape(side, side) if side * side == state.size else state[None, :]


def plot_recall(results, outdir):
    attrs = results.attrs["hopfield"]
    rows = (("stored", results["hopfield/patterns"]),
            (f"cue ({100 * attrs['flip_fraction']:g}% flipped)", results["hopfield/cues"]),
            ("recalled", results["hopfield/recalled"]))
    n_patterns = rows[0][1].shape[0]
    fig, axes = figure(3, n_patterns, width=1.9, height=2.0)
    axes = np.asarray(axes).reshape(3, n_patterns)
    for r, (label, states) in enumerate(rows):
        for k in range(n_patterns):
            ax = axes[r, k]
            ax.imshow(_image(states[k]), cmap="gray_r", vmin=-1, vmax=1,
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if k == 0:
                ax.set_ylabel(label)
            if r == 0:
                ax.set_title(f"pattern {k}")
            if r == 2:
                wrong = int(np.sum(states[k] != rows[0][1][k]))
                ax.set_xlabel(f"{wrong} units wrong")
    fig.suptitle(f"Hopfield recall: {attrs['n_units']} units, {n_patterns} patterns, "
                 f"asynchronous updates (black = +1)")
    return save_figure(fig, outdir / "hopfield_recall.png")


def plot_energy(results, outdir):
    attrs = results.attrs["hopfield"]
    n = attrs["n_units"]
    fig, (left, right) = figure(1, 2, width=5.2, height=3.9)
    for k in sorted(int(name[1:]) for name in results.children("hopfield/recall")):
        base = f"hopfield/recall/p{k}"
        energy = results[f"{base}/energy"]
        sweeps = np.arange(energy.size) / n
        line, = left.plot(sweeps, energy, lw=1.2,
                          label=f"pattern {k}: {energy[0]:.1f} -> {energy[-1]:.1f}")
        right.plot(sweeps, results[f"{base}/overlap"], lw=1.2, color=line.get_color(),
                   label=f"pattern {k}, {results.attrs[base]['sweeps']} sweeps")
    left.set_ylabel("energy  -1/2 s^T W s")
    left.set_title("energy during recall (never increases)")
    right.set_ylabel("overlap with the stored pattern")
    right.set_title("overlap s . pattern / n")
    for ax in (left, right):
        ax.set_xlabel("sweeps (single-unit updates / n)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(f"asynchronous recall from cues with {100 * attrs['flip_fraction']:g}% "
                 f"of {n} units flipped, {attrs['n_patterns']} stored patterns")
    return save_figure(fig, outdir / "hopfield_energy.png")


def plot_capacity(results, outdir):
    attrs = results.attrs["hopfield/capacity"]
    counts = results["hopfield/capacity/counts"]
    fig, ax = figure(1, 1, width=7.0, height=4.4)
    for flip, fraction in zip(results["hopfield/capacity/flip_fraction"],
                              results["hopfield/capacity/fraction"]):
        ax.plot(counts, fraction, "o-", ms=4,
                label=f"measured, cue with {100 * flip:g}% flipped")
    ax.plot(counts, results["hopfield/capacity/fixed_point_theory"], "k--",
            label=r"theory: P(pattern is a fixed point) = $\Phi(\sqrt{(n-1)/(P-1)})^n$")
    ax.axvline(attrs["classic_limit"], color="tab:red", ls=":",
               label=f"0.138 n = {attrs['classic_limit']:.1f} (recall with a few "
                     "wrong units)")
    ax.set_xlabel("stored patterns P")
    ax.set_ylabel("fraction of patterns recalled exactly")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(f"Hopfield capacity: n = {attrs['n_units']} units, "
                 f"{attrs['trials']} networks per P, asynchronous recall")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return save_figure(fig, outdir / "hopfield_capacity.png")


def plot(results, outdir):
    return [plot_recall(results, outdir), plot_energy(results, outdir),
            plot_capacity(results, outdir)]
