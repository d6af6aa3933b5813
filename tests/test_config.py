"""Configuration overrides are typed by their defaults; TOML goes both ways."""

import pytest

from neurosim.config import (apply_overrides, check_defaults, from_toml, merge_file,
                             to_toml)
from neurosim.errors import ConfigError

DEFAULTS = {"seed": 0, "dt": 0.001, "n": 100, "plot": True, "method": "rk4",
            "rates": [10.0, 20.0], "names": ["a", "b"],
            "nested": {"tau": 0.02, "deep": {"k": 3}}}


@pytest.mark.parametrize("key, text, expected", [
    ("dt", "1e-4", 1e-4), ("dt", "2", 2.0), ("n", "250", 250), ("plot", "false", False),
    ("method", "rk45", "rk45"), ("method", '"euler"', "euler"),
    ("rates", "1,2.5", [1.0, 2.5]), ("rates", "[3, 4]", [3.0, 4.0]),
    ("names", "x,y,z", ["x", "y", "z"]), ("nested.tau", "0.1", 0.1),
    ("nested.deep.k", "7", 7),
])
def test_values_take_the_type_of_their_default(key, text, expected):
    config = apply_overrides(DEFAULTS, {key: text})
    target = config
    for part in key.split(".")[:-1]:
        target = target[part]
    value = target[key.split(".")[-1]]
    assert value == expected and type(value) is type(expected)
    assert DEFAULTS["nested"]["tau"] == 0.02  # defaults untouched


@pytest.mark.parametrize("key, text, match", [
    ("dtt", "1", r"unknown key 'dtt'; allowed keys: dt, method, n, names, "),
    ("n", "2.5", r"--set n=2.5: expected int \(default 100\), got '2.5'"),
    ("dt", "fast", r"expected float \(default 0.001\), got 'fast'"),
    ("plot", "yes", r"expected bool \(true/false\)"),
    ("rates", "1,x", r"expected float"),
    ("dt", "inf", r"expected float"),
])
def test_bad_overrides_name_the_key_and_what_is_allowed(key, text, match):
    with pytest.raises(ConfigError, match=match):
        apply_overrides(DEFAULTS, {key: text})


def test_toml_round_trip():
    assert from_toml(to_toml(DEFAULTS)) == DEFAULTS
    text = to_toml({"s": 'quote " and \\ back\nslash', "x": 1e-300})
    assert from_toml(text) == {"s": 'quote " and \\ back\nslash', "x": 1e-300}


def test_config_file_merges_with_the_same_checks(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('dt = 0.5\n[nested]\ntau = 1\n')
    merged = merge_file(DEFAULTS, good)
    assert merged["dt"] == 0.5 and merged["nested"]["tau"] == 1.0
    bad = tmp_path / "bad.toml"
    bad.write_text("speed = 3\n")
    with pytest.raises(ConfigError, match="bad.toml: --set speed=3: unknown key"):
        merge_file(DEFAULTS, bad)
    with pytest.raises(ConfigError, match="no such file"):
        merge_file(DEFAULTS, tmp_path / "missing.toml")


def test_defaults_must_be_toml_values():
    with pytest.raises(TypeError, match="NoneType values cannot be written"):
        check_defaults({"x": None})
    with pytest.raises(TypeError, match="lists must hold"):
        check_defaults({"x": [[1]]})
