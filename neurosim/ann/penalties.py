"""Weight penalties ``L1`` and ``L2``, applied by optimizers to weight matrices.

A penalty acts on every parameter whose name ends in ``"weight"`` (``Dense.weight``,
the RNN/LSTM input and recurrent weights); biases, batch-norm scales and PReLU slopes
are left alone.
"""

from __future__ import annotations

import numpy as np

from ..validation import as_float


def penalised(name: str) -> bool:
    """True for the parameters a penalty acts on (names ending in ``"weight"``)."""
    return name.endswith("weight")


class Penalty:
    """Base class: ``value(params)`` and ``gradient(w)``."""

    def __init__(self, strength):
        self.strength = as_float("strength", strength, nonnegative=True)

    def value(self, params):
        """Penalty summed over the penalised parameters.

        Parameters
        ----------
        params : mapping of str to ndarray

        Returns
        -------
        float
        """
        return float(sum(self._value(w) for name, w in params.items() if penalised(name)))

    def _value(self, w):
        raise NotImplementedError

    def gradient(self, w):
        """Gradient of the penalty with respect to one weight array.

        Parameters
        ----------
        w : ndarray

        Returns
        -------
        ndarray, same shape as w
        """
        raise NotImplementedError

    def get_config(self):
        """Plain JSON-able description."""
        return {"class": type(self).__name__, "strength": self.strength}

    def __repr__(self):
        return f"{type(self).__name__}({self.strength!r})"


class L1(Penalty):
    """``strength * sum(|w|)``; gradient ``strength * sign(w)`` (0 at w = 0).

    Parameters
    ----------
    strength : float
        Penalty coefficient, >= 0.
    """

    def _value(self, w):
        return self.strength * np.sum(np.abs(w))

    def gradient(self, w):
        return self.strength * np.sign(w)


class L2(Penalty):
    """``strength / 2 * sum(w**2)``; gradient ``strength * w`` (weight decay).

    Parameters
    ----------
    strength : float
        Penalty coefficient, >= 0.
    """

    def _value(self, w):
        return 0.5 * self.strength * np.vdot(w, w)

    def gradient(self, w):
        return self.strength * w
