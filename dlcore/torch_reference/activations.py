"""PyTorch references for activations, their derivatives (autograd) and softmax."""

from __future__ import annotations

from typing import Any


def _apply(name: str, z: Any, alpha: float) -> Any:
    import torch
    import torch.nn.functional as F

    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return F.relu(z)
    if name == "leaky_relu":
        return F.leaky_relu(z, negative_slope=alpha)
    if name == "prelu":
        return F.prelu(z, torch.tensor([alpha], dtype=torch.float64))
    if name == "elu":
        return F.elu(z, alpha=alpha)
    raise ValueError(name)


def activation(p: dict[str, Any]) -> Any:
    import torch

    z = torch.tensor(p["z"], dtype=torch.float64)
    out = _apply(p["activation"], z, p.get("alpha", 0.01))
    return out.tolist()


def activation_derivative(p: dict[str, Any]) -> float:
    import torch

    w = torch.tensor(p["w"], dtype=torch.float64)
    x = torch.tensor(p["x"], dtype=torch.float64)
    z = (w @ x + p.get("b", 0.0)).detach().requires_grad_(True)
    _apply(p["activation"], z, p.get("alpha", 0.01)).backward()
    assert z.grad is not None
    return float(z.grad)


def softmax(p: dict[str, Any]) -> list[float]:
    import torch

    return torch.softmax(torch.tensor(p["logits"], dtype=torch.float64), dim=0).tolist()


REFERENCES = {
    "activation": activation,
    "activation_derivative": activation_derivative,
    "softmax": softmax,
}

CASES = [
    ("activation", {"activation": "sigmoid", "z": 0.7}),
    ("activation", {"activation": "tanh", "z": [-1.2, 0.0, 2.5]}),
    ("activation", {"activation": "relu", "z": [-3.0, 0.0, 4.5]}),
    ("activation", {"activation": "leaky_relu", "z": [3.0, 23.0, -27.0, -7.0], "alpha": 0.001}),
    ("activation", {"activation": "prelu", "z": [-2.0, 1.5], "alpha": 0.25}),
    ("activation", {"activation": "elu", "z": [-2.0, -0.5, 1.5], "alpha": 1.0}),
    ("activation_derivative", {"activation": "tanh", "w": [0.6, 1.5, -0.4, 0.8], "x": [0.5, -0.7, 0.9, 0.3]}),
    ("activation_derivative", {"activation": "sigmoid", "w": [0.5, 0.2], "x": [2.0, 5.0], "b": 0.1}),
    ("activation_derivative", {"activation": "relu", "w": [1.0, -1.0], "x": [2.0, 2.0]}),
    ("activation_derivative", {"activation": "relu", "w": [1.0, -1.0], "x": [3.0, 2.0], "b": -0.5}),
    ("activation_derivative", {"activation": "leaky_relu", "w": [1.0, 2.0], "x": [-1.0, 0.25], "b": -0.3, "alpha": 0.1}),
    ("activation_derivative", {"activation": "leaky_relu", "w": [1.0, -1.0], "x": [2.0, 2.0]}),
    ("activation_derivative", {"activation": "prelu", "w": [0.3], "x": [-2.0], "alpha": 0.25}),
    ("activation_derivative", {"activation": "elu", "w": [0.3, 0.1], "x": [-2.0, 1.0], "alpha": 1.0}),
    ("softmax", {"logits": [0.3, 0.3, 0.3, 0.3]}),
    ("softmax", {"logits": [1.0, 2.0, 3.0]}),
    ("softmax", {"logits": [1000.0, 999.0, -5.0]}),
]
