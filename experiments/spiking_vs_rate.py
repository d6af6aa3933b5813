"""Spiking vs rate networks: a converted digits MLP and two NEF networks, side by side.

**Digits.** The 1797 digits (``neurosim.digits``) are split at random, stratified by
class, into a test set (``test_fraction``) and a training set. Pixels are scaled to
[0, 1] and standardised with the training set's per-pixel mean and standard deviation
(floored at ``min_pixel_std``). An MLP 64 - ``hidden`` ... - 10 with soft-LIF hidden
units (``SoftLIFRate(sigma=softlif_sigma, amplitude=softlif_amplitude)``, tau_rc =
20 ms, tau_ref = 2 ms) is trained with Adam (``lr``) on softmax cross-entropy for
``epochs`` epochs of ``batch_size``. Its test accuracy is the *rate* accuracy.
``neurosim.ann.evaluate_spiking`` then runs the same weights with spiking LIF neurons
on the whole test set, each digit held for a presentation time and the logits
averaged over the last ``readout`` fraction of it:

* against the presentation time (``presentation``, s) with synapses of
  ``presentation_tau`` (s);
* against the synapse time constant (``tau``, s; 0 means no synapse, the spikes
  themselves) at each presentation time of ``tau_presentation``.

The converted network is also run in rate mode (every LIF neuron replaced by its
exact rate curve) at ``reference_presentation``, which separates the soft-LIF vs LIF
difference from the cost of spiking. One test digit (``example_index``) is shown alone
for ``example_presentation`` seconds, from rest: the hidden layers' spikes and the
logits over time, spiking and in rate mode.

**NEF.** For each population size of ``neurons`` and each of ``nef_trials`` networks
(seeds drawn from the run's seed), both run spiking and in rate mode with dt = ``dt``:

* a communication channel sin(2 pi t) -> A -> B, 5 ms synapses into A and into B,
  B decoded through a 10 ms synapse, for ``channel_duration`` s. Its error is the RMSE
  against sin(2 pi t) through those three first-order low-passes in continuous time;
* an integrator: input 1 for 0.1 s into a population with a 100 ms recurrent synapse
  (input transform 0.1), decoded through 10 ms, for ``integrator_duration`` s. The
  ideal is the integral of the input (0.1 after the pulse) through the 10 ms probe
  synapse, in closed form; reported are the value at 0.2 s, its error, and the drift:
  the mean of |x(t) - x(0.2 s)| over t >= 0.2 s.

Both networks and their references are those of the communication-channel and
integrator experiments (their ``build``, ``ideal_response`` and ``ideal``).

Randomness: the seed feeds a ``SeedSequence`` whose four children draw the split, the
initial weights, the batch order and the NEF network seeds.

Writes the trained model at ``/analysis/ann/mlp`` (``neurosim.ann.save_model``), the
spikes of the example digit at ``/spikes/hidden<i>``, and under
``/analysis/comparison/``: ``digits/`` (standardisation, test index, labels,
predictions), ``presentation/`` and ``synapse/`` (the sweeps: accuracy, mean rate,
spikes and synaptic events per inference, simulated and wall-clock time per
inference), ``example/`` (logits over time), ``channel/`` and ``integrator/`` (errors
per size and trial, fitted log-log slopes, traces at ``reference_neurons``). The
summary table is printed, logged and stored as attributes of
``/analysis/comparison`` and as metrics. Figures: ``digits_accuracy.png``,
``digits_example.png``, ``nef_errors.png``.
"""

from __future__ import annotations

import itertools
import logging

import numpy as np

import neurosim as ns
import neurosim.ann as nn
from neurosim.plots import figure, plot_loglog, plot_raster, plot_traces, save_figure
from neurosim.progress import progress
from neurosim.runner import load_experiment
from neurosim.validation import as_float, as_int, as_steps

CONFIG = {
    "hidden": [128],
    "softlif_sigma": 0.1,
    "softlif_amplitude": 0.01,
    "lr": 0.001,
    "epochs": 40,
    "batch_size": 32,
    "test_fraction": 0.2,
    "min_pixel_std": 0.1,
    "dt": 0.001,
    "readout": 0.5,
    "presentation": [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3],
    "presentation_tau": 0.005,
    "tau": [0.0, 0.002, 0.005, 0.01, 0.02],
    "tau_presentation": [0.02, 0.1],
    "reference_presentation": 0.2,
    "example_index": 0,
    "example_presentation": 0.2,
    "neurons": [50, 100, 200, 500, 1000],
    "nef_trials": 3,
    "reference_neurons": 500,
    "channel_duration": 10.0,
    "integrator_duration": 2.0,
}

