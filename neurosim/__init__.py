"""neurosim: biophysical spiking-neuron simulation on a compiled ODE core."""

from . import io, ode, plots
from .errors import ConfigError, SimulationError
from .ode import Event, solve
from .results import Report, Results, SpikeTrains

__version__ = "0.1.0"

__all__ = ["ConfigError", "Event", "Report", "Results", "SimulationError",
           "SpikeTrains", "io", "ode", "plots", "solve", "__version__"]
