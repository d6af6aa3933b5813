"""Errors neurosim raises beyond the built-in ``ValueError`` and ``TypeError``."""

from __future__ import annotations


class SimulationError(RuntimeError):
    """A simulation could not go on: its state went non-finite or its step size collapsed.

    The message names the time, the method, the step size and what went bad. What was
    computed until then stays available as ``partial`` (a ``Trajectory`` or the
    simulator's own results), so nothing is lost.

    Attributes
    ----------
    t : float
        Time at which integration stopped (in the units of the problem).
    method : str
        Integration method in use.
    step : float
        Step size of the failing step.
    component : int or None
        Index of the state component that went non-finite, if any.
    system : int or None
        Index of the system (neuron) in a batch, if any.
    partial : object or None
        What was computed before the failure.
    """

    def __init__(self, message, *, t, method, step, component=None, system=None,
                 partial=None):
        super().__init__(message)
        self.t = t
        self.method = method
        self.step = step
        self.component = component
        self.system = system
        self.partial = partial


class ConfigError(ValueError):
    """A configuration value or experiment name is not allowed; the message says why."""
