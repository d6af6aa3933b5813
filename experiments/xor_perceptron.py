"""Perceptron learning solves AND, OR and NOT but not XOR; a 2-layer MLP solves XOR.

Rosenblatt's rule (``neurosim.ann.train_perceptron``: zero initial weights, samples
in truth-table order, learning rate ``lr``) runs on the truth tables of AND, OR, NOT
and XOR. On the three linearly separable gates it converges; on XOR the weights at
the start of an epoch repeat an earlier epoch's, so the rule cycles for ever and the
run is reported as not converged. A 2-``n_hidden``-1 tanh network trained by
backprop (``neurosim.ann.train_xor_mlp``, Adam, cross-entropy, ``mlp_epochs``
full-batch steps) separates XOR.

Every classifier is evaluated on a ``grid_points`` x ``grid_points`` grid over
[``grid_low``, ``grid_high``]^2 of the input plane (a line for NOT, which has one
input). Writes ``/analysis/logic/grid/{x1, x2}``,
``/analysis/logic/perceptron/<gate>/{X, y, predicted, weights, bias, errors,
grid_output}`` (attributes converged, epochs, message),
``/analysis/logic/mlp_xor/{predicted, grid_logit}``, the trained MLP at
``/analysis/ann/xor_mlp`` (``neurosim.ann.save_model``); figures
``decision_boundaries.png`` and ``perceptron_learning.png``.
"""

from __future__ import annotations

import logging

import numpy as np
from matplotlib.ticker import MaxNLocator

import neurosim as ns
import neurosim.ann as nn
from neurosim.plots import figure, save_figure

CONFIG = {
    "gates": ["and", "or", "not", "xor"],
    "lr": 1.0,
    "max_epochs": 100,
    "mlp_hidden": 4,
    "mlp_epochs": 500,
    "mlp_lr": 0.05,
    "grid_low": -0.5,
    "grid_high": 1.5,
    "grid_points": 201,
}

log = logging.getLogger("neurosim.experiments.xor_perceptron")


def perceptrons(config, grid, results):
    """Train one perceptron per gate; store it, its learning curve and its grid."""
    x1, x2 = grid
    plane = np.column_stack([a.ravel() for a in np.meshgrid(x1, x2)])
    for gate in config["gates"]:
        X, y = nn.logic_gate(gate)
        unit = nn.train_perceptron(X, y, lr=config["lr"], max_epochs=config["max_epochs"])
        points = x1[:, None] if X.shape[1] == 1 else plane
        shape = x1.shape if X.shape[1] == 1 else (x2.size, x1.size)
        predicted = unit.predict(X)
        base = f"logic/perceptron/{gate}"
        results.add(f"{base}/X", X, units="1")
        results.add(f"{base}/y", y, units="1")
        results.add(f"{base}/predicted", predicted, units="1")
        results.add(f"{base}/weights", unit.weights, units="1")
        results.add(f"{base}/bias", np.array([unit.bias]), units="1")
        results.add(f"{base}/errors", np.array(unit.errors), units="1",
                    description="misclassified truth-table rows in each epoch")
        results.add(f"{base}/grid_output", unit.predict(points).reshape(shape),
                    units="1", description="unit output (0/1) at grid point "
                                           "[x2 index, x1 index] (NOT: [x1 index])")
        results.set_attrs(base, converged=unit.converged, epochs=unit.epochs,
                          message=unit.message)
        accuracy = float(np.mean(predicted == y))
        results.metrics[f"perceptron_{gate}_converged"] = int(unit.converged)
        results.metrics[f"perceptron_{gate}_accuracy"] = accuracy
        log.info("perceptron %s: %s; %d/%d truth-table rows right", gate, unit.message,
                 int(np.sum(predicted == y)), y.size)
    return plane


