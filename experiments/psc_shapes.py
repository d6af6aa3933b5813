"""PSC shapes h(t) = t^n e^(-t/tau) / (n! tau^(n+1)), and spike trains filtered by them.

Unit areas and peaks at n tau; a filtered Poisson spike train; and forward Euler
against the exact filter.

Three parts, each checked against a closed form:

* shapes: ``h`` for every order in ``n`` and time constant in ``tau``; the area
  (``scipy.integrate.quad``) should be 1 and the peak (located by bounded scalar
  minimisation) should lie at ``n tau``;
* train: a Poisson spike train (``rate``, ``duration``, seeded by ``seed``) filtered at
  its exact spike times by the PSCs ``(train_tau[i], train_n[i])`` and sampled every
  ``sample_dt``; the result is compared with the closed-form sum over spikes;
* euler: the same train with its spikes moved to the grid of step ``euler_dt``,
  filtered by ``PSC(euler_tau, n)`` with forward Euler (the course notes' update) on
  grids ``euler_dt / 2^j`` (j = 0..``euler_halvings``); the error, the largest
  deviation from the exact response relative to its maximum, should fall as dt^1.

Writes ``/analysis/psc/{shapes,train,euler}/...`` and the spikes as population
``poisson``; figures ``psc_shapes.png`` and ``psc_filtering.png``.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.integrate import quad
from scipy.optimize import minimize_scalar

import neurosim as ns
from neurosim.plots import figure, plot_loglog, plot_traces, save_figure
from neurosim.progress import progress
from neurosim.synapses import PSC, filter_spikes

CONFIG = {
    "n": [0, 1, 2],
    "tau": [0.002, 0.005, 0.01, 0.02],
    "shape_t_end": 0.1,
    "shape_samples": 2001,
    "rate": 40.0,
    "duration": 1.0,
    "sample_dt": 0.0002,
    "train_tau": [0.005, 0.01, 0.02],
    "train_n": [0, 1, 2],
    "euler_tau": 0.01,
    "euler_dt": 0.001,
    "euler_halvings": 4,
}

log = logging.getLogger("neurosim.experiments.psc_shapes")


def fitted_slope(x, y) -> float:
    """Least-squares slope of log(y) against log(x)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def area(psc: PSC) -> float:
    """Integral of h over [0, inf) by adaptive quadrature (the tail past 200 tau is
    below 1e-70)."""
    value, _ = quad(lambda s: float(psc.impulse_response(s)), 0.0, 200 * psc.tau,
                    points=[psc.n * psc.tau], limit=200, epsabs=1e-13, epsrel=1e-13)
    return value


def peak_time(psc: PSC) -> float:
    """Where h is largest (s), by bounded minimisation of -h."""
    best = minimize_scalar(lambda s: -float(psc.impulse_response(s)),
                           bounds=(0.0, 10 * max(psc.n, 1) * psc.tau), method="bounded",
                           options={"xatol": 1e-12 * psc.tau})
    return float(best.x)


def shapes(config, results):
    taus = np.array(config["tau"], dtype=float)
    t = np.linspace(0.0, config["shape_t_end"], config["shape_samples"])
    results.add("psc/shapes/t", t, units="s")
    results.add("psc/shapes/tau", taus, units="s")
    area_errors, peak_errors = [], []
    for n in config["n"]:
        pscs = [PSC(tau, n) for tau in taus]
        areas = np.array([area(p) for p in pscs])
        peaks = np.array([peak_time(p) for p in pscs])
        base = f"psc/shapes/n{n}"
        results.add(f"{base}/h", np.stack([p.impulse_response(t) for p in pscs]),
                    units="1/s")
        results.add(f"{base}/area", areas, units="1")
        results.add(f"{base}/peak_time", peaks, units="s")
        results.add(f"{base}/peak_time_expected", n * taus, units="s")
        results.add(f"{base}/peak_value", np.array(
            [float(p.impulse_response(peak)) for p, peak in zip(pscs, peaks)]),
            units="1/s")
        results.set_attrs(base, n=n)
        area_errors.append(np.max(np.abs(areas - 1.0)))
        peak_errors.append(np.max(np.abs(peaks - n * taus) / taus))
        log.info("n = %d: areas %s, peaks %s s", n, areas, peaks)
    results.metrics["max_area_error"] = float(max(area_errors))
    results.metrics["max_peak_time_error_over_tau"] = float(max(peak_errors))


