"""The integration core: explicit Runge–Kutta methods, compiled, with events."""

from .events import Event
from .solve import solve, solve_batch
from .tableau import DOPRI5, EULER, HEUN, METHODS, RK4, ButcherTableau
from .trajectory import BatchTrajectory, DenseOutput, Trajectory

__all__ = ["BatchTrajectory", "ButcherTableau", "DOPRI5", "DenseOutput", "EULER",
           "Event", "HEUN", "METHODS", "RK4", "Trajectory", "solve", "solve_batch"]