def mlp(config, grid, plane, results):
    """Train the 2-layer MLP on XOR; store its outputs on the truth table and grid."""
    rng = np.random.default_rng(config["seed"])
    model, history = nn.train_xor_mlp(rng=rng, n_hidden=config["mlp_hidden"],
                                      epochs=config["mlp_epochs"], lr=config["mlp_lr"])
    X, y = nn.logic_gate("xor")
    predicted = (nn.predict(model, X)[:, 0] > 0).astype(int)
    x1, x2 = grid
    results.add("logic/mlp_xor/predicted", predicted, units="1")
    results.add("logic/mlp_xor/grid_logit",
                nn.predict(model, plane)[:, 0].reshape(x2.size, x1.size), units="1",
                description="output logit at grid point [x2 index, x1 index]; "
                            "XOR predicted true where > 0")
    results.set_attrs("logic/mlp_xor", n_hidden=config["mlp_hidden"],
                      epochs=config["mlp_epochs"], lr=config["mlp_lr"])
    nn.save_model(results, "xor_mlp", model, history)
    accuracy = float(np.mean(predicted == y))
    results.metrics["mlp_xor_accuracy"] = accuracy
    results.metrics["mlp_xor_final_loss"] = float(history["loss"][-1])
    log.info("MLP on XOR: %d/4 right, final loss %.3g", int(np.sum(predicted == y)),
             history["loss"][-1])


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    for gate in config["gates"]:
        if gate not in nn.classic.GATES:
            raise ValueError(f"gates must name gates among {sorted(nn.classic.GATES)}, "
                             f"got {gate!r}")
    if not config["grid_low"] < config["grid_high"] or config["grid_points"] < 2:
        raise ValueError(f"the grid needs grid_low < grid_high and grid_points >= 2, "
                         f"got {config['grid_low']}, {config['grid_high']}, "
                         f"{config['grid_points']}")


def run(config, out):
    results = ns.Results()
    axis = np.linspace(config["grid_low"], config["grid_high"], config["grid_points"])
    grid = (axis, axis.copy())
    results.add("logic/grid/x1", grid[0], units="1")
    results.add("logic/grid/x2", grid[1], units="1")
    results.set_attrs("logic/perceptron", lr=config["lr"], max_epochs=config["max_epochs"],
                      gates=",".join(config["gates"]))
    plane = perceptrons(config, grid, results)
    mlp(config, grid, plane, results)
    return results


def _truth_table(ax, X, y):
    for label, marker, colour in ((0, "o", "tab:blue"), (1, "s", "tab:red")):
        rows = X[y == label]
        ax.scatter(rows[:, 0], rows[:, 1], marker=marker, s=70, color=colour,
                   edgecolor="k", zorder=3, label=f"target {label}")


def _region(ax, x1, x2, output, level):
    ax.contourf(x1, x2, output, levels=[-np.inf, level, np.inf],
                colors=["#c6dbef", "#fcbba1"])
    ax.contour(x1, x2, output, levels=[level], colors="k", linewidths=1.2)
    ax.set_xlabel("input x1")
    ax.set_ylabel("input x2")
    ax.set_aspect("equal")


def _gates(results):
    """The gates in the order of the configuration."""
    return results.attrs["logic/perceptron"]["gates"].split(",")


def _verdict(results, gate):
    attrs = results.attrs[f"logic/perceptron/{gate}"]
    right = int(np.sum(results[f"logic/perceptron/{gate}/predicted"]
                       == results[f"logic/perceptron/{gate}/y"]))
    total = results[f"logic/perceptron/{gate}/y"].size
    state = (f"converged in {attrs['epochs']} epochs" if attrs["converged"]
             else f"FAILS: weights cycle after {attrs['epochs']} epochs")
    return f"{state}, {right}/{total} right"


