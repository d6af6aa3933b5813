"""Rate-based artificial neural networks in numpy: layers, activations (including LIF
rate and soft-LIF), losses, optimizers, mini-batch training, classic units
(McCulloch–Pitts, perceptron), Hopfield networks, and RNN / LSTM with BPTT.

Rows are samples everywhere; sequences are (batch, time, features).
"""

from .activations import (
    ELU,
    Activation,
    Arctan,
    LeakyReLU,
    Logistic,
    PReLU,
    ReLU,
    Softmax,
    Softplus,
    Tanh,
    Threshold,
)
from .classic import McCullochPitts, PerceptronResult, logic_gate, train_perceptron, train_xor_mlp
from .clipping import clip_by_global_norm, clip_by_value, global_norm
from .config import from_config
from .convert import SpikingANN, SpikingEvaluation, evaluate_spiking, to_spiking
from .delay_task import delay_task
from .gradcheck import check_layer_gradients, numerical_gradient, relative_error
from .hopfield import Hopfield, Recall, capacity_curve, flip_bits, random_patterns
from .layer import Layer
from .layers import BatchNorm, Dense, Dropout
from .lif_activations import LIFRate, SoftLIFRate
from .losses import MAE, MSE, BinaryCrossEntropy, Loss, SoftmaxCrossEntropy, one_hot
from .metrics import accuracy
from .optimizers import SGD, Adam, Momentum, Optimizer
from .penalties import L1, L2, Penalty
from .persistence import load_model, save_model
from .rnn import LSTM, RNN
from .sequential import Sequential
from .splits import train_test_split, train_validation_test_split
from .training import fit, predict

__all__ = [
    "ELU", "L1", "L2", "LSTM", "MAE", "MSE", "RNN", "SGD", "Activation", "Adam", "Arctan",
    "BatchNorm", "BinaryCrossEntropy", "Dense", "Dropout", "Hopfield", "LIFRate", "Layer",
    "LeakyReLU", "Logistic", "Loss", "McCullochPitts", "Momentum", "Optimizer", "PReLU",
    "Penalty", "PerceptronResult", "Recall", "ReLU", "Sequential", "SoftLIFRate",
    "Softmax", "SoftmaxCrossEntropy", "Softplus", "SpikingANN", "SpikingEvaluation",
    "Tanh", "Threshold", "accuracy",
    "capacity_curve", "check_layer_gradients", "clip_by_global_norm", "clip_by_value",
    "delay_task", "evaluate_spiking", "fit", "flip_bits", "from_config", "global_norm", "load_model",
    "logic_gate", "numerical_gradient", "one_hot", "predict", "random_patterns",
    "relative_error", "save_model", "train_perceptron", "train_test_split",
    "to_spiking", "train_validation_test_split", "train_xor_mlp",
]
