"""Kicked 2-D oscillator: a recurrent population turns its state; spiking and rates.

Course §29 (network dynamics): a population fed back to itself through a PSC of
time constant τ with transform I + τA, and fed its input through the same PSC with
transform τ, obeys τ dx/dt = −x + (I + τA) x + τu, i.e. dx/dt = A x + u. With
A = [[0, −ω], [ω, 0]], ω = 2π ``frequency``, the state turns counter-clockwise at
``frequency`` Hz with constant length. A kick u = (``kick``, 0) for 0 <= t <
``kick_duration`` = T (s) sets the length to ``kick`` · 2 sin(ωT/2) / ω (the
designed amplitude), which must stay below the ``radius``.

The ideal trajectory, read through the probe's PSC (``probe_synapse``, s), is exact:
state, probe filter and the (constant) kick form one linear system, propagated by
its matrix exponential over each sampling interval.

Measured on the decoded state after ``settle`` s: the frequency (slope of the
unwrapped phase atan2(x1, x0), least squares, over 2π) and the amplitude envelope
|x(t)|, relative to the designed amplitude. The networks run in pieces of ``PIECE``
s (``Simulator.run_pieces``) and are measured piece by piece; traces are kept
within ``trace_window`` (s) and spikes within ``raster_window`` (a windowed spike
probe), so memory does not grow with ``t_stop``.

Writes ``/analysis/oscillator/{t, ideal}``, ``/analysis/oscillator/<mode>/{x,
amplitude, phase}`` for mode spiking and rate at the times within ``trace_window``
(phase unwrapped, from ``settle`` on; NaN before), the spiking run's spikes under ``/spikes/oscillator`` (times in
``raster_window``) and ``/analysis/populations/oscillator/{encoders,
intercepts}``. Metrics: ``designed_amplitude``; per mode ``frequency_<mode>`` (Hz),
``frequency_error_<mode>`` (relative), ``amplitude_min_<mode>``,
``amplitude_max_<mode>`` (relative to the designed amplitude) and
``amplitude_deviation_<mode>`` (largest |amplitude / designed − 1|). Figure
``oscillator.png``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from scipy.linalg import expm

import neurosim as ns
from neurosim.plots import figure, plot_raster, save_figure
from neurosim.validation import as_float, as_int, as_steps, as_window

CONFIG = {
    "n_neurons": 1000,
    "frequency": 1.0,
    "tau": 0.1,
    "kick": 6.0,
    "kick_duration": 0.1,
    "radius": 1.0,
    "t_stop": 5.0,
    "dt": 1e-3,
    "probe_synapse": 0.01,
    "settle": 0.3,
    "trace_window": [0.0, 5.0],
    "raster_window": [0.0, 2.0],
    "raster_neurons": 60,
}

#: Seconds simulated at a time: what a run holds in memory.
PIECE = 10.0

MODES = ("spiking", "rate")
log = logging.getLogger("neurosim.experiments.oscillator")


def dynamics(frequency: float) -> np.ndarray:
    """A = [[0, −ω], [ω, 0]], ω = 2π ``frequency`` (Hz): counter-clockwise rotation,
    shape (2, 2), 1/s."""
    w = 2 * np.pi * frequency
    return np.array([[0.0, -w], [w, 0.0]])


def designed_amplitude(frequency: float, kick: float, duration: float) -> float:
    """|x(T)| after the kick: ``kick`` · 2 sin(ωT/2) / ω (``kick`` · T when ω = 0)."""
    w = 2 * np.pi * frequency
    return float(kick * duration * np.sinc(w * duration / (2 * np.pi)))


def ideal(n_samples: int, h: float, frequency: float, kick: float, duration: float,
          tau_probe: float) -> np.ndarray:
    """dx/dt = A x + u with the kick, read through a first-order low-pass of
    ``tau_probe`` (s), from rest.

    Parameters
    ----------
    n_samples : int
        Samples at t = h, 2h, ..., n_samples h (s).
    h : float, s
    frequency : float, Hz
    kick : float
        Input along x0 for 0 <= t < ``duration`` (s).
    duration : float, s
    tau_probe : float, s

    Returns
    -------
    array (n_samples, 2)
    """
    # state (x0, x1, y0, y1, c): y the probe's output, c the kick (constant)
    M = np.zeros((5, 5))
    M[:2, :2] = dynamics(frequency)
    M[0, 4] = kick
    M[2:4, :2] = np.eye(2) / tau_probe
    M[2:4, 2:4] = -np.eye(2) / tau_probe
    during = expm(M * h)
    after = during.copy()
    after[:, 4] = 0.0                            # the kick is over: c = 0
    state = np.zeros(5)
    state[4] = 1.0
    out = np.empty((n_samples, 2))
    t = 0.0
    for i in range(n_samples):
        if t + h <= duration + 1e-12 * h:
            state = during @ state
        elif t < duration:  # the kick ends inside this interval
            state = expm(M * (duration - t)) @ state
            state[4] = 0.0
            state = expm(M * (t + h - duration)) @ state
        else:
            state = after @ state
        t = (i + 1) * h
        out[i] = state[2:4]
    return out


def build(config, spikes: bool):
    """The oscillator network and the probe of its decoded state; with ``spikes``,
    a spike probe within ``raster_window`` too."""
    n = as_int("n_neurons", config["n_neurons"], minimum=1)
    tau = as_float("tau (s)", config["tau"], positive=True)
    kick = as_float("kick", config["kick"])
    duration = as_float("kick_duration (s)", config["kick_duration"], positive=True)
    A = dynamics(as_float("frequency (Hz)", config["frequency"]))
    net = ns.Network(seed=config["seed"], label="oscillator")
    u = net.input(lambda t: np.column_stack([np.where(t < duration, kick, 0.0),
                                             np.zeros_like(t)]), 2, "kick")
    a = net.population(n, 2, label="oscillator",
                       radius=as_float("radius", config["radius"], positive=True))
    net.connect(u, a, synapse=ns.PSC(tau), transform=tau)
    net.connect(a, a, synapse=ns.PSC(tau), transform=np.eye(2) + tau * A)
    probe = net.probe(a, synapse=ns.PSC(as_float("probe_synapse (s)",
                                                 config["probe_synapse"],
                                                 positive=True)))
    if spikes:
        net.probe(a, "spikes", window=as_window("raster_window",
                                                config["raster_window"]))
    return net, probe


class Rotation:
    """Frequency (Hz), amplitude |x| and unwrapped phase atan2(x1, x0) of a 2-D
    trajectory, measured piece by piece from ``settle`` (s) on: ``add`` each piece
    in time order, then read ``frequency`` (the least-squares slope of the phase
    over time, / 2π) and ``lowest`` and ``highest`` (the amplitude's extremes)."""

    def __init__(self, settle: float):
        self.settle = settle
        self.n = 0
        self.mean_t = self.mean_phase = self.ctt = self.ctp = 0.0
        self.last = None  # the last unwrapped phase
        self.lowest, self.highest = math.inf, -math.inf

    def add(self, t, x) -> tuple[np.ndarray, np.ndarray]:
        """Take the piece ``x`` (T, 2) sampled at ``t`` (T,; s): returns its
        amplitude (T,) and unwrapped phase (T,; NaN before ``settle``)."""
        amplitude = np.linalg.norm(x, axis=1)
        phase = np.full(t.size, np.nan)
        after = t >= self.settle
        if not after.any():
            return amplitude, phase
        raw = np.arctan2(x[after, 1], x[after, 0])
        unwrapped = np.unwrap(raw) if self.last is None else \
            np.unwrap(np.concatenate([[self.last], raw]))[1:]
        phase[after] = unwrapped
        self.last = unwrapped[-1]
        self.lowest = min(self.lowest, float(amplitude[after].min()))
        self.highest = max(self.highest, float(amplitude[after].max()))
        # the pieces' means and co-moments merged (Chan et al.), for the slope
        n, tt, pp = unwrapped.size, t[after], unwrapped
        mean_t, mean_p = float(np.mean(tt)), float(np.mean(pp))
        ctt = float(np.sum((tt - mean_t) ** 2))
        ctp = float(np.sum((tt - mean_t) * (pp - mean_p)))
        total = self.n + n
        dt, dp = mean_t - self.mean_t, mean_p - self.mean_phase
        self.ctt += ctt + dt * dt * self.n * n / total
        self.ctp += ctp + dt * dp * self.n * n / total
        self.mean_t += dt * n / total
        self.mean_phase += dp * n / total
        self.n = total
        return amplitude, phase

    @property
    def frequency(self) -> float:
        """The phase's least-squares slope over 2π (Hz)."""
        if self.n < 2:
            raise ValueError(f"settle = {self.settle} s leaves fewer than 2 samples to "
                             "measure")
        return self.ctp / self.ctt / (2 * np.pi)


def settings(config):
    """(dt, t_stop, settle, frequency, trace window, raster window, designed
    amplitude), checked."""
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    as_steps("t_stop", t_stop, dt, minimum=1)
    settle = as_float("settle (s)", config["settle"], nonnegative=True)
    if not settle < t_stop:
        raise ValueError(f"settle must be < t_stop = {t_stop} s, got {settle}")
    frequency = as_float("frequency (Hz)", config["frequency"])
    trace = as_window("trace_window", config["trace_window"])
    window = as_window("raster_window", config["raster_window"])
    as_int("raster_neurons", config["raster_neurons"], minimum=1)
    designed = designed_amplitude(
        frequency, as_float("kick", config["kick"]),
        as_float("kick_duration (s)", config["kick_duration"], positive=True))
    if not abs(designed) < as_float("radius", config["radius"], positive=True):
        raise ValueError(f"the kick sets the amplitude to {abs(designed):.3g}, outside "
                         f"the radius {config['radius']}; lower kick or kick_duration")
    return dt, t_stop, settle, frequency, trace, window, designed


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    settings(config)
    build(config, spikes=True)


def run_mode(config, mode: str, dt: float, t_stop: float, settle: float, window):
    """Run the oscillator in ``mode`` piece by piece: (network, ``Rotation`` of its
    decoded state, (t, x, amplitude, phase) within ``window``, (times, ids) of its
    spikes, empty in rate mode)."""
    net, probe = build(config, spikes=mode == "spiking")
    rotation = Rotation(settle)
    lo, hi = window[0] - 1e-9 * dt, window[1] + 1e-9 * dt
    kept, fired = [], []
    label = net.populations[0].label
    for res in ns.Simulator(net, dt=dt, mode=mode).run_pieces(t_stop, PIECE):
        t, x = res.times(probe), res[probe]
        amplitude, phase = rotation.add(t, x)
        inside = (t >= lo) & (t <= hi)
        kept.append((t[inside], x[inside], amplitude[inside], phase[inside]))
        if label in res.spikes:
            fired.append(res.spikes(label))
    return net, rotation, joined(kept, (float,) * 4), joined(fired, (float, int))


def joined(pieces, dtypes) -> tuple:
    """Tuples of arrays, one tuple per piece, joined array by array (empty arrays of
    ``dtypes`` without pieces)."""
    return tuple(np.concatenate([piece[i] for piece in pieces]) if pieces
                 else np.zeros(0, dtype) for i, dtype in enumerate(dtypes))


def run(config, out):
    dt, t_stop, settle, frequency, trace, (lo, hi), designed = settings(config)
    results = ns.Results()
    m = results.metrics
    m["designed_amplitude"] = abs(designed)
    for mode in MODES:
        net, rotation, (t, x, amplitude, phase), spikes = run_mode(
            config, mode, dt, t_stop, settle, trace)
        base = f"oscillator/{mode}"
        results.add(f"{base}/x", x, units="1", description="decoded state (T, 2)")
        results.add(f"{base}/amplitude", amplitude, units="1", description="|x|")
        results.add(f"{base}/phase", phase, units="rad",
                    description="unwrapped atan2(x1, x0) from settle on, NaN before")
        f = rotation.frequency
        low, high = rotation.lowest / abs(designed), rotation.highest / abs(designed)
        m[f"frequency_{mode}"] = f
        m[f"frequency_error_{mode}"] = f / frequency - 1.0
        m[f"amplitude_min_{mode}"] = low
        m[f"amplitude_max_{mode}"] = high
        m[f"amplitude_deviation_{mode}"] = max(abs(low - 1.0), abs(high - 1.0))
        log.info("%s: frequency %.4f Hz (designed %g, error %+.2f %%); amplitude "
                 "%.3f–%.3f of the designed %.3f", mode, f, frequency,
                 100 * m[f"frequency_error_{mode}"], low, high, abs(designed))
        if mode == "spiking":
            pop = net.populations[0]
            results.add_spikes(pop.label, *spikes, n_neurons=pop.n_neurons)
            results.add(f"populations/{pop.label}/encoders", pop.encoders, units="1")
            results.add(f"populations/{pop.label}/intercepts", pop.intercepts,
                        units="1")
    # the ideal from rest up to the window's last sample, kept within the window
    steps = np.rint(t / dt).astype(int)
    ideal_x = ideal(int(steps[-1]) if steps.size else 0, dt, frequency, config["kick"],
                    config["kick_duration"], config["probe_synapse"])[steps - 1]
    results.add("oscillator/t", t, units="s")
    results.add("oscillator/ideal", ideal_x,
                units="1", description="dx/dt = A x + u through the probe PSC")
    results.set_attrs("oscillator", n_neurons=config["n_neurons"],
                      frequency=frequency, tau=config["tau"], kick=config["kick"],
                      kick_duration=config["kick_duration"], radius=config["radius"],
                      dt=dt, t_stop=t_stop, settle=settle,
                      probe_synapse=config["probe_synapse"], trace_window=list(trace),
                      raster_window=[lo, hi], raster_neurons=config["raster_neurons"])
    return results


def plot(results, outdir):
    info = results.attrs["oscillator"]
    m = results.metrics
    t = results["oscillator/t"]
    ideal_x = results["oscillator/ideal"]
    designed = m["designed_amplitude"]
    radius = info["radius"]
    fig, axes = figure(2, 3, width=4.6, height=4.2)
    theta = np.linspace(0.0, 2 * np.pi, 361)
    for col, mode in enumerate(MODES):
        x = results[f"oscillator/{mode}/x"]
        color = f"C{col}"
        ax = axes[0, col]
        ax.plot(radius * np.cos(theta), radius * np.sin(theta), color="0.7", lw=0.8,
                label=f"radius {radius:g}")
        ax.plot(designed * np.cos(theta), designed * np.sin(theta), "k--", lw=0.8,
                label=f"designed amplitude {designed:.3f}")
        ax.plot(x[:, 0], x[:, 1], color=color, lw=0.5, label=f"decoded ({mode})")
        ax.plot(x[0, 0], x[0, 1], "ko", ms=4, label="start (rest)")
        ax.set_aspect("equal")
        ax.set_xlim(-1.1 * radius, 1.1 * radius)
        ax.set_ylim(-1.1 * radius, 1.45 * radius)
        ax.set_xlabel("x₀")
        ax.set_ylabel("x₁")
        ax.set_title(f"{mode}: phase plane, frequency {m[f'frequency_{mode}']:.4f} Hz "
                     f"({100 * m[f'frequency_error_{mode}']:+.2f} %)",
                     fontsize="medium")
        ax.legend(fontsize="x-small", loc="upper center", ncol=2)
        ax_t = axes[1, col]
        ax_t.plot(t, ideal_x[:, 0], "k--", lw=0.8, label="ideal")
        ax_t.plot(t, ideal_x[:, 1], "k--", lw=0.8)
        ax_t.plot(t, x[:, 0], color=color, lw=0.8, label="x₀")
        ax_t.plot(t, x[:, 1], color=color, lw=0.8, alpha=0.5, label="x₁")
        ax_t.set_ylim(-1.1 * radius, 1.45 * radius)
        ax_t.set_xlabel("time (s)")
        ax_t.set_ylabel("decoded state")
        ax_t.set_title(f"{mode}: time courses", fontsize="medium")
        ax_t.legend(fontsize="x-small", loc="upper right", ncol=3)
        ax_t.grid(True, alpha=0.3)
    ax = axes[0, 2]
    for col, mode in enumerate(MODES):
        ax.plot(t, results[f"oscillator/{mode}/amplitude"] / designed, color=f"C{col}",
                lw=0.8, label=f"{mode}: {m[f'amplitude_min_{mode}']:.3f}–"
                              f"{m[f'amplitude_max_{mode}']:.3f} after "
                              f"{info['settle']:g} s")
    ax.plot(t, np.linalg.norm(ideal_x, axis=1) / designed, "k--", lw=0.8,
            label="ideal")
    ax.axhspan(0.8, 1.2, color="grey", alpha=0.12, label="±20 %")
    ax.axvline(info["settle"], color="grey", ls=":", lw=1, label="settle")
    ax.set_ylim(0.0, 1.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("|x| / designed amplitude")
    ax.set_title("amplitude envelope", fontsize="medium")
    ax.legend(fontsize="x-small", loc="lower right")
    ax.grid(True, alpha=0.3)

    ax = axes[1, 2]
    encoders = results["populations/oscillator/encoders"]
    # neurons whose threshold lies within half the amplitude fire for part of each
    # cycle, when the state points near their encoder: sorted by encoder angle they
    # show the rotation as diagonal stripes
    modulated = np.flatnonzero(np.abs(results["populations/oscillator/intercepts"])
                               * radius < designed / 2)
    angle = np.arctan2(encoders[modulated, 1], encoders[modulated, 0])
    order = modulated[np.argsort(angle, kind="stable")]
    picked = order[np.unique(np.linspace(0, order.size - 1, min(
        info["raster_neurons"], order.size)).round().astype(int))]
    rank = np.full(encoders.shape[0], -1)
    rank[picked] = np.arange(picked.size)
    times, ids = results.spikes("oscillator")
    shown = rank[ids] >= 0
    lo, hi = info["raster_window"]
    plot_raster(times[shown], rank[ids[shown]], ax=ax, n_neurons=picked.size,
                t_range=(lo, hi), title=f"spikes (spiking run): {picked.size} of the "
                                        f"{modulated.size} neurons\nwith |intercept| < "
                                        "amplitude / 2, by encoder angle")
    ax.set_ylabel("neuron, by encoder angle (−π → π)")
    ax.title.set_fontsize("medium")
    fig.suptitle(f"Oscillator: {info['n_neurons']} LIF neurons in 2-D, feedback I + τA "
                 f"(τ = {info['tau'] * 1e3:g} ms, designed {info['frequency']:g} Hz), "
                 f"kick ({info['kick']:g}, 0) for {info['kick_duration'] * 1e3:g} ms")
    return [save_figure(fig, outdir / "oscillator.png")]
