"""Tuning curves of NEF populations: 1-D LIF, 2-D LIF surfaces and 1-D Hodgkin–Huxley.

Each neuron i of a population receives J_i(x) = α_i (e_i · x / radius) + β_i and fires
at G(J_i(x)); the gain α_i and bias β_i are solved so that it starts firing where the
normalised projection u = e_i · x / radius passes its intercept c_i and fires at its
``max_rates`` entry at u = 1 (x = radius · e_i).

Three populations (seeds ``seed``, ``seed + 1``, ``seed + 2``; intercepts uniform in
``intercepts``):

- ``lif``: ``lif_neurons`` LIF neurons, 1-D, max rates uniform in ``lif_max_rates``;
- ``lif_2d``: ``surface_neurons`` LIF neurons, 2-D, their rates on a
  ``surface_grid`` × ``surface_grid`` grid over the square around the disc of the
  radius;
- ``hh``: ``hh_neurons`` Hodgkin–Huxley neurons, 1-D, max rates uniform in
  ``hh_max_rates`` (inside the 43–126 Hz the classic model fires at between its
  class II onset and depolarisation block).

The 1-D curves are evaluated on ``n_points`` evenly spaced x in [−radius, radius]
(grid step h). Measured there: the rate at x = radius · e (against ``max_rates``) and
the intercept, as the midpoint between the last silent and the first firing grid
point along the encoder (error at most h / 2 / radius). Independently of the rate
curves, each 1-D neuron is also simulated (``neurosim.simulate``, default method,
from rest, for ``t_stop`` s; rate from the spikes of the second half) at u = 1, at
u = c − ``offset`` and at u = c + ``offset`` (or half-way from c to 1 if that is
closer): silent just below its intercept, firing just above, and at its max rate at
the top of the range.

Writes ``/analysis/tuning_curves/<pop>/{x, rates, encoders, intercepts, max_rates,
gain, bias}`` for each population, plus ``measured_intercepts``,
``simulated_max_rates``, ``simulated_rates_below``, ``simulated_rates_above`` (at
``u_above``) for the 1-D ones and ``rates_at_preferred`` for ``lif_2d``; metrics
per population (largest errors and the simulated rates either side of the
intercepts). Figures ``tuning_curves.png`` (1-D) and ``tuning_surfaces.png`` (2-D).
"""

from __future__ import annotations

import logging

import numpy as np
from matplotlib.patches import Circle

import neurosim as ns
from neurosim.neurons import spike_rate
from neurosim.plots import figure, save_figure
from neurosim.validation import as_float, as_int

CONFIG = {
    "radius": 1.0,
    "intercepts": [-1.0, 1.0],
    "n_points": 2001,
    "lif_neurons": 30,
    "lif_max_rates": [200.0, 400.0],
    "surface_neurons": 6,
    "surface_grid": 101,
    "hh_neurons": 20,
    "hh_max_rates": [80.0, 120.0],
    "t_stop": 1.0,
    "offset": 0.02,
}

log = logging.getLogger("neurosim.experiments.tuning_curves")


def uniform(name: str, bounds) -> ns.Uniform:
    """``bounds = [low, high]`` from the config as a ``Uniform`` distribution."""
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise ValueError(f"{name} must be a list [low, high], got {bounds!r}")
    return ns.Uniform(as_float(f"{name}[0]", bounds[0]), as_float(f"{name}[1]",
                                                                  bounds[1]))


def populations(config) -> dict[str, ns.Population]:
    """The three populations of the experiment, by name."""
    seed, radius = config["seed"], as_float("radius", config["radius"], positive=True)
    intercepts = uniform("intercepts", config["intercepts"])
    return {
        "lif": ns.Population(as_int("lif_neurons", config["lif_neurons"], minimum=1), 1,
                             neuron=ns.LIF(), intercepts=intercepts, radius=radius,
                             max_rates=uniform("lif_max_rates",
                                               config["lif_max_rates"]),
                             seed=seed, label="lif"),
        "lif_2d": ns.Population(as_int("surface_neurons", config["surface_neurons"],
                                       minimum=1), 2, neuron=ns.LIF(),
                                intercepts=intercepts, radius=radius,
                                max_rates=uniform("lif_max_rates",
                                                  config["lif_max_rates"]),
                                seed=seed + 1, label="lif_2d"),
        "hh": ns.Population(as_int("hh_neurons", config["hh_neurons"], minimum=1), 1,
                            neuron=ns.HodgkinHuxley(), intercepts=intercepts,
                            radius=radius,
                            max_rates=uniform("hh_max_rates", config["hh_max_rates"]),
                            seed=seed + 2, label="hh"),
    }


