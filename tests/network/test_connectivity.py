"""Connectivity rules (neurosim.connectivity): the pairs they draw, against the
binomial law they promise, exact structure (sorted, no duplicates, no self-loops)
and the memory they take (proportional to synapses, never N x N)."""

import tracemalloc

import numpy as np
import pytest

import neurosim as ns
from neurosim.connectivity import row_pointers


def rng(seed=0):
    return np.random.default_rng(seed)


def assert_sorted_unique(pre, post):
    """Strictly increasing in (pre, post): sorted, and so without duplicates."""
    assert pre.dtype == np.int64 and post.dtype == np.int64
    key = pre * (post.max(initial=0) + 1) + post
    assert np.all(np.diff(key) > 0)


# -- FixedProbability -----------------------------------------------------------------
@pytest.mark.parametrize("same_group", [False, True])
def test_fixed_probability_count_is_binomial(same_group):
    n, p = 2000, 0.02
    pre, post = ns.FixedProbability(p).pairs(n, n, rng(1), same_group=same_group)
    # Binomial(n_pairs, p): mean n_pairs p, sd sqrt(n_pairs p (1 - p)); 5 sd bounds
    # (false alarm ~6e-7). Self-pairs are not candidates within one group.
    n_pairs = n * (n - 1) if same_group else n * n
    mean, sd = n_pairs * p, np.sqrt(n_pairs * p * (1 - p))
    assert abs(pre.size - mean) < 5 * sd
    assert_sorted_unique(pre, post)
    assert pre.min() >= 0 and pre.max() < n and post.min() >= 0 and post.max() < n
    if same_group:
        assert not np.any(pre == post)
    else:  # different groups: i -> i is an ordinary pair, drawn at rate p
        n_diag = np.count_nonzero(pre == post)
        assert abs(n_diag - n * p) < 5 * np.sqrt(n * p * (1 - p))
    # out-degree of every row ~ Binomial(n_cand, p): the row counts' variance
    # matches n_cand p (1 - p) (sd of a sample variance of 2000 rows ~ 3.3 %).
    out_degree = np.diff(row_pointers(pre, n))
    n_cand = n - 1 if same_group else n
    var = n_cand * p * (1 - p)
    assert abs(out_degree.var() / var - 1) < 5 * np.sqrt(2 / n)


def test_fixed_probability_allow_self():
    n, p = 2000, 0.02
    pre, post = ns.FixedProbability(p, allow_self=True).pairs(n, n, rng(2),
                                                              same_group=True)
    n_diag = np.count_nonzero(pre == post)
    assert abs(n_diag - n * p) < 5 * np.sqrt(n * p * (1 - p))
    assert n_diag > 0
    assert abs(pre.size - n * n * p) < 5 * np.sqrt(n * n * p * (1 - p))
    assert_sorted_unique(pre, post)


def test_fixed_probability_edges():
    assert ns.FixedProbability(0.0).pairs(50, 60, rng())[0].size == 0
    pre, post = ns.FixedProbability(1.0).pairs(5, 7, rng())
    assert pre.size == 35
    np.testing.assert_array_equal(pre, np.repeat(np.arange(5), 7))
    np.testing.assert_array_equal(post, np.tile(np.arange(7), 5))
    pre, post = ns.FixedProbability(1.0).pairs(6, 6, rng(), same_group=True)
    assert pre.size == 30 and not np.any(pre == post)
    # a rectangular draw: post indices stay within n_post
    pre, post = ns.FixedProbability(0.3).pairs(10, 3000, rng())
    assert post.max() < 3000 and pre.max() < 10


def test_same_seed_same_pairs_other_seed_other_pairs():
    for rule in (ns.FixedProbability(0.05), ns.FixedInDegree(7)):
        a = rule.pairs(400, 300, rng(11))
        b = rule.pairs(400, 300, rng(11))
        c = rule.pairs(400, 300, rng(12))
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        assert a[0].shape != c[0].shape or not (np.array_equal(a[0], c[0])
                                                and np.array_equal(a[1], c[1]))


