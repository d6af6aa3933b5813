"""COBAHH (Brette et al. 2007, benchmark 3; Brian2's examples/COBAHH.py): 4000
Hodgkin–Huxley neurons with Traub–Miles kinetics and conductance-based synapses,
3200 excitatory and 800 inhibitory, connected at random (p = 0.02), 1 s at
dt = 0.1 ms with exponential Euler: neurosim vs Brian2 (when installed, ``[bench]``)
on the same network in the same run — Brian2's runtime mode (Cython code
generation, else numpy) and its C++ standalone mode (when a C++ compiler exists).

    C dv/dt = g_l (E_l − v) + ge (E_e − v) + gi (E_i − v) − g_Na m³h (v − E_Na)
              − g_K n⁴ (v − E_K);   τ_e, τ_i: ge, gi decay
    membrane 20 000 µm²: C = 200 pF, g_l = 10 nS, g_Na = 20 µS, g_K = 6 µS,
    E_l = −60, E_K = −90, E_Na = 50, V_T = −63, E_e = 0, E_i = −80 mV,
    τ_e = 5 ms, τ_i = 10 ms, w_e = 6 nS, w_i = 67 nS, spike: v > −20 mV,
    refractory 3 ms (a spike is not counted twice; v is not held)
    v(0) ~ N(−65, 5) mV, ge(0) ~ N(40, 15) nS, gi(0) ~ N(200, 120) nS

neurosim runs it as ``TraubMiles`` groups (its defaults are these parameters) with
``Conductance`` channels, whose gates start at their steady state at E_l; Brian2's
gates are set to the same values (its example leaves them at 0). Prints, per
simulator, the build and run seconds (``spiking.py`` says what each includes), the
synapse count, the mean firing rate, the mean ISI CV (neurons with >= 3 spikes), the
speed ratios and how far the rate (goal: 10 %) and the CV (goal: 0.1) are from
Brian2's. Both simulators are built first and then take turns run by run, so that a
slow spell of the machine falls on all; the fastest of ``--repeats`` runs counts,
the statistics are the first run's (means over ``--seeds`` networks). Larger
networks keep 80 synapses per neuron (p = 80 / N) and the same weights.

    python benchmarks/cobahh.py [--neurons 4000] [--repeats 3] [--seeds 1] [--no-cpp]
    python benchmarks/cobahh.py --memory --neurons 4000 16000

``--memory`` runs each (simulator, N) in a process of its own and adds the peak
resident memory.

NEST (when ``import nest`` works; ``nest_networks.py``) runs it with its built-in
``hh_cond_exp_traub`` at 1 and 2 threads, every parameter set explicitly from
``TraubMiles``' (NEST's defaults are the same but for t_ref, 2 ms there; its default
gates are computed at V = E_L without the V_T shift, m = 1e-8, so they are set to
the steady state at E_L that neurosim starts from). Where it differs, by NEST's
design: RKF45 with adaptive steps inside each 0.1 ms step (GSL, tolerance 1e-3)
instead of exponential Euler; a spike is a local maximum of V above V_T + 30 mV
(−33 mV), not an upward crossing of −20 mV, so it is registered some 0.1–0.3 ms
later; g_ex and g_in cannot be set, so their initial values reach every neuron as
one spike of a ``spike_generator`` (arriving at 0.2 ms, weights g(0) e^(−0.2 ms /
τ), so that the conductances follow g(0) e^(−t/τ) from there), and a
negative draw (0.4 % of ge(0), 4.8 % of gi(0): NEST takes a weight's sign for the
synapse type) is set to 0. Connectivity: ``pairwise_bernoulli`` at p without
autapses, as neurosim draws it; delays one step (0.1 ms).
"""

from __future__ import annotations

import numpy as np

import spiking
import neurosim as ns

TAU_E, TAU_I = 5.0, 10.0  # ms
E_E, E_I = 0.0, -80.0  # mV
W_E, W_I = 6.0, 67.0  # nS


def ours(net, n, p):
    hh = ns.TraubMiles()
    channels = {"ge": ns.Conductance(TAU_E * 1e-3, E_E),
                "gi": ns.Conductance(TAU_I * 1e-3, E_I)}
    initial = {"v": ns.Gaussian(-65.0, 5.0), "ge": ns.Gaussian(40.0, 15.0),
               "gi": ns.Gaussian(200.0, 120.0)}
    n_e = n * 4 // 5
    E = net.group(n_e, hh, label="E", channels=dict(channels), initial=dict(initial))
    I = net.group(n - n_e, hh, label="I", channels=dict(channels),
                  initial=dict(initial))
    for pre, channel, w in ((E, "ge", W_E), (I, "gi", W_I)):
        for post in (E, I):
            net.synapses(pre, post, p=p, weight=w, synapse=channel)
    return [E, I]


