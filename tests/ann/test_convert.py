"""A trained ANN run with spiking LIF neurons: exact in rate mode, accurate spiking."""

import numpy as np
import pytest

import neurosim as ns
from neurosim import ann


@pytest.fixture(scope="module")
def digits_model():
    X, y = ns.digits()
    rng = np.random.default_rng(2)
    X_train, X_test, y_train, y_test = ann.train_test_split(X, y, 0.2, rng=rng,
                                                            stratify=True)
    mean, std = X_train.mean(0), X_train.std(0) + 1e-9
    model = ann.Sequential([ann.Dense(64, 128, rng=rng),
                            ann.SoftLIFRate(sigma=0.1, amplitude=0.01),
                            ann.Dense(128, 10, rng=rng)])
    ann.fit(model, (X_train - mean) / std, ann.one_hot(y_train, 10),
            loss=ann.SoftmaxCrossEntropy(), optimizer=ann.Adam(1e-3), epochs=40,
            batch_size=32, rng=rng)
    X_test = (X_test - mean) / std
    rate_accuracy = ann.accuracy(ann.predict(model, X_test), y_test)
    return model, X_test, y_test, rate_accuracy


def test_rate_mode_reproduces_the_forward_pass_exactly():
    rng = np.random.default_rng(0)
    model = ann.Sequential([ann.Dense(8, 12, rng=rng), ann.LIFRate(amplitude=0.01),
                            ann.Dense(12, 6, rng=rng), ann.LIFRate(amplitude=0.01),
                            ann.Dense(6, 3, rng=rng)])
    for layer in model.layers:
        if isinstance(layer, ann.Dense):
            layer.bias[:] = rng.uniform(0.5, 2.0, layer.bias.shape)
    X = rng.normal(size=(15, 8))
    result = ann.evaluate_spiking(model, X, presentation=0.01, mode="rate",
                                  synapse=None, readout=0.2)
    np.testing.assert_allclose(result.logits, model.forward(X), rtol=0, atol=1e-9)


def test_spiking_accuracy_matches_the_rate_network(digits_model):
    model, X_test, y_test, rate_accuracy = digits_model
    result = ann.evaluate_spiking(model, X_test, y_test, presentation=0.2,
                                  synapse=ns.PSC(0.005))
    assert rate_accuracy >= 0.96
    assert result.accuracy >= rate_accuracy - 0.01
    assert result.wall_seconds < 30.0
    assert 1.0 < result.mean_rate < 200.0
    assert result.synaptic_events_per_inference == pytest.approx(
        10 * result.spikes_per_inference)


def test_accuracy_rises_with_presentation_time(digits_model):
    model, X_test, y_test, rate_accuracy = digits_model
    short = ann.evaluate_spiking(model, X_test, y_test, presentation=0.005)
    longer = ann.evaluate_spiking(model, X_test, y_test, presentation=0.03)
    assert short.accuracy < longer.accuracy - 0.05
    assert longer.accuracy >= rate_accuracy - 0.02


def test_conversion_refuses_what_it_cannot_map():
    rng = np.random.default_rng(0)
    relu = ann.Sequential([ann.Dense(4, 5, rng=rng), ann.ReLU(), ann.Dense(5, 2, rng=rng)])
    with pytest.raises(ValueError, match="needs relu_rate"):
        ann.to_spiking(relu, np.zeros((1, 4)))
    converted = ann.to_spiking(relu, np.zeros((1, 4)), relu_rate=200.0)
    assert converted.hidden[0].neuron.tau_ref == 0.0
    tanh = ann.Sequential([ann.Dense(4, 5, rng=rng), ann.Tanh(), ann.Dense(5, 2, rng=rng)])
    with pytest.raises(ValueError, match="converts Dense layers with LIFRate"):
        ann.to_spiking(tanh, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="must have 4 columns"):
        ann.to_spiking(relu, np.zeros((1, 3)), relu_rate=200.0)