def plot_boundaries(results, outdir):
    x1, x2 = results["logic/grid/x1"], results["logic/grid/x2"]
    gates = _gates(results)
    fig, axes = figure(1, len(gates) + 1, width=3.6, height=3.9)
    axes = np.atleast_1d(axes)
    for ax, gate in zip(axes, gates):
        base = f"logic/perceptron/{gate}"
        X, y = results[f"{base}/X"], results[f"{base}/y"]
        w, b = results[f"{base}/weights"], results[f"{base}/bias"][0]
        output = results[f"{base}/grid_output"]
        if X.shape[1] == 1:
            ax.plot(x1, output, color="k", lw=1.5, label="unit output")
            ax.scatter(X[:, 0], y, c=["tab:red" if t else "tab:blue" for t in y],
                       s=70, edgecolor="k", zorder=3, label="truth table")
            ax.set_xlabel("input x1")
            ax.set_ylabel("output")
            ax.set_ylim(-0.2, 1.2)
            ax.legend(fontsize="x-small", loc="center right")
            weights = f"w = {w[0]:g}, b = {b:g}"
        else:
            _region(ax, x1, x2, output, 0.5)
            _truth_table(ax, X, y)
            ax.legend(fontsize="x-small", loc="upper right", framealpha=0.9)
            weights = f"w = ({w[0]:g}, {w[1]:g}), b = {b:g}"
        ax.set_title(f"perceptron, {gate.upper()}: {_verdict(results, gate)}\n{weights}",
                     fontsize="small")
    ax = axes[-1]
    X, y = results["logic/perceptron/xor/X"], results["logic/perceptron/xor/y"]
    _region(ax, x1, x2, results["logic/mlp_xor/grid_logit"], 0.0)
    _truth_table(ax, X, y)
    ax.legend(fontsize="x-small", loc="upper right", framealpha=0.9)
    attrs = results.attrs["logic/mlp_xor"]
    right = int(np.sum(results["logic/mlp_xor/predicted"] == y))
    ax.set_title(f"MLP 2-{attrs['n_hidden']}-1 (tanh), XOR: {right}/4 right\n"
                 f"Adam lr = {attrs['lr']:g}, {attrs['epochs']} epochs", fontsize="small")
    fig.suptitle("decision regions (blue: output 0, red: output 1; black line: boundary)")
    return save_figure(fig, outdir / "decision_boundaries.png")


def plot_learning(results, outdir):
    fig, (left, right) = figure(1, 2, width=5.2, height=3.8)
    most = 0
    for gate in _gates(results):
        errors = results[f"logic/perceptron/{gate}/errors"]
        most = max(most, int(errors.max()))
        left.plot(np.arange(1, errors.size + 1), errors, "o-", ms=4,
                  label=f"{gate.upper()}: {_verdict(results, gate)}")
    left.set_ylim(-0.3, 1.7 * most + 0.5)  # room for the legend above the curves
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlabel("epoch")
    left.set_ylabel("misclassified truth-table rows")
    rule = results.attrs["logic/perceptron"]
    left.set_title(f"perceptron rule: zero start, lr = {rule['lr']:g}, "
                   f"at most {rule['max_epochs']} epochs")
    left.legend(fontsize="x-small")
    left.grid(True, alpha=0.3)
    loss = results["ann/xor_mlp/history/loss"]
    accuracy = results["ann/xor_mlp/history/accuracy"]
    right.semilogy(np.arange(1, loss.size + 1), loss, label="cross-entropy loss")
    right.set_xlabel("epoch (one full-batch Adam step)")
    right.set_ylabel("loss")
    solved = np.flatnonzero(accuracy == 1.0)
    if solved.size:
        right.axvline(solved[0] + 1, color="gray", ls="--",
                      label=f"first epoch with all 4 right: {solved[0] + 1}")
    attrs = results.attrs["logic/mlp_xor"]
    right.set_title(f"MLP 2-{attrs['n_hidden']}-1 on XOR, Adam lr = {attrs['lr']:g}")
    right.legend(fontsize="small")
    right.grid(True, which="both", alpha=0.3)
    return save_figure(fig, outdir / "perceptron_learning.png")


def plot(results, outdir):
    return [plot_boundaries(results, outdir), plot_learning(results, outdir)]
