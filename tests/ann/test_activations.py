"""Activation values against closed forms, and their behaviour at extreme inputs."""

import math
import warnings

import numpy as np
import pytest

import neurosim.ann as nn

EXTREME = np.array([-1e300, -1e10, -800.0, -40.0, -1.0, 0.0, 0.5, 1.0, 1.5, 40.0, 800.0,
                    1e10, 1e300])
ALL = [nn.Logistic(), nn.Tanh(), nn.Arctan(), nn.Threshold(), nn.ReLU(), nn.LeakyReLU(),
       nn.ELU(), nn.Softplus(), nn.LIFRate(), nn.SoftLIFRate(), nn.SoftLIFRate(sigma=0.02)]


@pytest.mark.parametrize("activation", ALL, ids=repr)
def test_finite_and_warning_free_for_huge_inputs(activation):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = activation.value(EXTREME)
        slope = activation.derivative(EXTREME)
    if isinstance(activation, (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.Softplus)):
        assert np.all(np.isfinite(value[np.abs(EXTREME) < 1e300]))
    else:
        assert np.all(np.isfinite(value))
    assert np.all(np.isfinite(slope))


def test_closed_forms_at_sample_points():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(nn.Logistic().value(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(nn.Arctan().derivative(x), 1 / (1 + x ** 2), rtol=1e-15)
    np.testing.assert_array_equal(nn.Threshold().value(x), [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(nn.LeakyReLU(0.1).value(x), [-0.2, -0.05, 0, 0.5, 2])
    np.testing.assert_allclose(nn.ELU(2.0).value(x[:2]), 2 * (np.exp(x[:2]) - 1),
                               rtol=1e-15)
    np.testing.assert_allclose(nn.Softplus().value(x), np.log1p(np.exp(x)), rtol=1e-15)
    np.testing.assert_allclose(nn.Softplus().derivative(x), nn.Logistic().value(x))


def test_softmax_rows_are_distributions_even_for_huge_scores():
    scores = np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]])
    y = nn.Softmax().forward(scores)
    np.testing.assert_allclose(y[0], [0.5, 0.5, 0.0])
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(y[1], e / e.sum(), rtol=1e-15)


def test_lif_rate_matches_the_course_formula():
    tau_rc, tau_ref = 0.02, 0.002
    for J in (1.05, 1.5, 2.0, 10.0):
        expected = 1 / (tau_ref - tau_rc * math.log(1 - 1 / J))
        assert nn.LIFRate().value(np.array([J]))[0] == pytest.approx(expected, rel=1e-13)
    assert nn.LIFRate().value(np.array([2.0]))[0] == pytest.approx(63.0400, abs=1e-4)
    np.testing.assert_array_equal(nn.LIFRate().value(np.array([-3.0, 0.5, 1.0])), 0.0)
    assert nn.LIFRate(amplitude=0.01).value(np.array([1e12]))[0] == pytest.approx(5.0)


def test_soft_lif_tends_to_lif_as_sigma_shrinks():
    J = np.array([-1.0, 0.5, 0.95, 1.05, 1.5, 3.0, 10.0])
    lif = nn.LIFRate().value(J)
    gaps = [np.max(np.abs(nn.SoftLIFRate(sigma=s).value(J) - lif)) for s in (0.1, 0.01, 0.001)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 2.0  # Hz, out of rates up to 244 Hz


def test_soft_lif_closed_form_and_smooth_slope_at_threshold():
    sigma, tau_rc, tau_ref = 0.3, 0.02, 0.002
    for J in (-1.0, 1.0, 2.5):
        j = sigma * math.log1p(math.exp((J - 1) / sigma))
        expected = 1 / (tau_ref + tau_rc * math.log1p(1 / j))
        value = nn.SoftLIFRate(sigma=sigma).value(np.array([J]))[0]
        assert value == pytest.approx(expected, rel=1e-13)
    slope = nn.SoftLIFRate(sigma=sigma).derivative(np.array([1 - 1e-9, 1 + 1e-9]))
    assert slope[0] == pytest.approx(slope[1], rel=1e-6)


def test_prelu_slopes_are_per_feature():
    layer = nn.PReLU(2, alpha=0.25)
    layer.alpha[:] = [0.5, 2.0]
    y = layer.forward(np.array([[-1.0, -1.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(y, [[-0.5, -2.0], [3.0, 4.0]])
