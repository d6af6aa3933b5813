"""Poisson sources and noise currents against their statistics, with bounds derived
from each estimator's sampling distribution (5 sd: a false alarm ~ 6e-7 per check).
"""

import numpy as np
import pytest
from scipy.linalg import solve_discrete_lyapunov

import neurosim as ns

DT = 1e-4
QUIET = ns.IAF(V_rest=-65.0, V_th=1e6, V_reset=-65.0, tau_m=20.0, tau_ref=2.0)


def poisson_run(n, rate, t_stop, seed=1):
    net = ns.Network()
    src = net.poisson_group(n, rate, label="Q")
    net.probe(src, "spikes")
    return ns.Simulator(net, dt=DT, seed=seed).run(t_stop).spikes["Q"]


def test_poisson_group_rate_and_fano_factor():
    """1000 sources at 20 Hz for 2 s. Each step draws a Poisson count of mean
    rate dt per source, so the total is Poisson(40 000): sd 200. The counts of
    one source in one 100 ms window are iid Poisson(2) over 20 000 (source, window)
    pairs; their Fano factor F = s²/mean has sd sqrt(2/n) = 0.010 (delta method:
    Var s² ≈ (λ + 2λ²)/n, Cov(s², mean) = λ/n, so Var F ≈ 2/n)."""
    n, rate, t_stop = 1000, 20.0, 2.0
    spikes = poisson_run(n, rate, t_stop)
    expected = n * rate * t_stop
    assert abs(spikes.times.size - expected) < 5 * np.sqrt(expected)
    assert spikes.ids.min() >= 0 and spikes.ids.max() < n
    assert spikes.times.min() >= 0 and spikes.times.max() <= t_stop
    window = np.minimum((spikes.times / 0.1).astype(int), 19)
    counts = np.bincount(spikes.ids * 20 + window, minlength=n * 20)
    fano = counts.var(ddof=1) / counts.mean()
    assert abs(fano - 1.0) < 5 * np.sqrt(2 / counts.size), fano
    # each spike at a uniform time within its step: half fall in the first half
    frac = (spikes.times / DT) % 1.0
    assert abs(np.mean(frac < 0.5) - 0.5) < 5 * np.sqrt(0.25 / frac.size)


def test_poisson_group_rate_as_a_function_of_time():
    """rate(t) = 0 for t < 0.5 s, then 20 (1 + sin(2π 2 t)) Hz, for 500 sources.
    No spike may fall before 0.5 s; in 30 windows of 50 ms after, the counts are
    Poisson with mean 500 ∫ rate (the step-midpoint sum, as the rate is sampled),
    and Σ (obs − exp)² / exp ~ χ²(30): mean 30, sd √60 = 7.7."""
    def rate(t):
        return np.where(t < 0.5, 0.0, 20.0 * (1.0 + np.sin(2 * np.pi * 2.0 * t)))

    n, t_stop = 500, 2.0
    spikes = poisson_run(n, rate, t_stop, seed=3)
    assert spikes.times.min() >= 0.5
    mid = (np.arange(1, round(t_stop / DT) + 1) - 0.5) * DT
    per_step = n * rate(mid) * DT
    edges = np.arange(10, 41) * 500  # steps 5000 .. 20000 in windows of 500
    expected = np.add.reduceat(per_step, edges[:-1])[:30]
    observed = np.histogram(spikes.times, bins=edges * DT)[0]
    chi2 = np.sum((observed - expected) ** 2 / expected)
    assert chi2 < 30 + 5 * np.sqrt(60), chi2
    assert observed.sum() > 0.9 * expected.sum()


def test_poisson_rate_function_must_be_nonnegative():
    net = ns.Network()
    net.poisson_group(3, lambda t: 10.0 - 1e4 * t, label="Q")
    sim = ns.Simulator(net, dt=DT, seed=0)
    with pytest.raises(ValueError, match=r"Poisson group 'Q': rate\(t\) must return "
                                         r"finite rates >= 0 Hz"):
        sim.run(0.01)


