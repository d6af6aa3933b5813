"""``Population``: a group of neurons that represents a vector (the NEF encoding).

Each neuron i has an encoder e_i (a unit vector), a gain α_i and a bias β_i; for a
represented value x (|x| <= radius) it receives

    J_i(x) = α_i (e_i · x / radius) + β_i

and fires at rate G(J_i(x)) of its neuron model. Gains and biases are solved from
each neuron's intercept (where along its encoder it starts firing) and maximum rate
(at e_i · x = radius). Linear decoders D (N, L) estimate f(x) ≈ A(x) D from the
activities A; they are solved by least squares on evaluation points and cached.

A population is a description: its random parameters are drawn from ``seed`` when
first needed (``build``), always the same for the same seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit, prange

from .. import cache
from ..errors import SimulationError
from ..neurons.base import NeuronType
from ..neurons.lif import LIF
from ..neurons.rate import LIFRate
from ..neurons.simulate import simulate
from ..synapses import PSC
from ..validation import _show, as_array, as_float, as_int
from .dists import Distribution, QuasirandomHypersphere, Uniform, as_samples
from .solvers import resolve

#: Rows of activities computed at a time where a model has no compiled kernel.
_BLOCK_ROWS = 4096
#: Settling time and read-out window (s) of spike-measured activities.
SPIKING_SETTLE, SPIKING_WINDOW = 0.2, 0.1


def default_n_eval_points(n_neurons: int, dimensions: int) -> int:
    """Evaluation points used unless told: enough to cover the space and at least
    two per neuron (the NEF rule of thumb)."""
    return max(min(max(750, 500 * dimensions), 2500), 2 * n_neurons)


@dataclass(frozen=True)
class Decoders:
    """Decoders of one function from one population.

    Attributes
    ----------
    D : array (N, L)
        Decoding weights: the estimate of f(x) is ``activities(x) @ D``.
    rmse : float
        RMS error on the evaluation points the decoders were solved on.
    rmse_test : float
        RMS error on held-out points (never used in the fit).
    eval_points : array (P, d)
        Evaluation points used.
    info : dict
        Solver details (e.g. ``sigma`` for regularised solvers).
    """

    D: np.ndarray
    rmse: float
    rmse_test: float
    eval_points: np.ndarray
    info: dict


def default_max_rates(neuron: NeuronType) -> Uniform:
    """``Uniform(200, 400)`` Hz where ``neuron`` reaches those rates, otherwise
    uniform over the upper half of the rates it fires at."""
    low, high = neuron.min_rate(), neuron.max_rate()
    if low < 200.0 and high > 400.0:
        return Uniform(200.0, 400.0)
    return Uniform(low + 0.5 * (high - low), low + 0.95 * (high - low))


class Population:
    """A population of neurons representing a ``dimensions``-vector.

    Parameters
    ----------
    n_neurons : int
        Number of neurons (>= 1).
    dimensions : int
        Dimension of the represented vector (>= 1).
    neuron : NeuronType
        Neuron model. Default: ``LIF(min_voltage=0)``, whose potential is floored at
        rest as in Nengo, so that strongly inhibited neurons respond again at once
        (halves the decoding error of a spiking communication channel). The group
        models (``IAF``, ``AdaptiveIAF``, ``AdEx``, ``Izhikevich``, ``EquationNeuron``)
        work too, J in their current units: tuning curves, gains and biases come
        from their simulated rate table (``rate_table.TabulatedRates``; IAF's closed
        form), and a network steps them with their own group step.
    max_rates : Distribution or array (N,), Hz, optional
        Rate of each neuron at e · x = radius. Default: ``Uniform(200, 400)``, or,
        for a model that cannot fire that fast (Hodgkin–Huxley fires at 43–126 Hz),
        uniform over the upper half of the rates it reaches.
    intercepts : Distribution or array (N,)
        Normalised value of e · x / radius at which each neuron starts firing
        (< 1).
    encoders : Distribution or array (N, d), optional
        Preferred directions (normalised to unit length); default: evenly spread on
        the unit sphere (±1 in 1-D).
    radius : float
        Range of the represented values (> 0).
    seed : int, optional
        Seed of all the population's random parameters (``None``: fresh entropy).
    label : str, optional
    gain, bias : array (N,), optional
        Given directly (both), instead of solved from ``max_rates`` and
        ``intercepts`` — e.g. for a trained network's layer.
    """

    def __init__(self, n_neurons: int, dimensions: int = 1, neuron: NeuronType = None,
                 max_rates=None, intercepts=Uniform(-1.0, 1.0),
                 encoders=None, radius: float = 1.0, seed: int | None = None,
                 label: str | None = None, gain=None, bias=None):
        self.n_neurons = as_int("n_neurons", n_neurons, minimum=1)
        self.dimensions = as_int("dimensions", dimensions, minimum=1)
        self.neuron = LIF(min_voltage=0.0) if neuron is None else neuron
        if not isinstance(self.neuron, NeuronType):
            raise TypeError(f"neuron must be a neuron type (LIF(), HodgkinHuxley(), "
                            f"...), got {_show(neuron)}")
        for name, value in (("max_rates", max_rates), ("intercepts", intercepts)):
            if value is not None and not isinstance(value, Distribution):
                as_array(name, value)  # finite numbers
        self.max_rates_spec = max_rates
        self.intercepts_spec = intercepts
        self.encoders_spec = QuasirandomHypersphere(surface=True) if encoders is None \
            else encoders
        self.radius = as_float("radius", radius, positive=True)
        if (gain is None) != (bias is None):
            raise ValueError("give both gain and bias, or neither")
        self.given_gain_bias = None if gain is None else (
            self._per_neuron("gain", gain), self._per_neuron("bias", bias))
        if seed is not None:
            seed = as_int("seed", seed, minimum=0)
        #: True when no seed was given and one was drawn from fresh entropy.
        self.seed_from_entropy = seed is None
        self.seed = int(np.random.SeedSequence().entropy % 2 ** 63) if seed is None \
            else seed
        self.label = label

    def _per_neuron(self, name, value) -> np.ndarray:
        arr = as_array(name, value)
        if arr.shape not in ((), (self.n_neurons,)):
            raise ValueError(f"{name} must be a number or have shape "
                             f"({self.n_neurons},), got {arr.shape}")
        return np.array(np.broadcast_to(arr, (self.n_neurons,)), dtype=np.float64)

    def with_seed(self, seed: int) -> "Population":
        """The same description with another seed."""
        gain, bias = self.given_gain_bias or (None, None)
        return Population(self.n_neurons, self.dimensions, neuron=self.neuron,
                          max_rates=self.max_rates_spec,
                          intercepts=self.intercepts_spec,
                          encoders=self.encoders_spec, radius=self.radius, seed=seed,
                          label=self.label, gain=gain, bias=bias)

    def __repr__(self):
        name = f" {self.label!r}" if self.label else ""
        return (f"<Population{name}: {self.n_neurons} {type(self.neuron).__name__} "
                f"neurons, {self.dimensions}-D, radius {self.radius:g}, seed "
                f"{self.seed}>")

    # -- build ----------------------------------------------------------------------
    def _rng(self, stream: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed,
                                                            spawn_key=(stream,)))

    @cached_property
    def max_rates(self) -> np.ndarray:
        """Maximum rate of each neuron (Hz), shape (N,)."""
        spec = self.max_rates_spec
        if spec is None:
            spec = default_max_rates(self.neuron)
        return as_samples("max_rates", spec, self.n_neurons, None, self._rng(0))

    @cached_property
    def intercepts(self) -> np.ndarray:
        """Intercept of each neuron, shape (N,)."""
        return as_samples("intercepts", self.intercepts_spec, self.n_neurons, None,
                          self._rng(1))

    @cached_property
    def encoders(self) -> np.ndarray:
        """Unit encoders, shape (N, d)."""
        enc = as_samples("encoders", self.encoders_spec, self.n_neurons,
                         self.dimensions, self._rng(2))
        norms = np.linalg.norm(enc, axis=1, keepdims=True)
        if np.any(norms == 0):
            raise ValueError("encoders must be non-zero vectors")
        return enc / norms

    def initial_voltages(self) -> np.ndarray:
        """Starting membrane potentials for a network run, uniform in [0, 1) (in the
        LIF's normalised units) so that the neurons do not all fire in step."""
        return self._rng(7).uniform(0.0, 1.0, self.n_neurons)

    @cached_property
    def _gain_bias(self):
        if self.given_gain_bias is not None:
            return self.given_gain_bias
        return self.neuron.gain_bias(self.max_rates, self.intercepts)

    @property
    def gain(self) -> np.ndarray:
        """α, shape (N,), in the neuron model's input units."""
        return self._gain_bias[0]

    @property
    def bias(self) -> np.ndarray:
        """β, shape (N,)."""
        return self._gain_bias[1]

    def key(self) -> str:
        """Content hash of everything that sets the activities."""
        return cache.key("population", self.neuron.key(), self.radius, self.gain,
                         self.bias, self.encoders)

    # -- encoding -------------------------------------------------------------------
    def _points(self, x) -> np.ndarray:
        x = as_array("x", x)
        if x.ndim == 1 and self.dimensions == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.dimensions:
            raise ValueError(f"x must have shape (P, {self.dimensions}) (or (P,) for a "
                             f"1-D population), got {x.shape}")
        return x

    def currents(self, x) -> np.ndarray:
        """Input of every neuron at each point: J (P, N) for x (P, d)."""
        x = self._points(x)
        return (x @ (self.encoders.T / self.radius)) * self.gain + self.bias

    def rates(self, x) -> np.ndarray:
        """Tuning curves: rates (Hz) of every neuron at each point, shape (P, N)."""
        x = self._points(x)
        if isinstance(self.neuron, (LIF, LIFRate)):
            lif = self.neuron
            return lif_activities(np.ascontiguousarray(x),
                                  np.ascontiguousarray(self.encoders.T / self.radius),
                                  self.gain, self.bias, lif.tau_rc, lif.tau_ref,
                                  lif.v_reset)
        out = np.empty((x.shape[0], self.n_neurons))
        for start in range(0, x.shape[0], _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            out[rows] = self.neuron.rates(self.currents(x[rows]))
        return out

    def spiking_rates(self, x, synapse: PSC = PSC(0.005), settle: float = 0.2,
                      window: float = 0.1, dt: float | None = None,
                      seed_stream: int = 3) -> np.ndarray:
        """Activities measured from spikes: each neuron is simulated at each point
        with its constant input for ``settle + window`` seconds, and its spike train,
        filtered by ``synapse``, is read at a random time in the last ``window``.

        The values scatter around the tuning curves as the filtered spike trains of
        a running network do, so decoders fitted to them account for spike noise.
        Shape (P, N).
        """
        if not self.neuron.spiking:
            raise TypeError(f"{type(self.neuron).__name__} does not spike; use rates()")
        if not isinstance(synapse, PSC):
            raise TypeError(f"synapse must be a PSC, got {_show(synapse)}")
        settle = as_float("settle (s)", settle, nonnegative=True)
        window = as_float("window (s)", window, positive=True)
        J = self.currents(x).ravel()
        rng = self._rng(seed_stream)
        t_read = settle + window * rng.uniform(0.0, 1.0, J.size)
        out = np.empty(J.size)
        chunk = max(1, 2 ** 22 // max(1, int((settle + window) / 2e-3) + 16))
        for start in range(0, J.size, chunk):
            part = slice(start, start + chunk)
            try:
                run = simulate(self.neuron, J[part], settle + window, dt=dt, record=())
            except SimulationError as err:
                point, neuron = divmod(start + err.system, self.n_neurons)
                raise SimulationError(
                    f"measuring the activity of neuron {neuron} (gain "
                    f"{self.gain[neuron]:.4g}, intercept {self.intercepts[neuron]:.4g}) "
                    f"at evaluation point {point}: {err}", t=err.t, method=err.method,
                    step=err.step, system=neuron) from err
            times, ids = run.spikes()
            lag = t_read[part][ids] - times
            past = lag >= 0
            out[part] = np.bincount(ids[past], weights=synapse.impulse_response(
                lag[past]), minlength=J[part].size)
        return out.reshape(-1, self.n_neurons)

    # -- decoding -------------------------------------------------------------------
    def eval_points(self, n: int | None = None, stream: int = 4) -> np.ndarray:
        """``n`` evaluation points spread evenly in the ball of the radius, (n, d)."""
        n = default_n_eval_points(self.n_neurons, self.dimensions) if n is None \
            else as_int("n_eval_points", n, minimum=1)
        points = self.radius * QuasirandomHypersphere().sample(n, self.dimensions,
                                                               self._rng(stream))
        if self.dimensions == 1:  # sorted: each tuning curve is active on one run
            points = np.sort(points, axis=0)  # of rows, which the solvers exploit
        return points

    def decoders(self, function=None, eval_points=None, n_eval_points=None,
                 solver="lstsq_l2", reg: float | None = None, spiking: bool = False,
                 synapse: PSC = PSC(0.005), n_test_points: int = 1000) -> Decoders:
        """Decoders of ``function`` (default: the identity) by least squares.

        Parameters
        ----------
        function : callable, optional
            Vectorised: takes the points (P, d) and returns (P,) or (P, L).
        eval_points : array (P, d), optional
            Where to fit; default ``n_eval_points`` points spread in the ball.
        solver : {"lstsq_l2", "lstsq", "svd", "nnls"} or callable
            See ``neurosim.nef.solvers``; a callable ``solver(A, Y, rng)``.
        reg : float, optional
            Regularisation of ``lstsq_l2`` (default 0.1) and ``nnls`` (default 0).
        spiking : bool
            Fit to activities measured from filtered spike trains
            (``spiking_rates`` with ``synapse``) instead of the tuning curves.
        n_test_points : int
            Held-out points (other than the evaluation points) for ``rmse_test``.

        Returns
        -------
        Decoders
            Solved once per content (population, points, targets, solver, reg,
            spiking) and cached.
        """
        points = self.eval_points(n_eval_points) if eval_points is None else \
            self._points(eval_points)
        targets = self._targets(function, points)
        solve, solver_key = resolve(solver, reg)
        test = self.eval_points(as_int("n_test_points", n_test_points, minimum=1),
                                stream=5)
        test_targets = self._targets(function, test)
        if spiking and not isinstance(synapse, PSC):
            raise TypeError(f"synapse must be a PSC, got {_show(synapse)}")
        name = None if solver_key is None else cache.key(
            "decoders", self.key(), points, targets, solver_key,
            ("spiking", synapse.tau, synapse.n, self.seed, SPIKING_SETTLE,
             SPIKING_WINDOW) if spiking else "rates")
        stored = cache.get("decoders", name) if name else None
        if stored is None:
            A = self.spiking_rates(points, synapse, SPIKING_SETTLE, SPIKING_WINDOW) \
                if spiking else self.rates(points)
            D, info = solve(A, targets, self._rng(6))
            stored = {"D": D, "rmse": np.array(info["rmse"]),
                      **{k: np.asarray(v) for k, v in info.items() if k != "rmse"}}
            if name:
                cache.put("decoders", name, **stored)
        D = stored["D"]
        estimate = self.rates(test) @ D
        rmse_test = float(np.sqrt(np.mean((estimate - test_targets) ** 2)))
        info = {k: v for k, v in stored.items() if k not in ("D", "rmse")}
        return Decoders(D, float(stored["rmse"]), rmse_test, points, info)

    def _targets(self, function, points) -> np.ndarray:
        if function is None:
            return points.copy()
        if not callable(function):
            raise TypeError(f"function must be callable f(points (P, d)) -> (P,) or "
                            f"(P, L), got {_show(function)}")
        values = np.asarray(function(points), dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2 or values.shape[0] != points.shape[0]:
            raise ValueError(f"function must map the {points.shape[0]} points (array "
                             f"of shape {points.shape}) to shape ({points.shape[0]},) or "
                             f"({points.shape[0]}, L), got {values.shape}; it is called "
                             "once on all points, so it must be vectorised")
        if not np.all(np.isfinite(values)):
            raise ValueError("function returned non-finite values")
        return values


@njit(cache=True, parallel=True, error_model="numpy")
def lif_activities(x, encoders_over_radius, gain, bias, tau_rc, tau_ref, v_reset):
    """LIF tuning curves: rates (P, N) for points x (P, d); one pass, no temporaries.

    ``encoders_over_radius`` is (d, N): e_i / radius as columns.
    """
    P, d = x.shape
    N = gain.shape[0]
    out = np.empty((P, N))
    for p in prange(P):
        for i in range(N):
            proj = 0.0
            for k in range(d):
                proj += x[p, k] * encoders_over_radius[k, i]
            J = gain[i] * proj + bias[i]
            if J > 1.0:  # log of the ratio: as accurate here as log1p, and faster
                out[p, i] = 1.0 / (tau_ref + tau_rc * math.log((J - v_reset)
                                                                / (J - 1.0)))
            else:
                out[p, i] = 0.0
    return out
