"""PyTorch references for normalisation and regularisation.

F.batch_norm(training=True) normalises with the biased batch variance, which is
what dlcore reports; its running_var update uses the unbiased one and is not
compared.
"""

from __future__ import annotations

from typing import Any


def _affine(p: dict[str, Any], n: int) -> tuple[Any, Any]:
    import torch

    gamma = torch.broadcast_to(torch.tensor(p.get("gamma", 1.0), dtype=torch.float64), (n,)).clone()
    beta = torch.broadcast_to(torch.tensor(p.get("beta", 0.0), dtype=torch.float64), (n,)).clone()
    return gamma, beta


def _batch_norm(x: Any, p: dict[str, Any], dims: tuple[int, ...]) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F

    gamma, beta = _affine(p, x.shape[1])
    # torch rejects eps = 0 in training; the tiniest positive double leaves var + eps == var.
    eps = max(p.get("eps", 0.0), torch.finfo(torch.float64).tiny)
    out = F.batch_norm(x, None, None, weight=gamma, bias=beta, training=True, eps=eps)
    mean = x.mean(dim=dims)
    var = torch.var(x, dim=dims, unbiased=False)
    return {"mean": mean.tolist(), "var": var.tolist(), "normalized": out.tolist()}


def batchnorm(p: dict[str, Any]) -> dict[str, Any]:
    import torch

    return _batch_norm(torch.tensor(p["batch"], dtype=torch.float64), p, (0,))


def batchnorm2d(p: dict[str, Any]) -> dict[str, Any]:
    import torch

    return _batch_norm(torch.tensor(p["x"], dtype=torch.float64), p, (0, 2, 3))


def layernorm(p: dict[str, Any]) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F

    x = torch.tensor(p["x"], dtype=torch.float64)
    gamma, beta = _affine(p, x.shape[1])
    out = F.layer_norm(x, (x.shape[1],), weight=gamma, bias=beta, eps=p.get("eps", 0.0))
    return {"mean": x.mean(dim=1).tolist(), "var": torch.var(x, dim=1, unbiased=False).tolist(), "normalized": out.tolist()}


def inverted_dropout(p: dict[str, Any]) -> list[float]:
    import torch

    a = torch.tensor(p["a"], dtype=torch.float64)
    mask = torch.tensor(p["mask"], dtype=torch.float64)
    return (a * mask / p["keep_prob"]).tolist()


def mixup(p: dict[str, Any]) -> dict[str, Any]:
    import torch

    t = {k: torch.tensor(p[k], dtype=torch.float64) for k in ("x1", "y1", "x2", "y2")}
    lam = p["lam"]
    return {"x": torch.lerp(t["x2"], t["x1"], lam).tolist(), "y": torch.lerp(t["y2"], t["y1"], lam).tolist()}


BN2D_X = [
    [[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 0.0]]],
    [[[0.0, -2.0], [1.0, 5.0]], [[1.5, 1.0], [-0.5, 3.0]]],
]

REFERENCES = {
    "batchnorm": batchnorm,
    "batchnorm2d": batchnorm2d,
    "layernorm": layernorm,
    "inverted_dropout": inverted_dropout,
    "mixup": mixup,
}

CASES = [
    ("batchnorm", {"batch": [[4.0, 4.0, 3.0], [0.0, 2.0, 5.0], [8.0, 9.0, 1.0]]}),
    ("batchnorm", {"batch": [[1.0, 2.0], [3.0, 6.0], [5.0, 7.0], [-1.0, 0.0]], "eps": 1e-5, "gamma": [2.0, 0.5], "beta": [0.1, -0.3]}),
    ("batchnorm", {"batch": [[0.2, 1.0], [0.4, 1.0]], "eps": 0.01, "gamma": 1.5, "beta": 1.0}),
    ("batchnorm2d", {"x": BN2D_X}),
    ("batchnorm2d", {"x": BN2D_X, "eps": 1e-5, "gamma": [1.0, 2.0], "beta": [0.0, -1.0]}),
    ("batchnorm2d", {"x": [[[[1.0, 3.0, 5.0]]], [[[2.0, 2.0, 2.0]]]], "eps": 0.1}),
    ("layernorm", {"x": [[1.0, 2.0, 3.0, 4.0]]}),
    ("layernorm", {"x": [[1.0, 2.0, 6.0], [0.5, -0.5, 0.0]], "eps": 1e-5, "gamma": [1.0, 2.0, 0.5], "beta": [0.0, 0.1, 0.2]}),
    ("layernorm", {"x": [[3.0, 3.0], [1.0, 2.0]], "eps": 0.5}),
    ("inverted_dropout", {"a": [1.0, 2.0, 3.0, 4.0], "mask": [1, 0, 1, 1], "keep_prob": 0.8}),
    ("inverted_dropout", {"a": [0.5, -1.5], "mask": [0, 1], "keep_prob": 0.5}),
    ("inverted_dropout", {"a": [2.0, 2.0, 2.0], "mask": [1, 1, 1], "keep_prob": 0.9}),
    ("mixup", {"x1": [0.2, 0.4, 0.6], "y1": [1.0, 0.0], "x2": [0.8, 0.7, 0.3], "y2": [0.0, 1.0], "lam": 0.3}),
    ("mixup", {"x1": [1.0, -1.0], "y1": [0.0, 0.0, 1.0], "x2": [3.0, 5.0], "y2": [1.0, 0.0, 0.0], "lam": 0.75}),
    ("mixup", {"x1": [1.0], "y1": [1.0, 0.0], "x2": [0.0], "y2": [0.0, 1.0], "lam": 1.0}),
]
