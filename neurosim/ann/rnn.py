"""Recurrent layers ``RNN`` (tanh) and ``LSTM``, trained by full backpropagation through
time over a batch of sequences of shape (batch, time, features).

The initial hidden (and cell) state is zero. With ``return_sequences=False`` the layer
outputs the last hidden state, shape (batch, n_hidden); otherwise every hidden state,
shape (batch, time, n_hidden). Clip the gradients through the optimizer
(``clip_norm=...``) when training on long sequences.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..validation import _show, as_float, as_int
from .checks import as_generator, check_grad, check_input
from .layer import Layer


def _orthogonal(rng, n):
    """Random orthogonal n x n matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


class _Recurrent(Layer):
    """Shared construction, checks and output selection of RNN and LSTM."""

    _gates = 1

    def __init__(self, n_in, n_hidden, rng, return_sequences):
        super().__init__()
        self.n_in = as_int("n_in", n_in, minimum=1)
        self.n_hidden = as_int("n_hidden", n_hidden, minimum=1)
        rng = as_generator("rng", rng)
        if not isinstance(return_sequences, bool):
            raise TypeError(f"return_sequences must be a bool, got {_show(return_sequences)}")
        self.return_sequences = return_sequences
        width = self._gates * self.n_hidden
        bound = np.sqrt(6.0 / (self.n_in + self.n_hidden))
        self.input_weight = rng.uniform(-bound, bound, (self.n_in, width))
        self.recurrent_weight = np.hstack([_orthogonal(rng, self.n_hidden)
                                           for _ in range(self._gates)])
        self.bias = np.zeros(width)
        self.grads = {name: np.zeros_like(arr) for name, arr in self.parameters().items()}
        self._x = None

    def parameters(self):
        return {"input_weight": self.input_weight, "recurrent_weight": self.recurrent_weight,
                "bias": self.bias}

    def _start(self, x):
        check_input(type(self).__name__, x, self.n_in, ndim=3)
        self._x = x
        return x @ self.input_weight + self.bias

    def _output(self, hidden):
        """hidden: (batch, time + 1, n_hidden) including the zero initial state."""
        return hidden[:, 1:] if self.return_sequences else hidden[:, -1]

    def _grad_per_step(self, grad):
        x = self._cached(self._x, "input")
        batch, steps, _ = x.shape
        if self.return_sequences:
            check_grad(type(self).__name__, grad, (batch, steps, self.n_hidden))
            return grad
        check_grad(type(self).__name__, grad, (batch, self.n_hidden))
        per_step = np.zeros((batch, steps, self.n_hidden))
        per_step[:, -1] = grad
        return per_step

    def _finish(self, grad_pre):
        """Input-side gradients from the gradient of the pre-activations (B, T, G*H)."""
        x = self._x
        flat = grad_pre.reshape(-1, grad_pre.shape[-1])
        np.matmul(x.reshape(-1, self.n_in).T, flat, out=self.grads["input_weight"])
        np.sum(flat, axis=0, out=self.grads["bias"])
        return grad_pre @ self.input_weight.T

    def get_config(self):
        return {"class": type(self).__name__, "n_in": self.n_in, "n_hidden": self.n_hidden,
                "return_sequences": self.return_sequences}


class RNN(_Recurrent):
    """Elman network ``h_t = tanh(x_t W_in + h_{t-1} W_rec + b)``.

    Parameters
    ----------
    n_in : int
        Input features per time step.
    n_hidden : int
        Hidden units.
    rng : numpy.random.Generator
        Source of the initial weights (Glorot-uniform input weights, orthogonal
        recurrent weights, zero bias).
    return_sequences : bool
        Output every hidden state instead of the last.

    Attributes
    ----------
    input_weight : ndarray, shape (n_in, n_hidden)
    recurrent_weight : ndarray, shape (n_hidden, n_hidden)
    bias : ndarray, shape (n_hidden,)
    """

    def __init__(self, n_in, n_hidden, *, rng, return_sequences=False):
        super().__init__(n_in, n_hidden, rng, return_sequences)
        self._hidden = None

    def forward(self, x, training=False):
        drive = self._start(x)
        batch, steps, _ = x.shape
        hidden = np.zeros((batch, steps + 1, self.n_hidden))
        for t in range(steps):
            hidden[:, t + 1] = np.tanh(drive[:, t] + hidden[:, t] @ self.recurrent_weight)
        self._hidden = hidden
        return self._output(hidden)

    def backward(self, grad):
        grad = self._grad_per_step(grad)
        hidden = self._hidden
        grad_pre = np.empty_like(grad)
        grad_recurrent = self.grads["recurrent_weight"]
        grad_recurrent[...] = 0.0
        carried = np.zeros(grad.shape[::2])
        for t in range(grad.shape[1] - 1, -1, -1):
            h = hidden[:, t + 1]
            pre = (grad[:, t] + carried) * (1.0 - h * h)
            grad_pre[:, t] = pre
            grad_recurrent += hidden[:, t].T @ pre
            carried = pre @ self.recurrent_weight.T
        return self._finish(grad_pre)