def test_poisson_input_mean_and_variance_of_the_channel():
    """PoissonInput: each step the channel grows by w · Poisson(n_src rate dt), then
    decays by a = e^(−dt/τ) with the step. So x_j = a (x_{j−1} + w N_j): stationary
    mean a w λ dt / (1 − a) = n_src · rate · w · τ · (dt/τ)/(e^(dt/τ) − 1) (the
    continuous n_src rate w τ, here 0.5 nA, times 1 − dt/2τ + ... = 0.990), variance
    a² w² λ dt / (1 − a²) (Campbell's theorem, discretised), lag-L correlation a^L.
    The channel starts at its mean; 200 independent neurons, 5000 samples each.
    The sd of the grand mean: sqrt(Var x (1 + a)/(1 − a) / (T M)); of the variance
    estimate, measured from the spread over the neurons."""
    n_src, rate, w, tau = 100, 10.0, 0.1, 5e-3
    lam = n_src * rate
    a = np.exp(-DT / tau)
    mean = a * w * lam * DT / (1 - a)
    var = a * a * w * w * lam * DT / (1 - a * a)
    assert abs(mean / (lam * w * tau) - 0.99) < 1e-3
    M, T = 200, 5000
    net = ns.Network()
    g = net.group(M, QUIET, label="G", channels={"x": ns.PSC(tau)},
                  initial={"x": mean})
    net.poisson_input(g, n_src, rate, w)
    xp = net.probe(g, "x")
    x = ns.Simulator(net, dt=DT, seed=4).run(T * DT)[xp]
    # values are w times whole counts, decayed: never negative
    assert x.min() >= 0
    sd_mean = np.sqrt(var * (1 + a) / (1 - a) / (T * M))
    assert abs(x.mean() - mean) < 5 * sd_mean, (x.mean(), mean, sd_mean)
    per_neuron = ((x - mean) ** 2).mean(axis=0)
    sd_var = per_neuron.std(ddof=1) / np.sqrt(M)
    assert abs(per_neuron.mean() - var) < 5 * sd_var, (per_neuron.mean(), var)


# -- noise currents, seen through the voltage of a neuron that never fires ----------
def stationary_covariance(delta, rho, R, kick):
    """(P, A) of the state s = (v − v̄, u − μ) of the kernel's steps:
    u_j = ρ u_{j−1} + kick ξ_j (the noise, held over step j), then the exact IAF
    step v_j = δ v_{j−1} + (1 − δ) R u_j. So s_j = A s_{j−1} + b ξ_j with
    A = [[δ, (1 − δ) R ρ], [0, ρ]], b = kick [(1 − δ) R, 1]; P = A P Aᵀ + b bᵀ, and
    the lag-L covariance is A^L P."""
    A = np.array([[delta, (1 - delta) * R * rho], [0.0, rho]])
    b = kick * np.array([(1 - delta) * R, 1.0])
    return solve_discrete_lyapunov(A, np.outer(b, b)), A


@pytest.mark.parametrize("tau_noise", [10e-3, 0.0])
def test_noise_current_stationary_variance_and_correlation(tau_noise):
    """NoiseCurrent (mean μ, std σ, correlation time τ_n; τ_n = 0 white) into a
    non-firing IAF (τ_m = 2 ms, R = 10 MΩ). V's mean is V_rest + R μ exactly, its
    variance and lag covariances those of the discrete linear system above (for
    the OU case within 0.4 % of the continuous R² σ² τ_n/(τ_n + τ_m)). V starts at
    its mean and the first 10 τ_n are dropped (transient e^-10). The sd of each
    estimate is measured from its spread over 200 independent neurons."""
    mu, sigma, R, tau_m = 0.3, 0.5, 10.0, 2e-3
    neuron = ns.IAF(V_rest=-65.0, V_th=1e6, V_reset=-65.0, tau_m=tau_m * 1e3, R=R)
    M, T, skip = 200, 6000, 1000
    net = ns.Network()
    g = net.group(M, neuron, label="G", initial={"v": -65.0 + R * mu})
    net.noise(g, std=sigma, mean=mu, tau=tau_noise)
    vp = net.probe(g, "voltage")
    v = ns.Simulator(net, dt=DT, seed=6).run((T + skip) * DT)[vp][skip:] \
        - (-65.0 + R * mu)
    delta = np.exp(-DT / tau_m)
    if tau_noise:
        rho = np.exp(-DT / tau_noise)
        kick = sigma * np.sqrt(1 - rho * rho)
        continuous = R * R * sigma ** 2 * tau_noise / (tau_noise + tau_m)
    else:
        rho, kick = 0.0, sigma
    P, A = stationary_covariance(delta, rho, R, kick)
    if tau_noise:
        assert abs(P[0, 0] / continuous - 1) < 4e-3
    else:  # white: R² σ² (1 − δ)/(1 + δ)
        assert abs(P[0, 0] / (R * R * sigma ** 2 * (1 - delta) / (1 + delta)) - 1) \
            < 1e-12
    # the mean (known) — sd of the grand mean from the per-neuron means' spread
    means = v.mean(axis=0)
    assert abs(means.mean()) < 5 * means.std(ddof=1) / np.sqrt(M)
    lags = [0, 20, 100] if tau_noise else [0, 1, 5]
    for L in lags:
        cov = (v[L:] * v[:v.shape[0] - L]).mean(axis=0)
        want = np.linalg.matrix_power(A, L).dot(P)[0, 0]
        sd = cov.std(ddof=1) / np.sqrt(M)
        assert abs(cov.mean() - want) < 5 * sd + 1e-12, (L, cov.mean(), want, sd)
    # the correlation time shows: at lag τ_n the continuous correlation of V is
    # (τ_n e^(−1) − τ_m e^(−τ_n/τ_m))/(τ_n − τ_m) = 0.458 (white
    # noise: only V's own e^(−L dt/τ_m) = e^(−5))
    L = 100
    corr = (v[L:] * v[:-L]).mean(axis=0) / (v * v).mean(axis=0)
    want = np.linalg.matrix_power(A, L).dot(P)[0, 0] / P[0, 0]
    if tau_noise:
        s = L * DT
        ideal = (tau_noise * np.exp(-s / tau_noise) - tau_m * np.exp(-s / tau_m)) \
            / (tau_noise - tau_m)
        assert abs(want - ideal) < 0.01
    else:  # V alone carries memory: δ^L
        assert abs(want - delta ** L) < 1e-12
    assert abs(corr.mean() - want) < 5 * corr.std(ddof=1) / np.sqrt(M), corr.mean()


