"""The neuron groups' compiled steps (IAF, TraubMiles, AdEx, Izhikevich,
AdaptiveIAF) against their numpy twins: the same operations in the same order, so
the same bits, over states that take every branch (free, crossing threshold,
refractory all step, leaving the refractory period within the step, delta
jumps)."""

import numpy as np
import pytest

from neurosim.neurons.adaptive_iaf import (AdaptiveIAF, adaptive_iaf_step,
                                           adaptive_iaf_step_numpy)
from neurosim.neurons.adex import AdEx, adex_step, adex_step_numpy
from neurosim.neurons.iaf import IAF, iaf_step, iaf_step_numpy
from neurosim.neurons.izhikevich import (Izhikevich, izhikevich_step,
                                         izhikevich_step_numpy)
from neurosim.neurons.traub import TraubMiles, traub_step, traub_step_numpy
from neurosim.synapses.models import CONDUCTANCE, CURRENT, DELTA

DT = 1e-4
N = 400


def _run_kernel(step, state, i_ext, syn, tau, rev, kind, par):
    n = state.shape[1]
    spiked, after = np.empty(n, np.int64), np.empty(n)
    work, flags = np.empty(n), np.zeros(n, np.bool_)
    count = step(state, i_ext, syn, tau, rev, kind, DT, par, spiked, after, work, flags)
    assert count >= 0, "no neuron should diverge here"
    return spiked[:count].copy(), after[:count].copy()


def _iaf_state(rng, neuron):
    v = rng.uniform(neuron.V_reset - 5.0, neuron.V_th + 2.0, N)
    ref = np.where(rng.random(N) < 0.3, rng.uniform(0.0, 3 * DT, N), 0.0)
    return np.array([v, ref])


CHANNELS = {
    "one current": [CURRENT],
    "two currents": [CURRENT, CURRENT],
    "current and delta": [CURRENT, DELTA],
    "three (general pass)": [CURRENT, CURRENT, DELTA],
    "conductances": [CONDUCTANCE, CONDUCTANCE],
    "conductance, current, delta": [CONDUCTANCE, CURRENT, DELTA],
}


@pytest.mark.parametrize("kinds", CHANNELS.values(), ids=CHANNELS.keys())
def test_iaf_step_equals_its_twin(kinds):
    rng = np.random.default_rng(3)
    neuron = IAF(V_rest=-65.0, V_th=-50.0, V_reset=-70.0, tau_m=2.0, tau_ref=0.35)
    kind = np.array(kinds, dtype=np.int64)
    tau = np.array([5e-3, 2e-3, 1e-2][:len(kinds)])  # 2 ms: the tau_s = tau_m limit
    rev = np.where(kind == CONDUCTANCE, np.array([0.0, -80.0, 0.0][:len(kinds)]), 0.0)
    scale = np.where(kind == CONDUCTANCE, 20.0, np.where(kind == DELTA, 3.0, 2.0))
    par = neuron.packed()
    state = _iaf_state(rng, neuron)
    i_ext = rng.normal(40.0, 10.0, N)
    syn = rng.uniform(-0.5, 1.0, (len(kinds), N)) * scale[:, None]
    syn[kind == CONDUCTANCE] = np.abs(syn[kind == CONDUCTANCE])
    twin_state, twin_syn = state.copy(), syn.copy()
    fired = held = 0
    for _ in range(30):  # steps: refractory periods begin, run and end
        spiked, after = _run_kernel(iaf_step, state, i_ext, syn, tau, rev, kind, par)
        t_spiked, t_after = iaf_step_numpy(twin_state, i_ext, twin_syn, tau, rev, kind,
                                           DT, par)
        np.testing.assert_array_equal(spiked, t_spiked)
        np.testing.assert_array_equal(after, t_after)
        np.testing.assert_array_equal(state, twin_state)
        np.testing.assert_array_equal(syn, twin_syn)
        fired += spiked.size
        held += np.count_nonzero(state[1] >= DT)
    # the branches were taken: spikes, and neurons refractory all step
    assert fired > N and held > N


@pytest.mark.parametrize("kinds", [[CONDUCTANCE, CONDUCTANCE], [CONDUCTANCE, CURRENT]],
                         ids=["conductances", "conductance and current"])
def test_traub_step_equals_its_twin(kinds):
    rng = np.random.default_rng(5)
    neuron = TraubMiles()
    kind = np.array(kinds, dtype=np.int64)
    tau = np.array([5e-3, 10e-3])
    rev = np.array([0.0, -80.0])
    rest = neuron.initial_state(N)
    state = np.array([rng.uniform(-80.0, 40.0, N), rest["m"], rest["h"], rest["n"],
                      np.where(rng.random(N) < 0.3, rng.uniform(0, 3e-3, N), 0.0)])
    # include the removable singularities of the rate functions (u = 13, 40, 15)
    state[0, :3] = neuron.V_T + np.array([13.0, 40.0, 15.0])
    i_ext = rng.normal(0.0, 200.0, N)
    syn = np.abs(rng.normal(50.0, 30.0, (2, N)))
    twin_state, twin_syn = state.copy(), syn.copy()
    fired = 0
    for _ in range(200):
        spiked, after = _run_kernel(traub_step, state, i_ext, syn, tau, rev, kind,
                                    neuron.packed())
        t_spiked, t_after = traub_step_numpy(twin_state, i_ext, twin_syn, tau, rev,
                                             kind, DT, neuron.packed())
        np.testing.assert_array_equal(spiked, t_spiked)
        np.testing.assert_array_equal(after, t_after)
        np.testing.assert_array_equal(state, twin_state)
        np.testing.assert_array_equal(syn, twin_syn)
        fired += spiked.size
    assert fired > 0


