"""PyTorch references for backpropagation: autograd on a float64 MLP, torch.optim.SGD, F.cross_entropy."""

from __future__ import annotations

from typing import Any


def _activation(name: str, z: Any) -> Any:
    import torch
    import torch.nn.functional as F

    return {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": lambda t: t,
            "leaky_relu": F.leaky_relu}[name](z)


def mlp_sgd_step(p: dict[str, Any]) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F

    linears = []
    for spec in p["layers"]:
        weight = torch.tensor(spec["weights"], dtype=torch.float64)
        lin = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(weight)
            lin.bias.copy_(torch.tensor(spec.get("bias", [0.0] * weight.shape[0]), dtype=torch.float64))
        linears.append((lin, spec["activation"]))
    a = torch.tensor(p["x"], dtype=torch.float64)
    y = torch.tensor(p["y"], dtype=torch.float64)
    for lin, act in linears:
        a = _activation(act, lin(a))
    kind = p.get("loss", "half_mse")
    if kind == "half_mse":
        loss = 0.5 * ((a - y) ** 2).sum()
    elif kind == "mse":
        loss = F.mse_loss(a, y)
    else:
        loss = F.cross_entropy(a.unsqueeze(0), y.unsqueeze(0))
    params = [t for lin, _ in linears for t in (lin.weight, lin.bias)]
    opt = torch.optim.SGD(params, lr=p["lr"])
    opt.zero_grad()
    loss.backward()
    grads = [{"weights": lin.weight.grad.tolist(), "bias": lin.bias.grad.tolist()} for lin, _ in linears]
    opt.step()
    return {
        "loss": float(loss.detach()),
        "output": a.tolist(),
        "gradients": grads,
        "updated": [{"weights": lin.weight.tolist(), "bias": lin.bias.tolist()} for lin, _ in linears],
    }


def multi_upstream_gradient(p: dict[str, Any]) -> float:
    import torch
    import torch.nn.functional as F

    upstream = torch.tensor(p["upstream"], dtype=torch.float64)
    weights = torch.tensor(p.get("weights") or [1.0] * len(p["upstream"]), dtype=torch.float64)
    z = torch.tensor(p.get("z") or 0.0, dtype=torch.float64, requires_grad=True)
    name = p.get("activation", "sigmoid")
    fn = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu, "linear": lambda t: t,
          "leaky_relu": lambda t: F.leaky_relu(t, p.get("alpha", 0.01))}[name]
    a = fn(z)
    a.retain_grad()
    branches = weights * a  # each branch multiplies the node's output by its weight
    branches.backward(upstream)
    grad = a.grad if p.get("at", "output") == "output" else z.grad
    assert grad is not None
    return float(grad)


def softmax_cross_entropy(p: dict[str, Any]) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F

    z = torch.tensor(p["logits"], dtype=torch.float64, requires_grad=True)
    target = p["target"]
    if isinstance(target, list):
        y = torch.tensor(target, dtype=torch.float64).unsqueeze(0)
    else:
        y = torch.tensor([int(target)])
    loss = F.cross_entropy(z.unsqueeze(0), y)
    loss.backward()
    assert z.grad is not None
    return {"loss": float(loss.detach()), "probabilities": torch.softmax(z, 0).tolist(), "gradient": z.grad.tolist()}


SEED_001_LAYERS = [
    {"weights": [[0.1, 0.2], [-0.2, -0.1]], "bias": [0.0, 0.0], "activation": "relu"},
    {"weights": [[0.5, 0.3]], "bias": [0.0], "activation": "linear"},
]

REFERENCES = {
    "mlp_sgd_step": mlp_sgd_step,
    "multi_upstream_gradient": multi_upstream_gradient,
    "softmax_cross_entropy": softmax_cross_entropy,
}

CASES = [
    ("mlp_sgd_step", {"x": [1.0, 1.0], "y": [0.5], "lr": 0.5, "layers": SEED_001_LAYERS}),
    ("mlp_sgd_step", {"x": [2.0, 5.0], "y": [0.5], "lr": 0.1, "loss": "mse",
                      "layers": [{"weights": [[0.5, 0.2]], "bias": [0.1], "activation": "sigmoid"}]}),
    ("mlp_sgd_step", {"x": [0.5, -1.0, 2.0], "y": [0.0, 1.0, 0.0], "lr": 0.05, "loss": "cross_entropy", "layers": [
        {"weights": [[0.2, -0.3, 0.1], [0.4, 0.1, -0.2]], "bias": [0.05, -0.1], "activation": "tanh"},
        {"weights": [[0.3, -0.2], [0.1, 0.5], [-0.4, 0.2]], "bias": [0.0, 0.1, -0.1], "activation": "linear"}]}),
    ("mlp_sgd_step", {"x": [1.0, -2.0], "y": [1.0, 0.0], "lr": 0.3, "loss": "half_mse", "layers": [
        {"weights": [[0.5, -0.5], [0.3, 0.8]], "bias": [0.1, 0.2], "activation": "sigmoid"},
        {"weights": [[1.0, -1.0], [0.2, 0.4], [0.7, 0.1]], "bias": [0.0, 0.0, 0.0], "activation": "relu"},
        {"weights": [[0.6, -0.4, 0.3], [0.2, 0.2, -0.5]], "bias": [0.05, 0.0], "activation": "sigmoid"}]}),
    ("mlp_sgd_step", {"x": [1.0, 1.0], "y": [0.3], "lr": 0.1, "layers": [
        {"weights": [[1.0, -1.0]], "bias": [0.0], "activation": "relu"},
        {"weights": [[2.0]], "bias": [0.5], "activation": "linear"}]}),
    ("multi_upstream_gradient", {"upstream": [0.5, 0.4], "weights": [0.25, -0.2]}),
    ("multi_upstream_gradient", {"upstream": [0.5, 0.4], "weights": [0.25, -0.2], "at": "input", "z": 0.8}),
    ("multi_upstream_gradient", {"upstream": [1.0, -2.0, 0.5], "activation": "tanh", "at": "input", "z": -0.3}),
    ("multi_upstream_gradient", {"upstream": [0.2, 0.3], "activation": "relu", "at": "input", "z": 1.5}),
    ("softmax_cross_entropy", {"logits": [2.0, 1.0, 0.1], "target": 0}),
    ("softmax_cross_entropy", {"logits": [0.5, -1.5, 3.0, 0.0], "target": [0.0, 0.0, 0.0, 1.0]}),
    ("softmax_cross_entropy", {"logits": [1.0, 2.0], "target": [0.3, 0.7]}),
]
