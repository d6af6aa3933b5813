"""neurosim: biophysical spiking-neuron simulation on a compiled ODE core."""

from . import ode
from .errors import ConfigError, SimulationError
from .ode import Event, solve

__version__ = "0.1.0"

__all__ = ["ConfigError", "Event", "SimulationError", "ode", "solve", "__version__"]
