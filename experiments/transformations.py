"""A linear transformation between populations: rotate a 2-D vector by 60° from A to B.

Course §28: population A (N LIF neurons) represents x in the disc of the radius,
population B (M LIF neurons) should represent y = R x, R the rotation by ``angle_deg``
(counter-clockwise; the course's row-vector form y = x Rᵀ). With A's identity
decoders D_A (N, 2), B's encoders E_B (M, 2), gains α_B and biases β_B, the weights
from A to B are

    W = diag(α_B) E_B R D_Aᵀ / radius              (M, N)

so that B's currents are J_B = a_A W ᵀ + β_B (activities a_A as rows). Run in rate
mode on ``n_test_points`` held-out points x (A's test points, never fitted): B's
rates G(J_B) are decoded with B's own identity decoders, ŷ = a_B D_B, and compared
with the true R x. The same currents computed in factored form — decode x̂ = a_A D_A,
rotate R x̂, encode into B — must equal the full-weight form to rounding (1e-9).
Decoding R x directly from A (``function = X ↦ X Rᵀ``) gives decoders D_A Rᵀ, since
least squares is linear in its targets.

Populations: A has seed ``seed``, B ``seed + 1``; max rates uniform in
``max_rates``, intercepts uniform in [−1, 1], decoders ridge-regularised (``reg``).

Writes ``/analysis/transformations/rotation/{x, y_true, y_hat, y_hat_factored,
x_hat_a, y_b_only, error_norm, rotation}``; metrics ``rmse`` (ŷ vs R x: RMS over
points and both components), ``rmse_a`` (x̂ from A), ``rmse_b`` (B alone, driven by
the exact R x), ``max_current_difference`` (full vs factored currents, relative to
the largest |J|), ``max_output_difference``, ``decoder_linearity`` and
``mean_angle_deg`` (mean angle from x to ŷ for |x| > radius / 4). Figure
``transformations.png``.
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
from neurosim.plots import figure, save_figure
from neurosim.validation import as_float, as_int

CONFIG = {
    "n_neurons_a": 500,
    "n_neurons_b": 500,
    "angle_deg": 60.0,
    "radius": 1.0,
    "max_rates": [200.0, 400.0],
    "reg": 0.1,
    "n_test_points": 1000,
    "shown_points": 40,
}

log = logging.getLogger("neurosim.experiments.transformations")


def rotation(angle_deg: float) -> np.ndarray:
    """Counter-clockwise rotation by ``angle_deg`` (degrees) of column vectors,
    shape (2, 2)."""
    theta = np.deg2rad(angle_deg)
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


def populations(config) -> tuple[ns.Population, ns.Population]:
    """Populations A (seed ``seed``) and B (seed ``seed + 1``)."""
    bounds = config["max_rates"]
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise ValueError(f"max_rates must be a list [low, high], got {bounds!r}")
    max_rates = ns.Uniform(as_float("max_rates[0]", bounds[0]),
                           as_float("max_rates[1]", bounds[1]))
    radius = as_float("radius", config["radius"], positive=True)
    return tuple(ns.Population(as_int(key, config[key], minimum=1), 2,
                               max_rates=max_rates, radius=radius,
                               seed=config["seed"] + k, label=label)
                 for k, (key, label) in enumerate((("n_neurons_a", "A"),
                                                   ("n_neurons_b", "B"))))


def settings(config) -> tuple[float, float, int, int]:
    """(angle_deg, reg, n_test_points, shown_points), checked."""
    return (as_float("angle_deg", config["angle_deg"]),
            as_float("reg", config["reg"], nonnegative=True),
            as_int("n_test_points", config["n_test_points"], minimum=1),
            as_int("shown_points", config["shown_points"], minimum=0))


def rms(error) -> float:
    """Root mean square over every entry of ``error``."""
    return float(np.sqrt(np.mean(np.square(error))))


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    settings(config)
    populations(config)


def run(config, out):
    angle, reg, n_test, shown = settings(config)
    A, B = populations(config)
    R = rotation(angle)
    D_A = A.decoders(reg=reg).D                                  # (N, 2)
    D_direct = A.decoders(lambda X: X @ R.T, reg=reg).D          # (N, 2)
    D_B = B.decoders(reg=reg).D                                  # (M, 2)
    W = ns.nef.full_weights(D_A, B, R)                           # (M, N)

    x = A.eval_points(n_test, stream=5)  # A's held-out points (the fit uses 4)
    y_true = x @ R.T
    a = A.rates(x)                                               # (P, N)
    J_full = a @ W.T + B.bias                                    # (P, M)
    y_hat = B.neuron.rates(J_full) @ D_B
    x_hat = a @ D_A
    J_factored = B.currents(x_hat @ R.T)   # decode, rotate, encode
    y_hat_factored = B.rates(x_hat @ R.T) @ D_B
    y_b_only = B.rates(y_true) @ D_B       # B driven by the exact rotated vector

    results = ns.Results()
    base = "transformations/rotation"
    error_norm = np.linalg.norm(y_hat - y_true, axis=1)
    for name, value, what in (
            ("x", x, "held-out points represented by A"),
            ("y_true", y_true, "R x"),
            ("y_hat", y_hat, "decoded from B driven through the full weights"),
            ("y_hat_factored", y_hat_factored, "decoded from B driven by R x_hat_a"),
            ("x_hat_a", x_hat, "x decoded from A"),
            ("y_b_only", y_b_only, "decoded from B driven by the exact R x"),
            ("error_norm", error_norm, "|y_hat - R x|"),
            ("rotation", R, "R (column vectors)")):
        results.add(f"{base}/{name}", value, units="1", description=what)
    results.set_attrs(base, angle_deg=angle, radius=A.radius, n_neurons_a=A.n_neurons,
                      n_neurons_b=B.n_neurons, seed_a=A.seed, seed_b=B.seed, reg=reg,
                      max_rates=[A.max_rates_spec.low, A.max_rates_spec.high],
                      weights_shape=list(W.shape), shown_points=shown)
    far = np.linalg.norm(x, axis=1) > A.radius / 4
    turned = np.arctan2(y_hat[far, 1], y_hat[far, 0]) - np.arctan2(x[far, 1],
                                                                   x[far, 0])
    m = results.metrics
    m["rmse"] = rms(y_hat - y_true)
    m["rmse_a"] = rms(x_hat - x)
    m["rmse_b"] = rms(y_b_only - y_true)
    m["max_current_difference"] = float(np.max(np.abs(J_full - J_factored))
                                        / np.max(np.abs(J_full)))
    m["max_output_difference"] = float(np.max(np.abs(y_hat - y_hat_factored)))
    m["decoder_linearity"] = float(np.max(np.abs(D_direct - D_A @ R.T))
                                   / np.max(np.abs(D_A)))
    m["mean_angle_deg"] = float(np.rad2deg(np.angle(np.mean(np.exp(1j * turned)))))
    log.info("rotation by %g deg: rmse %.3g (A alone %.3g, B alone %.3g); mean angle "
             "%.4f deg; full vs factored: currents %.2g (relative), outputs %.2g",
             angle, m["rmse"], m["rmse_a"], m["rmse_b"], m["mean_angle_deg"],
             m["max_current_difference"], m["max_output_difference"])
    return results


def plot(results, outdir):
    base = "transformations/rotation"
    info = results.attrs[base]
    m = results.metrics
    x, y_true, y_hat = (results[f"{base}/{k}"] for k in ("x", "y_true", "y_hat"))
    radius = info["radius"]
    fig, (ax_plane, ax_scatter, ax_hist) = figure(1, 3, width=5.0, height=5.0)

    shown = np.linspace(0, len(x) - 1, min(info["shown_points"], len(x))).astype(int)
    theta = np.linspace(0.0, 2.0 * np.pi, 361)
    ax_plane.plot(radius * np.cos(theta), radius * np.sin(theta), "k-", lw=0.6)
    ax_plane.quiver(x[shown, 0], x[shown, 1], y_hat[shown, 0] - x[shown, 0],
                    y_hat[shown, 1] - x[shown, 1], angles="xy", scale_units="xy",
                    scale=1.0, width=0.003, color="0.6", label="x → decoded ŷ")
    ax_plane.plot(x[shown, 0], x[shown, 1], ".", color="0.3", label="x (in A)")
    ax_plane.plot(y_true[shown, 0], y_true[shown, 1], "o", mfc="none", color="C0",
                  ms=7, label="true R x")
    ax_plane.plot(y_hat[shown, 0], y_hat[shown, 1], "x", color="C3", ms=5,
                  label="decoded from B")
    ax_plane.set_aspect("equal")
    ax_plane.set_xlabel("component 0")
    ax_plane.set_ylabel("component 1")
    ax_plane.set_title(f"{len(shown)} of {len(x)} held-out points, rotated by "
                       f"{info['angle_deg']:g}°\n(mean angle x → ŷ: "
                       f"{m['mean_angle_deg']:.3f}°)", fontsize="medium")
    ax_plane.legend(fontsize="x-small", loc="lower left")

    for k, color in ((0, "C0"), (1, "C1")):
        ax_scatter.plot(y_true[:, k], y_hat[:, k], ".", ms=2, color=color,
                        label=f"component {k}")
    ax_scatter.plot([-radius, radius], [-radius, radius], "k--", lw=0.8,
                    label="decoded = true")
    ax_scatter.set_aspect("equal")
    ax_scatter.set_xlabel("true (R x)ₖ")
    ax_scatter.set_ylabel("decoded ŷₖ from B")
    ax_scatter.set_title(f"decoded vs true, all {len(x)} points\nRMSE {m['rmse']:.3g}",
                         fontsize="medium")
    ax_scatter.grid(True, alpha=0.3)
    ax_scatter.legend(fontsize="x-small", loc="upper left")

    errors = (y_hat - y_true).ravel()
    ax_hist.hist(errors, bins=50, color="C3", alpha=0.7,
                 label="ŷₖ − (R x)ₖ, both components")
    for value, style, label in ((m["rmse"], "-", "RMSE A → B"),
                                (m["rmse_a"], "--", "RMSE of x̂ from A alone"),
                                (m["rmse_b"], ":", "RMSE of B alone (exact input)")):
        ax_hist.axvline(value, color="k", ls=style, lw=1, label=f"{label}: {value:.3g}")
        ax_hist.axvline(-value, color="k", ls=style, lw=1)
    ax_hist.set_xlabel("error (represented units)")
    ax_hist.set_ylabel("count")
    ax_hist.set_title("error of the rotated estimate (full weights vs\nfactored: "
                      f"currents differ by {m['max_current_difference']:.1g} relative, "
                      f"ŷ by {m['max_output_difference']:.1g})", fontsize="medium")
    ax_hist.set_ylim(0.0, ax_hist.get_ylim()[1] * 1.4)
    ax_hist.legend(fontsize="x-small", loc="upper right")
    fig.suptitle(f"Rotation by {info['angle_deg']:g}° from A ({info['n_neurons_a']} "
                 f"LIF, seed {info['seed_a']}) to B ({info['n_neurons_b']} LIF, seed "
                 f"{info['seed_b']}), 2-D, radius {radius:g}, max rates "
                 f"U({info['max_rates'][0]:g}, {info['max_rates'][1]:g}) Hz, ridge reg "
                 f"{info['reg']:g}, rate mode\nthrough the "
                 f"full weights W = diag(α_B) E_B R D_Aᵀ / radius "
                 f"({info['weights_shape'][0]} × {info['weights_shape'][1]}); "
                 "ŷ decoded with B's own decoders", fontsize="medium")
    return [save_figure(fig, outdir / "transformations.png")]
