"""CUBA (Vogels & Abbott 2005, Brian2's examples/CUBA.py): 4000 current-based LIF
neurons, 3200 excitatory and 800 inhibitory, connected at random (p = 0.02), 1 s at
dt = 0.1 ms: neurosim vs Brian2 (when installed, ``[bench]``) on the same network in
the same run — Brian2's runtime mode (Cython code generation, else numpy) and its
C++ standalone mode (when a C++ compiler exists).

    τ_m dv/dt = ge + gi − (v − E_l)   (unless refractory);  τ_e, τ_i: ge, gi decay
    τ_m = 20 ms, τ_e = 5 ms, τ_i = 10 ms, V_t = −50 mV, V_r = −60 mV, E_l = −49 mV,
    refractory 5 ms, w_e = 1.62 mV, w_i = −9 mV, v(0) uniform in [V_r, V_t)

neurosim runs it as ``IAF`` groups with ``PSC`` channels (R = 1 MΩ, so a current in
nA is the voltage it drives in mV). Prints, per simulator, the build and run seconds
(``spiking.py`` says what each includes), the synapse count, the mean firing rate,
the mean ISI CV (neurons with >= 3 spikes), the speed ratios and how far the rate
(goal: 10 %) and the CV (goal: 0.1) are from Brian2's. Both simulators are built
first and then take turns run by run, so that a slow spell of the machine falls on
all; the fastest of ``--repeats`` runs counts, the statistics are the first run's
(means over ``--seeds`` networks). Larger networks keep 80 synapses per neuron (p =
80 / N) and the same weights.

    python benchmarks/cuba.py [--neurons 4000] [--repeats 3] [--seeds 1] [--no-cpp]
    python benchmarks/cuba.py --memory --neurons 4000 16000 64000 100000

``--memory`` runs each (simulator, N) in a process of its own and adds the peak
resident memory.

NEST (when ``import nest`` works; ``nest_networks.py``) runs it with its built-in
``iaf_psc_exp`` at 1 and 2 threads: exact integration on the grid, spike times on
the grid (neurosim interpolates them within the step), V held at V_r while
refractory, as here. Its synaptic currents are in pA on C_m = 250 pF, converted so
that each spike drives the same PSP (see ``C_M``); a one-spike check printed before
the measurements compares the PSP peak in neurosim and in NEST. Connectivity: NEST's
``pairwise_bernoulli`` at p without autapses, as neurosim draws it (Brian2's
``connect(p=...)`` allows them: about 80 among 320 000 synapses); delays one step
(0.1 ms, NEST's least; neurosim's delay 0 also acts on the step after the spike).
"""

from __future__ import annotations

import numpy as np

import spiking
import neurosim as ns

TAU_M, TAU_E, TAU_I = 20.0, 5.0, 10.0  # ms
V_T, V_R, E_L = -50.0, -60.0, -49.0  # mV
REFRACTORY = 5.0  # ms
W_E, W_I = 60 * 0.27 / 10, -20 * 4.5 / 10  # mV: 1.62, -9.0

# NEST's iaf_psc_exp: C_m dV/dt = -(C_m / tau_m) (V - E_L) + I_syn, I_syn (pA)
# jumping by the weight and decaying with tau_syn; that is tau_m dV/dt = -(V - E_L)
# + R I_syn with R = tau_m / C_m. neurosim's IAF: tau_m dV/dt = -(V - E_L) + R x
# with R = 1 MOhm and x jumping by w (nA), so R x jumps by w in mV. The same drive:
# R_nest * weight = w (mV), weight (pA) = w (mV) * C_m (pF) / tau_m (ms)
# [mV pF / ms = 1e-3 V 1e-12 F / 1e-3 s = 1e-12 A]. With NEST's usual C_m = 250 pF
# (R = 80 MOhm): 1.62 mV -> 20.25 pA, -9 mV -> -112.5 pA.
C_M = 250.0  # pF
NEST_W_E, NEST_W_I = W_E * C_M / TAU_M, W_I * C_M / TAU_M  # pA


def ours(net, n, p, delay=0.0, excitatory_rule=None):
    """CUBA's groups and synapses in ``net``; ``delay`` (s) on every synapse and
    ``excitatory_rule`` the learning rule of E's (``stdp.py``)."""
    lif = ns.IAF(V_rest=E_L, V_th=V_T, V_reset=V_R, tau_m=TAU_M, tau_ref=REFRACTORY)
    channels = {"ge": ns.PSC(TAU_E * 1e-3), "gi": ns.PSC(TAU_I * 1e-3)}
    n_e = n * 4 // 5
    E = net.group(n_e, lif, label="E", channels=dict(channels),
                  initial={"v": ns.Uniform(V_R, V_T)})
    I = net.group(n - n_e, lif, label="I", channels=dict(channels),
                  initial={"v": ns.Uniform(V_R, V_T)})
    for pre, channel, w, rule in ((E, "ge", W_E, excitatory_rule),
                                  (I, "gi", W_I, None)):
        for post in (E, I):
            net.synapses(pre, post, p=p, weight=w, synapse=channel, delay=delay,
                         learning_rule=rule)
    return [E, I]


