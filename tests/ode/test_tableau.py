import numpy as np
import pytest

from neurosim.ode import DOPRI5, EULER, HEUN, RK4, ButcherTableau
from neurosim.ode.trees import (continuous_order_residuals, order_residuals,
                                trees_of_order)

TABLEAUS = [EULER, HEUN, RK4, DOPRI5]


def test_rooted_tree_counts_match_oeis_a000081():
    assert [len(trees_of_order(n)) for n in range(1, 8)] == [1, 1, 2, 4, 9, 20, 48]


@pytest.mark.parametrize("tb", TABLEAUS, ids=lambda tb: tb.name)
def test_consistency(tb):
    assert tb.b.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(tb.A.sum(axis=1), tb.c, atol=1e-15)


@pytest.mark.parametrize("tb", TABLEAUS, ids=lambda tb: tb.name)
def test_order_conditions_hold_to_the_order_and_fail_beyond(tb):
    residuals = order_residuals(tb.A, tb.b, tb.order + 1)
    assert max(residuals[p] for p in range(1, tb.order + 1)) < 1e-14
    assert residuals[tb.order + 1] > 1e-4


def test_dopri5_embedded_method_and_continuous_extension_are_order_4():
    embedded = order_residuals(DOPRI5.A, DOPRI5.b - DOPRI5.error, 5)
    assert max(embedded[p] for p in range(1, 5)) < 1e-14
    assert embedded[5] > 1e-5
    cont = continuous_order_residuals(DOPRI5.A, DOPRI5.dense, 5)
    assert max(cont[p] for p in range(1, 5)) < 1e-13
    assert cont[5] > 1e-5
    np.testing.assert_allclose(DOPRI5.dense.sum(axis=1), DOPRI5.b, atol=1e-15)
    assert DOPRI5.fsal and np.array_equal(DOPRI5.A[-1], DOPRI5.b)


def test_tableau_is_frozen():
    with pytest.raises(ValueError):
        RK4.b[0] = 1.0
    with pytest.raises(AttributeError):
        RK4.order = 3


@pytest.mark.parametrize("kwargs, message", [
    (dict(A=[[0, 0], [1, 0]], b=[0.5, 0.5], c=[0, 0.5]), "row sums"),
    (dict(A=[[0, 0], [1, 0]], b=[0.6, 0.5], c=[0, 1]), "order conditions"),
    (dict(A=[[0, 1], [1, 0]], b=[0.5, 0.5], c=[1, 1]), "lower triangular"),
])
def test_invalid_tableaus_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ButcherTableau("bad", 2, **kwargs)
