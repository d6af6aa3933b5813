"""Central-difference gradient checks for layers and losses."""

from __future__ import annotations

import numpy as np

from ..validation import _show, as_float
from .checks import as_generator
from .layer import Layer


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function of an array.

    Parameters
    ----------
    f : callable
        ``f()`` returns a float that depends on the current contents of ``x``.
    x : ndarray of float
        Perturbed in place, one element at a time, and restored.
    eps : float
        Half step, > 0.

    Returns
    -------
    ndarray, same shape as x
        ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for each element i.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {_show(f)}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a float numpy array, got {_show(x)}")
    eps = as_float("eps", eps, positive=True)
    grad = np.empty_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        upper = f()
        flat[i] = saved - eps
        lower = f()
        flat[i] = saved
        flat_grad[i] = (upper - lower) / (2.0 * eps)
    return grad


def relative_error(analytic, numeric):
    """``||a - n|| / (||a|| + ||n||)``, and 0 when both are zero.

    Returns
    -------
    float
    """
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if scale == 0.0 else float(np.linalg.norm(a - n) / scale)


def check_layer_gradients(layer, x, *, rng, training=True, eps=1e-6):
    """Compare a layer's backward pass with central differences.

    The scalar checked is ``sum(w * layer.forward(x, training))`` for a fixed random
    ``w``, whose gradient with respect to the output is ``w``.

    Parameters
    ----------
    layer : Layer
        Must be deterministic in the chosen mode (fix dropout masks first).
    x : ndarray, shape the layer accepts
        Input batch (float64 recommended).
    rng : numpy.random.Generator
        Source of ``w``.
    training : bool
        Mode passed to ``forward``.
    eps : float
        Half step of the differences.

    Returns
    -------
    dict of str to float
        ``relative_error`` for the input (key ``"input"``) and each parameter.
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"layer must be a Layer, got {_show(layer)}")
    rng = as_generator("rng", rng)
    x = np.array(x, dtype=float)
    w = rng.normal(size=layer.forward(x, training).shape)

    def objective():
        return float(np.sum(w * layer.forward(x, training)))

    layer.forward(x, training)
    grad_input = layer.backward(w)
    analytic = {name: g.copy() for name, g in layer.grads.items()}
    errors = {"input": relative_error(grad_input, numerical_gradient(objective, x, eps))}
    for name, param in layer.parameters().items():
        errors[name] = relative_error(analytic[name],
                                      numerical_gradient(objective, param, eps))
    return errors