N_CLASSES = 10
#: Channel synapses (s): into A, into B, and B's decoded probe.
CHANNEL_TAUS = (0.005, 0.005, 0.01)
#: Integrator: recurrent synapse (s), input pulse length (s) and height, probe
#: synapse (s).
INTEGRATOR_TAU, PULSE, PULSE_HEIGHT, PROBE_TAU = 0.1, 0.1, 1.0, 0.01
#: The integrator's value is read this long after the pulse ended (s).
HOLD_CHECK = 0.1
#: Seconds of the channel's error trace drawn.
CHANNEL_SHOWN = 2.0
#: Energy proxies stored for each sweep point, with their units.
SWEEP_FIELDS = {"accuracy": "1", "mean_rate": "Hz", "spikes_per_inference": "1",
                "synaptic_events_per_inference": "1", "simulated_per_inference": "s",
                "wall_seconds": "s"}

log = logging.getLogger("neurosim.experiments.spiking_vs_rate")


def checked(config):
    """The run's settings, validated; raises ``ValueError``/``TypeError`` naming the
    config key at fault."""
    dt = as_float("dt (s)", config["dt"], positive=True)
    for key in ("softlif_sigma", "softlif_amplitude", "lr", "min_pixel_std"):
        as_float(key, config[key], positive=True)
    test_fraction = as_float("test_fraction", config["test_fraction"], positive=True)
    if test_fraction >= 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    readout = as_float("readout", config["readout"], positive=True)
    if readout > 1:
        raise ValueError(f"readout must be a fraction in (0, 1], got {readout!r}")
    if not config["hidden"]:
        raise ValueError("hidden must list at least one hidden layer size")
    if len(config["neurons"]) < 2:
        raise ValueError(f"neurons must list at least two population sizes (for the "
                         f"log-log slopes), got {config['neurons']}")
    for key in ("hidden", "neurons"):
        for size in config[key]:
            as_int(f"each entry of {key}", size, minimum=1)
    for key in ("epochs", "batch_size", "nef_trials"):
        as_int(key, config[key], minimum=1)
    for key in ("presentation", "tau_presentation"):
        if not config[key]:
            raise ValueError(f"{key} must list at least one presentation time")
        for seconds in config[key]:
            as_steps(f"each entry of {key}", seconds, dt, minimum=1)
    as_steps("example_presentation", config["example_presentation"], dt, minimum=1)
    as_float("presentation_tau (s)", config["presentation_tau"], nonnegative=True)
    if not config["tau"]:
        raise ValueError("tau must list at least one synapse time constant")
    for tau in config["tau"]:
        as_float("each entry of tau (s)", tau, nonnegative=True)
    if config["reference_presentation"] not in config["presentation"]:
        raise ValueError(f"reference_presentation must be one of presentation "
                         f"{config['presentation']}, got "
                         f"{config['reference_presentation']!r}")
    if config["reference_neurons"] not in config["neurons"]:
        raise ValueError(f"reference_neurons must be one of neurons "
                         f"{config['neurons']}, got {config['reference_neurons']!r}")
    channel_steps = as_steps("channel_duration", config["channel_duration"], dt,
                             minimum=1)
    integrator_steps = as_steps("integrator_duration", config["integrator_duration"],
                                dt, minimum=1)
    if integrator_steps * dt < PULSE + HOLD_CHECK:
        raise ValueError(f"integrator_duration must be at least {PULSE + HOLD_CHECK} s "
                         f"(the value is read there), got "
                         f"{config['integrator_duration']!r}")
    return dt, channel_steps, integrator_steps


def generators(config):
    """The split, initial-weight, batch-order and NEF-seed generators: the four
    children of the run's seed."""
    return [np.random.default_rng(s)
            for s in np.random.SeedSequence(config["seed"]).spawn(4)]


def check_example_index(config, n_test):
    """Refuse an ``example_index`` that is not one of the ``n_test`` test digits."""
    if not 0 <= as_int("example_index", config["example_index"]) < n_test:
        raise ValueError(f"example_index must be in [0, {n_test}) (a test digit), got "
                         f"{config['example_index']!r}")


def synapse(tau):
    """A first-order PSC of ``tau`` seconds, or None (no filtering) for tau = 0."""
    return None if tau == 0 else ns.PSC(tau)


