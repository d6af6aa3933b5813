"""Populations: encoding, tuning curves, decoders (and their cache), weights."""

import numpy as np
import pytest

import neurosim as ns
from neurosim import cache


def test_gains_and_biases_put_intercepts_and_max_rates_where_asked():
    pop = ns.Population(50, 1, seed=3)
    e = pop.encoders[:, 0]
    at_intercept = pop.currents((pop.intercepts * e)[:, None])
    np.testing.assert_allclose(np.diag(at_intercept), 1.0, atol=1e-12)
    at_radius = pop.rates(e[:, None])
    np.testing.assert_allclose(np.diag(at_radius), pop.max_rates, rtol=1e-10)
    assert np.all((pop.max_rates >= 200) & (pop.max_rates < 400))
    assert set(np.unique(e)) == {-1.0, 1.0}


@pytest.mark.parametrize("neuron, max_rates", [
    (ns.LIFRate(), ns.Uniform(200, 400)), (ns.ReLU(), ns.Uniform(200, 400)),
    (ns.Sigmoid(amplitude=1000.0), ns.Uniform(600, 900)),
    (ns.Softplus(), ns.Uniform(200, 400)), (ns.Tanh(amplitude=500.0), ns.Uniform(200, 400)),
])
def test_rate_neurons_get_gains_by_inverting_their_curves(neuron, max_rates):
    pop = ns.Population(30, 1, neuron=neuron, max_rates=max_rates, seed=1)
    e = pop.encoders[:, 0]
    np.testing.assert_allclose(np.diag(pop.rates(e[:, None])), pop.max_rates,
                               rtol=1e-9)
    np.testing.assert_allclose(np.diag(pop.currents((pop.intercepts * e)[:, None])),
                               neuron.threshold_current, atol=1e-9)


def test_compiled_lif_tuning_curves_equal_the_rate_formula():
    pop = ns.Population(300, 3, seed=2, radius=2.0)
    x = pop.eval_points(500)
    np.testing.assert_allclose(pop.rates(x), pop.neuron.rates(pop.currents(x)),
                               rtol=1e-13, atol=1e-10)
    assert np.all(np.linalg.norm(x, axis=1) <= 2.0)


def test_decoding_error_falls_with_n_and_meets_the_nef_targets():
    rmses = [ns.Population(n, 1, seed=0).decoders(n_test_points=2000).rmse_test
             for n in (10, 50, 200, 1000)]
    assert all(a > b for a, b in zip(rmses, rmses[1:]))
    assert rmses[-1] <= 0.0025
    square = ns.Population(1000, 1, seed=0).decoders(np.square, n_test_points=2000)
    assert square.rmse_test <= 0.006
    product = ns.Population(1000, 2, seed=0).decoders(
        lambda X: X[:, 0] * X[:, 1], n_test_points=2000)
    assert product.rmse_test <= 0.006
    assert product.D.shape == (1000, 1)


def test_rotation_is_decoded_as_a_vector_function():
    angle = np.pi / 3
    R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pop = ns.Population(800, 2, seed=4)
    dec = pop.decoders(lambda X: X @ R.T)
    x = pop.eval_points(300, stream=9)
    np.testing.assert_allclose(pop.rates(x) @ dec.D, x @ R.T, atol=0.05)


def test_hodgkin_huxley_population_decodes_x():
    pop = ns.Population(200, 1, neuron=ns.HodgkinHuxley(),
                        max_rates=ns.Uniform(80.0, 120.0), seed=0)
    dec = pop.decoders()
    assert dec.rmse_test <= 0.02
    with pytest.raises(ValueError, match="max_rates must lie strictly between"):
        _ = ns.Population(10, 1, neuron=ns.HodgkinHuxley(), max_rates=ns.Uniform(
            200, 400), seed=0).gain
    with pytest.raises(ValueError, match="between 500 and 1000 Hz for Sigmoid"):
        _ = ns.Population(10, 1, neuron=ns.Sigmoid(amplitude=1000.0),
                          max_rates=ns.Uniform(100, 400), seed=0).gain


