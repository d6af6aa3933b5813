"""Classic single units: the McCulloch–Pitts neuron, Rosenblatt's perceptron learning
rule (with non-convergence detection), the logic-gate truth tables, and a small MLP
that learns XOR, which no single threshold unit can.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import _show, as_array, as_choice, as_float, as_int
from .activations import Tanh
from .checks import as_generator
from .layers import Dense
from .losses import BinaryCrossEntropy
from .optimizers import Adam
from .sequential import Sequential
from .training import fit

_TWO_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {
    "and": (_TWO_INPUTS, np.array([0, 0, 0, 1])),
    "or": (_TWO_INPUTS, np.array([0, 1, 1, 1])),
    "nand": (_TWO_INPUTS, np.array([1, 1, 1, 0])),
    "nor": (_TWO_INPUTS, np.array([1, 0, 0, 0])),
    "xor": (_TWO_INPUTS, np.array([0, 1, 1, 0])),
    "not": (np.array([[0.0], [1.0]]), np.array([1, 0])),
}


def logic_gate(name):
    """Truth table of a logic gate.

    Parameters
    ----------
    name : {"and", "or", "nand", "nor", "xor", "not"}

    Returns
    -------
    X : ndarray of float, shape (4, 2) (or (2, 1) for "not")
        Binary inputs, one row per case.
    y : ndarray of int, shape (4,) (or (2,))
        Gate output, 0 or 1.
    """
    X, y = GATES[as_choice("name", name, GATES)]
    return X.copy(), y.copy()


def _binary_inputs(name, X, n_in):
    X = as_array(name, X)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"{name} must have shape (n_in,) or (batch, n_in) with n_in = "
                         f"{n_in}, got {X.shape}")
    return X


class McCullochPitts:
    """Threshold unit: output 1 when ``weights @ x >= threshold``, else 0.

    Parameters
    ----------
    weights : array_like, shape (n_in,)
        Input weights (+1 excitatory, -1 inhibitory in the original formulation).
    threshold : float
        Firing threshold.
    """

    def __init__(self, weights, threshold):
        self.weights = as_array("weights", weights, ndim=1)
        if self.weights.size == 0:
            raise ValueError("weights must hold at least one input weight, got none")
        self.threshold = as_float("threshold", threshold)

    def __call__(self, X):
        """Outputs for binary inputs.

        Parameters
        ----------
        X : array_like, shape (n_in,) or (batch, n_in)

        Returns
        -------
        ndarray of int, shape (batch,)
        """
        X = _binary_inputs("X", X, self.weights.size)
        return (X @ self.weights >= self.threshold).astype(int)

    def get_config(self):
        """Plain JSON-able description."""
        return {"class": "McCullochPitts", "weights": self.weights.tolist(),
                "threshold": self.threshold}


@dataclass(frozen=True)
class PerceptronResult:
    """Outcome of ``train_perceptron``.

    Attributes
    ----------
    weights : ndarray, shape (n_in,)
    bias : float
    converged : bool
        True when an epoch passed with no error.
    epochs : int
        Epochs run.
    errors : list of int
        Misclassified samples in each epoch.
    message : str
        Why training stopped.
    """

    weights: np.ndarray
    bias: float
    converged: bool
    epochs: int
    errors: list
    message: str

    def predict(self, X):
        """Unit outputs, 1 where ``X @ weights + bias >= 0`` else 0.

        Parameters
        ----------
        X : array_like, shape (batch, n_in)

        Returns
        -------
        ndarray of int, shape (batch,)
        """
        X = _binary_inputs("X", X, self.weights.size)
        return (X @ self.weights + self.bias >= 0).astype(int)


def train_perceptron(X, y, *, lr=1.0, max_epochs=100):
    """Rosenblatt's rule: after each sample, ``w += lr (t - o) x`` and
    ``b += lr (t - o)``, starting from zero weights and visiting samples in order.

    Stops when an epoch has no error (converged), when the weights at the start of an
    epoch repeat an earlier epoch's (the rule then cycles for ever: the classes are
    not linearly separable), or after ``max_epochs``. It never loops without end.

    Parameters
    ----------
    X : array_like, shape (n, n_in)
        Inputs.
    y : array_like of int, shape (n,)
        Targets, 0 or 1.
    lr : float
        Learning rate, > 0.
    max_epochs : int
        Most passes over the data, >= 1.

    Returns
    -------
    PerceptronResult
    """
    X = as_array("X", X, ndim=2)
    y = as_array("y", y, ndim=1)
    if X.shape[0] == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y must hold the same number (>= 1) of samples, got "
                         f"shapes {X.shape} and {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must hold 0/1 targets, got {_show(y.tolist())}")
    lr = as_float("lr", lr, positive=True)
    max_epochs = as_int("max_epochs", max_epochs, minimum=1)
    weights, bias = np.zeros(X.shape[1]), 0.0
    seen = {}
    errors = []
    for epoch in range(max_epochs):
        state = (weights.tobytes(), bias)
        if state in seen:
            return PerceptronResult(
                weights, bias, False, epoch, errors,
                f"did not converge: the weights at the start of epoch {epoch} repeat "
                f"those of epoch {seen[state]}, so the rule cycles for ever; the classes "
                f"are not linearly separable")
        seen[state] = epoch
        mistakes = 0
        for x, target in zip(X, y, strict=True):
            error = target - float(x @ weights + bias >= 0)
            if error:
                mistakes += 1
                weights = weights + lr * error * x
                bias += lr * error
        errors.append(mistakes)
        if mistakes == 0:
            return PerceptronResult(weights, bias, True, epoch + 1, errors,
                                    f"converged after {epoch + 1} epochs")
    return PerceptronResult(weights, bias, False, max_epochs, errors,
                            f"did not converge within max_epochs={max_epochs} "
                            f"({errors[-1]} errors in the last epoch)")


def train_xor_mlp(*, rng, n_hidden=4, epochs=500, lr=0.05):
    """Train a 2-n_hidden-1 tanh network on XOR (full batch, Adam, cross-entropy).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the initial weights.
    n_hidden : int
        Hidden units, >= 2.
    epochs : int
        Full-batch steps, >= 1.
    lr : float
        Adam learning rate, > 0.

    Returns
    -------
    model : Sequential
        Outputs a logit: XOR is predicted true where it is > 0.
    history : dict
        As returned by ``fit``.
    """
    rng = as_generator("rng", rng)
    n_hidden = as_int("n_hidden", n_hidden, minimum=2)
    X, y = logic_gate("xor")
    model = Sequential([Dense(2, n_hidden, rng=rng, init="xavier"), Tanh(),
                        Dense(n_hidden, 1, rng=rng, init="xavier")])
    history = fit(model, X, y[:, None].astype(float), loss=BinaryCrossEntropy(),
                  optimizer=Adam(lr), epochs=epochs, batch_size=4, rng=rng,
                  progress=False)
    return model, history