class LSTM(_Recurrent):
    """Long short-term memory layer.

    With ``z = x_t W_in + h_{t-1} W_rec + b`` split into four blocks of n_hidden
    columns in the order (input gate i, forget gate f, candidate g, output gate o):
    ``i, f, o = logistic(.)``, ``g = tanh(.)``, ``c_t = f c_{t-1} + i g``,
    ``h_t = o tanh(c_t)``.

    Parameters
    ----------
    n_in : int
        Input features per time step.
    n_hidden : int
        Hidden (and cell) units.
    rng : numpy.random.Generator
        Source of the initial weights (Glorot-uniform input weights, orthogonal
        recurrent blocks).
    return_sequences : bool
        Output every hidden state instead of the last.
    forget_bias : float
        Initial bias of the forget gate (1 keeps memories by default); other biases
        start at 0.

    Attributes
    ----------
    input_weight : ndarray, shape (n_in, 4 n_hidden)
    recurrent_weight : ndarray, shape (n_hidden, 4 n_hidden)
    bias : ndarray, shape (4 n_hidden,)
    """

    _gates = 4

    def __init__(self, n_in, n_hidden, *, rng, return_sequences=False, forget_bias=1.0):
        super().__init__(n_in, n_hidden, rng, return_sequences)
        self.forget_bias = as_float("forget_bias", forget_bias)
        self.bias[self.n_hidden:2 * self.n_hidden] = self.forget_bias
        self._cache = None

    def forward(self, x, training=False):
        drive = self._start(x)
        batch, steps, _ = x.shape
        n = self.n_hidden
        hidden = np.zeros((batch, steps + 1, n))
        cell = np.zeros((batch, steps + 1, n))
        gates = np.empty((batch, steps, 4 * n))
        for t in range(steps):
            z = drive[:, t] + hidden[:, t] @ self.recurrent_weight
            gate = gates[:, t]
            gate[:, :2 * n] = expit(z[:, :2 * n])
            gate[:, 2 * n:3 * n] = np.tanh(z[:, 2 * n:3 * n])
            gate[:, 3 * n:] = expit(z[:, 3 * n:])
            cell[:, t + 1] = gate[:, n:2 * n] * cell[:, t] + gate[:, :n] * gate[:, 2 * n:3 * n]
            hidden[:, t + 1] = gate[:, 3 * n:] * np.tanh(cell[:, t + 1])
        self._cache = (hidden, cell, gates)
        return self._output(hidden)

    def backward(self, grad):
        grad = self._grad_per_step(grad)
        hidden, cell, gates = self._cache
        n = self.n_hidden
        grad_pre = np.empty_like(gates)
        grad_recurrent = self.grads["recurrent_weight"]
        grad_recurrent[...] = 0.0
        carried_h = np.zeros(grad.shape[::2])
        carried_c = np.zeros_like(carried_h)
        for t in range(grad.shape[1] - 1, -1, -1):
            i, f = gates[:, t, :n], gates[:, t, n:2 * n]
            g, o = gates[:, t, 2 * n:3 * n], gates[:, t, 3 * n:]
            tanh_c = np.tanh(cell[:, t + 1])
            grad_h = grad[:, t] + carried_h
            grad_c = grad_h * o * (1.0 - tanh_c * tanh_c) + carried_c
            pre = grad_pre[:, t]
            pre[:, :n] = grad_c * g * i * (1.0 - i)
            pre[:, n:2 * n] = grad_c * cell[:, t] * f * (1.0 - f)
            pre[:, 2 * n:3 * n] = grad_c * i * (1.0 - g * g)
            pre[:, 3 * n:] = grad_h * tanh_c * o * (1.0 - o)
            grad_recurrent += hidden[:, t].T @ pre
            carried_h = pre @ self.recurrent_weight.T
            carried_c = grad_c * f
        return self._finish(grad_pre)

    def get_config(self):
        config = super().get_config()
        config["forget_bias"] = self.forget_bias
        return config
