"""Experiment configurations: defaults, ``--set key=value`` overrides, TOML in and out.

A configuration is a dict of TOML-representable values (bool, int, float, str, lists
of those, nested dicts). Overrides are typed by the default they replace: an int
stays an int, a float accepts ints, a list takes a TOML array or comma-separated
items of the default's element type. Nothing is evaluated as code.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

from .errors import ConfigError

_SCALARS = (bool, int, float, str)


def check_defaults(config: dict, where: str = "CONFIG") -> dict:
    """Check that every value of ``config`` can be written to TOML; return it."""
    if not isinstance(config, dict):
        raise TypeError(f"{where} must be a dict, got {type(config).__name__}")
    for key, value in config.items():
        if not isinstance(key, str) or not key or "." in key:
            raise TypeError(f"{where}: keys must be non-empty strings without '.', "
                            f"got {key!r}")
        if isinstance(value, dict):
            check_defaults(value, f"{where}.{key}")
        elif isinstance(value, list):
            if any(isinstance(v, (list, dict)) or not isinstance(v, _SCALARS)
                   for v in value):
                raise TypeError(f"{where}.{key}: lists must hold bools, ints, floats "
                                f"or strings, got {value!r}")
        elif not isinstance(value, _SCALARS):
            raise TypeError(f"{where}.{key}: {type(value).__name__} values cannot be "
                            "written to TOML (use bool, int, float, str, list or dict)")
    return config


def _flat(config: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        else:
            out[name] = value
    return out


def _type_name(value) -> str:
    if isinstance(value, list):
        inner = _type_name(value[0]) if value else "number"
        return f"list of {inner}"
    return {bool: "bool (true/false)", int: "int", float: "float",
            str: "string"}[type(value)]


def _toml_value(text: str):
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return None


def _coerce(key: str, raw, default, text: str):
    """``raw`` (a parsed value) converted to the type of ``default``."""
    expected = _type_name(default)
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
    elif isinstance(default, int):
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
    elif isinstance(default, float):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            value = float(raw)
            if math.isfinite(value):
                return value
    elif isinstance(default, str):
        return raw if isinstance(raw, str) else text
    elif isinstance(default, list):
        items = raw if isinstance(raw, list) else None
        if items is None:
            parts = [p.strip() for p in text.split(",") if p.strip()]
            items = [_toml_value(p) for p in parts]
            items = [p if v is None else v for p, v in zip(parts, items)]
        element = default[0] if default else 0.0
        return [_coerce(key, item, element, str(item)) for item in items]
    raise ConfigError(f"--set {key}={text}: expected {expected} (default "
                      f"{default!r}), got {text!r}")


def apply_overrides(defaults: dict, overrides: dict[str, str]) -> dict:
    """``defaults`` with ``{"a.b": "text"}`` overrides applied, each typed by its default.

    Raises ``ConfigError`` naming the key, the value and what is allowed.
    """
    config = _copy(defaults)
    flat = _flat(defaults)
    for key, text in overrides.items():
        if key not in flat:
            allowed = ", ".join(sorted(flat))
            raise ConfigError(f"--set {key}={text}: unknown key {key!r}; allowed keys: "
                              f"{allowed}")
        default = flat[key]
        raw = _toml_value(text)
        value = _coerce(key, text if raw is None else raw, default, text)
        target = config
        *parents, last = key.split(".")
        for part in parents:
            target = target[part]
        target[last] = value
    return config


def read_toml(path, label: str) -> dict:
    """The TOML file at ``path``; a missing or malformed file is a ``ConfigError``
    starting with ``label`` (e.g. ``"--config models/x.toml"``)."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from None


def merge_file(defaults: dict, path) -> dict:
    """``defaults`` updated from a TOML file; unknown keys and wrong types are errors."""
    path = Path(path)
    loaded = read_toml(path, f"--config {path}")
    overrides = {key: to_toml_value(value) for key, value in _flat(loaded).items()}
    try:
        return apply_overrides(defaults, overrides)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _copy(config: dict) -> dict:
    return {k: _copy(v) if isinstance(v, dict) else list(v) if isinstance(v, list)
            else v for k, v in config.items()}


def to_toml_value(value) -> str:
    """One value in TOML syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(to_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def to_toml(config: dict) -> str:
    """The configuration as TOML text (scalars first, then one table per dict)."""
    lines = []

    def emit(table: dict, prefix: str):
        for key, value in table.items():
            if not isinstance(value, dict):
                lines.append(f"{key} = {to_toml_value(value)}")
        for key, value in table.items():
            if isinstance(value, dict):
                lines.append("")
                lines.append(f"[{prefix}{key}]")
                emit(value, f"{prefix}{key}.")

    emit(config, "")
    return "\n".join(lines) + "\n"


def from_toml(text: str) -> dict:
    """Parse TOML text into a dict."""
    return tomllib.loads(text)
