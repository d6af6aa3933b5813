"""Rebuild a layer or model from its ``get_config()`` description."""

from __future__ import annotations

import inspect

from ..validation import _show
from .activations import (
    ELU,
    Arctan,
    LeakyReLU,
    Logistic,
    PReLU,
    ReLU,
    Softmax,
    Softplus,
    Tanh,
    Threshold,
)
from .checks import as_generator
from .layers import BatchNorm, Dense, Dropout
from .lif_activations import LIFRate, SoftLIFRate
from .rnn import LSTM, RNN
from .sequential import Sequential

LAYER_CLASSES = {cls.__name__: cls for cls in (
    Dense, Dropout, BatchNorm, Sequential, Logistic, Tanh, Arctan, Threshold, ReLU,
    LeakyReLU, PReLU, ELU, Softplus, Softmax, LIFRate, SoftLIFRate, RNN, LSTM)}


def from_config(config, *, rng):
    """Build a fresh layer (or ``Sequential`` model) from ``get_config()`` output.

    The result has the described architecture with freshly initialised parameters;
    copy saved arrays into ``parameters()`` and ``buffers()`` to restore a trained one.

    Parameters
    ----------
    config : dict
        ``{"class": name, **constructor arguments}``; a ``Sequential`` lists its
        layers' configs under ``"layers"``.
    rng : numpy.random.Generator
        Passed to every class that takes one (initial weights, dropout masks).

    Returns
    -------
    Layer
    """
    rng = as_generator("rng", rng)
    if not isinstance(config, dict) or "class" not in config:
        raise TypeError(f"config must be a dict with a 'class' key, got {_show(config)}")
    arguments = dict(config)
    name = arguments.pop("class")
    if name not in LAYER_CLASSES:
        raise ValueError(f"config['class'] must be one of {sorted(LAYER_CLASSES)}, got "
                         f"{name!r}")
    cls = LAYER_CLASSES[name]
    if cls is Sequential:
        items = arguments.get("layers")
        if not isinstance(items, list):
            raise TypeError(f"config for Sequential must list its layers' configs under "
                            f"'layers', got {_show(items)}")
        return Sequential([from_config(item, rng=rng) for item in items])
    if "rng" in inspect.signature(cls).parameters:
        arguments["rng"] = rng
    try:
        return cls(**arguments)
    except TypeError as exc:
        raise TypeError(f"config for {name} does not match its constructor: {exc}") \
            from None