def split_digits(config, rng):
    """Split the digits into training and test sets and standardise them.

    Returns
    -------
    dict
        ``index`` (test rows of ``neurosim.digits()``), ``X`` (P, 64) standardised
        test inputs, ``y`` (P,) test labels, ``X_train`` and ``y_train`` likewise,
        ``mean`` and ``scale`` (64,) of the standardisation (of pixels / 16).
    """
    X, y = ns.digits()
    X = X / 16.0
    i_train, i_test, y_train, y_test = nn.train_test_split(
        np.arange(y.size), y, config["test_fraction"], rng, stratify=True)
    mean = X[i_train].mean(axis=0)
    scale = np.maximum(X[i_train].std(axis=0), config["min_pixel_std"])
    return {"index": i_test, "X": (X[i_test] - mean) / scale, "y": y_test,
            "X_train": (X[i_train] - mean) / scale, "y_train": y_train, "mean": mean,
            "scale": scale}


def train(config, data, init_rng, order_rng):
    """Train the soft-LIF MLP on ``data`` (from ``split_digits``).

    Returns
    -------
    model : Sequential
    history : dict
        As returned by ``fit``.
    """
    sizes = [data["X_train"].shape[1], *config["hidden"]]
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [nn.Dense(n_in, n_out, rng=init_rng),
                   nn.SoftLIFRate(sigma=config["softlif_sigma"],
                                  amplitude=config["softlif_amplitude"])]
    model = nn.Sequential([*layers, nn.Dense(sizes[-1], N_CLASSES, rng=init_rng)])
    history = nn.fit(model, data["X_train"], data["y_train"],
                     loss=nn.SoftmaxCrossEntropy(), optimizer=nn.Adam(config["lr"]),
                     epochs=config["epochs"], batch_size=config["batch_size"],
                     rng=order_rng)
    return model, history


def hidden_rate(model, X):
    """Mean rate (Hz) of the rate network's hidden units over the inputs ``X``: the
    soft-LIF outputs divided by their amplitude, averaged over units and samples."""
    total = count = 0
    for layer in model.layers:
        X = layer.forward(X)
        if isinstance(layer, nn.SoftLIFRate):
            total += float(np.sum(X)) / layer.amplitude
            count += X.size
    return total / count


def classify(model, data, presentation, tau, config, mode="spiking"):
    """``evaluate_spiking`` on the whole test set; presentation and tau in s."""
    return nn.evaluate_spiking(model, data["X"], data["y"], presentation=presentation,
                               dt=config["dt"], synapse=synapse(tau), mode=mode,
                               readout=config["readout"], progress=False)


def store_sweep(results, base, evaluations, n_test):
    """Store the fields of ``SWEEP_FIELDS`` (and wall-clock per inference) of a list
    of ``SpikingEvaluation`` under ``base``."""
    for field, units in SWEEP_FIELDS.items():
        results.add(f"{base}/{field}", [getattr(e, field) for e in evaluations],
                    units=units)
    results.add(f"{base}/wall_per_inference",
                [e.wall_seconds / n_test for e in evaluations], units="s")


def example(model, x, config):
    """Present one input ``x`` (n_in,) alone, from rest, spiking and in rate mode.

    Returns
    -------
    dict
        ``t`` (T,) s, ``spiking`` and ``rate`` (T, 10) logits over time, ``spikes``:
        population label -> (times (s), ids, n_neurons).
    """
    dt, tau = config["dt"], config["presentation_tau"]
    steps = as_steps("example_presentation", config["example_presentation"], dt,
                     minimum=1)
    out = {}
    for mode in ("spiking", "rate"):
        converted = nn.to_spiking(model, x[None, :], config["example_presentation"], dt,
                                  synapse(tau), spike_probes=mode == "spiking")
        res = ns.Simulator(converted.network, dt=dt, mode=mode,
                           progress=False).run_steps(steps)
        out[mode] = res[converted.probe]
        out["t"] = res.times(converted.probe)
        if mode == "spiking":
            out["spikes"] = {pop.label: (*res.spikes(pop), pop.n_neurons)
                             for pop in converted.hidden}
    return out