def sampling(config) -> tuple[int, float, float]:
    """(n_points, t_stop (s), offset) of the 1-D populations, checked."""
    return (as_int("n_points", config["n_points"], minimum=3),
            as_float("t_stop (s)", config["t_stop"], positive=True),
            as_float("offset", config["offset"], positive=True))


def surface_grid(config) -> int:
    """``surface_grid``, checked."""
    return as_int("surface_grid", config["surface_grid"], minimum=3)


def measured_intercepts(u, rates) -> np.ndarray:
    """Where each tuning curve starts firing along its encoder.

    Parameters
    ----------
    u : array (P, N)
        Normalised projection e_i · x / radius of every grid point on every encoder.
    rates : array (P, N), Hz
        The tuning curves on the grid.

    Returns
    -------
    array (N,)
        Midpoint between the last silent and the first firing grid point in
        increasing u; NaN where a curve fires at every point, never fires, or is
        not silent-then-firing along u.
    """
    out = np.full(rates.shape[1], np.nan)
    for i in range(rates.shape[1]):
        order = np.argsort(u[:, i], kind="stable")
        firing = rates[order, i] > 0
        k = int(np.argmax(firing))
        if 0 < k and firing[k] and np.all(firing[k:]) and not np.any(firing[:k]):
            out[i] = 0.5 * (u[order[k - 1], i] + u[order[k], i])
    return out


def simulated_rates(pop: ns.Population, u, t_stop: float) -> np.ndarray:
    """Rates of a population's neurons measured by simulating their spikes.

    Parameters
    ----------
    pop : Population
    u : array (N,)
        For neuron i, the normalised projection at which it is driven: the input
        is its current at x = u_i · radius · e_i.
    t_stop : float, s
        Run length; the rate is measured over the second half (``spike_rate``).

    Returns
    -------
    array (N,), Hz
    """
    x = (u * pop.radius)[:, None] * pop.encoders
    J = np.diag(pop.currents(x))
    run = ns.simulate(pop.neuron, J, t_stop, record=())
    return np.array([spike_rate(s, 0.5 * t_stop, t_stop) for s in run.spike_times])


def store_population(results, name: str, pop: ns.Population, x, rates):
    """Common arrays of one population under ``tuning_curves/<name>``."""
    base = f"tuning_curves/{name}"
    current_units = pop.neuron.state_units["current"]
    results.add(f"{base}/x", x, units="1", description="represented values")
    results.add(f"{base}/rates", rates, units="Hz", description="rates (P, N)")
    results.add(f"{base}/encoders", pop.encoders, units="1")
    results.add(f"{base}/intercepts", pop.intercepts, units="1",
                description="normalised e.x / radius where each neuron starts firing")
    results.add(f"{base}/max_rates", pop.max_rates, units="Hz",
                description="rate asked for at x = radius e")
    results.add(f"{base}/gain", pop.gain, units=current_units)
    results.add(f"{base}/bias", pop.bias, units=current_units)
    results.set_attrs(base, neuron=type(pop.neuron).__name__, radius=pop.radius,
                      seed=pop.seed, n_neurons=pop.n_neurons, dimensions=pop.dimensions,
                      max_rates_range=[pop.max_rates_spec.low, pop.max_rates_spec.high],
                      intercepts_range=[pop.intercepts_spec.low,
                                        pop.intercepts_spec.high],
                      **({"tau_rc": pop.neuron.tau_rc, "tau_ref": pop.neuron.tau_ref}
                         if isinstance(pop.neuron, ns.LIF) else {}))


