"""Product x·y computed by a 2-D population, spiking and as rates.

Course §28, example 28.1: encode (x, y) into a 2-D population C, decode the
nonlinear function x·y from C (decoders D = argmin ‖A D − X₀X₁‖ over evaluation
points), and encode the result into a 1-D population P. Here x(t) = sin(2π
``frequency_x`` t) enters C's dimension 0 through transform [1, 0]ᵀ, y(t) =
sin(2π ``frequency_y`` t) dimension 1 through [0, 1]ᵀ, both through PSCs of
``synapse`` s; C → P decodes ``neurosim.functions.product`` through another PSC of
``synapse`` s; P's value is read through a PSC of ``probe_synapse`` s. C has
``n_neurons`` LIF neurons and radius ``radius`` (√2 covers the square |x|, |y| <= 1;
with radius 1 its corners are clipped), P has ``n_neurons_product`` (radius 1).

The ideal is what the network should compute: x and y each low-passed by the input
PSC, multiplied, low-passed by the C → P PSC and by the probe's. It is exact: each
input's (sin, cos, filtered value, 1) is a linear system sᵢ' = Mᵢ sᵢ, so their
Kronecker product s₁ ⊗ s₂ — which holds the filtered product — obeys a linear
system too (M₁ ⊗ I + I ⊗ M₂), and so do the filters after it; the whole is
propagated by its matrix exponential over each sampling interval.

Writes ``/analysis/decoded/P_<mode>/{t, x_true, x_hat, error, raw}`` (the product,
ideal, decoded from P, their difference, and the unfiltered x(t) y(t)) and
``/analysis/decoded/C_<mode>/{t, x_true, x_hat}`` ((x, y) as C represents them) for
mode spiking and rate. Metrics ``rmse_spiking``, ``rmse_rate`` (decoded product
against the ideal, whole run), ``rmse_C_spiking``, ``rmse_C_rate`` and
``decoder_rmse`` (C's product decoders on held-out points, rates, no dynamics).
Figure ``product.png``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from scipy.linalg import expm

import neurosim as ns
from neurosim.functions import product
from neurosim.plots import figure, save_figure
from neurosim.validation import as_float, as_int

CONFIG = {
    "n_neurons": 1000,
    "n_neurons_product": 500,
    "radius": math.sqrt(2.0),
    "frequency_x": 1.0,
    "frequency_y": 0.25,
    "synapse": 0.005,
    "probe_synapse": 0.01,
    "t_stop": 4.0,
    "dt": 1e-3,
}

MODES = ("spiking", "rate")
log = logging.getLogger("neurosim.experiments.product")


def _sine_system(frequency: float, tau: float) -> np.ndarray:
    """M of s = (sin ωt, cos ωt, sin ωt low-passed by tau, 1): s' = M s."""
    w = 2 * np.pi * frequency
    M = np.zeros((4, 4))
    M[0, 1], M[1, 0] = w, -w
    M[2, 0], M[2, 2] = 1.0 / tau, -1.0 / tau
    return M


def ideal(n_samples: int, h: float, frequency_x: float, frequency_y: float,
          tau: float, tau_probe: float) -> tuple[np.ndarray, np.ndarray]:
    """The ideal outputs, from rest, in continuous time (see the module docstring).

    Parameters
    ----------
    n_samples : int
        Samples at t = h, 2h, ..., n_samples h.
    h : float, s
    frequency_x, frequency_y : float, Hz
    tau, tau_probe : float, s
        The input and C → P PSCs, and the probe's.

    Returns
    -------
    product : array (n_samples,)
        (x low-passed · y low-passed) through tau, then tau_probe.
    represented : array (n_samples, 2)
        x and y low-passed by tau, then tau_probe (C's value as probed).
    """
    M1, M2 = _sine_system(frequency_x, tau), _sine_system(frequency_y, tau)
    K = np.kron(M1, np.eye(4)) + np.kron(np.eye(4), M2)   # (s1 ⊗ s2)' = K (s1 ⊗ s2)
    xy, x1, y1 = 2 * 4 + 2, 2 * 4 + 3, 3 * 4 + 2       # xf·yf, xf·1, 1·yf
    M = np.zeros((20, 20))                             # s1 ⊗ s2, then 4 filters:
    M[:16, :16] = K                                    # product (tau, tau_probe),
    for row, source, time_constant in ((16, xy, tau), (17, 16, tau_probe),  # x, y
                                       (18, x1, tau_probe), (19, y1, tau_probe)):
        M[row, source] += 1.0 / time_constant
        M[row, row] -= 1.0 / time_constant
    start = np.array([0.0, 1.0, 0.0, 1.0])                 # sin 0, cos 0, rest, 1
    state = np.concatenate([np.kron(start, start), np.zeros(4)])
    step = expm(M * h)
    out = np.empty((n_samples, 3))
    for i in range(n_samples):
        state = step @ state
        out[i] = state[17:20]
    return out[:, 0], out[:, 1:]


