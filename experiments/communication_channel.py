"""Communication channel: a sine sent from population A to B, spiking and as rates.

Course §28: B represents what A represents when the connection decodes A's value
with its identity decoders D_A and encodes it into B (weights diag(α_B) E_B D_Aᵀ,
kept factored here). The input u(t) = ``amplitude`` sin(2π ``frequency`` t) enters
A through a PSC of ``synapse`` s, A reaches B through another, and B's decoded value
is read through a PSC of ``probe_synapse`` s. Both populations have ``n_neurons``
LIF neurons (the default ``LIF(min_voltage=0)``), max rates uniform in [200, 400)
Hz, intercepts uniform in [−1, 1), seeds from the network's ``seed``.

The ideal output is u through the three first-order low-passes in continuous time,
from rest. It is exact: the sine's phase (sin, cos) joins the filters' states as one
linear system s' = M s, so s(k h) = (e^(M h))^k s(0) with h the probe's sampling
interval. The same network runs spiking and in rate mode (every neuron replaced by
its rate curve).

The networks run in pieces of ``PIECE`` s (``Simulator.run_pieces``) and their
spike probes record only ``raster_window``, so memory does not grow with
``t_stop``: the metrics are summed piece by piece and only what is saved is kept.

Writes ``/analysis/decoded/B_<mode>/{t, x_true, x_hat, error}`` for mode spiking
and rate at the times within ``trace_window`` (s),
``/analysis/populations/<A|B>/{encoders, intercepts}`` (to order the rasters) and
the spiking run's spikes of A and B with times in ``raster_window`` (s) under
``/spikes/A`` and ``/spikes/B``. Metrics ``rmse_spiking`` and ``rmse_rate``
(decoded B against the ideal, over the whole run). Figure
``communication_channel.png``.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.linalg import expm

import neurosim as ns
from neurosim.plots import figure, plot_raster, save_figure
from neurosim.validation import as_float, as_int, as_steps, as_window

CONFIG = {
    "n_neurons": 500,
    "dt": 1e-3,
    "t_stop": 10.0,
    "frequency": 1.0,
    "amplitude": 1.0,
    "synapse": 0.005,
    "probe_synapse": 0.01,
    "trace_window": [0.0, 10.0],
    "raster_window": [0.0, 1.0],
    "raster_neurons": 40,
}

#: Seconds simulated between metric updates: what the run holds at a time.
PIECE = 10.0

MODES = ("spiking", "rate")
log = logging.getLogger("neurosim.experiments.communication_channel")


class IdealResponse:
    """``amplitude`` sin(2π ``frequency`` t) through first-order low-passes
    τ ds/dt = −s + input, one per entry of ``taus`` (s), from rest, in continuous
    time, sampled every ``h`` (s): each ``next(n)`` gives the next n samples.

    Parameters
    ----------
    h : float, s
    frequency : float, Hz
    amplitude : float
    taus : sequence of float, s
    """

    def __init__(self, h: float, frequency: float, amplitude: float, taus):
        w = 2 * np.pi * frequency
        k = len(taus)
        M = np.zeros((k + 2, k + 2))
        M[0, 1], M[1, 0] = w, -w                 # (sin, cos)' = w (cos, -sin)
        for j, tau in enumerate(taus):
            M[j + 2, j + 2] = -1.0 / tau
            M[j + 2, j + 1 if j else 0] = (1.0 if j else amplitude) / tau
        self.step = expm(M * h)
        self.state = np.zeros(k + 2)
        self.state[1] = 1.0                      # sin 0 = 0, cos 0 = 1, at rest

    def next(self, n_samples: int) -> np.ndarray:
        """The last low-pass's output at the next ``n_samples`` sample times, (n,)."""
        out = np.empty(n_samples)
        for i in range(n_samples):
            self.state = self.step @ self.state
            out[i] = self.state[-1]
        return out


def ideal_response(n_samples: int, h: float, frequency: float, amplitude: float,
                   taus) -> np.ndarray:
    """``IdealResponse`` at t = h, 2h, ..., ``n_samples`` h: array (n_samples,)."""
    return IdealResponse(h, frequency, amplitude, taus).next(n_samples)