def one_dimensional(results, name: str, pop: ns.Population, config):
    """Tuning curves of a 1-D population and their measured and simulated checks."""
    n_points, t_stop, offset = sampling(config)
    x = np.linspace(-pop.radius, pop.radius, n_points)
    rates = pop.rates(x)
    store_population(results, name, pop, x, rates)
    base = f"tuning_curves/{name}"
    e = pop.encoders[:, 0]
    u = x[:, None] * e[None, :] / pop.radius
    top = np.where(e > 0, n_points - 1, 0)  # the grid point x = radius * e
    at_top = rates[top, np.arange(pop.n_neurons)]
    found = measured_intercepts(u, rates)
    results.add(f"{base}/measured_intercepts", found, units="1",
                description="midpoint of the last silent and first firing grid point")
    # just above the intercept, but no further than half-way to the top: a large
    # gain (intercept near 1) could otherwise push HH past its depolarisation block
    u_above = np.minimum(pop.intercepts + offset, 0.5 * (pop.intercepts + 1.0))
    sim = {side: simulated_rates(pop, u_sim, t_stop) for side, u_sim in (
        ("max", np.ones(pop.n_neurons)), ("below", pop.intercepts - offset),
        ("above", u_above))}
    results.add(f"{base}/u_above", u_above, units="1",
                description="e.x / radius of the simulated point above the intercept")
    results.add(f"{base}/simulated_max_rates", sim["max"], units="Hz",
                description="simulated at x = radius e")
    results.add(f"{base}/simulated_rates_below", sim["below"], units="Hz",
                description="simulated at e.x / radius = intercept - offset")
    results.add(f"{base}/simulated_rates_above", sim["above"], units="Hz",
                description="simulated at e.x / radius = u_above")
    results.set_attrs(base, grid_step=float(x[1] - x[0]), t_stop=t_stop, offset=offset)
    m = results.metrics
    m[f"{name}_max_rate_error"] = float(np.max(np.abs(at_top - pop.max_rates)))
    m[f"{name}_intercept_error"] = float(np.max(np.abs(found - pop.intercepts)))
    m[f"{name}_simulated_max_rate_error"] = float(np.max(np.abs(sim["max"]
                                                                - pop.max_rates)))
    m[f"{name}_simulated_rate_below_max"] = float(np.max(sim["below"]))
    m[f"{name}_simulated_rate_above_min"] = float(np.min(sim["above"]))
    log.info("%s: max-rate error %.3g Hz (curves), %.3g Hz (simulated); intercept "
             "error %.3g; simulated rates %.3g Hz at most below, %.3g Hz at least "
             "above the intercepts", name, m[f"{name}_max_rate_error"],
             m[f"{name}_simulated_max_rate_error"], m[f"{name}_intercept_error"],
             m[f"{name}_simulated_rate_below_max"],
             m[f"{name}_simulated_rate_above_min"])


def surfaces(results, name: str, pop: ns.Population, config):
    """Rates of a 2-D population on a grid over the square around its disc."""
    size = surface_grid(config)
    axis = np.linspace(-pop.radius, pop.radius, size)
    gx, gy = np.meshgrid(axis, axis)  # row k: y = axis[k]
    x = np.column_stack([gx.ravel(), gy.ravel()])
    rates = pop.rates(x)
    store_population(results, name, pop, x, rates)
    base = f"tuning_curves/{name}"
    at_top = np.diag(pop.rates(pop.radius * pop.encoders))
    results.add(f"{base}/rates_at_preferred", at_top, units="Hz",
                description="rate of neuron i at x = radius e_i")
    results.set_attrs(base, grid_size=size)
    u = x @ pop.encoders.T / pop.radius
    wrong = np.count_nonzero((rates > 0) != (u > pop.intercepts[None, :]))
    results.metrics[f"{name}_max_rate_error"] = float(np.max(np.abs(at_top
                                                                    - pop.max_rates)))
    results.metrics[f"{name}_firing_side_mismatches"] = int(wrong)
    log.info("%s: max-rate error %.3g Hz; %d grid points fire on the wrong side of "
             "an intercept", name, results.metrics[f"{name}_max_rate_error"], wrong)


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    populations(config)
    sampling(config)
    surface_grid(config)


def run(config, out):
    results = ns.Results()
    pops = populations(config)
    one_dimensional(results, "lif", pops["lif"], config)
    surfaces(results, "lif_2d", pops["lif_2d"], config)
    one_dimensional(results, "hh", pops["hh"], config)
    return results


def describe(info) -> str:
    """The neuron model and the parameter ranges of a stored population."""
    model = "Hodgkin–Huxley (classic squid axon)" if info["neuron"] != "LIF" else \
        f"LIF (τ_rc {info['tau_rc'] * 1e3:g} ms, τ_ref {info['tau_ref'] * 1e3:g} ms)"
    (r0, r1), (c0, c1) = info["max_rates_range"], info["intercepts_range"]
    return (f"{info['n_neurons']} {model}, {info['dimensions']}-D, radius "
            f"{info['radius']:g}, seed {info['seed']}\nmax rates U({r0:g}, {r1:g}) Hz, "
            f"intercepts U({c0:g}, {c1:g})")