def build(config):
    """The network and the probes of P's and C's decoded values."""
    fx = as_float("frequency_x (Hz)", config["frequency_x"])
    fy = as_float("frequency_y (Hz)", config["frequency_y"])
    synapse = ns.PSC(as_float("synapse (s)", config["synapse"], positive=True))
    probe_synapse = ns.PSC(as_float("probe_synapse (s)", config["probe_synapse"],
                                    positive=True))
    net = ns.Network(seed=config["seed"], label="product")
    ux = net.input(lambda t: np.sin(2 * np.pi * fx * t), 1, "x")
    uy = net.input(lambda t: np.sin(2 * np.pi * fy * t), 1, "y")
    c = net.population(as_int("n_neurons", config["n_neurons"], minimum=1), 2,
                       label="C", radius=as_float("radius", config["radius"],
                                                  positive=True))
    p = net.population(as_int("n_neurons_product", config["n_neurons_product"],
                              minimum=1), 1, label="P")
    net.connect(ux, c, synapse=synapse, transform=[[1.0], [0.0]])
    net.connect(uy, c, synapse=synapse, transform=[[0.0], [1.0]])
    net.connect(c, p, synapse=synapse, function=product)
    return net, net.probe(p, synapse=probe_synapse), net.probe(c, synapse=probe_synapse)


def timing(config) -> tuple[float, float]:
    """(dt, t_stop), s, checked."""
    return (as_float("dt (s)", config["dt"], positive=True),
            as_float("t_stop (s)", config["t_stop"], positive=True))


def rms(error) -> float:
    """Root mean square over every entry of ``error``."""
    return float(np.sqrt(np.mean(np.square(error))))


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    timing(config)
    build(config)


def run(config, out):
    dt, t_stop = timing(config)
    results = ns.Results()
    m = results.metrics
    for mode in MODES:
        net, probe_p, probe_c = build(config)
        res = ns.Simulator(net, dt=dt, mode=mode).run(t_stop)
        t = res.times(probe_p)
        ideal_p, ideal_c = ideal(t.size, dt, config["frequency_x"],
                                 config["frequency_y"], config["synapse"],
                                 config["probe_synapse"])
        x_hat = res[probe_p][:, 0]
        raw = np.sin(2 * np.pi * config["frequency_x"] * t) * \
            np.sin(2 * np.pi * config["frequency_y"] * t)
        base = f"decoded/P_{mode}"
        results.add(f"{base}/t", t, units="s")
        results.add(f"{base}/x_true", ideal_p, units="1",
                    description="x, y low-passed, multiplied, low-passed twice")
        results.add(f"{base}/x_hat", x_hat, units="1", description="P decoded")
        results.add(f"{base}/error", x_hat - ideal_p, units="1")
        results.add(f"{base}/raw", raw, units="1", description="x(t) y(t), unfiltered")
        results.add(f"decoded/C_{mode}/t", t, units="s")
        results.add(f"decoded/C_{mode}/x_true", ideal_c, units="1",
                    description="(x, y) low-passed by the input and probe PSCs")
        results.add(f"decoded/C_{mode}/x_hat", res[probe_c], units="1")
        m[f"rmse_{mode}"] = rms(x_hat - ideal_p)
        m[f"rmse_C_{mode}"] = rms(res[probe_c] - ideal_c)
        log.info("%s: RMSE of the decoded product %.4g (of C's (x, y) %.4g)", mode,
                 m[f"rmse_{mode}"], m[f"rmse_C_{mode}"])
    m["decoder_rmse"] = net.populations[0].decoders(function=product).rmse_test
    log.info("C's product decoders: RMSE %.4g on held-out points", m["decoder_rmse"])
    results.set_attrs("decoded", n_neurons=config["n_neurons"],
                      n_neurons_product=config["n_neurons_product"],
                      radius=config["radius"], frequency_x=config["frequency_x"],
                      frequency_y=config["frequency_y"], synapse=config["synapse"],
                      probe_synapse=config["probe_synapse"], dt=dt, t_stop=t_stop)
    return results