def fitted_slope(x, y):
    """Least-squares slope of log(y) against log(x)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def nef_errors(config, seeds, dt, channel_steps, integrator_steps):
    """Run both NEF networks for every size, trial and mode.

    Returns
    -------
    errors : dict
        ``(network, quantity, mode)`` -> array (sizes, trials): channel ``rmse``,
        integrator ``value`` at PULSE + HOLD_CHECK, ``error`` there and ``drift``.
    traces : dict
        ``(network, mode)`` -> (t (s), decoded (T,)) at ``reference_neurons``, first
        trial; mode ``"ideal"`` holds the continuous-time reference.
    """
    # the networks and references of the channel and integrator experiments
    channel = load_experiment("communication-channel").module
    integrator = load_experiment("integrator").module
    sizes = config["neurons"]
    ideal = channel.ideal_response(channel_steps, dt, 1.0, 1.0, CHANNEL_TAUS)
    check = PULSE + HOLD_CHECK
    errors, traces = {}, {}
    jobs = [(i, j, mode) for i in range(len(sizes)) for j in range(len(seeds))
            for mode in ("spiking", "rate")]
    for i, j, mode in progress(jobs, desc="NEF networks"):
        n, seed = sizes[i], int(seeds[j])
        net, probe = channel.build(
            {"seed": seed, "n_neurons": n, "frequency": 1.0, "amplitude": 1.0,
             "synapse": CHANNEL_TAUS[0], "probe_synapse": CHANNEL_TAUS[2]},
            spikes=False)
        res = ns.Simulator(net, dt=dt, mode=mode,
                           progress=False).run_steps(channel_steps)
        x = res[probe][:, 0]
        errors.setdefault(("channel", "rmse", mode), np.zeros((len(sizes), len(seeds))))
        errors[("channel", "rmse", mode)][i, j] = np.sqrt(np.mean((x - ideal) ** 2))
        if n == config["reference_neurons"] and j == 0:
            traces[("channel", mode)] = (res.times(probe), x)
            traces[("channel", "ideal")] = (res.times(probe), ideal)
        net, probe = integrator.build(n, seed, {
            "tau": INTEGRATOR_TAU, "pulse": PULSE_HEIGHT, "pulse_duration": PULSE,
            "probe_synapse": PROBE_TAU})
        res = ns.Simulator(net, dt=dt, mode=mode,
                           progress=False).run_steps(integrator_steps)
        x, t = res[probe][:, 0], res.times(probe)
        at = int(np.argmin(np.abs(t - check)))
        exact = integrator.ideal(t, PULSE_HEIGHT, PULSE, PROBE_TAU)
        measured = {"value": x[at], "error": x[at] - exact[at],
                    "drift": np.mean(np.abs(x[at:] - x[at]))}
        for quantity, value in measured.items():
            key = ("integrator", quantity, mode)
            errors.setdefault(key, np.zeros((len(sizes), len(seeds))))[i, j] = value
        if n == config["reference_neurons"] and j == 0:
            traces[("integrator", mode)] = (t, x)
            traces[("integrator", "ideal")] = (t, exact)
    return errors, traces


def summary_rows(attrs):
    """(label, value text) rows of the summary table, from the comparison attrs."""
    ms = 1e3 * attrs["reference_presentation"]
    tau_ms = 1e3 * attrs["presentation_tau"]
    n, check = attrs["reference_neurons"], attrs["integrator_check"]
    nets = f" (mean of {attrs['nef_trials']})"
    return [
        ("digits: rate (soft-LIF ANN) test accuracy",
         f"{100 * attrs['rate_accuracy']:.2f} %"),
        (f"digits: converted net, rate mode, {ms:g} ms",
         f"{100 * attrs['converted_rate_accuracy']:.2f} %"),
        (f"digits: spiking accuracy, {ms:g} ms, tau {tau_ms:g} ms",
         f"{100 * attrs['spiking_accuracy']:.2f} %"),
        ("digits: gap, spiking - rate", f"{attrs['gap_points']:+.2f} points"),
        (f"digits: spiking test set ({attrs['n_test']} digits), wall clock",
         f"{attrs['spiking_wall_seconds']:.2f} s"),
        ("digits: wall clock per inference",
         f"{1e3 * attrs['wall_per_inference']:.2f} ms"),
        ("digits: simulated time per inference", f"{ms:g} ms"),
        ("digits: mean hidden firing rate, spiking", f"{attrs['mean_rate']:.1f} Hz"),
        ("digits: mean hidden rate of the rate network",
         f"{attrs['rate_network_mean_rate']:.1f} Hz"),
        ("digits: spikes per inference", f"{attrs['spikes_per_inference']:.0f}"),
        ("digits: synaptic events per inference",
         f"{attrs['synaptic_events_per_inference']:.0f}"),
        (f"channel RMSE, N = {n}, spiking{nets}",
         f"{attrs['channel_rmse_spiking']:.4f}"),
        (f"channel RMSE, N = {n}, rate{nets}", f"{attrs['channel_rmse_rate']:.4f}"),
        (f"integrator at {check:g} s, ideal", f"{attrs['integrator_ideal']:.4f}"),
        (f"integrator at {check:g} s, N = {n}, spiking{nets}",
         f"{attrs['integrator_value_spiking']:.4f}"),
        (f"integrator at {check:g} s, N = {n}, rate{nets}",
         f"{attrs['integrator_value_rate']:.4f}"),
        (f"integrator drift after {check:g} s, spiking{nets}",
         f"{attrs['integrator_drift_spiking']:.4f}"),
        (f"integrator drift after {check:g} s, rate{nets}",
         f"{attrs['integrator_drift_rate']:.4f}"),
    ]


def summary_table(attrs):
    """The summary as aligned text lines."""
    rows = summary_rows(attrs)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    checked(config)
    check_example_index(config, split_digits(config, generators(config)[0])["y"].size)


def run(config, out):
    """Train, convert and sweep the digits MLP, run the NEF networks, and summarise.

    Parameters
    ----------
    config : dict
        ``CONFIG`` with overrides, and ``seed``.
    out : pathlib.Path
        The run folder (unused: everything goes into the returned results).

    Returns
    -------
    Results
    """
    dt, channel_steps, integrator_steps = checked(config)
    split_rng, init_rng, order_rng, nef_rng = generators(config)
    data = split_digits(config, split_rng)
    n_test = data["y"].size
    check_example_index(config, n_test)
    model, history = train(config, data, init_rng, order_rng)
    ann_logits = nn.predict(model, data["X"])
    rate_accuracy = float(nn.accuracy(ann_logits, data["y"]))
    log.info("soft-LIF MLP 64-%s-10: rate test accuracy %.4f (%d digits)",
             "-".join(map(str, config["hidden"])), rate_accuracy, n_test)

    results = ns.Results()
    nn.save_model(results, "mlp", model, history)
    base = "comparison"
    results.add(f"{base}/digits/input_mean", data["mean"], units="1",
                description="subtract from pixels / 16, then divide by input_scale")
    results.add(f"{base}/digits/input_scale", data["scale"], units="1")
    results.add(f"{base}/digits/test_index", data["index"], units="1",
                description="rows of neurosim.digits() in the test set")
    results.add(f"{base}/digits/test_labels", data["y"], units="1")
    results.add(f"{base}/digits/rate_predicted", ann_logits.argmax(axis=1), units="1")

    tau = config["presentation_tau"]
    # numba compiles (or loads) the kernels on first use: do that before timing
    classify(model, {"X": data["X"][:1], "y": data["y"][:1]}, config["presentation"][0],
             tau, config)
    sweep = []
    for presentation in progress(config["presentation"], desc="presentation times"):
        sweep.append(classify(model, data, presentation, tau, config))
        log.info("presentation %g ms, tau %g ms: spiking accuracy %.4f, %.0f spikes "
                 "per inference, wall %.2f s", 1e3 * presentation, 1e3 * tau,
                 sweep[-1].accuracy, sweep[-1].spikes_per_inference,
                 sweep[-1].wall_seconds)
    results.add(f"{base}/presentation/presentation", config["presentation"], units="s")
    store_sweep(results, f"{base}/presentation", sweep, n_test)
    results.set_attrs(f"{base}/presentation", tau=tau)
    reference = sweep[config["presentation"].index(config["reference_presentation"])]
    results.add(f"{base}/digits/spiking_predicted", reference.predictions, units="1",
                presentation=config["reference_presentation"], tau=tau)

    for presentation in progress(config["tau_presentation"], desc="synapses"):
        by_tau = [classify(model, data, presentation, t, config) for t in config["tau"]]
        where = f"{base}/synapse/{round(1e3 * presentation):d}ms"
        results.add(f"{where}/tau", config["tau"], units="s",
                    description="synapse time constant; 0: no synapse (raw spikes)")
        store_sweep(results, where, by_tau, n_test)
        results.set_attrs(where, presentation=presentation)
        log.info("presentation %g ms: accuracy %s for tau %s ms", 1e3 * presentation,
                 [round(e.accuracy, 4) for e in by_tau],
                 [1e3 * t for t in config["tau"]])

    converted_rate = classify(model, data, config["reference_presentation"], tau,
                              config, mode="rate")

    shown = example(model, data["X"][config["example_index"]], config)
    for label, (times, ids, n_neurons) in shown["spikes"].items():
        results.add_spikes(label, times, ids, n_neurons=n_neurons)
    digit = int(data["y"][config["example_index"]])
    read = max(1, round(config["readout"] * shown["t"].size))
    predicted = int(shown["spiking"][-read:].mean(axis=0).argmax())
    results.add(f"{base}/example/t", shown["t"], units="s")
    results.add(f"{base}/example/logits_spiking", shown["spiking"], units="1")
    results.add(f"{base}/example/logits_rate", shown["rate"], units="1",
                description="the converted network in rate mode")
    results.add(f"{base}/example/logits_ann", ann_logits[config["example_index"]],
                units="1", description="the trained soft-LIF network's output")
    results.set_attrs(f"{base}/example", index=config["example_index"], label=digit,
                      presentation=config["example_presentation"], tau=tau,
                      predicted_spiking=predicted,
                      readout=config["readout"])

    seeds = nef_rng.integers(0, 2 ** 31, size=config["nef_trials"])
    errors, traces = nef_errors(config, seeds, dt, channel_steps, integrator_steps)
    sizes = np.array(config["neurons"])
    for network in ("channel", "integrator"):
        results.add(f"{base}/{network}/n_neurons", sizes, units="1")
        results.add(f"{base}/{network}/seeds", seeds, units="1")
    units = {"rmse": "1", "value": "1", "error": "1", "drift": "1"}
    slopes = {}
    for (network, quantity, mode), values in errors.items():
        results.add(f"{base}/{network}/{quantity}_{mode}", values,
                    units=units[quantity], dims="n_neurons x trial")
        if quantity in ("rmse", "drift"):
            slope = fitted_slope(sizes, values.mean(axis=1))
            slopes[f"{network}_{quantity}_{mode}"] = slope
            results.set_attrs(f"{base}/{network}",
                              **{f"slope_{quantity}_{mode}": slope})
    results.set_attrs(f"{base}/channel", duration=config["channel_duration"],
                      taus=list(CHANNEL_TAUS))
    check = PULSE + HOLD_CHECK
    ideal = float(load_experiment("integrator").module.ideal(check, PULSE_HEIGHT, PULSE,
                                                             PROBE_TAU))
    results.set_attrs(f"{base}/integrator", duration=config["integrator_duration"],
                      check_time=check, ideal=ideal,
                      tau=INTEGRATOR_TAU, pulse=PULSE, pulse_height=PULSE_HEIGHT)
    for (network, mode), (t, x) in traces.items():
        results.add(f"{base}/{network}/trace/t", t, units="s")
        results.add(f"{base}/{network}/trace/{mode}", x, units="1")
        results.set_attrs(f"{base}/{network}/trace",
                          n_neurons=config["reference_neurons"], seed=int(seeds[0]))

    row = config["neurons"].index(config["reference_neurons"])
    summary = {
        "rate_accuracy": rate_accuracy,
        "converted_rate_accuracy": converted_rate.accuracy,
        "spiking_accuracy": reference.accuracy,
        "gap_points": 100 * (reference.accuracy - rate_accuracy),
        "spiking_wall_seconds": reference.wall_seconds,
        "wall_per_inference": reference.wall_seconds / n_test,
        "simulated_per_inference": reference.simulated_per_inference,
        "mean_rate": reference.mean_rate,
        "rate_network_mean_rate": hidden_rate(model, data["X"]),
        "spikes_per_inference": reference.spikes_per_inference,
        "synaptic_events_per_inference": reference.synaptic_events_per_inference,
    }
    for network, quantity in (("channel", "rmse"), ("integrator", "value"),
                              ("integrator", "drift")):
        for mode in ("spiking", "rate"):
            summary[f"{network}_{quantity}_{mode}"] = float(
                errors[(network, quantity, mode)][row].mean())
    context = {"reference_presentation": config["reference_presentation"],
               "presentation_tau": tau,
               "reference_neurons": config["reference_neurons"],
               "n_test": n_test, "integrator_check": check,
               "integrator_ideal": ideal,
               "nef_trials": config["nef_trials"], "dt": dt}
    results.set_attrs(base, **summary, **context)
    results.metrics.update(summary)
    results.metrics.update({f"slope_{key}": value for key, value in slopes.items()})
    table = summary_table({**summary, **context})
    log.info("summary (NEF values: mean over %d networks):\n%s", config["nef_trials"],
             table)
    print(table)
    return results


def _percent_axis(ax, rate, converted):
    """Rate-network reference lines and the ±1 point band on an accuracy axis (%)."""
    ax.axhspan(100 * rate - 1, 100 * rate + 1, color="0.9", zorder=0,
               label="rate accuracy ± 1 point")
    ax.axhline(100 * rate, color="k", lw=1,
               label=f"rate network (soft-LIF ANN): {100 * rate:.1f}%")
    ax.axhline(100 * converted, color="k", lw=1, ls="--",
               label=f"converted, rate mode (LIF): {100 * converted:.1f}%")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(True, which="both", alpha=0.3)


def plot_digits_accuracy(results, outdir):
    """Accuracy vs presentation time and vs synapse, energy and time per inference."""
    base = "comparison"
    attrs = results.attrs[base]
    n_test = attrs["n_test"]
    sweep = f"{base}/presentation"
    tau_ms = 1e3 * results.attrs[sweep]["tau"]
    ms = 1e3 * results[f"{sweep}/presentation"]
    fig, axes = figure(2, 2, width=5.6, height=4.2)
    ax = axes[0, 0]
    ax.semilogx(ms, 100 * results[f"{sweep}/accuracy"], "o-",
                label=f"spiking, tau = {tau_ms:g} ms")
    _percent_axis(ax, attrs["rate_accuracy"], attrs["converted_rate_accuracy"])
    ax.set_xlabel("presentation time per digit (ms)")
    ax.set_title(f"accuracy vs presentation time ({n_test} test digits)")
    ax.legend(fontsize="small", loc="lower right")

    ax = axes[0, 1]
    runs = results.children(f"{base}/synapse")
    taus = results[f"{base}/synapse/{runs[0]}/tau"]
    positions = np.arange(taus.size)
    for name in sorted(runs, key=lambda r: results.attrs[f"{base}/synapse/{r}"]
                       ["presentation"]):
        where = f"{base}/synapse/{name}"
        ax.plot(positions, 100 * results[f"{where}/accuracy"], "o-",
                label=f"spiking, {1e3 * results.attrs[where]['presentation']:g} ms "
                      "per digit")
    _percent_axis(ax, attrs["rate_accuracy"], attrs["converted_rate_accuracy"])
    ax.set_xticks(positions, ["none" if tau == 0 else f"{1e3 * tau:g}" for tau in taus])
    ax.set_xlabel("synapse time constant tau (ms)")
    ax.set_title("accuracy vs synapse (none: the spikes themselves)")
    ax.legend(fontsize="small", loc="lower left")

    plot_loglog({"hidden spikes": (ms, results[f"{sweep}/spikes_per_inference"]),
                 "synaptic events":
                     (ms, results[f"{sweep}/synaptic_events_per_inference"])},
                ax=axes[1, 0], xlabel="presentation time per digit (ms)",
                ylabel="per inference (one digit)",
                title=f"energy proxies (mean hidden rate {attrs['mean_rate']:.1f} Hz "
                      f"at {1e3 * attrs['reference_presentation']:g} ms)")
    plot_loglog({"simulated": (ms, 1e3 * results[f"{sweep}/simulated_per_inference"]),
                 "wall clock": (ms, 1e3 * results[f"{sweep}/wall_per_inference"])},
                ax=axes[1, 1], xlabel="presentation time per digit (ms)",
                ylabel="time per inference (ms)",
                title=f"cost: whole test set in {attrs['spiking_wall_seconds']:.2f} s "
                      f"at {1e3 * attrs['reference_presentation']:g} ms")
    fig.suptitle(f"digits, soft-LIF MLP run with spiking LIF neurons (rate accuracy "
                 f"{100 * attrs['rate_accuracy']:.1f}%, spiking "
                 f"{100 * attrs['spiking_accuracy']:.1f}% at "
                 f"{1e3 * attrs['reference_presentation']:g} ms)")
    return save_figure(fig, outdir / "digits_accuracy.png")


def plot_digits_example(results, outdir):
    """The example digit: hidden-layer raster and the logits settling over time."""
    base = "comparison/example"
    attrs = results.attrs[base]
    t = results[f"{base}/t"]
    trains = results.spikes["hidden0"]
    fig, (top, bottom) = figure(2, 1, width=8.0, height=3.6)
    active = np.unique(trains.ids).size
    plot_raster(trains.times, trains.ids, ax=top, n_neurons=trains.n_neurons,
                t_range=(0.0, t[-1]),
                title=f"hidden layer 0: {trains.times.size} spikes from {active} of "
                      f"{trains.n_neurons} neurons (test digit {attrs['index']}, a "
                      f"{attrs['label']})")
    spiking = results[f"{base}/logits_spiking"]
    rate = results[f"{base}/logits_rate"]
    labels = [f"{k}" for k in range(spiking.shape[1])]
    plot_traces(t, spiking, ax=bottom, labels=labels, ylabel="logit",
                title=f"output logits, spiking (solid) and rate mode (dashed); "
                      f"synapses tau = {1e3 * attrs['tau']:g} ms")
    colors = [line.get_color() for line in bottom.get_lines()]
    for k, color in enumerate(colors):
        bottom.plot(t, rate[:, k], color=color, ls="--", lw=1.2)
    bottom.lines[attrs["label"]].set_linewidth(2.5)
    bottom.legend(title="digit", fontsize="small", ncols=2, loc="center left",
                  bbox_to_anchor=(1.0, 0.5))
    bottom.set_xlim(0.0, t[-1])
    bottom.grid(True, alpha=0.3)
    return save_figure(fig, outdir / "digits_example.png")




def plot_nef(results, outdir):
    """Channel RMSE and integrator errors vs N, and traces at ``reference_neurons``."""
    base = "comparison"
    sizes = results[f"{base}/channel/n_neurons"]
    channel_attrs = results.attrs[f"{base}/channel"]
    int_attrs = results.attrs[f"{base}/integrator"]
    trials = results[f"{base}/channel/seeds"].size
    fig, axes = figure(2, 2, width=5.6, height=4.2)
    ax = axes[0, 0]
    curves, slopes = {}, {}
    for mode in ("spiking", "rate"):
        curves[mode] = (sizes, results[f"{base}/channel/rmse_{mode}"].mean(axis=1))
        slopes[mode] = channel_attrs[f"slope_rmse_{mode}"]
    plot_loglog(curves, ax=ax, xlabel="neurons per population N",
                ylabel="RMSE against the ideal", slopes=slopes,
                title=f"channel: RMSE vs N (mean of {trials} networks; dots: each)")
    for line, mode in zip(ax.get_lines(), ("spiking", "rate")):
        value = results[f"{base}/channel/rmse_{mode}"]
        ax.loglog(np.repeat(sizes, value.shape[1]), value.ravel(), ".",
                  color=line.get_color(), alpha=0.4)
    check = int_attrs["check_time"]
    curves, slopes = {}, {}
    for mode in ("spiking", "rate"):
        error = np.abs(results[f"{base}/integrator/error_{mode}"])
        curves[f"|error| at {check:g} s, {mode}"] = (sizes, error.mean(axis=1))
        label = f"drift after {check:g} s, {mode}"
        curves[label] = (sizes, results[f"{base}/integrator/drift_{mode}"].mean(axis=1))
        slopes[label] = int_attrs[f"slope_drift_{mode}"]
    ax = plot_loglog(curves, ax=axes[0, 1], xlabel="neurons per population N",
                     ylabel="absolute error", slopes=slopes,
                     title=f"integrator: error vs N (mean of {trials} networks)")
    for line, color, style in zip(ax.get_lines(), ("C0", "C0", "C1", "C1"),
                                  ("-", "--", "-", "--")):
        line.set_color(color)
        line.set_linestyle(style)
    ax.legend(fontsize="small")

    ax = axes[1, 0]
    where = f"{base}/channel/trace"
    t = results[f"{where}/t"]
    shown = t <= CHANNEL_SHOWN
    ideal = results[f"{where}/ideal"]
    errors = [results[f"{where}/{mode}"][shown] - ideal[shown]
              for mode in ("spiking", "rate")]
    plot_traces(t[shown], np.column_stack(errors),
                ax=ax, labels=["spiking", "rate"], ylabel="decoded - ideal",
                title=f"channel sin(2 pi t) -> A -> B, N = "
                      f"{results.attrs[where]['n_neurons']}: error over the first "
                      f"{CHANNEL_SHOWN:g} of {channel_attrs['duration']:g} s")
    ax.grid(True, alpha=0.3)

    ax = axes[1, 1]
    where = f"{base}/integrator/trace"
    plot_traces(results[f"{where}/t"],
                np.column_stack([results[f"{where}/{k}"]
                                 for k in ("spiking", "rate", "ideal")]),
                ax=ax, labels=["spiking", "rate", "ideal (continuous time)"],
                ylabel="decoded value",
                title=f"integrator, {1e3 * int_attrs['pulse']:g} ms pulse of "
                      f"{int_attrs['pulse_height']:g}, N = "
                      f"{results.attrs[where]['n_neurons']}")
    ax.lines[2].set_color("k")
    ax.lines[2].set_linestyle("--")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    fig.suptitle("NEF networks, spiking vs rate neurons (dt = "
                 f"{1e3 * results.attrs[base]['dt']:g} ms)")
    return save_figure(fig, outdir / "nef_errors.png")


def plot(results, outdir):
    """Draw the three figures from ``results`` alone; returns their paths."""
    return [plot_digits_accuracy(results, outdir), plot_digits_example(results, outdir),
            plot_nef(results, outdir)]