def plot_curves(results, name: str, ax):
    """One 1-D population's tuning curves with its simulated checks."""
    base = f"tuning_curves/{name}"
    info = results.attrs[base]
    x, rates = results[f"{base}/x"], results[f"{base}/rates"]
    e = results[f"{base}/encoders"][:, 0]
    c = results[f"{base}/intercepts"]
    radius, offset = info["radius"], info["offset"]
    for i in range(rates.shape[1]):
        ax.plot(x, rates[:, i], lw=1, color="C0" if e[i] > 0 else "C1")
    ax.plot([], [], color="C0", lw=1, label="tuning curve, encoder +1")
    ax.plot([], [], color="C1", lw=1, label="tuning curve, encoder −1")
    ax.plot(radius * e, results[f"{base}/simulated_max_rates"], "ko", mfc="none",
            ms=5, label="simulated at x = radius · e")
    ax.plot(results[f"{base}/u_above"] * radius * e,
            results[f"{base}/simulated_rates_above"], "k^", mfc="none", ms=5,
            label=f"simulated just above the intercept (+{offset:g})")
    ax.plot((c - offset) * radius * e, results[f"{base}/simulated_rates_below"], "kv",
            mfc="none", ms=5, label=f"simulated just below the intercept (−{offset:g})")
    m = results.metrics
    ax.set_title(f"{describe(info)}\nmax-rate error "
                 f"{m[f'{name}_max_rate_error']:.2g} Hz (curves), "
                 f"{m[f'{name}_simulated_max_rate_error']:.2g} Hz (simulated); "
                 f"intercept error {m[f'{name}_intercept_error']:.2g}",
                 fontsize="medium")
    ax.set_xlabel("represented value x")
    ax.set_ylabel("firing rate (Hz)")
    ax.set_xlim(-radius * 1.03, radius * 1.03)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=2)


def plot_surfaces(results, name: str, fig, axes):
    """Each neuron's rate over the disc, with its encoder and intercept line."""
    base = f"tuning_curves/{name}"
    info = results.attrs[base]
    x, rates = results[f"{base}/x"], results[f"{base}/rates"]
    enc, c = results[f"{base}/encoders"], results[f"{base}/intercepts"]
    max_rates = results[f"{base}/max_rates"]
    radius, size = info["radius"], info["grid_size"]
    outside = np.hypot(x[:, 0], x[:, 1]) > radius
    top = float(np.max(rates[~outside]))
    extent = (-radius, radius, -radius, radius)
    theta = np.linspace(0.0, 2.0 * np.pi, 361)
    for i, ax in enumerate(axes.ravel()):
        if i >= rates.shape[1]:
            ax.set_visible(False)
            continue
        surface = rates[:, i].reshape(size, size)  # drawn on the square, clipped
        image = ax.imshow(surface, origin="lower", extent=extent, vmin=0.0, vmax=top,
                          cmap="viridis", interpolation="nearest")
        image.set_clip_path(Circle((0.0, 0.0), radius, transform=ax.transData))
        levels = np.arange(50.0, top, 50.0)
        if levels.size:
            inside = np.where(outside, np.nan, rates[:, i]).reshape(size, size)
            lines = ax.contour(inside, levels=levels, extent=extent, colors="w",
                               linewidths=0.6)
            ax.clabel(lines, fontsize="x-small", fmt="%g")
        ax.plot(radius * np.cos(theta), radius * np.sin(theta), "k-", lw=0.8)
        ax.annotate("", xy=radius * enc[i], xytext=(0.0, 0.0),
                    arrowprops={"arrowstyle": "->", "color": "r", "lw": 1.5})
        half = np.sqrt(max(radius ** 2 - (c[i] * radius) ** 2, 0.0))
        normal = np.array([-enc[i, 1], enc[i, 0]])
        ends = c[i] * radius * enc[i] + np.outer([-half, half], normal)
        ax.plot(ends[:, 0], ends[:, 1], "r--", lw=1)
        ax.plot(*(radius * enc[i]), "r*", ms=9)
        ax.set_title(f"neuron {i}: intercept {c[i]:.2f}, max rate "
                     f"{max_rates[i]:.0f} Hz", fontsize="medium")
        ax.set_xlabel("x₀")
        ax.set_ylabel("x₁")
        ax.set_aspect("equal")
    fig.colorbar(image, ax=axes, label="firing rate (Hz)", shrink=0.8)
    fig.suptitle(f"Firing rate over the disc of the radius: {describe(info)} "
                 f"(max-rate error "
                 f"{results.metrics[f'{name}_max_rate_error']:.2g} Hz)\n"
                 "red arrow: encoder e; red star: x = radius · e (max rate); red "
                 "dashed: intercept line e · x = c · radius; white: iso-rate contours "
                 "(Hz)", fontsize="medium")


def plot(results, outdir):
    fig, axes = figure(1, 2, width=6.4, height=5.2)
    for name, ax in zip(("lif", "hh"), axes):
        plot_curves(results, name, ax)
    paths = [save_figure(fig, outdir / "tuning_curves.png")]
    n = results["tuning_curves/lif_2d/rates"].shape[1]
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = figure(rows, cols, width=4.2, height=4.0)
    plot_surfaces(results, "lif_2d", fig, np.atleast_1d(axes))
    paths.append(save_figure(fig, outdir / "tuning_surfaces.png"))
    return paths