def build(config, spikes: bool):
    """The channel u -> A -> B and the probe of B's decoded value; with ``spikes``,
    spike probes on A and B within ``raster_window`` (spiking runs only)."""
    n = as_int("n_neurons", config["n_neurons"], minimum=1)
    frequency = as_float("frequency (Hz)", config["frequency"])
    amplitude = as_float("amplitude", config["amplitude"])
    synapse = ns.PSC(as_float("synapse (s)", config["synapse"], positive=True))
    net = ns.Network(seed=config["seed"], label="channel")
    u = net.input(lambda t: amplitude * np.sin(2 * np.pi * frequency * t), 1, "u")
    a = net.population(n, 1, label="A")
    b = net.population(n, 1, label="B")
    net.connect(u, a, synapse=synapse)
    net.connect(a, b, synapse=synapse)
    probe = net.probe(b, synapse=ns.PSC(as_float("probe_synapse (s)",
                                                 config["probe_synapse"],
                                                 positive=True)), label="B.decoded")
    if spikes:
        window = as_window("raster_window", config["raster_window"])
        net.probe(a, "spikes", window=window)
        net.probe(b, "spikes", window=window)
    return net, probe


def settings(config):
    """(dt, t_stop, trace window, raster window), s, checked (``raster_neurons``
    too)."""
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    as_steps("t_stop", t_stop, dt, minimum=1)
    as_int("raster_neurons", config["raster_neurons"], minimum=1)
    return (dt, t_stop, as_window("trace_window", config["trace_window"]),
            as_window("raster_window", config["raster_window"]))


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    settings(config)
    build(config, spikes=True)


def run_mode(config, mode: str, dt: float, t_stop: float, window):
    """Run the channel in ``mode`` piece by piece: (network, RMSE of decoded B
    against the ideal over the whole run, (t, x_true, x_hat) within ``window``,
    spikes {label: (times, ids)} of the spike probes)."""
    net, probe = build(config, spikes=mode == "spiking")
    ideal = IdealResponse(dt, config["frequency"], config["amplitude"],
                          [config["synapse"], config["synapse"],
                           config["probe_synapse"]])
    lo, hi = window[0] - 1e-9 * dt, window[1] + 1e-9 * dt
    squares, count, kept = 0.0, 0, []
    spikes = {pop.label: [] for pop in net.populations} if mode == "spiking" else {}
    sim = ns.Simulator(net, dt=dt, mode=mode)
    for res in sim.run_pieces(t_stop, PIECE):
        t, x_hat = res.times(probe), res[probe][:, 0]
        x_true = ideal.next(t.size)
        squares += float(np.sum((x_hat - x_true) ** 2))
        count += t.size
        inside = (t >= lo) & (t <= hi)
        if inside.any():
            kept.append((t[inside], x_true[inside], x_hat[inside]))
        for label, parts in spikes.items():
            if label in res.spikes:
                parts.append(res.spikes(label))
    spikes = {label: joined(parts, (float, int)) for label, parts in spikes.items()}
    return net, float(np.sqrt(squares / count)), joined(kept, (float,) * 3), spikes


def joined(pieces, dtypes) -> tuple:
    """Tuples of arrays, one tuple per piece, joined array by array (empty arrays of
    ``dtypes`` without pieces)."""
    return tuple(np.concatenate([piece[i] for piece in pieces]) if pieces
                 else np.zeros(0, dtype) for i, dtype in enumerate(dtypes))


def run(config, out):
    dt, t_stop, window, (lo, hi) = settings(config)
    results = ns.Results()
    for mode in MODES:
        net, rmse, (t, x_true, x_hat), spikes = run_mode(config, mode, dt, t_stop,
                                                         window)
        base = f"decoded/B_{mode}"
        results.add(f"{base}/t", t, units="s")
        results.add(f"{base}/x_true", x_true, units="1",
                    description="u through the three low-passes, continuous time")
        results.add(f"{base}/x_hat", x_hat, units="1",
                    description=f"B decoded through {config['probe_synapse']} s")
        results.add(f"{base}/error", x_hat - x_true, units="1")
        results.metrics[f"rmse_{mode}"] = rmse
        log.info("%s: RMSE of decoded B against the ideal %.4g", mode, rmse)
        for pop in net.populations if mode == "spiking" else []:
            times, ids = spikes[pop.label]
            results.add_spikes(pop.label, times, ids, n_neurons=pop.n_neurons)
            results.add(f"populations/{pop.label}/encoders", pop.encoders[:, 0],
                        units="1")
            results.add(f"populations/{pop.label}/intercepts", pop.intercepts,
                        units="1")
            span = min(hi, t_stop) - lo
            log.info("%s: %d spikes in the raster window %g-%g s (%.1f Hz per "
                     "neuron)", pop.label, times.size, lo, hi,
                     times.size / span / pop.n_neurons if span > 0 else 0.0)
    results.set_attrs("decoded", n_neurons=config["n_neurons"], dt=dt, t_stop=t_stop,
                      frequency=config["frequency"], amplitude=config["amplitude"],
                      synapse=config["synapse"], probe_synapse=config["probe_synapse"],
                      trace_window=list(window), raster_window=[lo, hi],
                      raster_neurons=config["raster_neurons"])
    return results


