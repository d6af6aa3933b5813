"""The product experiment: x·y decoded from a 2-D population C into a 1-D P.

References: the ideal (inputs low-passed, multiplied, low-passed twice) from scipy's
solve_ivp on the nonlinear ODEs at tight tolerance; x(t) y(t) in closed form.

Bounds, from measurement at the defaults (C 1000 neurons, radius √2, P 500, 4 s,
dt = 1 ms), seeds 0–5: RMSE against the ideal 0.0105–0.0126 spiking, 0.0073–0.0089
rate. The rate error is the static error of C's product decoders along the
trajectory (0.0096 on held-out points of the disc) plus P's representation of the
result; spikes add noise. Bounds: 0.02 spiking, 0.012 rate (a third or more above
the worst seed). With radius 1 the corners |x|, |y| ≈ 1 fall outside C's radius and
the RMSE rises to about 0.14 (seeds 0–5: 0.138–0.149).
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neurosim import ConfigError, Results, runner

from .cli import assert_redrawn_alike

BOUNDS = {"spiking": 0.02, "rate": 0.012}


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("product")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    assert (config["n_neurons"], config["n_neurons_product"]) == (1000, 500)
    assert config["radius"] == pytest.approx(np.sqrt(2.0), rel=1e-15)
    assert (config["frequency_x"], config["frequency_y"], config["t_stop"]) == \
        (1.0, 0.25, 4.0)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def test_ideal_is_the_filtered_product(results):
    tau, tau_p = 0.005, 0.01

    def rhs(t, s):
        xf, yf, f1, f2, xp, yp = s
        return [(np.sin(2 * np.pi * t) - xf) / tau,
                (np.sin(2 * np.pi * 0.25 * t) - yf) / tau,
                (xf * yf - f1) / tau, (f1 - f2) / tau_p,
                (xf - xp) / tau_p, (yf - yp) / tau_p]

    t = results["decoded/P_rate/t"]
    np.testing.assert_allclose(t, 1e-3 * np.arange(1, 4001), rtol=0, atol=1e-12)
    ref = solve_ivp(rhs, (0.0, 4.0), np.zeros(6), t_eval=t, rtol=1e-11, atol=1e-13,
                    method="DOP853", max_step=1e-3)
    for mode in ("spiking", "rate"):
        np.testing.assert_allclose(results[f"decoded/P_{mode}/x_true"], ref.y[3],
                                   rtol=0, atol=1e-8)
        np.testing.assert_allclose(results[f"decoded/C_{mode}/x_true"], ref.y[4:].T,
                                   rtol=0, atol=1e-8)
        np.testing.assert_allclose(
            results[f"decoded/P_{mode}/raw"],
            np.sin(2 * np.pi * t) * np.sin(2 * np.pi * 0.25 * t), rtol=0, atol=1e-15)


@pytest.mark.parametrize("mode", ["spiking", "rate"])
def test_decoded_product_meets_the_bound(results, mode):
    x_hat = results[f"decoded/P_{mode}/x_hat"]
    ideal = results[f"decoded/P_{mode}/x_true"]
    rmse = np.sqrt(np.mean((x_hat - ideal) ** 2))
    assert rmse <= BOUNDS[mode]
    assert results.metrics[f"rmse_{mode}"] == pytest.approx(rmse, rel=1e-9)
    # the filters matter: against the unfiltered x(t) y(t) the error is 6–9 times
    # larger (measured 0.062 spiking, 0.067 rate: the three PSCs delay the product
    # by about 20 ms)
    raw_rmse = np.sqrt(np.mean((x_hat - results[f"decoded/P_{mode}/raw"]) ** 2))
    assert raw_rmse > 4 * rmse


def test_in_rate_mode_C_represents_x_y_better_than_P_the_product(results):
    """Without spike noise, C's own (x, y) error (measured 0.0032) is well below the
    product's (0.0073), which adds the nonlinear decoding and P."""
    assert results.metrics["rmse_C_rate"] < 0.6 * results.metrics["rmse_rate"]


def test_product_decoders_are_those_of_X0_times_X1(experiment, results):
    config = runner.resolve_config(experiment)
    C = experiment.module.build(config)[0].populations[0]
    decoders = C.decoders(function=lambda X: X[:, 0] * X[:, 1])
    assert results.metrics["decoder_rmse"] == pytest.approx(decoders.rmse_test,
                                                            rel=1e-12)
    assert 0.005 < decoders.rmse_test < 0.015


def test_radius_one_clips_the_corners(experiment, tmp_path):
    config = runner.resolve_config(experiment, {"radius": "1.0", "t_stop": "2.0"})
    clipped = experiment.run(config, tmp_path)
    assert clipped.metrics["rmse_rate"] > 0.1


@pytest.mark.parametrize("overrides, match", [
    ({"n_neurons_product": "0"}, "n_neurons_product must be >= 1"),
    ({"radius": "0.0"}, "radius must be > 0"),
    ({"t_stop": "0.0"}, "t_stop .* must be > 0"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("product", {"n_neurons": "300", "n_neurons_product": "100",
                                    "t_stop": "1.0"}, out=tmp_path / "r")
    loaded = Results.load(folder / "results.h5")
    assert sorted(loaded.children("decoded")) == ["C_rate", "C_spiking", "P_rate",
                                                  "P_spiking"]
    assert_redrawn_alike(folder, ["product.png"], tmp_path)
