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
|x(t)|, relative to the designed amplitude.

Writes ``/analysis/oscillator/{t, ideal}``, ``/analysis/oscillator/<mode>/{x,
amplitude, phase}`` for mode spiking and rate (phase unwrapped, from ``settle`` on;
NaN before), the spiking run's spikes under ``/spikes/oscillator`` (times in
``raster_window``) and ``/analysis/populations/oscillator/{encoders,
intercepts}``. Metrics: ``designed_amplitude``; per mode ``frequency_<mode>`` (Hz),
``frequency_error_<mode>`` (relative), ``amplitude_min_<mode>``,
``amplitude_max_<mode>`` (relative to the designed amplitude) and
``amplitude_deviation_<mode>`` (largest |amplitude / designed − 1|). Figure
``oscillator.png``.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.linalg import expm

import neurosim as ns
from neurosim.plots import figure, plot_raster, save_figure
from neurosim.validation import as_float, as_int, as_window

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
    "raster_window": [0.0, 2.0],
    "raster_neurons": 60,
}

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
    a spike probe too."""
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
        net.probe(a, "spikes")
    return net, probe


def measure(t, x, settle: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Frequency (Hz), amplitude |x| (T,) and unwrapped phase (T,; NaN before
    ``settle``) of a 2-D trajectory ``x`` (T, 2) sampled at ``t`` (s)."""
    after = t >= settle
    if after.sum() < 2:
        raise ValueError(f"settle = {settle} s leaves fewer than 2 samples to measure")
    phase = np.full(t.size, np.nan)
    phase[after] = np.unwrap(np.arctan2(x[after, 1], x[after, 0]))
    slope = np.polyfit(t[after], phase[after], 1)[0]
    return float(slope / (2 * np.pi)), np.linalg.norm(x, axis=1), phase


def settings(config):
    """(dt, t_stop, settle, frequency, raster window, designed amplitude), checked."""
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    settle = as_float("settle (s)", config["settle"], nonnegative=True)
    if not settle < t_stop:
        raise ValueError(f"settle must be < t_stop = {t_stop} s, got {settle}")
    frequency = as_float("frequency (Hz)", config["frequency"])
    window = as_window("raster_window", config["raster_window"])
    as_int("raster_neurons", config["raster_neurons"], minimum=1)
    designed = designed_amplitude(
        frequency, as_float("kick", config["kick"]),
        as_float("kick_duration (s)", config["kick_duration"], positive=True))
    if not abs(designed) < as_float("radius", config["radius"], positive=True):
        raise ValueError(f"the kick sets the amplitude to {abs(designed):.3g}, outside "
                         f"the radius {config['radius']}; lower kick or kick_duration")
    return dt, t_stop, settle, frequency, window, designed


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    settings(config)
    build(config, spikes=True)


def run(config, out):
    dt, t_stop, settle, frequency, (lo, hi), designed = settings(config)
    results = ns.Results()
    m = results.metrics
    m["designed_amplitude"] = abs(designed)
    for mode in MODES:
        net, probe = build(config, spikes=mode == "spiking")
        res = ns.Simulator(net, dt=dt, mode=mode).run(t_stop)
        t, x = res.times(probe), res[probe]
        f, amplitude, phase = measure(t, x, settle)
        base = f"oscillator/{mode}"
        results.add(f"{base}/x", x, units="1", description="decoded state (T, 2)")
        results.add(f"{base}/amplitude", amplitude, units="1", description="|x|")
        results.add(f"{base}/phase", phase, units="rad",
                    description="unwrapped atan2(x1, x0) from settle on, NaN before")
        relative = amplitude[t >= settle] / abs(designed)
        m[f"frequency_{mode}"] = f
        m[f"frequency_error_{mode}"] = f / frequency - 1.0
        m[f"amplitude_min_{mode}"] = float(relative.min())
        m[f"amplitude_max_{mode}"] = float(relative.max())
        m[f"amplitude_deviation_{mode}"] = float(np.max(np.abs(relative - 1.0)))
        log.info("%s: frequency %.4f Hz (designed %g, error %+.2f %%); amplitude "
                 "%.3f–%.3f of the designed %.3f", mode, f, frequency,
                 100 * m[f"frequency_error_{mode}"], relative.min(), relative.max(),
                 abs(designed))
        if mode == "spiking":
            pop = net.populations[0]
            times, ids = res.spikes(pop)
            kept = (times >= lo) & (times <= hi)
            results.add_spikes(pop.label, times[kept], ids[kept],
                               n_neurons=pop.n_neurons)
            results.add(f"populations/{pop.label}/encoders", pop.encoders, units="1")
            results.add(f"populations/{pop.label}/intercepts", pop.intercepts,
                        units="1")
    results.add("oscillator/t", t, units="s")
    results.add("oscillator/ideal", ideal(t.size, dt, frequency, config["kick"],
                                          config["kick_duration"],
                                          config["probe_synapse"]),
                units="1", description="dx/dt = A x + u through the probe PSC")
    results.set_attrs("oscillator", n_neurons=config["n_neurons"],
                      frequency=frequency, tau=config["tau"], kick=config["kick"],
                      kick_duration=config["kick_duration"], radius=config["radius"],
                      dt=dt, t_stop=t_stop, settle=settle,
                      probe_synapse=config["probe_synapse"], raster_window=[lo, hi],
                      raster_neurons=config["raster_neurons"])
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
