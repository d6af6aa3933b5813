"""Rate curves of models without a closed form, tabulated once by simulation.

The steady-state rate is simulated on a grid of constant inputs (from rest), the
onset of repetitive firing (at least half the rate of the first firing grid point,
so that a transient spike near the bifurcation does not count) is located by
bisection, and the table stops at the
peak rate (beyond it Hodgkin–Huxley goes into depolarisation block). ``rates`` is
then a linear interpolation with an exact jump at the onset (class II models start
firing at a finite rate). Tables are cached by the model's parameters.
"""

from __future__ import annotations

import numpy as np

from .. import cache
from .fi import rates as simulated_rates

TABLE_VERSION = 2


class RateTable:
    """A monotone rate curve r(J) tabulated from simulations.

    Parameters
    ----------
    neuron : NeuronType
        A spiking model (simulated by ``neurosim.rates``).
    j_max : float
        Largest input simulated.
    step : float
        Grid spacing of the inputs.
    """

    def __init__(self, neuron, j_max: float, step: float):
        name = cache.key("rate-table", TABLE_VERSION, neuron.key(), j_max, step)
        stored = cache.get("rate_tables", name)
        if stored is None:
            stored = self._build(neuron, j_max, step)
            cache.put("rate_tables", name, **stored)
        self.current = stored["current"]
        self.rate = stored["rate"]
        self.onset = float(stored["onset"])

    @staticmethod
    def _build(neuron, j_max, step):
        grid = np.arange(0.0, j_max + 0.5 * step, step)
        found = simulated_rates(neuron, grid)
        firing = np.flatnonzero(found > 0)
        if firing.size == 0:
            raise ValueError(f"{type(neuron).__name__} does not fire for inputs up to "
                             f"{j_max:g}")
        first = firing[0]
        lo, hi = (grid[first - 1] if first > 0 else -step), grid[first]
        # Repetitive firing, not a transient spike or two near the bifurcation.
        repetitive = 0.5 * found[first]
        for _ in range(16):  # onset to step / 2**16
            mid = 0.5 * (lo + hi)
            if simulated_rates(neuron, np.array([mid]))[0] >= repetitive:
                hi = mid
            else:
                lo = mid
        onset_rate = simulated_rates(neuron, np.array([hi]))[0]
        peak = first + int(np.argmax(found[first:]))
        above = grid[first:peak + 1]
        current = np.concatenate([[grid[0], lo, hi], above[above > hi]])
        rate = np.concatenate([[0.0, 0.0, onset_rate], found[first:peak + 1][above > hi]])
        return {"current": current, "rate": np.maximum.accumulate(rate),
                "onset": np.array(hi)}

    def rates(self, J) -> np.ndarray:
        """Interpolated rate (Hz) for inputs ``J`` (any shape); 0 below the onset,
        the peak rate above the table's end."""
        J = np.asarray(J, dtype=np.float64)
        return np.interp(J, self.current, self.rate, left=0.0)

    def inverse(self, rates) -> np.ndarray:
        """The input giving each rate (between the onset rate and the peak)."""
        return np.interp(rates, self.rate[2:], self.current[2:])
