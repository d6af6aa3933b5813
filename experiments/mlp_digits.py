"""A 64-128-10 MLP learns the 8x8 handwritten digits: learning curves, confusion matrix.

The 1797 digits (``neurosim.digits``) are split at random, stratified by class, into
a test set (``test_fraction``, held out until the end), a validation set
(``validation_fraction``, evaluated after every epoch for the learning curves) and the
training set. Pixels are scaled to [0, 1], then standardised with the training set's
per-pixel mean and standard deviation (floored at ``min_pixel_std`` so blank corner
pixels are not blown up). The network is Dense(64, ``hidden``) - activation -
Dense(``hidden``, 10), trained on softmax cross-entropy with ``optimizer`` (``adam``,
``momentum`` or ``sgd``) at learning rate ``lr`` and an L2 weight penalty ``l2`` (0
for none) for ``epochs`` epochs of mini-batches of ``batch_size``. ``activation`` is
``relu``, ``tanh``, ``logistic`` or ``softlif`` (the smoothed LIF rate with
``softlif_sigma`` and ``softlif_amplitude``, tau_rc = 20 ms, tau_ref = 2 ms).

Randomness: the seed feeds a ``SeedSequence`` whose three children draw the split,
the initial weights and the batch order.

Writes the trained model and its per-epoch history at ``/analysis/ann/mlp``
(``neurosim.ann.save_model``), ``/analysis/digits/{input_mean, input_scale}`` (the
standardisation, needed to feed the saved model), ``/analysis/digits/test/{index,
labels, predicted, confusion}`` (index: the test rows of ``neurosim.digits()``) and
metric ``test_accuracy``; figures ``learning_curves.png`` and ``confusion.png``.
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
import neurosim.ann as nn
from neurosim.plots import figure, save_figure

CONFIG = {
    "hidden": 128,
    "activation": "relu",
    "softlif_sigma": 0.1,
    "softlif_amplitude": 0.05,
    "optimizer": "adam",
    "lr": 0.001,
    "l2": 0.001,
    "epochs": 40,
    "batch_size": 32,
    "test_fraction": 0.2,
    "validation_fraction": 0.1,
    "min_pixel_std": 0.1,
}

N_CLASSES = 10
OPTIMIZERS = {"adam": nn.Adam, "momentum": nn.Momentum, "sgd": nn.SGD}

log = logging.getLogger("neurosim.experiments.mlp_digits")


def activation(config):
    """The hidden layer's activation named by ``config["activation"]``."""
    name = config["activation"]
    if name == "softlif":
        return nn.SoftLIFRate(sigma=config["softlif_sigma"],
                              amplitude=config["softlif_amplitude"])
    layers = {"relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Logistic}
    if name not in layers:
        raise ValueError(f"activation must be one of {sorted([*layers, 'softlif'])}, "
                         f"got {name!r}")
    return layers[name]()


def optimizer(config):
    """The optimizer named by ``config["optimizer"]`` with ``lr`` and ``l2``."""
    name = config["optimizer"]
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    penalty = nn.L2(config["l2"]) if config["l2"] > 0 else None
    return OPTIMIZERS[name](config["lr"], penalty=penalty)


def confusion_matrix(labels, predicted, n_classes):
    """Counts (n_classes, n_classes): row = true class, column = predicted class."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    activation(config)
    optimizer(config)


def run(config, out):
    hidden_activation, trainer = activation(config), optimizer(config)
    split_rng, init_rng, order_rng = (np.random.default_rng(s) for s in
                                      np.random.SeedSequence(config["seed"]).spawn(3))
    X, y = ns.digits()
    X = X / 16.0
    i_train, i_val, i_test, y_train, y_val, y_test = nn.train_validation_test_split(
        np.arange(y.size), y, config["validation_fraction"], config["test_fraction"],
        split_rng, stratify=True)
    X_train, X_val, X_test = X[i_train], X[i_val], X[i_test]
    mean = X_train.mean(axis=0)
    scale = np.maximum(X_train.std(axis=0), config["min_pixel_std"])
    X_train, X_val, X_test = ((part - mean) / scale for part in (X_train, X_val, X_test))
    model = nn.Sequential([nn.Dense(X.shape[1], config["hidden"], rng=init_rng),
                           hidden_activation,
                           nn.Dense(config["hidden"], N_CLASSES, rng=init_rng)])
    loss = nn.SoftmaxCrossEntropy()
    history = nn.fit(model, X_train, y_train, loss=loss, optimizer=trainer,
                     epochs=config["epochs"], batch_size=config["batch_size"],
                     rng=order_rng, validation=(X_val, y_val))
    outputs = nn.predict(model, X_test)
    predicted = outputs.argmax(axis=1)
    test_accuracy = nn.accuracy(outputs, y_test)

    results = ns.Results()
    nn.save_model(results, "mlp", model, history)
    results.add("digits/input_mean", mean, units="1",
                description="subtract from pixels / 16, then divide by input_scale")
    results.add("digits/input_scale", scale, units="1")
    results.add("digits/test/index", i_test, units="1",
                description="rows of neurosim.digits() in the test set")
    results.add("digits/test/labels", y_test, units="1")
    results.add("digits/test/predicted", predicted, units="1")
    results.add("digits/test/confusion", confusion_matrix(y_test, predicted, N_CLASSES),
                units="1", description="test-set counts, row = true digit, "
                                       "column = predicted digit")
    results.set_attrs("digits", activation=config["activation"],
                      hidden=config["hidden"], optimizer=config["optimizer"],
                      lr=config["lr"], l2=config["l2"], epochs=config["epochs"],
                      batch_size=config["batch_size"], n_train=y_train.size,
                      n_validation=y_val.size, n_test=y_test.size)
    results.metrics["test_accuracy"] = float(test_accuracy)
    results.metrics["test_loss"] = loss.value(outputs, y_test)
    results.metrics["final_train_accuracy"] = float(history["accuracy"][-1])
    results.metrics["final_validation_accuracy"] = float(history["val_accuracy"][-1])
    log.info("test accuracy %.4f (%d of %d), validation %.4f", test_accuracy,
             int(np.sum(predicted == y_test)), y_test.size, history["val_accuracy"][-1])
    return results


def _describe(attrs):
    return (f"MLP 64-{attrs['hidden']}-10, {attrs['activation']}, {attrs['optimizer']} "
            f"lr = {attrs['lr']:g}, L2 = {attrs['l2']:g}, batch {attrs['batch_size']}")


def plot_learning_curves(results, outdir):
    attrs = results.attrs["digits"]
    history = {key: results[f"ann/mlp/history/{key}"]
               for key in ("loss", "val_loss", "accuracy", "val_accuracy")}
    epochs = np.arange(1, history["loss"].size + 1)
    test_accuracy = results.metrics["test_accuracy"]
    fig, (left, right) = figure(1, 2, width=5.2, height=4.0)
    left.semilogy(epochs, history["loss"], label=f"training ({attrs['n_train']} digits, "
                                                 "mean over the epoch)")
    left.semilogy(epochs, history["val_loss"],
                  label=f"validation ({attrs['n_validation']} digits, after the epoch)")
    left.set_ylabel("softmax cross-entropy")
    right.plot(epochs, 100 * history["accuracy"], label="training")
    right.plot(epochs, 100 * history["val_accuracy"], label="validation")
    right.plot(epochs[-1], 100 * test_accuracy, "k*", ms=10,
               label=f"test, after training: {100 * test_accuracy:.1f}% "
                     f"({attrs['n_test']} digits)")
    right.set_ylabel("accuracy (%)")
    right.set_ylim(max(0.0, 100 * min(history["val_accuracy"].min(),
                                      history["accuracy"].min()) - 2), 100.5)
    for ax, what in ((left, "loss"), (right, "accuracy")):
        ax.set_xlabel("epoch")
        ax.set_title(f"{what} per epoch")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(f"8x8 digits: {_describe(attrs)}")
    return save_figure(fig, outdir / "learning_curves.png")


def plot_confusion(results, outdir):
    attrs = results.attrs["digits"]
    counts = results["digits/test/confusion"]
    fig, ax = figure(1, 1, width=6.0, height=5.4)
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax, label="test digits")
    for (true, guess), count in np.ndenumerate(counts):
        if count:
            ax.text(guess, true, str(count), ha="center", va="center", fontsize="small",
                    color="white" if count > counts.max() / 2 else "black")
    ticks = np.arange(counts.shape[0])
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    correct = int(np.trace(counts))
    ax.set_title(f"test-set confusion matrix: {correct}/{counts.sum()} right "
                 f"({100 * results.metrics['test_accuracy']:.1f}%)\n{_describe(attrs)}, "
                 f"{attrs['epochs']} epochs", fontsize="small")
    return save_figure(fig, outdir / "confusion.png")


def plot(results, outdir):
    return [plot_learning_curves(results, outdir), plot_confusion(results, outdir)]
