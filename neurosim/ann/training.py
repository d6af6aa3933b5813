"""Mini-batch training (``fit``) and inference (``predict``) for any ``Layer`` model."""

from __future__ import annotations

import sys

import numpy as np
from tqdm.auto import tqdm

from ..validation import _show, as_array, as_int
from .checks import as_generator
from .layer import Layer
from .losses import Loss
from .optimizers import Optimizer


def _check_model(model):
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer (e.g. a Sequential), got {_show(model)} "
                        f"of type {type(model).__name__}")


def _as_inputs(name, X):
    arr = as_array(name, X)
    if arr.ndim < 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n_samples, ...) with at least one "
                         f"sample and one feature axis, got {arr.shape}")
    return arr


def predict(model, X, batch_size=None):
    """Outputs of ``model`` in evaluation mode (no dropout, running batch statistics).

    Parameters
    ----------
    model : Layer
    X : array_like, shape (n_samples, ...)
        Inputs, one sample per row.
    batch_size : int, optional
        Evaluate in chunks of this many samples (to bound memory); all at once if None.

    Returns
    -------
    ndarray, shape (n_samples, ...)
    """
    _check_model(model)
    X = _as_inputs("X", X)
    if batch_size is None:
        return model.forward(X, training=False)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    return np.concatenate([model.forward(X[i:i + batch_size], training=False)
                           for i in range(0, X.shape[0], batch_size)])


def _evaluate(model, loss, X, Y):
    outputs = model.forward(X, training=False)
    value = loss._value_and_gradient(outputs, Y)[0]
    correct = loss._fraction_correct(outputs, Y) if loss.classifies else None
    return value, correct


def _snapshot(model):
    """Copies of the model's parameters and buffers."""
    return ({name: arr.copy() for name, arr in model.parameters().items()},
            {name: arr.copy() for name, arr in model.buffers().items()})


def _restore(model, snapshot):
    """Copy a ``_snapshot`` back into the model's arrays, in place."""
    parameters, buffers = snapshot
    for name, arr in model.parameters().items():
        arr[...] = parameters[name]
    for name, arr in model.buffers().items():
        arr[...] = buffers[name]


def fit(model, X, Y, *, loss, optimizer, epochs, batch_size=32, rng, validation=None,
        early_stopping=None, progress=None):
    """Train ``model`` by mini-batch gradient descent.

    Each epoch visits the samples in a fresh random order drawn from ``rng``.

    Parameters
    ----------
    model : Layer
        Network, e.g. a ``Sequential``; trained in place.
    X : array_like, shape (n_samples, ...)
        Training inputs, one sample per row.
    Y : array_like, shape (n_samples, ...)
        Training targets in the form ``loss`` expects.
    loss : Loss
        Loss to minimise (its mean over each batch).
    optimizer : Optimizer
        Updates the parameters after each batch.
    epochs : int
        Maximum number of passes over the training set, >= 1.
    batch_size : int
        Samples per gradient step, >= 1 (the last batch of an epoch may be smaller).
    rng : numpy.random.Generator
        Source of the shuffling.
    validation : tuple (X_val, Y_val), optional
        Held-out set evaluated after each epoch.
    early_stopping : int, optional
        Patience: stop after this many epochs without a lower validation loss, and
        leave the model with the weights (and buffers) of its best epoch. Needs
        ``validation``.
    progress : bool, optional
        Show a tqdm progress bar over epochs. Default: only when stderr is a terminal.

    Returns
    -------
    dict
        Per-epoch lists ``"loss"`` (mean training loss over the epoch's batches) and,
        for classification losses, ``"accuracy"`` (over the epoch's batches, as
        trained); with ``validation`` also ``"val_loss"`` and ``"val_accuracy"``
        (after the epoch). With ``early_stopping``, ``"best_epoch"`` (0-based) is the
        epoch whose weights the model keeps.

    Raises
    ------
    FloatingPointError
        When the loss becomes non-finite (training diverged).
    """
    _check_model(model)
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a Loss (e.g. SoftmaxCrossEntropy()), got {_show(loss)}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer (e.g. Adam()), got "
                        f"{_show(optimizer)}")
    rng = as_generator("rng", rng)
    epochs = as_int("epochs", epochs, minimum=1)
    batch_size = as_int("batch_size", batch_size, minimum=1)
    X = _as_inputs("X", X)
    Y = _targets(model, loss, X, Y, "Y")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, Y_val) or None, got "
                            f"{_show(validation)}")
        X_val, Y_val = validation
        X_val = _as_inputs("validation X", X_val)
        Y_val = _targets(model, loss, X_val, Y_val, "validation Y")
    if early_stopping is not None:
        early_stopping = as_int("early_stopping", early_stopping, minimum=1)
        if validation is None:
            raise ValueError("early_stopping needs a validation set: pass "
                             "validation=(X_val, Y_val)")
    if progress is None:
        progress = sys.stderr.isatty()
    elif not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool or None, got {_show(progress)}")

    history = {"loss": []}
    if loss.classifies:
        history["accuracy"] = []
    if validation is not None:
        history["val_loss"] = []
        if loss.classifies:
            history["val_accuracy"] = []
    params, grads = model.parameters(), model.grads
    n = X.shape[0]
    best_loss, best_snapshot, waited = np.inf, None, 0
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress,
               file=sys.stderr)
    for epoch in bar:
        order = rng.permutation(n)
        total_loss = total_correct = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            outputs = model.forward(X[batch], training=True)
            value, gradient = loss._value_and_gradient(outputs, Y[batch])
            if not np.isfinite(value):
                bar.close()
                raise FloatingPointError(
                    f"training diverged: the loss became {value} in epoch {epoch}, batch "
                    f"starting at sample {start}; lower the learning rate "
                    f"(lr={optimizer.lr}) or clip the gradients (clip_norm=...)")
            model.backward(gradient)
            optimizer.step(params, grads)
            total_loss += value * batch.size
            if loss.classifies:
                total_correct += loss._fraction_correct(outputs, Y[batch]) * batch.size
        history["loss"].append(total_loss / n)
        if loss.classifies:
            history["accuracy"].append(total_correct / n)
        postfix = {"loss": f"{history['loss'][-1]:.4g}"}
        if validation is not None:
            val_loss, val_accuracy = _evaluate(model, loss, X_val, Y_val)
            history["val_loss"].append(val_loss)
            postfix["val_loss"] = f"{val_loss:.4g}"
            if loss.classifies:
                history["val_accuracy"].append(val_accuracy)
                postfix["val_acc"] = f"{val_accuracy:.4f}"
        bar.set_postfix(postfix, refresh=False)
        if early_stopping is not None:
            if history["val_loss"][-1] < best_loss:
                best_loss, waited = history["val_loss"][-1], 0
                best_snapshot = _snapshot(model)
                history["best_epoch"] = epoch
            else:
                waited += 1
                if waited >= early_stopping:
                    break
    bar.close()
    if best_snapshot is not None:
        _restore(model, best_snapshot)
    return history


def _targets(model, loss, X, Y, name):
    """Check ``Y`` against the shape of the model's outputs for ``X``."""
    probe = model.forward(X[:1], training=False)
    try:
        return loss.check_targets((X.shape[0],) + probe.shape[1:], Y)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None