def raster_order(results, label: str, shown: int) -> np.ndarray:
    """Rank of each neuron of ``label`` in the raster (−1: not shown): ``shown``
    neurons evenly picked from all, sorted by encoder, then intercept."""
    encoders = results[f"populations/{label}/encoders"]
    intercepts = results[f"populations/{label}/intercepts"]
    order = np.lexsort((intercepts, encoders))
    picked = order[np.unique(np.linspace(0, order.size - 1, min(shown, order.size))
                             .round().astype(int))]
    rank = np.full(order.size, -1)
    rank[picked] = np.arange(picked.size)
    return rank


def plot(results, outdir):
    info = results.attrs["decoded"]
    m = results.metrics
    fig, axes = figure(3, 2, width=6.4, height=3.0)
    error_max = max(np.max(np.abs(results[f"decoded/B_{mode}/error"]))
                    for mode in MODES)
    for col, mode in enumerate(MODES):
        base = f"decoded/B_{mode}"
        t = results[f"{base}/t"]
        ax, ax_err = axes[0, col], axes[1, col]
        ax.plot(t, results[f"{base}/x_hat"], color="C0" if col == 0 else "C1", lw=1,
                label=f"B decoded ({mode})")
        ax.plot(t, results[f"{base}/x_true"], "k--", lw=0.8,
                label="ideal: u through 3 low-passes")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("value")
        ax.set_title(f"{mode}: B decoded through {info['probe_synapse'] * 1e3:g} ms, "
                     f"RMSE {m[f'rmse_{mode}']:.4f}", fontsize="medium")
        ax.set_ylim(-1.45 * info["amplitude"], 1.45 * info["amplitude"])
        ax.legend(fontsize="small", loc="upper right", ncol=2)
        ax.grid(True, alpha=0.3)
        ax_err.plot(t, results[f"{base}/error"], color="C0" if col == 0 else "C1",
                    lw=0.6)
        ax_err.axhline(0.0, color="k", lw=0.6)
        ax_err.set_ylim(-1.1 * error_max, 1.1 * error_max)
        ax_err.set_xlabel("time (s)")
        ax_err.set_ylabel("decoded − ideal")
        ax_err.set_title(f"{mode}: error", fontsize="medium")
        ax_err.grid(True, alpha=0.3)
    lo, hi = info["raster_window"]
    for col, label in enumerate(("A", "B")):
        rank = raster_order(results, label, info["raster_neurons"])
        times, ids = results.spikes(label)
        shown = rank[ids] >= 0
        ax = axes[2, col]
        plot_raster(times[shown], rank[ids[shown]], ax=ax,
                    n_neurons=int(rank.max()) + 1, t_range=(lo, hi),
                    title=f"spikes of {label} (spiking run): {int(rank.max()) + 1} of "
                          f"{rank.size} neurons, sorted by encoder, then intercept")
        ax.set_ylabel("neuron (encoder −1 below, +1 above)")
        ax.title.set_fontsize("medium")
    fig.suptitle(f"Communication channel u → A → B: u = {info['amplitude']:g} "
                 f"sin(2π·{info['frequency']:g} t), {info['n_neurons']} LIF neurons "
                 f"each, synapses {info['synapse'] * 1e3:g} ms, dt = "
                 f"{info['dt'] * 1e3:g} ms")
    return [save_figure(fig, outdir / "communication_channel.png")]
