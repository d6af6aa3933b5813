"""Layer behaviour beyond gradients: initialisation, modes, naming, configs."""

import json

import numpy as np
import pytest

import neurosim.ann as nn


def test_dense_initialisations_have_the_documented_spread():
    rng = np.random.default_rng(0)
    he = nn.Dense(400, 300, rng=rng).weight
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    xavier = nn.Dense(400, 300, rng=rng, init="xavier").weight
    bound = np.sqrt(6 / 700)
    assert np.abs(xavier).max() <= bound and np.abs(xavier).max() > 0.99 * bound
    assert xavier.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)


def test_dense_is_an_affine_map_and_never_changes_its_parameters():
    rng = np.random.default_rng(1)
    layer = nn.Dense(3, 2, rng=rng)
    layer.bias[:] = [1.0, -1.0]
    before = {k: v.copy() for k, v in layer.parameters().items()}
    x = rng.normal(size=(4, 3))
    np.testing.assert_allclose(layer.forward(x, training=True), x @ layer.weight + layer.bias)
    layer.backward(np.ones((4, 2)))
    for name, value in layer.parameters().items():
        np.testing.assert_array_equal(value, before[name])
    np.testing.assert_allclose(layer.grads["bias"], [4.0, 4.0])
    np.testing.assert_allclose(layer.grads["weight"], x.sum(axis=0)[:, None] * [1, 1])


def test_dropout_keeps_the_mean_and_is_identity_at_evaluation():
    layer = nn.Dropout(0.3, rng=np.random.default_rng(2))
    x = np.ones((400, 500))
    y = layer.forward(x, training=True)
    assert np.mean(y == 0) == pytest.approx(0.3, abs=0.005)
    assert set(np.unique(y)) == {0.0, 1 / 0.7}
    assert y.mean() == pytest.approx(1.0, abs=0.01)
    assert layer.forward(x, training=False) is x
    np.testing.assert_array_equal(layer.backward(np.full_like(x, 2.0)), 2.0)


def test_batch_norm_training_standardises_and_tracks_running_statistics():
    rng = np.random.default_rng(3)
    layer = nn.BatchNorm(3, momentum=0.5)
    x = rng.normal(loc=[1, -2, 5], scale=[1, 3, 0.5], size=(50, 3))
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5))
    for _ in range(60):
        layer.forward(x, training=True)
    np.testing.assert_allclose(layer.running_mean, x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, x.var(axis=0, ddof=1), rtol=1e-12)
    layer.gamma[:] = 2.0
    layer.beta[:] = 1.0
    expected = 2.0 * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + 1e-5) + 1.0
    np.testing.assert_allclose(layer.forward(x, training=False), expected, rtol=1e-12)
    assert set(layer.buffers()) == {"running_mean", "running_var"}


def make_model(rng):
    return nn.Sequential([nn.Dense(4, 8, rng=rng), nn.BatchNorm(8), nn.PReLU(8),
                          nn.Dropout(0.2, rng=rng), nn.Dense(8, 3, rng=rng, init="xavier"),
                          nn.SoftLIFRate(sigma=0.5, amplitude=0.02)])


def test_sequential_names_parameters_gradients_and_buffers_by_position():
    model = make_model(np.random.default_rng(4))
    assert list(model.parameters()) == ["0.weight", "0.bias", "1.gamma", "1.beta",
                                        "2.alpha", "4.weight", "4.bias"]
    assert list(model.grads) == list(model.parameters())
    assert list(model.buffers()) == ["1.running_mean", "1.running_var"]
    assert model.parameters()["0.weight"] is model[0].weight
    model.forward(np.ones((5, 4)), training=True)
    model.backward(np.ones((5, 3)))
    assert model.grads["4.bias"] is model[4].grads["bias"]
    np.testing.assert_array_equal(model.grads["4.bias"], model[4].grads["bias"])


def test_config_round_trip_rebuilds_the_same_network():
    rng = np.random.default_rng(5)
    model = make_model(rng)
    rnn = nn.Sequential([nn.LSTM(2, 3, rng=rng, forget_bias=2.0), nn.Dense(3, 1, rng=rng)])
    for original in (model, rnn):
        config = json.loads(json.dumps(original.get_config()))
        rebuilt = nn.from_config(config, rng=np.random.default_rng(6))
        assert rebuilt.get_config() == original.get_config()
        for name, value in original.parameters().items():
            rebuilt.parameters()[name][...] = value
        for name, value in original.buffers().items():
            rebuilt.buffers()[name][...] = value
        x = rng.normal(size=(5, 4) if original is model else (5, 6, 2))
        np.testing.assert_array_equal(nn.predict(rebuilt, x), nn.predict(original, x))
    assert model.get_config()["layers"][0] == {"class": "Dense", "n_in": 4, "n_out": 8,
                                               "init": "he"}
