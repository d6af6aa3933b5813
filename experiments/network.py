"""Any network model file (models/*.toml), run spiking or as rates; its probes recorded.

``model`` is a TOML network file (see ``neurosim.network_files``): a path, or the
name of a file in ``models/`` (``integrator`` for ``models/integrator.toml``). The
network runs for ``t_stop`` s at step ``dt`` (s) in ``mode`` ("spiking" or "rate"),
streamed into the results file as it goes; the run's seed replaces the file's
``[network] seed``. ``neurosim run network --set model=oscillator --set mode=rate``.

Writes what the file's probes record: spikes under ``/spikes/<population>``, voltages
as reports, decoded values at ``/analysis/decoded/<probe>/{x_hat, t}`` and currents
and rates under ``/analysis/traces``; metrics ``t_stop``, ``dt``, ``build_seconds``
and ``run_seconds``. Figures: the generic ones (decoded probes, rasters, reports).
"""

import logging
import time
from pathlib import Path

import neurosim as ns
from neurosim.errors import ConfigError
from neurosim.runner import results_writer
from neurosim.validation import as_float, as_steps

log = logging.getLogger(__name__)

MODELS = Path(__file__).resolve().parent.parent / "models"

CONFIG = {
    "seed": 0,
    "model": "communication_channel",
    "t_stop": 2.0,
    "dt": 1e-3,
    "mode": "spiking",
}


def model_path(name: str) -> Path:
    """``name`` as a path, or ``models/<name>.toml``."""
    for candidate in (Path(name), MODELS / name, MODELS / f"{name}.toml"):
        if candidate.is_file():
            return candidate
    known = ", ".join(sorted(p.stem for p in MODELS.glob("*.toml")
                             if any(table in p.read_text(encoding="utf-8")
                                    for table in ("[[populations]]", "[[groups]]"))))
    raise ConfigError(f"model {name!r}: no such file, nor models/{name}.toml "
                      f"(models: {known})")


def check(config):
    model_path(config["model"])
    if config["mode"] not in ("spiking", "rate"):
        raise ConfigError(f"mode must be 'spiking' or 'rate', got {config['mode']!r}")
    dt = as_float("dt (s)", config["dt"], positive=True)
    as_steps("t_stop", config["t_stop"], dt, minimum=1)


def run(config, out):
    path = model_path(config["model"])
    net, _ = ns.load_network(path, seed=config["seed"])
    log.info("model %s: %d populations, %d connections, %d neuron groups, %d "
             "synapse sets, %d probes", path, len(net.populations),
             len(net.connections), len(net.groups), len(net.synapse_sets),
             len(net.probes))
    sim = ns.Simulator(net, dt=config["dt"], mode=config["mode"],
                       stream=results_writer())
    start = time.perf_counter()
    results = sim.run(config["t_stop"])
    results.metrics.update(t_stop=sim.steps * sim.dt, dt=sim.dt,
                           build_seconds=sim.build_seconds)
    results.metrics["run_seconds"] = time.perf_counter() - start
    log.info("built in %.2f s, ran %g s in %.2f s", sim.build_seconds, config["t_stop"],
             results.metrics["run_seconds"])
    return results
