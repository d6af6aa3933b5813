"""Save a trained model into a ``Results`` (and so into its HDF5 file) and rebuild it.

Everything lives under ``/analysis/ann/<name>/``:

``attrs``
    ``architecture``: the model's ``get_config()`` as JSON text; ``format``:
    ``"neurosim-ann/1"``; ``has_history``: whether a training history was saved.
``parameters/<parameter name>``
    One array per entry of ``model.parameters()`` (e.g. ``0.weight``), units ``"1"``.
``buffers/<buffer name>``
    One array per entry of ``model.buffers()`` (batch-norm running statistics).
``history/<key>``
    One array per per-epoch entry of the training history (``loss``,
    ``val_accuracy``, ...); scalar entries such as ``best_epoch`` are attributes of
    the ``history`` group.

Arrays are stored at their full precision, so a reloaded model reproduces the saved
one's outputs bit for bit.
"""

from __future__ import annotations

import json
import numbers

import numpy as np

from ..results import Results, check_name
from ..validation import _show
from .checks import as_generator
from .config import from_config
from .layer import Layer

FORMAT = "neurosim-ann/1"


def _check_results(results):
    if not isinstance(results, Results):
        raise TypeError(f"results must be a neurosim.Results, got {_show(results)} of "
                        f"type {type(results).__name__}")


def _history_entries(history):
    """Split a history dict into per-epoch arrays and scalar attributes."""
    if not isinstance(history, dict):
        raise TypeError(f"history must be a dict (as returned by fit) or None, got "
                        f"{_show(history)}")
    arrays, scalars = {}, {}
    for key, value in history.items():
        check_name("each key of history", key)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            scalars[key] = value
            continue
        arr = np.asarray(value)
        if arr.ndim != 1 or arr.dtype.kind not in "iuf":
            raise TypeError(f"history[{key!r}] must be a number or a 1-D sequence of "
                            f"numbers (one per epoch), got {_show(value)}")
        arrays[key] = arr.copy()
    return arrays, scalars


def save_model(results, name, model, history=None):
    """Add a model's architecture, parameters, buffers and history to ``results``.

    Parameters
    ----------
    results : Results
        Receives the arrays under ``ann/<name>/`` (copies: later training of
        ``model`` does not change them).
    name : str
        Model name: letters, digits, '_', '-' or '.'. Must not be saved already.
    model : Layer
        The trained model (e.g. a ``Sequential``); its ``get_config()`` must be
        JSON-able.
    history : dict, optional
        Training history as returned by ``fit``: per-epoch lists (stored as arrays,
        units ``"1"``) and scalars such as ``best_epoch`` (stored as attributes).

    Raises
    ------
    ValueError
        When a model called ``name`` is already in ``results``.
    """
    _check_results(results)
    check_name("model name", name)
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer (e.g. a Sequential), got {_show(model)} "
                        f"of type {type(model).__name__}")
    base = f"ann/{name}"
    if base in results.attrs or results.children(base):
        raise ValueError(f"a model named {name!r} is already saved in these results "
                         f"(/analysis/{base}); choose another name")
    arrays, scalars = ({}, {}) if history is None else _history_entries(history)
    try:
        architecture = json.dumps(model.get_config(), sort_keys=True)
    except TypeError as exc:
        raise TypeError(f"model.get_config() must be JSON-able to be saved: {exc}") \
            from None
    for kind, named in (("parameters", model.parameters()), ("buffers", model.buffers())):
        for key, arr in named.items():
            results.add(f"{base}/{kind}/{key}", np.array(arr, copy=True), units="1")
    for key, arr in arrays.items():
        results.add(f"{base}/history/{key}", arr, units="1")
    if scalars:
        results.set_attrs(f"{base}/history", **scalars)
    results.set_attrs(base, architecture=architecture, format=FORMAT,
                      has_history=history is not None)


def _saved_arrays(results, base, kind):
    prefix = f"{base}/{kind}/"
    return {path[len(prefix):]: arr for path, arr in results.analysis.items()
            if path.startswith(prefix)}


def _restore(target, saved, kind, where):
    if set(target) != set(saved):
        missing = sorted(set(target) - set(saved))
        extra = sorted(set(saved) - set(target))
        raise ValueError(f"the {kind} saved at {where} do not match its architecture: "
                         f"missing {missing}, unexpected {extra}")
    for key, arr in target.items():
        value = saved[key]
        if value.shape != arr.shape:
            raise ValueError(f"{where}/{kind}/{key} has shape {value.shape} but the "
                             f"architecture needs {arr.shape}")
        arr[...] = value


def load_model(results, name, *, rng=None):
    """Rebuild a model saved by ``save_model``.

    Parameters
    ----------
    results : Results
        Holds the model, e.g. ``Results.load("results.h5")``.
    name : str
        Name it was saved under.
    rng : numpy.random.Generator, optional
        Given to layers that draw random numbers after loading (dropout masks in
        training); ``np.random.default_rng(0)`` if None. Saved weights are not drawn.

    Returns
    -------
    model : Layer
        Same architecture, parameters and buffers as the saved model.
    history : dict or None
        Per-epoch lists of floats (or ints) and the scalar entries, as ``fit``
        returned them; None when no history was saved.

    Raises
    ------
    ValueError
        When ``results`` holds no model called ``name``, or the saved architecture or
        arrays are corrupted (not JSON, unknown layer, missing or misshapen arrays).
    """
    _check_results(results)
    check_name("model name", name)
    rng = np.random.default_rng(0) if rng is None else as_generator("rng", rng)
    base = f"ann/{name}"
    where = f"/analysis/{base}"
    attrs = results.attrs.get(base, {})
    if "architecture" not in attrs:
        saved = sorted(m for m in results.children("ann")
                       if "architecture" in results.attrs.get(f"ann/{m}", {}))
        raise ValueError(f"no model named {name!r} in these results (nothing at "
                         f"{where}); saved models: {saved}")
    if attrs.get("format") != FORMAT:
        raise ValueError(f"{where} has format {attrs.get('format')!r}, expected "
                         f"{FORMAT!r}")
    try:
        config = json.loads(attrs["architecture"])
    except (TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the architecture saved at {where} is not valid JSON "
                         f"({exc}): {_show(attrs['architecture'])}") from None
    try:
        model = from_config(config, rng=rng)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the architecture saved at {where} does not describe a "
                         f"model: {exc}") from None
    _restore(model.parameters(), _saved_arrays(results, base, "parameters"),
             "parameters", where)
    _restore(model.buffers(), _saved_arrays(results, base, "buffers"), "buffers", where)
    if not attrs.get("has_history"):
        return model, None
    history = {key: arr.tolist()
               for key, arr in _saved_arrays(results, base, "history").items()}
    history.update(results.attrs.get(f"{base}/history", {}))
    return model, history
