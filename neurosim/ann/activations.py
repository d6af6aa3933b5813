"""Activation layers: logistic, tanh, arctan, threshold, ReLU, leaky ReLU, PReLU, ELU,
softplus and softmax.

Elementwise activations expose ``value(x)`` and ``derivative(x)`` as plain functions
as well as the layer protocol. All of them stay finite and warning-free for any finite
input, however large.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..validation import _show, as_float, as_int
from .checks import check_grad, check_input
from .layer import Layer


class Activation(Layer):
    """Elementwise activation ``y = f(x)``; ``backward`` multiplies by ``f'(x)``."""

    def __init__(self):
        super().__init__()
        self._x = None
        self._y = None

    def value(self, x):
        """f(x), elementwise.

        Parameters
        ----------
        x : ndarray, any shape
            Input currents.

        Returns
        -------
        ndarray, same shape as x
        """
        return self._value(np.asarray(x, dtype=float))

    def derivative(self, x):
        """f'(x), elementwise.

        Parameters
        ----------
        x : ndarray, any shape
            Input currents.

        Returns
        -------
        ndarray, same shape as x
        """
        x = np.asarray(x, dtype=float)
        return self._derivative(x, self._value(x))

    def _value(self, x):
        raise NotImplementedError

    def _derivative(self, x, y):
        """f'(x) given y = f(x) (subclasses use whichever is cheaper)."""
        raise NotImplementedError

    def forward(self, x, training=False):
        if not isinstance(x, np.ndarray):
            raise TypeError(f"{type(self).__name__} input x must be a numpy array, got "
                            f"{_show(x)}")
        self._x = x
        self._y = self._value(x)
        return self._y

    def backward(self, grad):
        x = self._cached(self._x, "input")
        check_grad(type(self).__name__, grad, x.shape)
        return grad * self._derivative(x, self._y)


class Logistic(Activation):
    """Logistic sigmoid ``1 / (1 + exp(-x))``; derivative ``y (1 - y)``."""

    def _value(self, x):
        return expit(x)

    def _derivative(self, x, y):
        return y * (1.0 - y)


class Tanh(Activation):
    """Hyperbolic tangent; derivative ``1 - y**2``."""

    def _value(self, x):
        return np.tanh(x)

    def _derivative(self, x, y):
        return 1.0 - y * y


class Arctan(Activation):
    """Arctangent; derivative ``1 / (1 + x**2)`` (computed without overflow)."""

    def _value(self, x):
        return np.arctan(x)

    def _derivative(self, x, y):
        inverse_norm = 1.0 / np.hypot(1.0, x)
        return inverse_norm * inverse_norm


class Threshold(Activation):
    """Heaviside step: 1 where x >= 0, else 0. Its derivative is taken as 0 everywhere
    (so no gradient flows through it; it is for perceptron-style units)."""

    def _value(self, x):
        return (x >= 0).astype(float)

    def _derivative(self, x, y):
        return np.zeros_like(y)


class ReLU(Activation):
    """Rectified linear unit ``max(x, 0)``; derivative 1 where x > 0, else 0."""

    def _value(self, x):
        return np.maximum(x, 0.0)

    def _derivative(self, x, y):
        return (x > 0).astype(float)

    def backward(self, grad):
        x = self._cached(self._x, "input")
        check_grad("ReLU", grad, x.shape)
        return grad * (x > 0)


class LeakyReLU(Activation):
    """``x`` where x > 0, else ``alpha * x``.

    Parameters
    ----------
    alpha : float
        Slope for negative inputs, >= 0.
    """

    def __init__(self, alpha=0.01):
        super().__init__()
        self.alpha = as_float("alpha", alpha, nonnegative=True)

    def _value(self, x):
        return np.where(x > 0, x, self.alpha * x)

    def _derivative(self, x, y):
        return np.where(x > 0, 1.0, self.alpha)

    def get_config(self):
        return {"class": "LeakyReLU", "alpha": self.alpha}


class ELU(Activation):
    """Exponential linear unit: ``x`` where x > 0, else ``alpha * (exp(x) - 1)``.

    Parameters
    ----------
    alpha : float
        Negative saturation level, > 0.
    """

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = as_float("alpha", alpha, positive=True)

    def _value(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0)))

    def _derivative(self, x, y):
        return np.where(x > 0, 1.0, y + self.alpha)

    def get_config(self):
        return {"class": "ELU", "alpha": self.alpha}


class Softplus(Activation):
    """``log(1 + exp(x))``; derivative is the logistic function."""

    def _value(self, x):
        return np.logaddexp(0.0, x)

    def _derivative(self, x, y):
        return expit(x)


class PReLU(Layer):
    """Parametric ReLU: ``x`` where x > 0, else ``alpha * x``, one learnt ``alpha`` per
    feature.

    Parameters
    ----------
    n_features : int
        Number of features (last input axis).
    alpha : float
        Initial slope for negative inputs.

    Attributes
    ----------
    alpha : ndarray, shape (n_features,)
        Learnt slopes; their gradient is ``grads["alpha"]``.
    """

    def __init__(self, n_features, *, alpha=0.25):
        super().__init__()
        self.n_features = as_int("n_features", n_features, minimum=1)
        self.initial_alpha = as_float("alpha", alpha)
        self.alpha = np.full(self.n_features, self.initial_alpha)
        self.grads = {"alpha": np.zeros(self.n_features)}
        self._x = None

    def forward(self, x, training=False):
        check_input("PReLU", x, self.n_features)
        self._x = x
        return np.where(x > 0, x, self.alpha * x)

    def backward(self, grad):
        x = self._cached(self._x, "input")
        check_grad("PReLU", grad, x.shape)
        negative_part = np.minimum(x, 0.0)
        np.sum(grad * negative_part, axis=0, out=self.grads["alpha"])
        return grad * np.where(x > 0, 1.0, self.alpha)

    def parameters(self):
        return {"alpha": self.alpha}

    def get_config(self):
        return {"class": "PReLU", "n_features": self.n_features,
                "alpha": self.initial_alpha}


class Softmax(Layer):
    """Softmax over the last axis, ``exp(x_k) / sum_j exp(x_j)`` (max-shifted).

    For classification prefer ending the network with raw scores and using
    ``SoftmaxCrossEntropy``, which fuses the two stably.
    """

    def __init__(self):
        super().__init__()
        self._y = None

    def forward(self, x, training=False):
        if not isinstance(x, np.ndarray) or x.ndim < 1:
            raise TypeError(f"Softmax input x must be a numpy array with at least one "
                            f"axis, got {_show(x)}")
        shifted = np.exp(x - x.max(axis=-1, keepdims=True))
        self._y = shifted / shifted.sum(axis=-1, keepdims=True)
        return self._y

    def backward(self, grad):
        y = self._cached(self._y, "output")
        check_grad("Softmax", grad, y.shape)
        return y * (grad - np.sum(grad * y, axis=-1, keepdims=True))
