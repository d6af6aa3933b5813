"""An LSTM remembers a value across a long noisy delay; a plain tanh RNN does not.

The delay task (``neurosim.ann.delay_task``): a sequence of ``delay + 1`` steps shows
a value v ~ Uniform(-1, 1) at t = 0 (with a cue on a second channel) and fresh
Uniform(-1, 1) distractors on the same channel at every later step; the target, read
from the last hidden state through a Dense(``hidden``, 1) layer, is v. Predicting 0
scores a mean squared error of 1/3.

Both networks have ``hidden`` units (the LSTM's forget-gate bias starts at
``forget_bias``), train on the same ``n_train`` sequences with Adam (``lr``,
gradients clipped to global norm ``clip_norm``) for ``epochs`` epochs of
``batch_size``, are validated on ``n_validation`` sequences after every epoch and
tested on ``n_test`` fresh sequences at the end.

Randomness: the seed feeds a ``SeedSequence``; its children draw the data, the LSTM
(weights and batch order) and the RNN (weights and batch order).

Writes the trained models and their per-epoch histories at ``/analysis/ann/lstm``
and ``/analysis/ann/rnn`` (``neurosim.ann.save_model``),
``/analysis/sequence/test/{target, lstm, rnn}`` (test predictions),
``/analysis/sequence/example`` (one input sequence) and metrics ``lstm_test_loss``,
``rnn_test_loss``; figure ``lstm_sequence.png``.
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
import neurosim.ann as nn
from neurosim.plots import figure, save_figure

CONFIG = {
    "delay": 80,
    "hidden": 16,
    "forget_bias": 3.0,
    "n_train": 1024,
    "n_validation": 256,
    "n_test": 512,
    "epochs": 25,
    "batch_size": 32,
    "lr": 0.005,
    "clip_norm": 1.0,
}

CELLS = ("lstm", "rnn")
#: Mean squared error of always predicting 0 for v ~ Uniform(-1, 1).
BASELINE = 1.0 / 3.0

log = logging.getLogger("neurosim.experiments.lstm_sequence")


def network(cell, config, rng):
    """``cell`` ("lstm" or "rnn") followed by a linear read-out of the last state."""
    hidden = config["hidden"]
    layer = (nn.LSTM(2, hidden, rng=rng, forget_bias=config["forget_bias"])
             if cell == "lstm" else nn.RNN(2, hidden, rng=rng))
    return nn.Sequential([layer, nn.Dense(hidden, 1, rng=rng, init="xavier")])


def run(config, out):
    data_rng, *cell_rngs = (np.random.default_rng(s) for s in
                            np.random.SeedSequence(config["seed"]).spawn(1 + len(CELLS)))
    X, Y = nn.delay_task(config["n_train"], config["delay"], rng=data_rng)
    X_val, Y_val = nn.delay_task(config["n_validation"], config["delay"], rng=data_rng)
    X_test, Y_test = nn.delay_task(config["n_test"], config["delay"], rng=data_rng)
    results = ns.Results()
    results.add("sequence/example", X_test[0], units="1",
                description="input sequence (time, [value channel, cue channel])")
    results.add("sequence/test/target", Y_test[:, 0], units="1")
    loss = nn.MSE()
    for cell, rng in zip(CELLS, cell_rngs):
        model = network(cell, config, rng)
        history = nn.fit(model, X, Y, loss=loss,
                         optimizer=nn.Adam(config["lr"], clip_norm=config["clip_norm"]),
                         epochs=config["epochs"], batch_size=config["batch_size"],
                         rng=rng, validation=(X_val, Y_val))
        predicted = nn.predict(model, X_test)
        nn.save_model(results, cell, model, history)
        results.add(f"sequence/test/{cell}", predicted[:, 0], units="1")
        test_loss = loss.value(predicted, Y_test)
        results.metrics[f"{cell}_test_loss"] = test_loss
        results.metrics[f"{cell}_final_validation_loss"] = float(history["val_loss"][-1])
        log.info("%s: test MSE %.4g (predicting 0 scores %.4f)", cell, test_loss, BASELINE)
    results.metrics["rnn_over_lstm_test_loss"] = \
        results.metrics["rnn_test_loss"] / results.metrics["lstm_test_loss"]
    results.set_attrs("sequence", delay=config["delay"], hidden=config["hidden"],
                      forget_bias=config["forget_bias"], n_train=config["n_train"],
                      n_test=config["n_test"], epochs=config["epochs"], lr=config["lr"],
                      clip_norm=config["clip_norm"], baseline=BASELINE)
    return results


def plot(results, outdir):
    attrs = results.attrs["sequence"]
    fig, axes = figure(1, 3, width=4.6, height=4.0)
    example, losses, scatter = axes
    x = results["sequence/example"]
    steps = np.arange(x.shape[0])
    example.plot(steps, x[:, 0], lw=0.8, color="gray", label="value channel")
    example.plot(steps[0], x[0, 0], "o", color="tab:red", ms=7,
                 label=f"value to recall, v = {x[0, 0]:.2f}")
    example.step(steps, x[:, 1], where="post", color="tab:green", lw=1.0,
                 label="cue channel")
    example.set_xlabel("time step")
    example.set_ylabel("input")
    example.set_title(f"one test sequence: recall v after {attrs['delay']} "
                      "distractor steps", fontsize="medium")
    example.legend(fontsize="x-small", loc="lower right")
    for cell, colour in zip(CELLS, ("tab:blue", "tab:orange")):
        history = f"ann/{cell}/history"
        epochs = np.arange(1, results[f"{history}/loss"].size + 1)
        test_loss = results.metrics[f"{cell}_test_loss"]
        losses.semilogy(epochs, results[f"{history}/loss"], color=colour,
                        label=f"{cell.upper()} training")
        losses.semilogy(epochs, results[f"{history}/val_loss"], "--", color=colour,
                        label=f"{cell.upper()} validation")
        scatter.plot(results["sequence/test/target"], results[f"sequence/test/{cell}"],
                     ".", ms=3, color=colour, alpha=0.6,
                     label=f"{cell.upper()}: test MSE {test_loss:.2g}")
    losses.axhline(attrs["baseline"], color="k", ls=":", label="predict 0: MSE 1/3")
    losses.set_xlabel("epoch")
    losses.set_ylabel("mean squared error")
    losses.set_title(f"loss per epoch: {attrs['hidden']} units, Adam lr = "
                     f"{attrs['lr']:g}, {attrs['n_train']} sequences", fontsize="medium")
    losses.grid(True, which="both", alpha=0.3)
    losses.legend(fontsize="x-small")
    scatter.plot([-1, 1], [-1, 1], "k-", lw=0.8, label="perfect recall")
    scatter.set_xlabel("value shown at t = 0")
    scatter.set_ylabel(f"network output at t = {attrs['delay']}")
    scatter.set_title(f"test set ({attrs['n_test']} sequences)", fontsize="medium")
    scatter.set_aspect("equal")
    scatter.grid(True, alpha=0.3)
    scatter.legend(fontsize="x-small", loc="upper left")
    fig.suptitle(f"delay task, delay {attrs['delay']}: LSTM (forget bias "
                 f"{attrs['forget_bias']:g}) vs tanh RNN")
    return [save_figure(fig, outdir / "lstm_sequence.png")]