def test_fixed_probability_memory_is_proportional_to_synapses():
    """20 000 x 20 000 at p = 0.002: ~800 000 synapses. The draw keeps two int64
    buffers (16 B per synapse, with ~6 sd of slack) and the returned copies (16 B
    per synapse), so its peak is ~32 B per synapse; an N x N mask would be 400 MB,
    750 times more. The bound, 4 x 16 B per synapse, allows the copies and the
    buffers' slack, and nothing that grows with N x N."""
    rule = ns.FixedProbability(0.002)
    rule.pairs(100, 100, rng())  # compile first: numba's allocations are not ours
    tracemalloc.start()
    try:
        pre, post = rule.pairs(20000, 20000, rng(3))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    n_syn = pre.size
    assert abs(n_syn - 800000) < 5 * np.sqrt(800000)
    assert peak < 4 * 16 * n_syn, f"peak {peak / 1e6:.1f} MB for {n_syn} synapses"


# -- FixedInDegree --------------------------------------------------------------------
@pytest.mark.parametrize("same_group", [False, True])
def test_fixed_in_degree_exactly_k_distinct(same_group):
    n_pre, n_post, k = 300, 300, 40
    pre, post = ns.FixedInDegree(k).pairs(n_pre, n_post, rng(4), same_group=same_group)
    assert pre.size == n_post * k
    assert_sorted_unique(pre, post)  # distinct pre for every post
    np.testing.assert_array_equal(np.bincount(post, minlength=n_post),
                                  np.full(n_post, k))
    if same_group:
        assert not np.any(pre == post)
    # uniform choice: each pre neuron is picked by Binomial(n_post, k / n_cand) posts;
    # the out-degrees' mean is exact and their spread that of the binomial
    n_cand = n_pre - 1 if same_group else n_pre
    out = np.bincount(pre, minlength=n_pre)
    var = n_post * (k / n_cand) * (1 - k / n_cand)
    assert abs(out.var() / var - 1) < 5 * np.sqrt(2 / n_pre)


def test_fixed_in_degree_all_available():
    # k = every candidate: the whole row, and with same_group everything but i -> i
    pre, post = ns.FixedInDegree(9).pairs(10, 10, rng(), same_group=True)
    assert pre.size == 90 and not np.any(pre == post)
    pre, post = ns.FixedInDegree(10).pairs(10, 4, rng())
    np.testing.assert_array_equal(np.bincount(pre), np.full(10, 4))


# -- OneToOne, AllToAll, Explicit -----------------------------------------------------
def test_one_to_one_and_all_to_all():
    pre, post = ns.OneToOne().pairs(5, 5, rng())
    np.testing.assert_array_equal(pre, np.arange(5))
    np.testing.assert_array_equal(post, np.arange(5))
    with pytest.raises(ValueError, match=r"same size, got 5 and 6"):
        ns.OneToOne().pairs(5, 6, rng())
    pre, post = ns.AllToAll().pairs(3, 4, rng())
    assert list(zip(pre, post)) == [(i, j) for i in range(3) for j in range(4)]
    pre, post = ns.AllToAll().pairs(4, 4, rng(), same_group=True)
    assert list(zip(pre, post)) == [(i, j) for i in range(4) for j in range(4) if i != j]
    pre, post = ns.AllToAll(allow_self=True).pairs(4, 4, rng(), same_group=True)
    assert pre.size == 16


def test_explicit_sorts_and_its_weights_follow():
    given_pre = np.array([3, 0, 2, 0, 3, 1])
    given_post = np.array([1, 4, 0, 2, 0, 1])
    rule = ns.Explicit(given_pre, given_post)
    pre, post = rule.pairs(4, 5, rng())
    assert_sorted_unique(pre, post)
    order = rule.order()
    np.testing.assert_array_equal(pre, given_pre[order])
    np.testing.assert_array_equal(post, given_post[order])
    # a weight given per pair (in the given order) stays with its pair: here the
    # weight encodes the pair, so after sorting it must still decode to it
    weights = 10.0 * given_pre + given_post
    np.testing.assert_array_equal(weights[order], 10.0 * pre + post)
    # duplicates are allowed (multiple synapses) and kept
    pre, post = ns.Explicit([1, 1, 0], [2, 2, 0]).pairs(2, 3, rng())
    assert list(zip(pre, post)) == [(0, 0), (1, 2), (1, 2)]