def theirs(b2, n, p):
    mV, ms = b2.mV, b2.ms
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    namespace = {"taum": TAU_M * ms, "taue": TAU_E * ms, "taui": TAU_I * ms,
                 "Vt": V_T * mV, "Vr": V_R * mV, "El": E_L * mV,
                 "we": W_E * mV, "wi": W_I * mV, "n_e": n * 4 // 5, "p": p}
    P = b2.NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr",
                       refractory=REFRACTORY * ms, method="exact", namespace=namespace)
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    # n_e and p from the namespace: the same code (and Cython cache) for every N
    Ce = b2.Synapses(P, P, on_pre="ge += we", namespace=namespace)
    Ci = b2.Synapses(P, P, on_pre="gi += wi", namespace=namespace)
    Ce.connect("i<n_e", p="p")
    Ci.connect("i>=n_e", p="p")
    monitor = b2.SpikeMonitor(P)
    return [P, Ce, Ci, monitor], monitor, [Ce, Ci]


def in_nest(nest, n, p, rng):
    """The network in NEST (run in a NEST worker): all neurons, E then I."""
    params = {"C_m": C_M, "tau_m": TAU_M, "E_L": E_L, "V_th": V_T, "V_reset": V_R,
              "t_ref": REFRACTORY, "tau_syn_ex": TAU_E, "tau_syn_in": TAU_I,
              "I_e": 0.0}
    n_e = n * 4 // 5
    E = nest.Create("iaf_psc_exp", n_e, params=params)
    I = nest.Create("iaf_psc_exp", n - n_e, params=params)
    # v(0) uniform in [V_r, V_t) (numpy, seeded: the same for any thread count);
    # the synaptic currents start at 0
    (E + I).V_m = rng.uniform(V_R, V_T, n)
    rule = {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": False}
    for pre, w in ((E, NEST_W_E), (I, NEST_W_I)):
        for post in (E, I):
            nest.Connect(pre, post, rule, {"synapse_model": "static_synapse",
                                           "weight": w, "delay": spiking.DT * 1e3})
    return E + I


# -- the weight conversion checked: one spike, one neuron, the PSP peak -------------
PSP_T = 0.05  # s


def psp_ours(weight=W_E, channel="ge"):
    """Peak of V - E_L (mV) in neurosim after one spike of ``weight`` (mV) into one
    neuron at rest, its threshold out of reach; sampled every step."""
    net = ns.Network(label="psp")
    once = ns.IAF(V_rest=0.0, V_th=V_T, V_reset=V_R, tau_m=TAU_M, tau_ref=1e6)
    pre = net.group(1, once, label="pre", initial={"v": V_T - 1e-4})  # fires at once
    rest = ns.IAF(V_rest=E_L, V_th=1e6, V_reset=V_R, tau_m=TAU_M, tau_ref=REFRACTORY)
    post = net.group(1, rest, label="post", initial={"v": E_L},
                     channels={"ge": ns.PSC(TAU_E * 1e-3), "gi": ns.PSC(TAU_I * 1e-3)})
    net.synapses(pre, post, ns.Explicit([0], [0]), weight=weight, synapse=channel)
    trace = net.probe(post, "voltage")
    out = ns.Simulator(net, dt=spiking.DT, seed=1, progress=False).run(PSP_T)
    v = np.asarray(out[trace]).ravel() - E_L
    return float(v[np.argmax(np.abs(v))])


def psp_nest(nest, weight=NEST_W_E, tau_syn=TAU_E):
    """The same in NEST (in a NEST worker): weight in pA, C_m = C_M."""
    spiking_kernel(nest)
    post = nest.Create("iaf_psc_exp", params={
        "C_m": C_M, "tau_m": TAU_M, "E_L": E_L, "V_m": E_L, "V_th": 1e6,
        "V_reset": V_R, "t_ref": REFRACTORY, "tau_syn_ex": tau_syn,
        "tau_syn_in": tau_syn, "I_e": 0.0})
    source = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(source, post, "one_to_one", {"weight": weight,
                                              "delay": spiking.DT * 1e3})
    meter = nest.Create("multimeter", params={"record_from": ["V_m"],
                                              "interval": spiking.DT * 1e3})
    nest.Connect(meter, post)
    nest.Simulate(PSP_T * 1e3)
    v = np.asarray(meter.get("events")["V_m"], dtype=float) - E_L
    return float(v[np.argmax(np.abs(v))])


def spiking_kernel(nest):
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": spiking.DT * 1e3, "local_num_threads": 1,
                          "print_time": False})


def psp_exact(w, tau_s):
    """The continuous-time peak: w tau_s / (tau_m - tau_s) (e^(-t/tau_m) - e^(-t/tau_s))
    at t* = ln(tau_m / tau_s) tau_m tau_s / (tau_m - tau_s)."""
    t = np.log(TAU_M / tau_s) * TAU_M * tau_s / (TAU_M - tau_s)
    return w * tau_s / (TAU_M - tau_s) * (np.exp(-t / TAU_M) - np.exp(-t / tau_s))


def check_weights(ask_nest):
    """Prints the PSP peaks of one excitatory and one inhibitory spike."""
    for label, w, w_nest, channel, tau in (("w_e", W_E, NEST_W_E, "ge", TAU_E),
                                           ("w_i", W_I, NEST_W_I, "gi", TAU_I)):
        a, b = psp_ours(w, channel), ask_nest("psp_nest", w_nest, tau)
        rel = abs(a - b) / abs(a)
        print(f"PSP peak of one spike, {label} = {w:g} mV (NEST {w_nest:g} pA on "
              f"{C_M:g} pF): neurosim {a:.6f} mV, NEST {b:.6f} mV, relative "
              f"difference {rel:.1e} ({'within' if rel <= 1e-3 else 'OUTSIDE'} 1e-3; "
              f"continuous-time peak {psp_exact(w, tau):.6f} mV)")


MODEL = spiking.Model("cuba", ours, theirs, in_nest, check_weights)

if __name__ == "__main__":
    spiking.main(MODEL, __doc__)
