"""Run a trained rate network with spiking LIF neurons.

A ``Sequential`` of ``Dense`` layers whose hidden activations are ``LIFRate`` or
``SoftLIFRate`` becomes a ``Network``:

* each hidden layer is a population of LIF neurons (same τ_rc, τ_ref), one neuron
  per unit, with encoders = identity, gain 1 and bias = the layer's bias, so that a
  neuron's input current is exactly the unit's pre-activation J = W x + b;
* a neuron firing at r Hz stands for the activation ``amplitude * r`` (the ANN's
  rate scale), so the next layer's weights are ``amplitude * W`` (full weights,
  through the synapse);
* the input vector is a constant input held for each sample's presentation time
  (a table: samples one after another), and the output layer's linear readout
  (``amplitude * W_out`` plus its bias) sums into an Output, probed.

Soft-LIF is the smoothed curve used for training; the spiking neurons follow the
exact LIF curve, which it approaches as sigma → 0 (its rate differs near threshold).
In rate mode, with a ``LIFRate`` network, the converted network reproduces the
ANN's forward pass exactly once the synapses have settled.

A ReLU network converts with ``relu_rate`` (Hz per unit of activation): the hidden
neurons are then LIF neurons without refractory period driven by
``J = 1/2 + relu_rate * tau_rc * z``, whose rate ``1/(tau_rc ln(J/(J−1)))`` is
``relu_rate * z`` to first order for ``z ≫ 1/(relu_rate tau_rc)`` (silent for z ≤ 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import Network
from ..neurons.lif import LIF
from ..synapses import PSC
from ..validation import _show, as_array, as_float, as_int
from .activations import ReLU
from .layers import Dense
from .lif_activations import LIFRate, SoftLIFRate
from .sequential import Sequential


@dataclass
class _Layer:
    weight: np.ndarray  # (n_in, n_out)
    bias: np.ndarray  # (n_out,)
    activation: object | None


def _layers(model) -> list[_Layer]:
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a trained Sequential, got {_show(model)}")
    out, pending = [], None
    for i, layer in enumerate(model.layers):
        if isinstance(layer, Dense):
            if pending is not None:
                out.append(_Layer(pending.weight, pending.bias, None))
            pending = layer
        elif isinstance(layer, (LIFRate, SoftLIFRate, ReLU)):
            if pending is None:
                raise ValueError(f"layer {i} ({type(layer).__name__}) must follow a "
                                 "Dense layer")
            out.append(_Layer(pending.weight, pending.bias, layer))
            pending = None
        else:
            raise ValueError(f"layer {i} is a {type(layer).__name__}; to_spiking "
                             "converts Dense layers with LIFRate, SoftLIFRate or (with "
                             "relu_rate) ReLU activations, and a final linear Dense")
    if pending is None:
        raise ValueError("the last layer must be a linear Dense layer (the readout)")
    out.append(_Layer(pending.weight, pending.bias, None))
    if len(out) < 2:
        raise ValueError("the model needs at least one hidden layer")
    return out


@dataclass
class SpikingANN:
    """A converted network and what is needed to evaluate it.

    Attributes
    ----------
    network : Network
    inputs : Input
        The input table (filled by ``evaluate``).
    hidden : list of Population
    output : Output
    probe : Probe
        The output's value (the logits).
    """

    network: Network
    inputs: object
    hidden: list
    output: object
    probe: object


def to_spiking(model, samples, presentation: float = 0.2, dt: float = 1e-3,
               synapse: PSC | None = PSC(0.005), relu_rate: float | None = None,
               gap: float = 0.0, spike_probes: bool = True) -> SpikingANN:
    """Convert a trained ``Sequential`` into a spiking ``Network`` presenting
    ``samples`` (P, n_in) one after another, each for ``presentation`` seconds
    (followed by ``gap`` seconds of zero input).

    Parameters
    ----------
    model : Sequential
        Dense layers with LIFRate / SoftLIFRate (or ReLU, with ``relu_rate``)
        hidden activations and a final linear Dense layer.
    samples : array (P, n_in)
    presentation, gap, dt : float, s
    synapse : PSC or None
        Synapse of every connection between layers (and of the readout).
    relu_rate : float, Hz
        Rate per unit of ReLU activation (required for ReLU networks).
    spike_probes : bool
        Probe the spikes of every hidden population.
    """
    layers = _layers(model)
    samples = as_array("samples", samples, ndim=2)
    if samples.shape[1] != layers[0].weight.shape[0]:
        raise ValueError(f"samples must have {layers[0].weight.shape[0]} columns (the "
                         f"model's inputs), got shape {samples.shape}")
    dt = as_float("dt (s)", dt, positive=True)
    steps = as_int("presentation steps", round(as_float("presentation (s)", presentation,
                                                        positive=True) / dt), minimum=1)
    gap_steps = round(as_float("gap (s)", gap, nonnegative=True) / dt)
    table = np.zeros((samples.shape[0], steps + gap_steps, samples.shape[1]))
    table[:, :steps] = samples[:, None, :]
    net = Network(label="spiking-ann")
    inputs = net.input(table.reshape(-1, samples.shape[1]), label="input")
    hidden, previous, scale = [], None, 1.0
    for index, layer in enumerate(layers[:-1]):
        neuron, gain, bias_shift, amplitude = _neuron_for(layer.activation, relu_rate)
        n_out = layer.bias.size
        pop = net.population(n_out, n_out, neuron=neuron, encoders=np.eye(n_out),
                             gain=np.full(n_out, gain), bias=gain * layer.bias + bias_shift,
                             seed=index, label=f"hidden{index}")
        if previous is None:
            net.connect(inputs, pop, synapse=None, transform=layer.weight.T)
        else:
            net.connect(previous, pop, synapse=synapse, weights="full",
                        decoders=scale * np.eye(previous.n_neurons),
                        transform=layer.weight.T)
        hidden.append(pop)
        previous, scale = pop, amplitude
    last = layers[-1]
    output = net.output(last.bias.size, label="output")
    net.connect(previous, output, synapse=synapse, decoders=scale * last.weight)
    bias = net.input(lambda t: np.tile(last.bias, (t.size, 1)),
                     dimensions=last.bias.size, label="output_bias")
    net.connect(bias, output, synapse=None)
    probe = net.probe(output, label="logits")
    if spike_probes:
        for pop in hidden:
            net.probe(pop, "spikes")
    return SpikingANN(net, inputs, hidden, output, probe)


def _neuron_for(activation, relu_rate):
    """(LIF neuron, gain, bias shift, amplitude: activation per Hz) for a layer."""
    if isinstance(activation, (LIFRate, SoftLIFRate)):
        return (LIF(activation.tau_rc, activation.tau_ref, min_voltage=0.0), 1.0, 0.0,
                activation.amplitude)
    if relu_rate is None:
        raise ValueError("a ReLU network needs relu_rate (Hz per unit of activation) "
                         "to set its neurons' rates")
    relu_rate = as_float("relu_rate (Hz)", relu_rate, positive=True)
    tau_rc = 0.02
    return (LIF(tau_rc=tau_rc, tau_ref=0.0, min_voltage=0.0), relu_rate * tau_rc, 0.5,
            1.0 / relu_rate)


@dataclass
class SpikingEvaluation:
    """Outcome of ``evaluate_spiking``.

    Attributes
    ----------
    logits : array (P, K)
        Output averaged over the read-out window of each presentation.
    predictions : array (P,)
        Arg-max class per sample.
    accuracy : float or None
        Fraction correct (when labels were given).
    mean_rate : float, Hz
        Mean firing rate of the hidden neurons (spiking mode).
    spikes_per_inference, synaptic_events_per_inference : float
        Hidden spikes per sample, and those times their fan-out (an energy proxy).
    simulated_per_inference, wall_seconds : float, s
    """

    logits: np.ndarray
    predictions: np.ndarray
    accuracy: float | None
    mean_rate: float
    spikes_per_inference: float
    synaptic_events_per_inference: float
    simulated_per_inference: float
    wall_seconds: float


def evaluate_spiking(model, samples, labels=None, presentation: float = 0.2,
                     dt: float = 1e-3, synapse: PSC | None = PSC(0.005),
                     mode: str = "spiking", readout: float = 0.5,
                     relu_rate: float | None = None, gap: float = 0.0,
                     progress: bool | None = None) -> SpikingEvaluation:
    """Classify ``samples`` with the converted network, all in one compiled run.

    The output is averaged over the last ``readout`` fraction of each presentation
    (the first part lets the synapses settle after the previous sample).
    """
    import time

    from ..simulator import Simulator
    readout = as_float("readout", readout, positive=True)
    if readout > 1.0:
        raise ValueError(f"readout must be a fraction in (0, 1], got {readout}")
    converted = to_spiking(model, samples, presentation, dt, synapse, relu_rate, gap,
                           spike_probes=(mode == "spiking"))
    steps = round(presentation / dt)
    per_sample = steps + round(gap / dt)
    start = time.perf_counter()
    sim = Simulator(converted.network, dt=dt, mode=mode, progress=progress)
    res = sim.run_steps(per_sample * samples.shape[0])
    wall = time.perf_counter() - start
    out = res[converted.probe].reshape(samples.shape[0], per_sample, -1)
    first = steps - max(1, round(readout * steps))
    logits = out[:, first:steps].mean(axis=1)
    predictions = logits.argmax(axis=1)
    accuracy = None
    if labels is not None:
        labels = as_array("labels", labels, ndim=1, dtype=np.int64)
        if labels.shape[0] != samples.shape[0]:
            raise ValueError(f"labels must have one entry per sample ({samples.shape[0]}), "
                             f"got {labels.shape[0]}")
        accuracy = float(np.mean(predictions == labels))
    spikes = events = 0.0
    n_hidden = sum(p.n_neurons for p in converted.hidden)
    if mode == "spiking":
        fan_out = [p.n_neurons for p in converted.hidden[1:]] + [converted.output.dimensions]
        for pop, fan in zip(converted.hidden, fan_out):
            count = res.spikes(pop)[0].size
            spikes += count
            events += count * fan
    duration = per_sample * samples.shape[0] * dt
    return SpikingEvaluation(logits, predictions, accuracy,
                             spikes / (n_hidden * duration), spikes / samples.shape[0],
                             events / samples.shape[0], per_sample * dt, wall)
