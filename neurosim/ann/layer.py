"""The ``Layer`` protocol every ANN building block follows.

A layer maps a batch (rows are samples) forward and maps the gradient of a scalar loss
with respect to its output back to the gradient with respect to its input. Parameter
gradients land in ``grads``; a layer never changes its own parameters (optimizers do).
"""

from __future__ import annotations

import numpy as np


class Layer:
    """Base class: ``forward(x, training)``, ``backward(grad)``, named state.

    Attributes
    ----------
    grads : dict of str to ndarray
        Gradient of the loss with respect to each entry of ``parameters()``, same keys
        and shapes. The arrays are allocated once, at construction, and ``backward``
        writes into them in place, so a dict of them taken once stays current.
    """

    def __init__(self):
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Map a batch forward.

        Parameters
        ----------
        x : ndarray, shape (batch, ...)
            Input batch, one sample per row.
        training : bool
            True while training (dropout drops, batch norm uses batch statistics).

        Returns
        -------
        ndarray, shape (batch, ...)
            Output batch.
        """
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Back-propagate through the last ``forward`` call.

        Parameters
        ----------
        grad : ndarray, shape of the last output
            Gradient of the loss with respect to the output.

        Returns
        -------
        ndarray, shape of the last input
            Gradient of the loss with respect to the input. Parameter gradients are
            stored in ``grads``.
        """
        raise NotImplementedError

    def parameters(self) -> dict[str, np.ndarray]:
        """Trainable arrays by name (live references: optimizers update them in place)."""
        return {}

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trained state arrays by name (e.g. batch-norm running statistics)."""
        return {}

    def get_config(self) -> dict:
        """Plain JSON-able description: ``{"class": name, **constructor arguments}``."""
        return {"class": type(self).__name__}

    def _cached(self, value, what: str):
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward "
                               f"(no {what} cached)")
        return value

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "class")
        return f"{type(self).__name__}({args})"
