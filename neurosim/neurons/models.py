"""Neuron parameter sets from TOML model files (``models/*.toml``).

::

    type = "HodgkinHuxley"          # or "LIF", "LIFRate", "Sigmoid", ...
    description = "..."             # optional
    [parameters]                    # constructor arguments
    C = 1.0

An LIF may instead give ``[dimensional]`` parameters (V_rest, V_th, V_reset, R,
tau_ref and C or tau_m; SI units), mapped by ``LIF.from_dimensional``. Unknown keys,
wrong types and non-physical values are errors naming the file and the key.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..config import read_toml
from ..errors import ConfigError
from .hh import HodgkinHuxley
from .lif import LIF
from .rate import Arctan, LIFRate, ReLU, Sigmoid, Softplus, Tanh, Threshold

MODEL_TYPES = {cls.__name__: cls for cls in (HodgkinHuxley, LIF, LIFRate, Sigmoid, Tanh,
                                             Arctan, Threshold, ReLU, Softplus)}
_DIMENSIONAL = ("V_rest", "V_th", "V_reset", "R", "tau_ref", "C", "tau_m")


def _check_numbers(path, table: str, values: dict, allowed) -> dict:
    for key, value in values.items():
        if key not in allowed:
            raise ConfigError(f"{path}: unknown key {table}.{key}; allowed: "
                              f"{', '.join(allowed)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path}: {table}.{key} = {value!r}: expected a number")
    return {k: float(v) for k, v in values.items()}


def load_model(path):
    """The neuron type described by a TOML model file."""
    path = Path(path)
    data = read_toml(path, str(path))
    extra = set(data) - {"type", "description", "parameters", "dimensional"}
    if extra:
        raise ConfigError(f"{path}: unknown key(s) {sorted(extra)}; allowed: type, "
                          "description, parameters, dimensional")
    kind = data.get("type")
    if kind not in MODEL_TYPES:
        raise ConfigError(f"{path}: type = {kind!r}: expected one of "
                          f"{sorted(MODEL_TYPES)}")
    cls = MODEL_TYPES[kind]
    if "dimensional" in data:
        if cls is not LIF or "parameters" in data:
            raise ConfigError(f"{path}: [dimensional] is for type = \"LIF\" alone "
                              "(without [parameters])")
        numbers = _check_numbers(path, "dimensional", data["dimensional"], _DIMENSIONAL)
        try:
            return LIF.from_dimensional(**numbers)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{path}: dimensional: {exc}") from None
    return model_from_parameters(cls, data.get("parameters", {}), path, "parameters")


def model_from_parameters(cls, values: dict, where, table: str):
    """``cls(**values)`` for a table of numbers read from a file (a model file's
    ``[parameters]``, a network file's ``neuron``); an unknown key, a value that is
    not a number or one the model refuses is a ConfigError naming ``where`` and
    ``table``."""
    fields = [f.name for f in dataclasses.fields(cls)]
    numbers = _check_numbers(where, table, values, fields)
    try:
        return cls(**numbers)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {table}: {exc}") from None
