"""Optimizers ``SGD``, ``Momentum`` (classical or Nesterov) and ``Adam``.

``step(params, grads)`` updates the parameter arrays in place. Both arguments are
mappings from names to arrays with the same keys and shapes, e.g.
``model.parameters()`` and ``model.grads``. Before the update an optimizer adds its
weight penalty's gradient (if any) and then clips (by global norm and/or by value);
clipping scales the given gradient arrays in place.
"""

from __future__ import annotations

import numpy as np

from ..validation import _show, as_float
from .checks import as_fraction
from .clipping import clip_by_global_norm, clip_by_value
from .kernels import adam_update, adam_update_numpy
from .penalties import Penalty, penalised


class Optimizer:
    """Base class: validation, penalty, clipping and the step counter.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    penalty : L1 or L2, optional
        Weight penalty added to the gradients of parameters named ``*weight``.
    clip_norm : float, optional
        Largest global norm of the gradients (all arrays together), > 0.
    clip_value : float, optional
        Largest magnitude of any gradient element, > 0.

    Attributes
    ----------
    iterations : int
        Number of steps taken.
    """

    def __init__(self, lr, *, penalty=None, clip_norm=None, clip_value=None):
        self.lr = as_float("lr", lr, positive=True)
        if penalty is not None and not isinstance(penalty, Penalty):
            raise TypeError(f"penalty must be an L1 or L2 penalty or None, got "
                            f"{_show(penalty)}")
        self.penalty = penalty
        self.clip_norm = None if clip_norm is None else as_float("clip_norm", clip_norm,
                                                                 positive=True)
        self.clip_value = None if clip_value is None else as_float("clip_value", clip_value,
                                                                   positive=True)
        self.iterations = 0
        self._state: dict[str, tuple] = {}

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``.

        Parameters
        ----------
        params : mapping of str to ndarray
            Parameters, changed in place.
        grads : mapping of str to ndarray
            Gradients of the loss, same keys and shapes (may be clipped in place).
        """
        self._check(params, grads)
        if self.penalty is not None:
            grads = {name: g + self.penalty.gradient(params[name]) if penalised(name) else g
                     for name, g in grads.items()}
        if self.clip_norm is not None:
            clip_by_global_norm(grads, self.clip_norm)
        if self.clip_value is not None:
            clip_by_value(grads, self.clip_value)
        self.iterations += 1
        for name, p in params.items():
            self._update(name, p, grads[name])

    @staticmethod
    def _check(params, grads):
        if not hasattr(params, "items") or not hasattr(grads, "items"):
            raise TypeError(f"params and grads must be mappings of names to arrays, got "
                            f"{type(params).__name__} and {type(grads).__name__}")
        if params.keys() != grads.keys():
            raise ValueError(f"params and grads must have the same names, got "
                             f"{sorted(params)} and {sorted(grads)}")
        for name, p in params.items():
            g = grads[name]
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise TypeError(f"params[{name!r}] must be a float numpy array, got "
                                f"{_show(p)}")
            if not isinstance(g, np.ndarray) or g.shape != p.shape:
                got = g.shape if isinstance(g, np.ndarray) else _show(g)
                raise ValueError(f"grads[{name!r}] must have shape {p.shape} like its "
                                 f"parameter, got {got}")

    def _update(self, name, p, g):
        raise NotImplementedError

    def get_config(self):
        """Plain JSON-able description: class name and constructor arguments."""
        config = {"class": type(self).__name__, "lr": self.lr}
        config.update(self._extra_config())
        config["penalty"] = None if self.penalty is None else self.penalty.get_config()
        config["clip_norm"] = self.clip_norm
        config["clip_value"] = self.clip_value
        return config

    def _extra_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "class")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent: ``p <- p - lr * g``."""

    def _update(self, name, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    """Gradient descent with classical momentum.

    ``v <- momentum * v - lr * g``, then ``p <- p + v`` (classical) or
    ``p <- p + momentum * v - lr * g`` (Nesterov's look-ahead, in the usual
    reformulation). The velocity ``v`` starts at zero.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    momentum : float
        Velocity decay, 0 <= momentum < 1.
    nesterov : bool
        Use Nesterov's accelerated gradient.
    penalty, clip_norm, clip_value
        See ``Optimizer``.
    """

    def __init__(self, lr=0.01, momentum=0.9, *, nesterov=False, **options):
        super().__init__(lr, **options)
        self.momentum = as_fraction("momentum", momentum)
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be a bool, got {_show(nesterov)}")
        self.nesterov = nesterov

    def _update(self, name, p, g):
        if name not in self._state:
            self._state[name] = (np.zeros_like(p),)
        (velocity,) = self._state[name]
        velocity *= self.momentum
        velocity -= self.lr * g
        if self.nesterov:
            p += self.momentum * velocity - self.lr * g
        else:
            p += velocity

    def _extra_config(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction.

    ``m <- beta1 m + (1 - beta1) g``, ``v <- beta2 v + (1 - beta2) g**2``,
    ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - beta1**t)``,
    ``v_hat = v / (1 - beta2**t)`` and t the step number (1, 2, ...).

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    eps : float
        Added to the root of the second moment, > 0.
    penalty, clip_norm, clip_value
        See ``Optimizer``.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, **options):
        super().__init__(lr, **options)
        self.beta1 = as_fraction("beta1", beta1)
        self.beta2 = as_fraction("beta2", beta2)
        self.eps = as_float("eps", eps, positive=True)

    def _update(self, name, p, g):
        if name not in self._state:
            self._state[name] = (np.zeros_like(p), np.zeros_like(p))
        m, v = self._state[name]
        t = self.iterations
        coefficients = (self.lr / (1.0 - self.beta1 ** t), self.beta1, self.beta2,
                        1.0 / np.sqrt(1.0 - self.beta2 ** t), self.eps)
        if p.flags.c_contiguous and g.flags.c_contiguous:
            adam_update(p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
                        *coefficients)
        else:
            adam_update_numpy(p, g, m, v, *coefficients)

    def _extra_config(self):
        return {"beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}
