"""Parametrised and stochastic layers: ``Dense``, ``Dropout``, ``BatchNorm``.

Rows are samples: every input has shape (batch, features).
"""

from __future__ import annotations

import numpy as np

from ..validation import _show, as_choice, as_float, as_int
from .checks import as_fraction, as_generator, check_grad, check_input
from .layer import Layer

INITS = {"he", "xavier"}


class Dense(Layer):
    """Fully connected layer ``y = x @ weight + bias``.

    Parameters
    ----------
    n_in, n_out : int
        Number of input and output features.
    rng : numpy.random.Generator
        Source of the initial weights.
    init : {"he", "xavier"}
        ``"he"``: weights ~ Normal(0, 2 / n_in), for ReLU-like activations.
        ``"xavier"``: weights ~ Uniform(-a, a), a = sqrt(6 / (n_in + n_out)), for
        logistic / tanh activations. Biases start at zero either way.

    Attributes
    ----------
    weight : ndarray, shape (n_in, n_out)
    bias : ndarray, shape (n_out,)
    """

    def __init__(self, n_in, n_out, *, rng, init="he"):
        super().__init__()
        self.n_in = as_int("n_in", n_in, minimum=1)
        self.n_out = as_int("n_out", n_out, minimum=1)
        self.init = as_choice("init", init, INITS)
        rng = as_generator("rng", rng)
        if self.init == "he":
            self.weight = rng.normal(0.0, np.sqrt(2.0 / self.n_in), (self.n_in, self.n_out))
        else:
            bound = np.sqrt(6.0 / (self.n_in + self.n_out))
            self.weight = rng.uniform(-bound, bound, (self.n_in, self.n_out))
        self.bias = np.zeros(self.n_out)
        self.grads = {"weight": np.zeros_like(self.weight), "bias": np.zeros_like(self.bias)}
        self._x = None

    def forward(self, x, training=False):
        check_input("Dense", x, self.n_in)
        self._x = x
        y = x @ self.weight
        y += self.bias
        return y

    def backward(self, grad):
        x = self._cached(self._x, "input")
        check_grad("Dense", grad, (x.shape[0], self.n_out))
        np.matmul(x.T, grad, out=self.grads["weight"])
        np.sum(grad, axis=0, out=self.grads["bias"])
        return grad @ self.weight.T

    def parameters(self):
        return {"weight": self.weight, "bias": self.bias}

    def get_config(self):
        return {"class": "Dense", "n_in": self.n_in, "n_out": self.n_out, "init": self.init}


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability ``rate`` and scale
    the survivors by 1 / (1 - rate); at evaluation, pass the input through unchanged.

    Parameters
    ----------
    rate : float
        Drop probability, 0 <= rate < 1.
    rng : numpy.random.Generator
        Source of the masks.
    """

    def __init__(self, rate, *, rng):
        super().__init__()
        self.rate = as_fraction("rate", rate)
        self.rng = as_generator("rng", rng)
        self._fixed_keep = None
        self._scaled_keep = None
        self._shape = None

    def fix_mask(self, keep):
        """Use the same mask on every training pass (for gradient checks).

        Parameters
        ----------
        keep : array_like of bool, shape (batch, features), or None
            True where a unit is kept. None returns to fresh random masks.
        """
        if keep is None:
            self._fixed_keep = None
            return
        arr = np.asarray(keep)
        if arr.dtype != bool:
            raise TypeError(f"keep must be an array of bools (True = kept), got dtype "
                            f"{arr.dtype} in {_show(keep)}")
        self._fixed_keep = arr.copy()

    def forward(self, x, training=False):
        if not isinstance(x, np.ndarray):
            raise TypeError(f"Dropout input x must be a numpy array, got {_show(x)}")
        self._shape = x.shape
        if not training or self.rate == 0.0:
            self._scaled_keep = None
            return x
        if self._fixed_keep is not None:
            if self._fixed_keep.shape != x.shape:
                raise ValueError(f"the fixed dropout mask has shape "
                                 f"{self._fixed_keep.shape} but input x has shape {x.shape}")
            keep = self._fixed_keep
        else:
            keep = self.rng.random(x.shape) >= self.rate
        self._scaled_keep = keep * (1.0 / (1.0 - self.rate))
        return x * self._scaled_keep

    def backward(self, grad):
        check_grad("Dropout", grad, self._cached(self._shape, "input shape"))
        if self._scaled_keep is None:
            return grad
        return grad * self._scaled_keep

    def get_config(self):
        return {"class": "Dropout", "rate": self.rate}


class BatchNorm(Layer):
    """Batch normalisation over the batch axis, ``y = gamma * x_hat + beta``.

    In training, ``x_hat`` standardises each feature with the batch mean and (biased)
    variance, and the running statistics move towards them:
    ``running = momentum * running + (1 - momentum) * batch`` (the running variance
    takes the unbiased batch variance). At evaluation the running statistics are used.

    Parameters
    ----------
    n_features : int
        Number of features.
    momentum : float
        Weight of the old running statistics, 0 <= momentum < 1.
    eps : float
        Added to the variance before the square root, > 0.

    Attributes
    ----------
    gamma, beta : ndarray, shape (n_features,)
        Learnt scale (starts at 1) and shift (starts at 0).
    running_mean, running_var : ndarray, shape (n_features,)
        Running statistics (start at 0 and 1); buffers, not trained.
    """

    def __init__(self, n_features, *, momentum=0.9, eps=1e-5):
        super().__init__()
        self.n_features = as_int("n_features", n_features, minimum=1)
        self.momentum = as_fraction("momentum", momentum)
        self.eps = as_float("eps", eps, positive=True)
        self.gamma = np.ones(self.n_features)
        self.beta = np.zeros(self.n_features)
        self.running_mean = np.zeros(self.n_features)
        self.running_var = np.ones(self.n_features)
        self.grads = {"gamma": np.zeros(self.n_features), "beta": np.zeros(self.n_features)}
        self._x_hat = None
        self._inv_std = None
        self._training = False

    def forward(self, x, training=False):
        check_input("BatchNorm", x, self.n_features)
        if training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(f"BatchNorm needs a batch of at least 2 samples in "
                                 f"training, got shape {x.shape}")
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean *= self.momentum
            self.running_mean += (1.0 - self.momentum) * mean
            self.running_var *= self.momentum
            self.running_var += (1.0 - self.momentum) * var * (n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        self._training = training
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._x_hat = (x - mean) * self._inv_std
        return self.gamma * self._x_hat + self.beta

    def backward(self, grad):
        x_hat = self._cached(self._x_hat, "normalised input")
        check_grad("BatchNorm", grad, x_hat.shape)
        np.sum(grad * x_hat, axis=0, out=self.grads["gamma"])
        np.sum(grad, axis=0, out=self.grads["beta"])
        grad_x_hat = grad * self.gamma
        if not self._training:
            return grad_x_hat * self._inv_std
        n = grad.shape[0]
        return (self._inv_std / n) * (n * grad_x_hat - grad_x_hat.sum(axis=0)
                                      - x_hat * (grad_x_hat * x_hat).sum(axis=0))

    def parameters(self):
        return {"gamma": self.gamma, "beta": self.beta}

    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def get_config(self):
        return {"class": "BatchNorm", "n_features": self.n_features,
                "momentum": self.momentum, "eps": self.eps}