def poisson_train(config):
    """Spike times (s), sorted: a Poisson process of ``rate`` Hz over ``duration``."""
    rng = np.random.default_rng(config["seed"])
    count = rng.poisson(config["rate"] * config["duration"])
    return np.sort(rng.uniform(0.0, config["duration"], count))


def train_filters(config) -> list[PSC]:
    """``PSC(train_tau[i], train_n[i])`` for each pair; the lists must pair up."""
    if len(config["train_tau"]) != len(config["train_n"]):
        raise ValueError(f"train_tau and train_n must pair up, got "
                         f"{len(config['train_tau'])} and {len(config['train_n'])} "
                         "entries")
    return [PSC(tau, n) for tau, n in zip(config["train_tau"], config["train_n"])]


def train(config, times, results):
    t = np.arange(int(round(config["duration"] / config["sample_dt"]))) \
        * config["sample_dt"]
    ids = np.zeros(times.size, dtype=np.int64)
    filtered, errors = [], []
    for psc in train_filters(config):
        y = filter_spikes(psc, times, ids, 1, t)[:, 0]
        closed = psc.impulse_response(t[:, None] - times[None, :]).sum(axis=1)
        errors.append(np.max(np.abs(y - closed)) / np.max(np.abs(closed)))
        filtered.append(y)
    results.add("psc/train/t", t, units="s")
    results.add("psc/train/filtered", np.stack(filtered, axis=1), units="1/s")
    results.add("psc/train/tau", np.array(config["train_tau"], dtype=float), units="s")
    results.add("psc/train/n", np.array(config["train_n"]), units="1")
    results.add("psc/train/error", np.array(errors), units="1",
                description="max |events filter - closed-form sum| / max |sum|")
    results.metrics["train_max_relative_error"] = float(max(errors))


def euler(config, times, results):
    tau, dt0 = config["euler_tau"], config["euler_dt"]
    dts = dt0 / 2.0 ** np.arange(config["euler_halvings"] + 1)
    coarse = np.round(times / dt0).astype(np.int64)  # spikes moved to the coarse grid
    ids = np.zeros(coarse.size, dtype=np.int64)
    steps0 = int(round(config["duration"] / dt0))
    results.set_attrs("psc/euler", tau=tau)
    orders, grid_errors = [], []
    for n in progress(config["n"], desc="euler"):
        psc = PSC(tau, n)
        errors = []
        for refine, dt in enumerate(dts):
            ratio = 2 ** refine
            t = np.arange(steps0 * ratio) * dt
            x = np.bincount(coarse * ratio, minlength=t.size)[:t.size] / dt
            exact = filter_spikes(psc, coarse * ratio * dt, ids, 1, t)[:, 0]
            approx = psc.filter(x, dt, method="euler")
            scale = np.max(np.abs(exact))
            errors.append(np.max(np.abs(approx - exact)) / scale)
            grid_errors.append(np.max(np.abs(psc.filter(x, dt) - exact)) / scale)
            if refine == 0:
                results.add(f"psc/euler/n{n}/t", t, units="s")
                results.add(f"psc/euler/n{n}/exact", exact, units="1/s")
                results.add(f"psc/euler/n{n}/euler", approx, units="1/s")
        order = fitted_slope(dts, errors)
        results.add(f"psc/euler/n{n}/dt", dts, units="s")
        results.add(f"psc/euler/n{n}/error", np.array(errors), units="1",
                    description="max |euler - exact| / max |exact|")
        results.set_attrs(f"psc/euler/n{n}", n=n, slope=order)
        results.metrics[f"euler_order_n{n}"] = order
        orders.append(order)
        log.info("euler n = %d: errors %s, order %.3f", n, np.array(errors), order)
    results.metrics["euler_order_min"] = float(min(orders))
    results.metrics["euler_order_max"] = float(max(orders))
    results.metrics["exact_grid_filter_max_relative_error"] = float(max(grid_errors))


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    train_filters(config)


def run(config, out):
    results = ns.Results()
    shapes(config, results)
    times = poisson_train(config)
    results.add_spikes("poisson", times, np.zeros(times.size, dtype=np.int64),
                       n_neurons=1)
    results.set_attrs("psc/train", rate=config["rate"], duration=config["duration"])
    train(config, times, results)
    euler(config, times, results)
    return results


