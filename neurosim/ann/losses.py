"""Losses: ``MSE``, ``MAE``, ``BinaryCrossEntropy``, ``SoftmaxCrossEntropy``.

Every loss is a mean (over the samples, and for the elementwise losses over all
elements), so its gradient carries the 1 / size factor and learning rates do not
depend on the batch size.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..validation import _show, as_array, as_int
from .checks import as_fraction


def one_hot(labels, n_classes):
    """Encode integer class labels as rows of a one-hot matrix.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class indices in [0, n_classes).
    n_classes : int
        Number of classes, >= 1.

    Returns
    -------
    ndarray, shape (n, n_classes)
        1.0 at ``[i, labels[i]]``, 0.0 elsewhere.
    """
    n_classes = as_int("n_classes", n_classes, minimum=1)
    labels = _as_labels("labels", labels, n_classes)
    encoded = np.zeros((labels.size, n_classes))
    encoded[np.arange(labels.size), labels] = 1.0
    return encoded


def _as_labels(name, labels, n_classes):
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer class labels, got dtype {arr.dtype} in "
                        f"{_show(labels)}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= n_classes)][0]
        raise ValueError(f"{name} must lie in [0, {n_classes}), got {bad}")
    return arr.astype(np.intp, copy=False)


class Loss:
    """Base class: scalar ``value``, ``gradient`` with respect to the outputs.

    Attributes
    ----------
    classifies : bool
        True for classification losses, which also offer ``accuracy(outputs, targets)``.
    """

    classifies = False

    def check_targets(self, outputs_shape, targets):
        """Validate targets against the shape of the outputs; return them canonical.

        Parameters
        ----------
        outputs_shape : tuple of int
            Shape of the network outputs, (batch, ...).
        targets : array_like
            Targets for those outputs.

        Returns
        -------
        ndarray
        """
        arr = as_array("targets", targets)
        if arr.shape != tuple(outputs_shape):
            raise ValueError(f"targets must have the shape of the outputs, "
                             f"{tuple(outputs_shape)}, got {arr.shape}")
        return arr

    def _checked(self, outputs, targets):
        outputs = as_array("outputs", outputs)
        if outputs.ndim == 0:
            raise ValueError("outputs must have a batch axis, got a scalar")
        return outputs, self.check_targets(outputs.shape, targets)

    def value(self, outputs, targets):
        """Mean loss.

        Parameters
        ----------
        outputs : ndarray, shape (batch, ...)
            Network outputs.
        targets : array_like
            Targets (shape as ``check_targets`` describes).

        Returns
        -------
        float
        """
        return self._value_and_gradient(*self._checked(outputs, targets))[0]

    def gradient(self, outputs, targets):
        """Gradient of the mean loss with respect to ``outputs``.

        Returns
        -------
        ndarray, same shape as outputs
        """
        return self._value_and_gradient(*self._checked(outputs, targets))[1]

    def value_and_gradient(self, outputs, targets):
        """Both at once (cheaper than two calls).

        Returns
        -------
        value : float
        gradient : ndarray, same shape as outputs
        """
        return self._value_and_gradient(*self._checked(outputs, targets))

    def _value_and_gradient(self, outputs, targets):
        raise NotImplementedError

    def get_config(self):
        """Plain JSON-able description: ``{"class": name, **constructor arguments}``."""
        return {"class": type(self).__name__}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "class")
        return f"{type(self).__name__}({args})"


class MSE(Loss):
    """Mean squared error ``mean((outputs - targets)**2)`` over all elements."""

    def _value_and_gradient(self, outputs, targets):
        error = outputs - targets
        return float(np.mean(error * error)), error * (2.0 / error.size)


class MAE(Loss):
    """Mean absolute error ``mean(|outputs - targets|)`` over all elements (gradient
    taken as 0 where they are equal)."""

    def _value_and_gradient(self, outputs, targets):
        error = outputs - targets
        return float(np.mean(np.abs(error))), np.sign(error) / error.size


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy ``-mean(t log p + (1 - t) log(1 - p))`` over all elements.

    Parameters
    ----------
    from_logits : bool
        True (default): outputs are logits z and p = logistic(z); the loss is computed
        as ``max(z, 0) - t z + log(1 + exp(-|z|))``, exact and overflow-free for any z,
        with gradient ``(p - t) / size``. False: outputs are probabilities in [0, 1],
        clipped to [eps, 1 - eps] before the logarithms.
    eps : float
        Clipping margin for probability outputs, 0 < eps < 0.5.
    """

    classifies = True

    def __init__(self, from_logits=True, eps=1e-12):
        if not isinstance(from_logits, bool):
            raise TypeError(f"from_logits must be a bool, got {_show(from_logits)}")
        self.from_logits = from_logits
        self.eps = as_fraction("eps", eps, allow_zero=False)
        if self.eps >= 0.5:
            raise ValueError(f"eps must be < 0.5, got {self.eps!r}")

    def check_targets(self, outputs_shape, targets):
        arr = super().check_targets(outputs_shape, targets)
        if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
            raise ValueError(f"targets must lie in [0, 1] for binary cross-entropy, got "
                             f"values in [{arr.min()}, {arr.max()}]")
        return arr

    def _checked(self, outputs, targets):
        outputs, targets = super()._checked(outputs, targets)
        if not self.from_logits and (outputs.min() < 0.0 or outputs.max() > 1.0):
            raise ValueError(f"outputs must be probabilities in [0, 1] when "
                             f"from_logits=False, got values in [{outputs.min()}, "
                             f"{outputs.max()}]")
        return outputs, targets

    def _value_and_gradient(self, outputs, targets):
        n = outputs.size
        if self.from_logits:
            z = outputs
            losses = np.maximum(z, 0.0) - z * targets + np.log1p(np.exp(-np.abs(z)))
            return float(losses.mean()), (expit(z) - targets) / n
        p = np.clip(outputs, self.eps, 1.0 - self.eps)
        losses = -(targets * np.log(p) + (1.0 - targets) * np.log1p(-p))
        return float(losses.mean()), (p - targets) / (p * (1.0 - p)) / n

    def accuracy(self, outputs, targets):
        """Fraction of elements on the right side of p = 0.5 (targets >= 0.5 count as 1).

        Returns
        -------
        float
        """
        return self._fraction_correct(*self._checked(outputs, targets))

    def _fraction_correct(self, outputs, targets):
        threshold = 0.0 if self.from_logits else 0.5
        return np.count_nonzero((outputs > threshold) == (targets >= 0.5)) / outputs.size

    def get_config(self):
        return {"class": "BinaryCrossEntropy", "from_logits": self.from_logits,
                "eps": self.eps}