@pytest.mark.parametrize("neuron, low, high", [
    (None, 200.0, 400.0),
    (ns.LIFRate(), 200.0, 400.0),
    (ns.Sigmoid(amplitude=1000.0), 750.0, 975.0),  # fires between 500 and 1000 Hz
])
def test_default_max_rates_are_rates_the_model_reaches(neuron, low, high):
    pop = ns.Population(500, 1, neuron=neuron, seed=0)
    assert low <= pop.max_rates.min() < low + 5 and high - 5 < pop.max_rates.max() <= high
    assert np.all(np.isfinite(pop.gain))


def test_a_hodgkin_huxley_population_needs_no_rate_range_by_hand():
    neuron = ns.HodgkinHuxley()
    low, high = neuron.min_rate(), neuron.max_rate()  # about 43 and 126 Hz
    pop = ns.Population(100, 1, neuron=neuron, seed=0)
    assert np.all((pop.max_rates > low + 0.5 * (high - low))
                  & (pop.max_rates < low + 0.95 * (high - low)))
    assert pop.decoders().rmse_test <= 0.03


def test_decoders_from_spiking_activity_carry_spike_noise():
    pop = ns.Population(100, 1, seed=0)
    rates_fit = pop.decoders()
    spiking_fit = pop.decoders(spiking=True, synapse=ns.PSC(0.005))
    assert spiking_fit.rmse > 2 * rates_fit.rmse  # the fit saw noisy activities
    assert spiking_fit.rmse_test < 0.05
    A = pop.spiking_rates(pop.eval_points(200), ns.PSC(0.01))
    mean_rate = pop.rates(pop.eval_points(200))
    assert abs(A.mean() / mean_rate.mean() - 1.0) < 0.1


def test_the_cache_never_mixes_reg_function_or_seed():
    cache.clear_memory()
    pop = ns.Population(60, 1, seed=0)
    base = pop.decoders()
    assert np.array_equal(pop.decoders().D, base.D)
    other_reg = pop.decoders(reg=0.01)
    other_function = pop.decoders(np.square)
    other_seed = ns.Population(60, 1, seed=1).decoders()
    for other in (other_reg, other_function, other_seed):
        assert not np.allclose(other.D, base.D)
    fresh_reg = ns.nef.solvers.lstsq_l2(pop.rates(base.eval_points),
                                        base.eval_points, reg=0.01)[0]
    np.testing.assert_allclose(other_reg.D, fresh_reg, rtol=1e-10)
    cache.clear_memory()  # now from disk
    np.testing.assert_array_equal(ns.Population(60, 1, seed=0).decoders(reg=0.01).D,
                                  other_reg.D)


def test_full_weights_equal_the_factored_product():
    pre = ns.Population(40, 1, seed=0)
    post = ns.Population(30, 2, seed=1)
    dec = pre.decoders()
    L = np.array([[0.5], [-2.0]])
    W = ns.nef.full_weights(dec.D, post, transform=L)
    x = pre.eval_points(50)
    a = pre.rates(x)
    direct = post.gain * ((a @ dec.D) @ L.T @ post.encoders.T) / post.radius
    np.testing.assert_allclose(a @ W.T, direct, rtol=1e-10)
    assert W.shape == (30, 40)


def test_same_seed_same_population_and_bad_arguments():
    a, b = ns.Population(20, 2, seed=5), ns.Population(20, 2, seed=5)
    np.testing.assert_array_equal(a.encoders, b.encoders)
    np.testing.assert_array_equal(a.gain, b.gain)
    with pytest.raises(ValueError, match="n_neurons must be >= 1"):
        ns.Population(0, 1)
    with pytest.raises(ValueError, match="radius must be > 0"):
        ns.Population(5, 1, radius=0)
    with pytest.raises(TypeError, match="neuron must be a neuron type"):
        ns.Population(5, 1, neuron="LIF")
    with pytest.raises(ValueError, match=r"x must have shape \(P, 2\)"):
        a.rates(np.ones((3, 3)))
    with pytest.raises(ValueError, match="intercepts must be < 1"):
        _ = ns.Population(5, 1, intercepts=1.0, seed=0).gain
    with pytest.raises(ValueError, match="it is called once on all points"):
        a.decoders(lambda X: 1.0)