def test_explicit_weights_follow_the_pairs_in_a_network():
    """The same through a built network: per-synapse weights given in the user's
    order land on the right post neuron (each post neuron gets exactly one synapse,
    weight = its own index + 1)."""
    net = ns.Network()
    iaf = ns.IAF()
    a = net.group(3, iaf, label="A")
    b = net.group(4, iaf, label="B", channels={"x": ns.PSC(5e-3)})
    post = np.array([3, 0, 2, 1])
    net.synapses(a, b, rule=ns.Explicit([2, 0, 1, 0], post), weight=post + 1.0)
    m = ns.Simulator(net, dt=1e-4, seed=0).model.sparse
    got = np.zeros(4)
    got[m.targets] = m.weights
    np.testing.assert_array_equal(got, [1.0, 2.0, 3.0, 4.0])


def test_simulator_reports_the_synapse_count_of_each_set():
    """In-degree 3 onto 4 neurons: exactly 12 synapses; one-to-one: 4."""
    net = ns.Network()
    a = net.group(5, ns.IAF(), label="A")
    b = net.group(4, ns.IAF(), label="B", channels={"x": ns.PSC(5e-3)})
    net.synapses(a, b, rule=ns.FixedInDegree(3), weight=1.0, label="in3")
    net.synapses(b, b, rule=ns.OneToOne(), weight=1.0, label="self")
    sim = ns.Simulator(net, dt=1e-4, seed=0)
    assert sim.synapse_counts == {"in3": 12, "self": 4}


# -- bad input ------------------------------------------------------------------------
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_probability_outside_unit_interval(p):
    with pytest.raises(ValueError, match=rf"p must be a probability in \[0, 1\], "
                                         rf"got {p}"):
        ns.FixedProbability(p)


def test_probability_not_a_number():
    with pytest.raises(TypeError, match=r"p must be a real number, got '0.1'"):
        ns.FixedProbability("0.1")
    with pytest.raises(ValueError, match=r"p must be finite, got nan"):
        ns.FixedProbability(float("nan"))


def test_in_degree_too_large_or_negative():
    with pytest.raises(ValueError, match=r"k=11 exceeds the 10 distinct"):
        ns.FixedInDegree(11).pairs(10, 5, rng())
    with pytest.raises(ValueError, match=r"k=10 exceeds the 9 distinct"):
        ns.FixedInDegree(10).pairs(10, 10, rng(), same_group=True)
    with pytest.raises(ValueError, match=r"k must be >= 0, got -1"):
        ns.FixedInDegree(-1)
    with pytest.raises(TypeError, match=r"k must be an integer, got 2.5"):
        ns.FixedInDegree(2.5)


def test_explicit_out_of_range_and_mismatched():
    with pytest.raises(ValueError, match=r"Explicit post index 5 is outside the group "
                                         r"of 5 neurons"):
        ns.Explicit([0, 1], [4, 5]).pairs(2, 5, rng())
    with pytest.raises(ValueError, match=r"Explicit pre index -1 is outside the group "
                                         r"of 3 neurons"):
        ns.Explicit([-1, 1], [0, 0]).pairs(3, 5, rng())
    with pytest.raises(ValueError, match=r"same length, got 2 and 3"):
        ns.Explicit([0, 1], [0, 1, 2])


def test_explicit_refuses_fractional_indices():
    """Indices 1.5 and 2.7 are not neurons: truncating them to 1 and 2 would connect
    neurons the user never named."""
    with pytest.raises((TypeError, ValueError), match=r"pre.*1\.5"):
        ns.Explicit([1.5, 2.7], [0, 1])


def test_allow_self_must_be_bool():
    with pytest.raises(TypeError, match=r"allow_self must be True or False, got 'no'"):
        ns.FixedProbability(0.1, allow_self="no")
