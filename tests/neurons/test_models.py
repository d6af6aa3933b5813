"""Model files: the shipped ones load, bad ones are refused with file and key."""

from pathlib import Path

import pytest

import neurosim as ns

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_shipped_models_load():
    assert ns.load_model(MODELS / "hh_squid.toml") == ns.HodgkinHuxley()
    lif = ns.load_model(MODELS / "lif_cortical.toml")
    assert isinstance(lif, ns.LIF)
    assert lif.tau_rc == pytest.approx(0.02) and lif.tau_ref == 0.002
    assert lif.v_reset == pytest.approx(0.0)


@pytest.mark.parametrize("text, match", [
    ('type = "HH"', r"type = 'HH': expected one of"),
    ('type = "LIF"\n[parameters]\ntau = 0.02', r"unknown key parameters.tau; allowed"),
    ('type = "LIF"\n[parameters]\ntau_rc = "fast"', r"tau_rc = 'fast': expected a num"),
    ('type = "HodgkinHuxley"\n[parameters]\nC = -1.0', r"C \(capacitance.*must be > 0"),
    ('type = "LIF"\n[parameters]\ntau_rc = 0', r"tau_rc \(s\) must be > 0"),
    ('type = "LIF"\ncolour = "red"', r"unknown key\(s\) \['colour'\]"),
    ('type = "HodgkinHuxley"\n[dimensional]\nR = 1.0', r"\[dimensional\] is for"),
    ('type = "LIF"\n[dimensional]\nV_rest = -0.07', r"missing"),
    ("type = ", "not valid TOML"),
])
def test_bad_model_files_name_the_file_and_the_key(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ns.ConfigError, match=match) as info:
        ns.load_model(path)
    assert str(path) in str(info.value)
