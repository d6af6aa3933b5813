"""``Sequential``: a stack of layers applied one after the other."""

from __future__ import annotations

from ..validation import _show
from .layer import Layer


class Sequential(Layer):
    """Apply ``layers`` in order; back-propagate in reverse order.

    Parameters
    ----------
    layers : sequence of Layer
        At least one layer. Their parameters, gradients and buffers appear here under
        ``"<index>.<name>"``, e.g. ``"0.weight"``.
    """

    def __init__(self, layers):
        super().__init__()
        try:
            self.layers = list(layers)
        except TypeError:
            raise TypeError(f"layers must be a sequence of Layer objects, got "
                            f"{_show(layers)}") from None
        if not self.layers:
            raise ValueError("layers must hold at least one layer, got an empty sequence")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a Layer, got {_show(layer)} of "
                                f"type {type(layer).__name__}")
        self.grads = self._named(lambda layer: layer.grads)

    def _named(self, arrays_of):
        return {f"{i}.{name}": arr for i, layer in enumerate(self.layers)
                for name, arr in arrays_of(layer).items()}

    def forward(self, x, training=False):
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def parameters(self):
        return self._named(lambda layer: layer.parameters())

    def buffers(self):
        return self._named(lambda layer: layer.buffers())

    def get_config(self):
        return {"class": "Sequential", "layers": [layer.get_config() for layer in self.layers]}

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __repr__(self):
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner}\n])"