def _orders(results):
    return sorted(int(name[1:]) for name in results.children("psc/shapes")
                  if name.startswith("n"))


def plot_shapes(results, outdir):
    orders = _orders(results)
    t_ms = results["psc/shapes/t"] * 1e3
    taus = results["psc/shapes/tau"]
    fig, axes = figure(1, len(orders), width=4.6, height=3.8)
    axes = np.atleast_1d(axes)
    formula = {0: r"$e^{-t/\tau}/\tau$", 1: r"$t\,e^{-t/\tau}/\tau^2$"}
    for ax, n in zip(axes, orders):
        base = f"psc/shapes/n{n}"
        h, areas = results[f"{base}/h"], results[f"{base}/area"]
        peaks, tops = results[f"{base}/peak_time"], results[f"{base}/peak_value"]
        for k, tau in enumerate(taus):
            line, = ax.plot(t_ms, h[k], lw=1.2,
                            label=f"τ = {tau * 1e3:g} ms: area {areas[k]:.6f}, "
                                  f"peak {peaks[k] * 1e3:.3f} ms")
            ax.plot(peaks[k] * 1e3, tops[k], "o", ms=4, color=line.get_color())
        shape = formula.get(n, rf"$t^{{{n}}}\,e^{{-t/\tau}}/({n}!\,\tau^{{{n + 1}}})$")
        ax.set_title(f"n = {n}: h(t) = {shape}")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("h(t) (1/s)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="x-small", title="dots: located peaks (expected n τ)",
                  title_fontsize="x-small")
    return save_figure(fig, outdir / "psc_shapes.png")


def plot_filtering(results, outdir):
    orders = _orders(results)
    spikes = results.spikes["poisson"]
    t = results["psc/train/t"]
    labels = [f"τ = {tau * 1e3:g} ms, n = {n}"
              for tau, n in zip(results["psc/train/tau"], results["psc/train/n"])]
    rate = results.attrs["psc/train"]["rate"]
    tau_e = results.attrs["psc/euler"]["tau"]
    fig, axes = figure(2, 2, width=6.0, height=3.6)
    for ax in axes[0]:
        ax.remove()
    top = fig.add_subplot(axes[0, 0].get_gridspec()[0, :])
    filtered = results["psc/train/filtered"]
    plot_traces(t, filtered, ax=top, labels=labels, ylabel="filtered train (1/s)",
                title=f"Poisson spike train ({rate:g} Hz, {spikes.times.size} spikes) "
                      "filtered at its exact spike times")
    top.plot(spikes.times, np.full(spikes.times.size, -0.05 * filtered.max()), "|",
             color="k", ms=10, label="spikes")
    top.legend(fontsize="small")
    ax = axes[1, 0]
    for n in orders:
        base = f"psc/euler/n{n}"
        te = results[f"{base}/t"]
        line, = ax.plot(te, results[f"{base}/exact"], lw=1.2, label=f"n = {n} exact")
        ax.plot(te, results[f"{base}/euler"], "--", lw=1.0, color=line.get_color(),
                label=f"n = {n} Euler")
    dt0 = results[f"psc/euler/n{orders[0]}/dt"][0]
    ax.set_xlim(te[0], te[0] + 0.3 * (te[-1] - te[0]))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("filtered train (1/s)")
    ax.set_title(f"forward Euler vs exact, τ = {tau_e * 1e3:g} ms, "
                 f"dt = {dt0 * 1e3:g} ms (spikes moved to the grid)")
    ax.legend(fontsize="x-small", ncol=len(orders))
    plot_loglog({f"n = {n}": (results[f"psc/euler/n{n}/dt"],
                              results[f"psc/euler/n{n}/error"]) for n in orders},
                ax=axes[1, 1], xlabel="step size dt (s)",
                ylabel="max |Euler − exact| / max |exact|",
                title=f"Euler error vs dt, τ = {tau_e * 1e3:g} ms",
                slopes={f"n = {n}": results.attrs[f"psc/euler/n{n}"]["slope"]
                        for n in orders})
    return save_figure(fig, outdir / "psc_filtering.png")


def plot(results, outdir):
    return [plot_shapes(results, outdir), plot_filtering(results, outdir)]
