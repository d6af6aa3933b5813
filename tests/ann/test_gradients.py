"""Every layer, activation and loss against central differences (float64, rel. error
<= 1e-6), including batch norm in training mode, dropout with a fixed mask, PReLU's
slopes, the fused softmax cross-entropy, and RNN / LSTM unrolled over several steps."""

import numpy as np
import pytest

import neurosim.ann as nn

TOLERANCE = 1e-6


def away_from_zero(x, gap=0.1):
    """Move values at least ``gap`` away from 0 (kinks of ReLU-like functions)."""
    return np.sign(x) * (np.abs(x) + gap)


def assert_gradients(layer, x, training=True):
    errors = nn.check_layer_gradients(layer, x, rng=np.random.default_rng(99),
                                      training=training)
    assert set(errors) == {"input", *layer.parameters()}
    for name, error in errors.items():
        assert error <= TOLERANCE, f"{name}: relative error {error:.3g}"


ELEMENTWISE = [
    (nn.Logistic(), None), (nn.Tanh(), None), (nn.Arctan(), None),
    (nn.ReLU(), away_from_zero), (nn.LeakyReLU(0.1), away_from_zero),
    (nn.ELU(0.7), away_from_zero), (nn.Softplus(), None),
]


@pytest.mark.parametrize("activation, shape_input", ELEMENTWISE,
                         ids=[type(a).__name__ for a, _ in ELEMENTWISE])
def test_elementwise_activations(activation, shape_input):
    x = np.random.default_rng(1).normal(scale=2.0, size=(6, 5))
    assert_gradients(activation, x if shape_input is None else shape_input(x))


def test_threshold_has_zero_gradient_like_its_differences():
    x = away_from_zero(np.random.default_rng(2).normal(size=(4, 3)))
    layer = nn.Threshold()
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), 0.0)
    assert_gradients(layer, x)


def test_lif_rate_above_and_below_threshold():
    rng = np.random.default_rng(3)
    J = np.concatenate([rng.uniform(1.2, 6.0, 12), rng.uniform(-2.0, 0.9, 8)]).reshape(4, 5)
    assert_gradients(nn.LIFRate(amplitude=0.01), J)


@pytest.mark.parametrize("sigma", [0.05, 1.0])
def test_soft_lif_rate_across_threshold(sigma):
    J = np.random.default_rng(4).uniform(-2.0, 4.0, size=(5, 6))
    assert_gradients(nn.SoftLIFRate(sigma=sigma, amplitude=0.01), J)


def test_prelu_input_and_alpha():
    rng = np.random.default_rng(5)
    layer = nn.PReLU(4, alpha=0.3)
    layer.alpha[:] = [0.1, 0.2, -0.3, 0.5]
    assert_gradients(layer, away_from_zero(rng.normal(size=(7, 4))))


def test_softmax_layer():
    assert_gradients(nn.Softmax(), np.random.default_rng(6).normal(scale=3, size=(5, 4)))


def test_dense():
    rng = np.random.default_rng(7)
    layer = nn.Dense(5, 3, rng=rng)
    layer.bias[:] = rng.normal(size=3)
    assert_gradients(layer, rng.normal(size=(6, 5)))


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(training):
    rng = np.random.default_rng(8)
    layer = nn.BatchNorm(4)
    layer.gamma[:] = rng.uniform(0.5, 2.0, 4)
    layer.beta[:] = rng.normal(size=4)
    layer.running_mean[:] = rng.normal(size=4)
    layer.running_var[:] = rng.uniform(0.5, 2.0, 4)
    assert_gradients(layer, rng.normal(loc=1.0, scale=2.0, size=(8, 4)), training)


def test_dropout_with_fixed_mask():
    rng = np.random.default_rng(9)
    layer = nn.Dropout(0.4, rng=rng)
    keep = rng.random((6, 5)) >= 0.4
    layer.fix_mask(keep)
    x = rng.normal(size=(6, 5))
    np.testing.assert_allclose(layer.forward(x, training=True), x * keep / 0.6)
    assert_gradients(layer, x)


def test_sequential_stack():
    rng = np.random.default_rng(10)
    model = nn.Sequential([nn.Dense(4, 6, rng=rng), nn.PReLU(6), nn.BatchNorm(6),
                           nn.Dense(6, 5, rng=rng, init="xavier"), nn.Tanh(),
                           nn.Dense(5, 3, rng=rng), nn.Softmax()])
    assert_gradients(model, rng.normal(size=(7, 4)))


@pytest.mark.parametrize("cell", ["RNN", "LSTM"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_layers_through_time(cell, return_sequences):
    rng = np.random.default_rng(11)
    layer = getattr(nn, cell)(3, 4, rng=rng, return_sequences=return_sequences)
    layer.bias[:] += rng.normal(scale=0.5, size=layer.bias.shape)
    assert_gradients(layer, rng.normal(size=(2, 6, 3)))


def loss_cases():
    rng = np.random.default_rng(12)
    outputs = rng.normal(size=(5, 4))
    targets = rng.normal(size=(5, 4))
    shifted = targets + away_from_zero(rng.normal(size=(5, 4)))
    binary = (rng.random((5, 4)) < 0.5).astype(float)
    labels = rng.integers(0, 4, 5)
    soft = rng.dirichlet(np.ones(4), size=5)
    return [
        ("MSE", nn.MSE(), outputs, targets),
        ("MAE", nn.MAE(), shifted, targets),
        ("BCE logits", nn.BinaryCrossEntropy(), 3 * outputs, binary),
        ("BCE probabilities", nn.BinaryCrossEntropy(from_logits=False),
         rng.uniform(0.05, 0.95, (5, 4)), rng.random((5, 4))),
        ("softmax CE labels", nn.SoftmaxCrossEntropy(), 3 * outputs, labels),
        ("softmax CE one-hot", nn.SoftmaxCrossEntropy(), outputs, nn.one_hot(labels, 4)),
        ("softmax CE soft", nn.SoftmaxCrossEntropy(), outputs, soft),
    ]


@pytest.mark.parametrize("name, loss, outputs, targets", loss_cases(),
                         ids=[case[0] for case in loss_cases()])
def test_losses(name, loss, outputs, targets):
    outputs = outputs.copy()
    numeric = nn.numerical_gradient(lambda: loss.value(outputs, targets), outputs)
    assert nn.relative_error(loss.gradient(outputs, targets), numeric) <= TOLERANCE


def test_softmax_cross_entropy_equals_softmax_layer_then_log_loss():
    rng = np.random.default_rng(13)
    logits = rng.normal(scale=4, size=(6, 5))
    labels = rng.integers(0, 5, 6)
    softmax = nn.Softmax()
    probabilities = softmax.forward(logits)
    expected = -np.mean(np.log(probabilities[np.arange(6), labels]))
    value, gradient = nn.SoftmaxCrossEntropy().value_and_gradient(logits, labels)
    assert value == pytest.approx(expected, rel=1e-12)
    chained = softmax.backward(-nn.one_hot(labels, 5) / probabilities / 6)
    np.testing.assert_allclose(gradient, chained, rtol=1e-10, atol=1e-14)
