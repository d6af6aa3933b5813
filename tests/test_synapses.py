"""PSC filters against closed forms, direct convolution and their numpy twins."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.linalg import expm
from scipy.optimize import minimize_scalar

from neurosim.synapses.psc import (PSC, euler_cascade, euler_cascade_numpy,
                               eulerian_numerator, exact_cascade, exact_cascade_numpy,
                               filter_spikes, spike_cascade, spike_cascade_numpy,
                               weighted_input)

TAUS = [0.002, 0.005, 0.02, 0.1]


def closed_form(tau, n, t):
    """h(t) written directly from the definition (valid for moderate n and t)."""
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, np.maximum(t, 0) ** n * np.exp(-t / tau)
                    / (math.factorial(n) * tau ** (n + 1)), 0.0)


def spike_sum(psc, times, ids, n_neurons, t):
    """sum over spikes of h(t - t_s), per neuron: the closed-form filtered trains."""
    return np.stack([psc.impulse_response(t[:, None] - times[ids == i][None, :]).sum(1)
                     for i in range(n_neurons)], axis=1)


# -- the impulse response --------------------------------------------------------------

@pytest.mark.parametrize("n", range(5))
@pytest.mark.parametrize("tau", TAUS)
def test_unit_area(tau, n):
    h = PSC(tau, n).impulse_response
    area, _ = quad(lambda s: float(h(s)), 0.0, 200 * tau, points=[n * tau], limit=200,
                   epsabs=1e-12, epsrel=1e-12)
    assert area == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("n", range(5))
@pytest.mark.parametrize("tau", TAUS)
def test_peak_at_n_tau(tau, n):
    h = PSC(tau, n).impulse_response
    if n == 0:
        t = np.linspace(0.0, 5 * tau, 1001)
        assert np.argmax(h(t)) == 0
        assert h(0.0) == pytest.approx(1 / tau, rel=1e-15)
        return
    best = minimize_scalar(lambda s: -float(h(s)), bounds=(0.0, 10 * n * tau),
                           method="bounded", options={"xatol": 1e-12 * tau})
    assert best.x == pytest.approx(n * tau, abs=1e-6 * tau)


@pytest.mark.parametrize("n", range(5))
def test_impulse_response_matches_the_definition(n):
    tau = 0.01
    t = np.linspace(-0.02, 0.2, 2001).reshape(1, 2001)  # any shape
    h = PSC(tau, n).impulse_response(t)
    assert h.shape == t.shape
    np.testing.assert_allclose(h, closed_form(tau, n, t), rtol=1e-12, atol=0)


def test_impulse_response_stays_finite_for_large_n_and_t():
    psc = PSC(0.01, 200)
    t = np.array([0.0, 1e-300, 0.5, 2.0, 1e6])
    h = psc.impulse_response(t)
    assert np.all(np.isfinite(h))
    assert h[0] == 0.0 and h[-1] == 0.0
    # at the peak t = n tau: log h = n log n - n - log n! - log tau
    expected = math.exp(200 * math.log(200) - 200 - math.lgamma(201) - math.log(0.01))
    assert psc.impulse_response(2.0).shape == ()
    assert float(psc.impulse_response(2.0)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n", range(4))
def test_state_space_and_transition_are_the_exact_cascade(n):
    psc = PSC(0.007, n)
    A, B, C = psc.state_space()
    for delta in [0.0, 1e-4, 0.003, 0.05]:
        np.testing.assert_allclose(psc.transition(delta), expm(A * delta), rtol=1e-12,
                                   atol=1e-14)
        # impulse response = C exp(A t) B
        assert C @ psc.transition(delta) @ B == pytest.approx(
            float(closed_form(0.007, n, delta)), rel=1e-12, abs=1e-300)


def test_eulerian_numerator():
    assert eulerian_numerator(0) == [1]
    assert eulerian_numerator(1) == [0, 1]
    assert eulerian_numerator(4) == [0, 1, 11, 11, 1]
    assert eulerian_numerator(5) == [0, 1, 26, 66, 26, 1]
    for n in range(7):
        w = 0.3
        k = np.arange(400)
        series = np.sum(k.astype(float) ** n * w ** k)
        p = eulerian_numerator(n)
        assert sum(c * w ** m for m, c in enumerate(p)) == pytest.approx(
            series * (1 - w) ** (n + 1), rel=1e-12)


# -- filtering a sampled signal --------------------------------------------------------

@pytest.mark.parametrize("n", range(4))
@pytest.mark.parametrize("dt_over_tau", [0.01, 0.2, 1.5])
def test_exact_filter_equals_direct_convolution(n, dt_over_tau):
    tau = 0.01
    dt = dt_over_tau * tau
    rng = np.random.default_rng(10 * n)
    x = rng.normal(size=(1500, 3))
    x[::37] += 1 / dt  # spikes on the grid as well as noise
    y = PSC(tau, n).filter(x, dt)
    kernel = PSC(tau, n).impulse_response(np.arange(x.shape[0]) * dt) * dt
    reference = np.stack([np.convolve(x[:, c], kernel)[:x.shape[0]] for c in range(3)],
                         axis=1)
    scale = np.max(np.abs(reference))
    np.testing.assert_allclose(y, reference, rtol=1e-9, atol=1e-12 * scale)


@pytest.mark.parametrize("method", ["exact", "euler"])
def test_filter_along_any_axis(method):
    psc = PSC(0.004, 2)
    x = np.random.default_rng(1).normal(size=(2, 300, 3))
    y = psc.filter(x, 1e-3, axis=1, method=method)
    assert y.shape == x.shape
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(y[i, :, j],
                                          psc.filter(x[i, :, j], 1e-3, method=method))
    np.testing.assert_array_equal(psc.filter(x, 1e-3, axis=-2, method=method), y)


def test_euler_n0_is_the_course_notes_update():
    tau, dt = 0.01, 1e-3
    spikes = np.zeros(200, dtype=bool)
    spikes[[3, 50, 51, 120]] = True
    s, expected = 0.0, []
    for arrived in spikes:  # s_i = s_(i-1) (1 - dt/tau); a spike adds w/tau (w = 1)
        s = s * (1 - dt / tau) + (1 / tau if arrived else 0.0)
        expected.append(s)
    y = PSC(tau, 0).filter(spikes / dt, dt, method="euler")
    np.testing.assert_allclose(y, expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("n", range(4))
def test_euler_converges_with_order_one(n):
    tau, t_check = 0.01, 0.03
    dts = 1e-3 / 2.0 ** np.arange(6)
    errors = []
    for dt in dts:
        k = int(round(t_check / dt))
        x = np.zeros(k + 1)
        x[0] = 1 / dt  # a unit impulse at t = 0
        y = PSC(tau, n).filter(x, dt, method="euler")
        errors.append(abs(y[k] - float(closed_form(tau, n, t_check))))
    order = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert order == pytest.approx(1.0, abs=0.1)
    assert errors[-1] < 0.01 * float(closed_form(tau, n, t_check))


# -- spike trains as events ------------------------------------------------------------

@pytest.mark.parametrize("n", range(4))
def test_filter_spikes_equals_the_closed_form_sum(n):
    rng = np.random.default_rng(n)
    psc = PSC(0.008, n)
    times = rng.uniform(-0.05, 0.6, 120)  # off-grid, some before the first sample
    ids = rng.integers(0, 4, 120)
    times[:3] = [0.1, 0.1, 0.25]  # a repeated spike and spikes on samples
    ids[:3] = [2, 2, 2]
    t = np.linspace(0.0, 0.5, 501)
    y = filter_spikes(psc, times, ids, 5, t)
    reference = spike_sum(psc, times, ids, 5, t)
    assert y.shape == (501, 5)
    np.testing.assert_array_equal(y[:, 4], 0.0)  # neuron 4 never fired
    np.testing.assert_allclose(y, reference, rtol=1e-10, atol=1e-300)


def test_filter_spikes_on_the_grid_equals_the_sampled_filter():
    dt = 1e-3
    psc = PSC(0.005, 2)
    steps = np.array([4, 9, 9, 130, 131, 400])
    t = np.arange(500) * dt
    y_events = filter_spikes(psc, steps * dt, np.zeros(6, dtype=int), 1, t)
    x = np.bincount(steps, minlength=500) / dt
    np.testing.assert_allclose(y_events[:, 0], psc.filter(x, dt), rtol=1e-9,
                               atol=1e-12 * y_events.max())


# -- weights ---------------------------------------------------------------------------

def test_weighted_input_equals_an_explicit_loop():
    rng = np.random.default_rng(3)
    s = rng.normal(size=(50, 4))
    W = rng.normal(size=(3, 4))
    b = rng.normal(size=3)
    z = weighted_input(s, W, b)
    expected = np.empty((50, 3))
    for k in range(50):
        for i in range(3):
            expected[k, i] = b[i] + sum(W[i, j] * s[k, j] for j in range(4))
    np.testing.assert_allclose(z, expected, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(weighted_input(s, W), expected - b, rtol=1e-13,
                               atol=1e-14)


# -- compiled kernels and their twins --------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, 3])
def test_cascade_kernels_equal_their_twins(n):
    x = np.random.default_rng(5).normal(size=(400, 3))
    psc = PSC(0.006, n)
    b = psc.numerator(1e-3)
    a = math.exp(-1e-3 / 0.006)
    np.testing.assert_allclose(exact_cascade(x, b, a, n),
                               exact_cascade_numpy(x, b, a, n), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(euler_cascade(x, 0.2, n), euler_cascade_numpy(x, 0.2, n),
                               rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("n", [0, 2])
def test_spike_kernel_equals_its_twin(n):
    rng = np.random.default_rng(7)
    ids = np.sort(rng.integers(0, 3, 60))
    times = np.concatenate([np.sort(rng.uniform(-0.02, 0.3, np.sum(ids == i)))
                            for i in range(3)])
    offsets = np.searchsorted(ids, np.arange(4)).astype(np.int64)
    t = np.linspace(0.0, 0.3, 97)
    np.testing.assert_allclose(spike_cascade(times, offsets, t, 0.01, n),
                               spike_cascade_numpy(times, offsets, t, 0.01, n),
                               rtol=1e-12, atol=1e-300)


# -- bad arguments ---------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, words", [
    ({"tau": 0.0}, ValueError, ["tau", "> 0", "0.0"]),
    ({"tau": -0.01}, ValueError, ["tau", "> 0", "-0.01"]),
    ({"tau": float("inf")}, ValueError, ["tau", "finite", "inf"]),
    ({"tau": "5ms"}, TypeError, ["tau", "'5ms'"]),
    ({"tau": 0.01, "n": -1}, ValueError, ["n", ">= 0", "-1"]),
    ({"tau": 0.01, "n": 1.5}, TypeError, ["n", "integer", "1.5"]),
    ({"tau": 0.01, "n": True}, TypeError, ["n", "integer", "True"]),
])
def test_bad_psc_parameters(kwargs, error, words):
    with pytest.raises(error) as info:
        PSC(**kwargs)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("call, error, words", [
    (lambda p: p.filter(np.ones(5), 0.0), ValueError, ["dt", "> 0", "0.0"]),
    (lambda p: p.filter(np.ones(5), -1e-3), ValueError, ["dt", "> 0", "-0.001"]),
    (lambda p: p.filter(np.ones(5), 1e-3, method="rk4"), ValueError,
     ["method", "'rk4'", "euler", "exact"]),
    (lambda p: p.filter(np.ones((5, 2)), 1e-3, axis=2), ValueError,
     ["axis", "2", "(5, 2)"]),
    (lambda p: p.filter(3.0, 1e-3), ValueError, ["x", "scalar", "3.0"]),
    (lambda p: p.filter([1.0, np.nan], 1e-3), ValueError, ["x", "finite", "nan"]),
    (lambda p: p.impulse_response([0.0, np.nan]), ValueError, ["t", "finite", "nan"]),
    (lambda p: p.transition(-1.0), ValueError, ["delta", ">= 0", "-1.0"]),
    (lambda p: filter_spikes(p, [0.1, 0.2], [0], 2, [0.0, 1.0]), ValueError,
     ["times and ids", "2", "1"]),
    (lambda p: filter_spikes(p, [0.1], [2], 2, [0.0, 1.0]), ValueError,
     ["ids", "n_neurons = 2", "2"]),
    (lambda p: filter_spikes(p, [0.1], [0.5], 2, [0.0, 1.0]), TypeError,
     ["ids", "integers", "float64"]),
    (lambda p: filter_spikes(p, [0.1], [0], 2, [0.0, 1.0, 0.5]), ValueError,
     ["t", "non-decreasing", "t[2] = 0.5"]),
    (lambda p: filter_spikes(p, [0.1], [0], 2, [[0.0, 1.0]]), ValueError,
     ["t", "1-dimensional", "(1, 2)"]),
    (lambda p: filter_spikes(p, [0.1], [0], -1, [0.0]), ValueError,
     ["n_neurons", ">= 0", "-1"]),
    (lambda p: filter_spikes(0.01, [0.1], [0], 1, [0.0]), TypeError, ["psc", "0.01"]),
    (lambda p: weighted_input(np.ones((4, 3)), np.ones((2, 2))), ValueError,
     ["W", "(2, 2)", "3"]),
    (lambda p: weighted_input(np.ones((4, 3)), np.ones((2, 3)), np.ones(3)), ValueError,
     ["bias", "(3,)", "2"]),
    (lambda p: weighted_input(np.ones(3), np.ones((2, 3))), ValueError,
     ["filtered", "2-dimensional", "(3,)"]),
])
def test_bad_arguments(call, error, words):
    with pytest.raises(error) as info:
        call(PSC(0.01, 1))
    for word in words:
        assert word in str(info.value)
