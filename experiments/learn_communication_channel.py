"""Learning a communication channel with PES: A → B decoders from zero to f(x) = x and x².

A population A of ``n_neurons`` LIF neurons represents u(t) = ``amplitude``
sin(2π ``frequency`` t). For each function f (``x`` and ``x^2``) a population B_f
receives A through a connection whose decoders start at zero and learn online
with PES (``neurosim.learning``: ΔD = −κ dt/N a eᵀ, κ = ``learning_rate``) from the
error E_f = B_f − f(A), represented by a third population of ``n_neurons``
(B_f → E_f, and A → E_f decoding f with transform −1; E_f → the rule). Beside
it, B_f_solved — the same neurons as B_f (same seed) — gets A's least-squares
decoders of f: the error a learned channel should reach.

The network runs ``t_stop`` s at step ``dt``, spiking. Each channel's error is
B's decoded value (through a PSC of ``probe_synapse`` s) minus f of A's decoded
value (through the same PSC). Writes ``/analysis/learning/<f>/{t, target,
learned, solved}`` within the first and last ``window`` s, the RMSE per second
(``/analysis/learning/<f>/{rmse_t, rmse_learned, rmse_solved}``, bin centres),
the learned decoders once per second
(``/analysis/connections/A_to_B_<f>/decoders_over_time``) and at the end
(``.../decoders``). Metrics, per f: ``rmse_learned_<f>`` and ``rmse_solved_<f>``
(the last second), their ``ratio_<f>``, ``rmse_first_<f>`` (the learned channel's
first second), ``run_seconds``. Figure ``learn_communication_channel.png``.
"""

from __future__ import annotations

import logging
import time

import numpy as np

import neurosim as ns
from neurosim.plots import figure, save_figure
from neurosim.validation import as_float, as_int, as_steps

CONFIG = {
    "n_neurons": 100,
    "dt": 1e-3,
    "t_stop": 30.0,
    "learning_rate": 1e-3,
    "frequency": 0.5,
    "amplitude": 0.9,
    "synapse": 0.005,
    "probe_synapse": 0.01,
    "window": 2.0,
}

FUNCTIONS = {"x": lambda x: x, "x^2": lambda x: x ** 2}
log = logging.getLogger("neurosim.experiments.learn_communication_channel")


def key(name: str) -> str:
    """A function's name as a results path segment: x, x2."""
    return name.replace("^", "")


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    as_int("n_neurons", config["n_neurons"], minimum=1)
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    as_steps("t_stop", t_stop, dt, minimum=1)
    if t_stop < 1.0:
        raise ValueError(f"t_stop (s) must be >= 1 (its last second is measured), "
                         f"got {t_stop:g}")
    window = as_float("window (s)", config["window"], positive=True)
    if window > t_stop / 2:
        raise ValueError(f"window (s) must be at most t_stop / 2 = {t_stop / 2:g}, "
                         f"got {window:g}")
    for name in ("frequency", "amplitude", "synapse", "probe_synapse"):
        as_float(name, config[name], positive=True)
    ns.PES(learning_rate=config["learning_rate"])


def build(config):
    """The network, and per function its probes (A, B learned, B solved) and its
    learning connection."""
    n = as_int("n_neurons", config["n_neurons"], minimum=1)
    amplitude, frequency = config["amplitude"], config["frequency"]
    synapse = ns.PSC(config["synapse"])
    probe_synapse = ns.PSC(config["probe_synapse"])
    net = ns.Network(seed=config["seed"], label="learn_channel")
    u = net.input(lambda t: amplitude * np.sin(2 * np.pi * frequency * t), 1, "u")
    a = net.population(n, 1, label="A")
    net.connect(u, a, synapse=synapse)
    pa = net.probe(a, synapse=probe_synapse, label="A.decoded")
    channels = {}
    for i, (name, f) in enumerate(FUNCTIONS.items()):
        seed = int(np.random.SeedSequence(config["seed"], spawn_key=(99, i))
                   .generate_state(1)[0])
        b = net.population(n, 1, label=f"B_{key(name)}", seed=seed)
        solved = net.population(n, 1, label=f"B_{key(name)}_solved", seed=seed)
        e = net.population(n, 1, label=f"E_{key(name)}")
        conn = net.connect(a, b, synapse=synapse, function=lambda x: 0 * x,
                           learning_rule=ns.PES(config["learning_rate"]),
                           label=f"A_to_B_{key(name)}")
        net.connect(a, solved, synapse=synapse, function=f)
        net.connect(b, e, synapse=synapse)
        net.connect(a, e, synapse=synapse, function=f, transform=-1)
        net.connect(e, conn.learning_rule, synapse=synapse)
        net.probe(conn, "decoders", sample_every=1.0)
        channels[name] = (net.probe(b, synapse=probe_synapse),
                          net.probe(solved, synapse=probe_synapse), conn)
    return net, pa, channels