class SoftmaxCrossEntropy(Loss):
    """Categorical cross-entropy of softmax(outputs), fused through log-sum-exp.

    ``loss = mean_i(logsumexp(z_i) - sum_k t_ik z_ik)`` with gradient
    ``(softmax(z) - t) / batch``. Outputs are raw scores (logits), shape
    (batch, n_classes); targets are integer labels, shape (batch,), or rows of class
    probabilities (e.g. one-hot), shape (batch, n_classes).
    """

    classifies = True

    def check_targets(self, outputs_shape, targets):
        if len(outputs_shape) != 2:
            raise ValueError(f"outputs must have shape (batch, n_classes) for softmax "
                             f"cross-entropy, got {tuple(outputs_shape)}")
        arr = np.asarray(targets)
        if arr.ndim == 1:
            labels = _as_labels("targets", arr, outputs_shape[1])
            if labels.shape[0] != outputs_shape[0]:
                raise ValueError(f"targets must hold one label per output row "
                                 f"({outputs_shape[0]}), got {labels.shape[0]}")
            return labels
        arr = super().check_targets(outputs_shape, arr)
        if arr.size and arr.min() < 0.0:
            raise ValueError(f"target rows must be class probabilities (>= 0), got "
                             f"{arr.min()}")
        return arr

    def _value_and_gradient(self, outputs, targets):
        n = outputs.shape[0]
        shift = outputs.max(axis=1, keepdims=True)
        probabilities = np.exp(outputs - shift)
        total = probabilities.sum(axis=1, keepdims=True)
        probabilities /= total
        log_norm = (shift + np.log(total))[:, 0]
        if targets.ndim == 1:
            rows = np.arange(n)
            value = np.sum(log_norm - outputs[rows, targets]) / n
            probabilities[rows, targets] -= 1.0
            gradient = probabilities
        else:
            value = np.mean(log_norm * targets.sum(axis=1) - np.sum(targets * outputs, axis=1))
            gradient = probabilities * targets.sum(axis=1, keepdims=True) - targets
        gradient /= n
        return float(value), gradient

    def accuracy(self, outputs, targets):
        """Fraction of rows whose largest output is the target class.

        Returns
        -------
        float
        """
        return self._fraction_correct(*self._checked(outputs, targets))

    def _fraction_correct(self, outputs, targets):
        labels = targets if targets.ndim == 1 else targets.argmax(axis=1)
        return np.count_nonzero(outputs.argmax(axis=1) == labels) / outputs.shape[0]