def _channels(kinds):
    kind = np.array(kinds, dtype=np.int64)
    tau = np.array([5e-3, 2e-3, 1e-2][:len(kinds)])
    rev = np.where(kind == CONDUCTANCE, np.array([0.0, -80.0, 0.0][:len(kinds)]), 0.0)
    return kind, tau, rev


ADAPTIVE_CHANNELS = {k: CHANNELS[k] for k in ("one current", "conductances",
                                              "conductance, current, delta")}


@pytest.mark.parametrize("kinds", ADAPTIVE_CHANNELS.values(),
                         ids=ADAPTIVE_CHANNELS.keys())
@pytest.mark.parametrize("model", ["adex", "izhikevich"])
def test_adex_and_izhikevich_steps_equal_their_twins(model, kinds):
    """Over states that spike within the step, start above the cut-off (or are
    pushed there by a delta channel) and lie far below rest."""
    rng = np.random.default_rng(7)
    kind, tau, rev = _channels(kinds)
    if model == "adex":
        neuron, step, twin = AdEx.preset("tonic"), adex_step, adex_step_numpy
        state = np.array([rng.uniform(-70.0, -30.0, N), rng.uniform(0.0, 100.0, N)])
        state[0, :3] = [5.0, -0.01, -300.0]
        i_ext = rng.normal(500.0, 200.0, N)
        scale = np.array([5.0, 100.0, 2.0])
    else:
        neuron, step, twin = (Izhikevich.preset("CH"), izhikevich_step,
                              izhikevich_step_numpy)
        state = np.array([rng.uniform(-70.0, 25.0, N), rng.uniform(-15.0, 5.0, N)])
        state[0, :3] = [31.0, 29.99, -300.0]
        i_ext = rng.normal(10.0, 5.0, N)
        scale = np.array([0.05, 5.0, 2.0])
    scale = np.where(kind == CONDUCTANCE, scale[0], np.where(kind == DELTA, scale[2],
                                                             scale[1]))
    syn = np.abs(rng.normal(1.0, 1.0, (len(kinds), N))) * scale[:, None]
    par = neuron.packed()
    twin_state, twin_syn = state.copy(), syn.copy()
    fired = 0
    for _ in range(30):
        spiked, after = _run_kernel(step, state, i_ext, syn, tau, rev, kind, par)
        t_spiked, t_after = twin(twin_state, i_ext, twin_syn, tau, rev, kind, DT, par)
        np.testing.assert_array_equal(spiked, t_spiked)
        np.testing.assert_array_equal(after, t_after)
        np.testing.assert_array_equal(state, twin_state)
        np.testing.assert_array_equal(syn, twin_syn)
        fired += spiked.size
    assert fired > 50


@pytest.mark.parametrize("kinds", CHANNELS.values(), ids=CHANNELS.keys())
def test_adaptive_iaf_step_equals_its_twin(kinds):
    rng = np.random.default_rng(11)
    neuron = AdaptiveIAF(V_rest=-65.0, V_th=-50.0, V_reset=-70.0, tau_m=2.0,
                         tau_ref=0.35, tau_w=2.0, b=0.5)  # tau_w = tau_m: the limit
    kind, tau, rev = _channels(kinds)
    scale = np.where(kind == CONDUCTANCE, 20.0, np.where(kind == DELTA, 3.0, 2.0))
    state = _iaf_state(rng, neuron)
    state = np.array([state[0], rng.uniform(0.0, 2.0, N), state[1]])
    i_ext = rng.normal(40.0, 10.0, N)
    syn = rng.uniform(-0.5, 1.0, (len(kinds), N)) * scale[:, None]
    syn[kind == CONDUCTANCE] = np.abs(syn[kind == CONDUCTANCE])
    twin_state, twin_syn = state.copy(), syn.copy()
    fired = held = 0
    for _ in range(30):
        spiked, after = _run_kernel(adaptive_iaf_step, state, i_ext, syn, tau, rev,
                                    kind, neuron.packed())
        t_spiked, t_after = adaptive_iaf_step_numpy(twin_state, i_ext, twin_syn, tau,
                                                    rev, kind, DT, neuron.packed())
        np.testing.assert_array_equal(spiked, t_spiked)
        np.testing.assert_array_equal(after, t_after)
        np.testing.assert_array_equal(state, twin_state)
        np.testing.assert_array_equal(syn, twin_syn)
        fired += spiked.size
        held += np.count_nonzero(state[2] >= DT)
    assert fired > N and held > N
