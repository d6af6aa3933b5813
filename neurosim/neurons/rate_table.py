"""Rate curves of models without a closed form, tabulated once by simulation.

The steady-state rate is simulated on a grid of constant inputs (from rest), the
onset of repetitive firing (at least half the rate of the first firing grid point,
so that a transient spike near the bifurcation does not count) is located by
bisection, and the table stops at the
peak rate (beyond it Hodgkin–Huxley goes into depolarisation block). ``rates`` is
then a linear interpolation with an exact jump at the onset (class II models start
firing at a finite rate). Tables are cached by the model's parameters.

``TabulatedRates`` gives a model its rate curve from such a table — what NEF
populations need (gains and biases, tuning curves, rate mode): Hodgkin–Huxley over
a fixed range, and the group models without a closed form over a range found by
doubling the input until the model fires at ``TOP_RATE``.
"""

from __future__ import annotations

import numpy as np

from .. import cache
from .fi import rates as simulated_rates

TABLE_VERSION = 2
#: The rate (Hz) an automatic table's range reaches (above the NEF's usual maxima).
TOP_RATE = 500.0
#: Grid points of an automatic table.
TABLE_POINTS = 120
#: Growth of the rate per doubling of the input under which the curve has levelled.
SATURATED = 1.05
#: Doublings (or halvings) tried before giving up on finding the range.
_MAX_DOUBLINGS = 60


class RateTable:
    """A monotone rate curve r(J) tabulated from simulations.

    Parameters
    ----------
    neuron : NeuronType
        A spiking model (simulated by ``neurosim.rates``).
    j_max, step : float, optional
        Largest input simulated and the grid spacing of the inputs; without them,
        the range ends at ``input_reaching(neuron, TOP_RATE)`` and the inputs
        above the onset are spaced geometrically (``_build_auto``).
    """

    def __init__(self, neuron, j_max: float | None = None, step: float | None = None):
        name = cache.key("rate-table", TABLE_VERSION, neuron.key(), j_max, step)
        stored = cache.get("rate_tables", name)
        if stored is None:
            stored = self._build_auto(neuron) if j_max is None else \
                self._build(neuron, j_max, step)
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

    @staticmethod
    def _build_auto(neuron):
        """Onset by bisection below ``input_reaching(neuron, TOP_RATE)``, then
        ``TABLE_POINTS`` inputs above it spaced geometrically (dense where the curve
        rises steeply, as LIF-like curves do just above their onset)."""
        top = input_reaching(neuron, TOP_RATE)
        silent = simulated_rates(neuron, np.zeros(1))[0]
        if silent > 0:
            raise ValueError(f"{type(neuron).__name__} fires without input ("
                             f"{silent:.4g} Hz at 0); a rate curve from rest needs a "
                             "model that is silent at zero input")
        lo, hi = 0.0, top
        for _ in range(24):  # onset to 2**-24 of the range
            mid = 0.5 * (lo + hi)
            if simulated_rates(neuron, np.array([mid]))[0] > 0:
                hi = mid
            else:
                lo = mid
        above = hi + np.geomspace(1e-4 * (top - hi), top - hi, TABLE_POINTS)
        found = simulated_rates(neuron, np.concatenate([[hi], above]))
        peak = int(np.argmax(found))
        current = np.concatenate([[0.0, lo, hi], above[:peak]])
        rate = np.maximum.accumulate(np.concatenate([[0.0, 0.0], found[:peak + 1]]))
        return {"current": current, "rate": rate, "onset": np.array(hi)}

    def rates(self, J) -> np.ndarray:
        """Interpolated rate (Hz) for inputs ``J`` (any shape); 0 below the onset,
        the peak rate above the table's end."""
        J = np.asarray(J, dtype=np.float64)
        return np.interp(J, self.current, self.rate, left=0.0)

    def inverse(self, rates) -> np.ndarray:
        """The input giving each rate (between the onset rate and the peak)."""
        return np.interp(rates, self.rate[2:], self.current[2:])


def input_reaching(neuron, rate: float) -> float:
    """The smallest power-of-two multiple of the model's ``current_scale`` at which
    it fires at ``rate`` (Hz) or more; where its rate levels off below that (a
    refractory period's bound: under 5 % more per doubling) or peaks (depolarisation
    block), the first doubling that shows it."""
    def at(j):
        return float(simulated_rates(neuron, np.array([j]))[0])
    name = type(neuron).__name__
    j = float(neuron.current_scale)
    found = at(j)
    if found >= rate:
        for _ in range(_MAX_DOUBLINGS):
            if at(0.5 * j) < rate:
                return j
            j *= 0.5
        raise ValueError(f"{name} fires at {rate:g} Hz even at an input of {j:g}")
    for _ in range(_MAX_DOUBLINGS):
        j, last = 2.0 * j, found
        found = at(j)
        if found >= rate or 0.0 < found < SATURATED * last:
            return j
    raise ValueError(f"{name} does not reach {rate:g} Hz for inputs up to {j:g} "
                     f"(last rate {found:g} Hz)")


class TabulatedRates:
    """Mixin of a ``NeuronType`` whose rate curve is simulated once and tabulated
    (``RateTable``): ``rates``, ``threshold_current``, ``max_rate`` and
    ``inverse_rates`` read the table; ``neurosim.rates`` still simulates the
    currents it is given. ``table_range`` is (j_max, step), or ``None`` for the
    automatic range from ``current_scale`` (the input, in the model's units, the
    search starts from)."""

    table_range = None
    current_scale = 1.0

    def rate_table(self) -> RateTable:
        """The simulated f–I curve: 1 s from rest per input, the rate over its
        second half, the onset bisected."""
        j_max, step = self.table_range or (None, None)
        return RateTable(self, j_max=j_max, step=step)

    @property
    def threshold_current(self) -> float:
        """Onset of repetitive firing (in the model's input units), from the table."""
        return self.rate_table().onset

    def rates(self, J) -> np.ndarray:
        """Firing rate (Hz) for constant inputs ``J`` (any shape), interpolated on
        ``rate_table`` (``neurosim.rates`` simulates given currents directly)."""
        return self.rate_table().rates(J)

    def max_rate(self) -> float:
        return float(self.rate_table().rate[-1])

    def inverse_rates(self, rates) -> np.ndarray:
        return self.rate_table().inverse(rates)