def theirs(b2, size, p):
    # not "n": Brian2 also looks names up among its callers' locals, and n is a gate
    um, cm, mV, ms, nS = b2.umetre, b2.cmetre, b2.mV, b2.ms, b2.nS
    area = 20000 * um ** 2
    namespace = {
        "Cm": 1 * b2.ufarad * cm ** -2 * area,
        "gl": 5e-5 * b2.siemens * cm ** -2 * area,
        "El": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV,
        "g_na": 100 * b2.msiemens * cm ** -2 * area,
        "g_kd": 30 * b2.msiemens * cm ** -2 * area, "VT": -63 * mV,
        "taue": TAU_E * ms, "taui": TAU_I * ms, "Ee": E_E * mV, "Ei": E_I * mV,
        "we": W_E * nS, "wi": W_I * nS, "n_e": size * 4 // 5, "p": p}
    eqs = """
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    """
    P = b2.NeuronGroup(size, model=eqs, threshold="v>-20*mV", refractory=3 * ms,
                       method="exponential_euler", namespace=namespace)
    P.v = "El"  # gates at their steady state at E_l, as neurosim starts them
    P.m = "alpha_m/(alpha_m+beta_m)"
    P.h = "alpha_h/(alpha_h+beta_h)"
    P.n = "alpha_n/(alpha_n+beta_n)"
    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "(randn() * 1.5 + 4) * 10.*nS"
    P.gi = "(randn() * 12 + 20) * 10.*nS"
    # n_e and p from the namespace: the same code (and Cython cache) for every N
    Ce = b2.Synapses(P, P, on_pre="ge+=we", namespace=namespace)
    Ci = b2.Synapses(P, P, on_pre="gi+=wi", namespace=namespace)
    Ce.connect("i<n_e", p="p")
    Ci.connect("i>=n_e", p="p")
    monitor = b2.SpikeMonitor(P)
    return [P, Ce, Ci, monitor], monitor, [Ce, Ci]


def in_nest(nest, n, p, rng):
    """The network in NEST (run in a NEST worker): all neurons, E then I."""
    hh = ns.TraubMiles()
    params = {"C_m": hh.C, "g_L": hh.g_L, "E_L": hh.E_L, "g_Na": hh.g_Na,
              "g_K": hh.g_K, "E_Na": hh.E_Na, "E_K": hh.E_K, "V_T": hh.V_T,
              "E_ex": E_E, "E_in": E_I, "tau_syn_ex": TAU_E, "tau_syn_in": TAU_I,
              "t_ref": hh.tau_ref, "I_e": 0.0}
    gates = hh.initial_state(1)
    params.update(Act_m=float(gates["m"][0]), Inact_h=float(gates["h"][0]),
                  Act_n=float(gates["n"][0]))
    n_e = n * 4 // 5
    E = nest.Create("hh_cond_exp_traub", n_e, params=params)
    I = nest.Create("hh_cond_exp_traub", n - n_e, params=params)
    P = E + I
    # initial values drawn by numpy (seeded: the same for any thread count)
    P.V_m = rng.normal(-65.0, 5.0, n)
    ge0 = np.maximum(rng.normal(40.0, 15.0, n), 0.0)  # nS
    gi0 = np.maximum(rng.normal(200.0, 120.0, n), 0.0)
    delay = spiking.DT * 1e3  # ms
    arrival = 2 * delay  # the generator's spike at one step, delivered one later
    start = nest.Create("spike_generator", params={"spike_times": [delay]})
    for g0, tau, sign in ((ge0, TAU_E, 1.0), (gi0, TAU_I, -1.0)):
        weights = sign * g0 * np.exp(-arrival / tau)  # g0 e^(-t/tau) from t = 0.2 ms
        nest.Connect(start, P, "all_to_all", {"weight": weights.reshape(n, 1),
                                              "delay": delay})
    rule = {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": False}
    for pre, w in ((E, W_E), (I, -W_I)):  # nS; negative: NEST's inhibitory synapse
        for post in (E, I):
            nest.Connect(pre, post, rule, {"synapse_model": "static_synapse",
                                           "weight": w, "delay": delay})
    return P


MODEL = spiking.Model("cobahh", ours, theirs, in_nest)

if __name__ == "__main__":
    spiking.main(MODEL, __doc__)