# -- reproducibility ----------------------------------------------------------------
def noisy_network(seed):
    net = ns.Network()
    q = net.poisson_group(50, 30.0, label="Q")
    g = net.group(40, ns.IAF(V_rest=-55.0, V_th=-50.0, V_reset=-60.0, tau_m=10.0,
                             tau_ref=2.0), label="G",
                  channels={"e": ns.PSC(5e-3), "i": ns.Conductance(10e-3, -80.0)},
                  initial={"v": ns.Uniform(-60.0, -50.0)})
    net.synapses(q, g, p=0.3, weight=ns.Uniform(1.0, 3.0), synapse="e",
                 delay=ns.Uniform(0.0, 2e-3))
    net.synapses(g, g, p=0.1, weight=2.0, synapse="i", delay=1e-3)
    net.poisson_input(g, 20, 10.0, 0.5, synapse="e")
    net.noise(g, std=0.5, tau=5e-3)
    net.probe(q, "spikes")
    net.probe(g, "spikes")
    vp = net.probe(g, "voltage")
    return net, vp, seed


def test_same_seed_same_bits_other_seed_other_spikes_and_runs_continue():
    """3000 steps cross the simulator's 2000-step chunks; a run split in two
    continues bit for bit."""
    net, vp, _ = noisy_network(0)
    a = ns.Simulator(net, dt=DT, seed=7).run(0.3)
    b = ns.Simulator(noisy_network(0)[0], dt=DT, seed=7).run(0.3)
    split = ns.Simulator(net, dt=DT, seed=7)
    split.run(0.17)
    c = split.run(0.13)
    other = ns.Simulator(net, dt=DT, seed=8).run(0.3)
    for label in ("Q", "G"):
        assert a.spikes[label].times.size > 100
        for r in (b, c):
            np.testing.assert_array_equal(a.spikes[label].times, r.spikes[label].times)
            np.testing.assert_array_equal(a.spikes[label].ids, r.spikes[label].ids)
        assert not np.array_equal(a.spikes[label].ids[:100],
                                  other.spikes[label].ids[:100])
    np.testing.assert_array_equal(a[vp], c[vp])
    np.testing.assert_array_equal(a[vp], b[b.network.probes[-1]])


def test_poisson_rate_too_high_for_the_step_is_refused():
    """Sources emit at most POISSON_MAX_PER_STEP spikes a step; a rate that would
    need more with probability > 1e-6 is refused, naming the group, the rate and
    the highest rate allowed at that step."""
    net = ns.Network()
    q = net.poisson_group(100, 8000.0, label="Q")
    net.probe(q, "spikes")
    with pytest.raises(ValueError, match=r"'Q': a rate of 8000 Hz at dt = 0.001 s .* "
                                         r"rates up to 169.1 Hz"):
        ns.Simulator(net, dt=1e-3, seed=0).run(0.2)
    ok = ns.Network()
    ok.poisson_group(100, 169.0, label="Q")
    ns.Simulator(ok, dt=1e-3, seed=0).run(0.01)  # just below the limit: runs
