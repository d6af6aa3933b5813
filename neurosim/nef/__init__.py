"""NEF populations: encoding, tuning curves, decoders and transformation weights."""

from . import solvers
from .dists import (Choice, Distribution, Gaussian, QuasirandomHypersphere, Uniform,
                    UniformHypersphere)
from .population import Decoders, Population, default_n_eval_points
from .weights import encoding_matrix, full_weights, transform_matrix

__all__ = ["Choice", "Decoders", "Distribution", "Gaussian", "Population",
           "QuasirandomHypersphere", "Uniform", "UniformHypersphere",
           "default_n_eval_points", "encoding_matrix", "full_weights", "solvers",
           "transform_matrix"]