def rmse_per_second(t, error, t_stop):
    """(bin centres, RMSE of ``error`` in each second of the run)."""
    edges = np.arange(0.0, np.floor(t_stop + 1e-9) + 1.0)
    which = np.searchsorted(edges, t, side="left") - 1
    rmse = np.array([np.sqrt(np.mean(error[which == k] ** 2))
                     for k in range(edges.size - 1)])
    return edges[:-1] + 0.5, rmse


def run(config, out):
    check(config)
    dt, t_stop, window = config["dt"], float(config["t_stop"]), config["window"]
    net, pa, channels = build(config)
    sim = ns.Simulator(net, dt=dt)
    start = time.perf_counter()
    results = sim.run(t_stop)
    results.metrics["run_seconds"] = time.perf_counter() - start
    t = results.times(pa)
    x = results[pa][:, 0]
    shown = (t <= window + 1e-9) | (t > t_stop - window + 1e-9)
    for name, (pb, ps, conn) in channels.items():
        target = FUNCTIONS[name](x)
        learned, solved = results[pb][:, 0], results[ps][:, 0]
        base = f"learning/{key(name)}"
        results.add(f"{base}/t", t[shown], units="s")
        results.add(f"{base}/target", target[shown], units="1",
                    description=f"{name} of A decoded")
        results.add(f"{base}/learned", learned[shown], units="1")
        results.add(f"{base}/solved", solved[shown], units="1")
        centres, rmse_l = rmse_per_second(t, learned - target, t_stop)
        rmse_s = rmse_per_second(t, solved - target, t_stop)[1]
        results.add(f"{base}/rmse_t", centres, units="s")
        results.add(f"{base}/rmse_learned", rmse_l, units="1")
        results.add(f"{base}/rmse_solved", rmse_s, units="1")
        last = t > t_stop - 1.0 + 1e-9
        m = results.metrics
        k = key(name)
        m[f"rmse_learned_{k}"] = float(np.sqrt(np.mean((learned - target)[last] ** 2)))
        m[f"rmse_solved_{k}"] = float(np.sqrt(np.mean((solved - target)[last] ** 2)))
        m[f"ratio_{k}"] = m[f"rmse_learned_{k}"] / m[f"rmse_solved_{k}"]
        m[f"rmse_first_{k}"] = float(rmse_l[0])
        log.info("f = %s: RMSE over the last second %.4f learned, %.4f solved "
                 "(%.2f×); first second %.4f", name, m[f"rmse_learned_{k}"],
                 m[f"rmse_solved_{k}"], m[f"ratio_{k}"], rmse_l[0])
    results.set_attrs("learning", n_neurons=config["n_neurons"], dt=dt, t_stop=t_stop,
                      learning_rate=config["learning_rate"], window=window,
                      frequency=config["frequency"], amplitude=config["amplitude"],
                      probe_synapse=config["probe_synapse"])
    return results


def plot(results, outdir):
    info = results.attrs["learning"]
    m = results.metrics
    fig, axes = figure(3, 2, width=6.4, height=2.8)
    window, t_stop = info["window"], info["t_stop"]
    for col, name in enumerate(FUNCTIONS):
        base = f"learning/{key(name)}"
        k = key(name)
        ax = axes[0, col]
        ax.semilogy(results[f"{base}/rmse_t"], results[f"{base}/rmse_learned"], "C0",
                    label="learned (PES, from zero)")
        ax.semilogy(results[f"{base}/rmse_t"], results[f"{base}/rmse_solved"], "k--",
                    label="solved (least squares)")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("RMSE per second")
        ax.set_title(f"f(x) = {name}: last second {m[f'rmse_learned_{k}']:.4f} vs "
                     f"{m[f'rmse_solved_{k}']:.4f} ({m[f'ratio_{k}']:.2f}×)",
                     fontsize="medium")
        ax.legend(fontsize="small")
        ax.grid(True, alpha=0.3)
        t = results[f"{base}/t"]
        for row, (lo, hi, when) in enumerate(((0.0, window, "first"),
                                              (t_stop - window, t_stop, "last"))):
            inside = (t >= lo - 1e-9) & (t <= hi + 1e-9)
            ax = axes[row + 1, col]
            ax.plot(t[inside], results[f"{base}/learned"][inside], "C0", lw=1,
                    label="B learned")
            ax.plot(t[inside], results[f"{base}/solved"][inside], "C1", lw=0.8,
                    label="B solved")
            ax.plot(t[inside], results[f"{base}/target"][inside], "k--", lw=0.8,
                    label=f"{name} of A")
            ax.set_xlabel("time (s)")
            ax.set_ylabel("decoded")
            ax.set_title(f"f(x) = {name}, {when} {window:g} s", fontsize="medium")
            ax.legend(fontsize="small", loc="upper right", ncol=3)
            ax.set_ylim(-1.3, 1.5)
            ax.grid(True, alpha=0.3)
    fig.suptitle(f"PES learns A → B from zero decoders: {info['n_neurons']} LIF "
                 f"neurons per population, κ = {info['learning_rate']:g}, u = "
                 f"{info['amplitude']:g} sin(2π·{info['frequency']:g} t), dt = "
                 f"{info['dt'] * 1e3:g} ms")
    return [save_figure(fig, outdir / "learn_communication_channel.png")]
