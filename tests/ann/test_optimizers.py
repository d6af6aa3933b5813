"""First steps of SGD, momentum and Adam on f(p) = sum(c * p**2), computed by hand from
the update formulas; penalties and clipping."""

import numpy as np
import pytest

import neurosim.ann as nn

C = np.array([1.0, 0.5])


def run(optimizer, steps=2, name="weight"):
    """Positions after each step, starting from p = (1, -2); grad f = 2 c p."""
    p = np.array([1.0, -2.0])
    positions = []
    for _ in range(steps):
        optimizer.step({name: p}, {name: 2 * C * p})
        positions.append(p.copy())
    return positions


def test_sgd():
    # p1 = p0 - 0.1 (2, -2); p2 = p1 - 0.1 (1.6, -1.8)
    p1, p2 = run(nn.SGD(0.1))
    np.testing.assert_allclose(p1, [0.8, -1.8], rtol=1e-15)
    np.testing.assert_allclose(p2, [0.64, -1.62], rtol=1e-15)


def test_classical_momentum():
    # v1 = -0.1 (2, -2) = (-0.2, 0.2); p1 = (0.8, -1.8)
    # v2 = 0.9 v1 - 0.1 (1.6, -1.8) = (-0.34, 0.36); p2 = p1 + v2
    p1, p2 = run(nn.Momentum(0.1, 0.9))
    np.testing.assert_allclose(p1, [0.8, -1.8], rtol=1e-15)
    np.testing.assert_allclose(p2, [0.46, -1.44], rtol=1e-14)


def test_nesterov_momentum():
    # v1 = (-0.2, 0.2); p1 = p0 + 0.9 v1 - 0.1 g0 = (0.62, -1.62); g1 = (1.24, -1.62)
    # v2 = 0.9 v1 - 0.1 g1 = (-0.304, 0.342); p2 = p1 + 0.9 v2 - 0.1 g1
    p1, p2 = run(nn.Momentum(0.1, 0.9, nesterov=True))
    np.testing.assert_allclose(p1, [0.62, -1.62], rtol=1e-14)
    np.testing.assert_allclose(p2, [0.2224, -1.1502], rtol=1e-13)


def test_adam():
    # t = 1: m = 0.1 g0, v = 0.001 g0**2, so m_hat = g0, v_hat = g0**2 and the step is
    # lr * g0 / (|g0| + eps) = 0.1 * 2 / (2 + 1e-8) per coordinate.
    # t = 2: g1 = 2 c p1 ~ (1.8, -1.9); m = 0.9 * 0.1 g0 + 0.1 g1 ~ (0.36, -0.37);
    #        v = 0.999 * 0.001 g0**2 + 0.001 g1**2 ~ (0.007236, 0.007606);
    #        m_hat = m / (1 - 0.9**2), v_hat = v / (1 - 0.999**2).
    p1, p2 = run(nn.Adam(lr=0.1))
    step1 = 0.1 * 2 / (2 + 1e-8)
    expected_p1 = np.array([1 - step1, -2 + step1])
    np.testing.assert_allclose(p1, expected_p1, rtol=1e-15)
    g0, g1 = np.array([2.0, -2.0]), 2 * C * expected_p1
    m_hat = (0.9 * 0.1 * g0 + 0.1 * g1) / 0.19
    v_hat = (0.999 * 0.001 * g0 ** 2 + 0.001 * g1 ** 2) / 0.001999
    expected = expected_p1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(p2, expected, rtol=1e-12)


def test_adam_defaults():
    adam = nn.Adam()
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps) == (1e-3, 0.9, 0.999, 1e-8)


def test_l2_penalty_acts_on_weights_only():
    # weight: p1 = p0 - 0.1 (g0 + 0.5 p0); bias: no penalty
    (w1,) = run(nn.SGD(0.1, penalty=nn.L2(0.5)), steps=1)
    (b1,) = run(nn.SGD(0.1, penalty=nn.L2(0.5)), steps=1, name="bias")
    np.testing.assert_allclose(w1, [1 - 0.1 * (2 + 0.5), -2 - 0.1 * (-2 - 1.0)])
    np.testing.assert_allclose(b1, [0.8, -1.8])
    assert nn.L2(0.5).value({"0.weight": np.array([1.0, -2.0]), "0.bias": np.ones(9)}) \
        == pytest.approx(0.25 * 5)


def test_l1_penalty():
    (w1,) = run(nn.SGD(0.1, penalty=nn.L1(0.5)), steps=1)
    np.testing.assert_allclose(w1, [1 - 0.1 * (2 + 0.5), -2 - 0.1 * (-2 - 0.5)])
    assert nn.L1(0.5).value({"weight": np.array([1.0, -2.0])}) == pytest.approx(1.5)


def test_clip_by_global_norm_scales_all_arrays_together():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}
    assert nn.clip_by_global_norm(grads, 1.0) == pytest.approx(5.0)
    assert grads["a"][0] == pytest.approx(0.6) and grads["b"][0, 0] == pytest.approx(0.8)
    untouched = {"a": np.array([0.3, 0.4])}
    nn.clip_by_global_norm(untouched, 1.0)
    np.testing.assert_array_equal(untouched["a"], [0.3, 0.4])


def test_clip_by_value_and_in_optimizer():
    grads = {"a": np.array([-3.0, 0.5, 2.0])}
    nn.clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(grads["a"], [-1.0, 0.5, 1.0])
    (p1,) = run(nn.SGD(0.1, clip_norm=1.0), steps=1)  # g0 = (2, -2), norm 2 sqrt 2
    np.testing.assert_allclose(p1, [1 - 0.1 / np.sqrt(2), -2 + 0.1 / np.sqrt(2)])
    (p1,) = run(nn.SGD(0.1, clip_value=0.5), steps=1)
    np.testing.assert_allclose(p1, [0.95, -1.95])


@pytest.mark.parametrize("make", [lambda: nn.SGD(0.1), lambda: nn.Momentum(0.1),
                                  lambda: nn.Adam(0.1)], ids=["SGD", "Momentum", "Adam"])
def test_non_contiguous_parameters_are_updated_in_place(make):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(4, 6))
    strided, contiguous = base.copy().T, base.T.copy()
    strided_optimizer, contiguous_optimizer = make(), make()
    for _ in range(3):
        grad = rng.normal(size=(6, 4))
        strided_optimizer.step({"weight": strided}, {"weight": grad.copy()})
        contiguous_optimizer.step({"weight": contiguous}, {"weight": grad.copy()})
    assert not strided.flags.c_contiguous
    np.testing.assert_allclose(strided, contiguous, rtol=1e-14)
    assert not np.allclose(strided, base.T)