def plot(results, outdir):
    info = results.attrs["decoded"]
    m = results.metrics
    fig, axes = figure(2, 2, width=6.4, height=4.0)
    ax = axes[0, 0]
    t = results["decoded/C_spiking/t"]
    c_hat = results["decoded/C_spiking/x_hat"]
    c_true = results["decoded/C_spiking/x_true"]
    for k, (name, f) in enumerate((("x", info["frequency_x"]),
                                   ("y", info["frequency_y"]))):
        ax.plot(t, c_hat[:, k], color=f"C{k}", lw=0.8,
                label=f"{name} = sin(2π·{f:g} t), decoded from C")
        ax.plot(t, c_true[:, k], "k--", lw=0.8, label="ideal" if k == 0 else None)
    ax.set_ylim(-1.25, 1.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("value")
    ax.set_title(f"spiking: C ({info['n_neurons']} neurons, 2-D, radius "
                 f"{info['radius']:.3g}) represents (x, y); RMSE "
                 f"{m['rmse_C_spiking']:.4f}", fontsize="medium")
    ax.legend(fontsize="x-small", loc="upper right", ncol=2)
    ax.grid(True, alpha=0.3)

    ax = axes[0, 1]
    for col, mode in enumerate(MODES):
        base = f"decoded/P_{mode}"
        ax.plot(results[f"{base}/t"], results[f"{base}/error"], color=f"C{col}",
                lw=0.6, alpha=0.9 if col else 0.7,
                label=f"{mode}: RMSE {m[f'rmse_{mode}']:.4f}")
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("decoded − ideal product")
    ax.set_title(f"error of the product from P (C's product decoders alone, on "
                 f"held-out\npoints: RMSE {m['decoder_rmse']:.4f})", fontsize="medium")
    ax.legend(fontsize="small", loc="upper right")
    ax.grid(True, alpha=0.3)

    for col, mode in enumerate(MODES):
        ax = axes[1, col]
        base = f"decoded/P_{mode}"
        t = results[f"{base}/t"]
        ax.plot(t, results[f"{base}/raw"], color="0.75", lw=2,
                label="x(t) y(t), unfiltered")
        ax.plot(t, results[f"{base}/x_hat"], color=f"C{col}", lw=0.8,
                label=f"decoded from P ({mode})")
        ax.plot(t, results[f"{base}/x_true"], "k--", lw=0.8, label="ideal")
        ax.set_ylim(-1.25, 1.45)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("x · y")
        ax.set_title(f"{mode}: product through P ({info['n_neurons_product']} "
                     f"neurons), RMSE {m[f'rmse_{mode}']:.4f}", fontsize="medium")
        ax.legend(fontsize="x-small", loc="upper right", ncol=2)
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"Product x·y from a 2-D population: x → C[0], y → C[1], C → P "
                 f"decodes X₀X₁; synapses {info['synapse'] * 1e3:g} ms, probes "
                 f"{info['probe_synapse'] * 1e3:g} ms, dt = {info['dt'] * 1e3:g} ms")
    return [save_figure(fig, outdir / "product.png")]
