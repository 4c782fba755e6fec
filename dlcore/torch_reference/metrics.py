"""PyTorch references for Dice, IoU (plain tensor ops) and the triplet loss (F.triplet_margin_loss)."""

from __future__ import annotations

from typing import Any


def dice_coefficient(p: dict[str, Any]) -> float:
    import torch

    a = torch.tensor(p["a"], dtype=torch.float64)
    b = torch.tensor(p["b"], dtype=torch.float64)
    if p.get("threshold") is not None:
        a, b = (a >= p["threshold"]).double(), (b >= p["threshold"]).double()
    smooth = p.get("smooth", 0.0)
    return float((2 * (a * b).sum() + smooth) / (a.sum() + b.sum() + smooth))


def iou(p: dict[str, Any]) -> float:
    import torch

    if p.get("box_a") is not None:
        a = torch.tensor(p["box_a"], dtype=torch.float64)
        b = torch.tensor(p["box_b"], dtype=torch.float64)
        lt, rb = torch.maximum(a[:2], b[:2]), torch.minimum(a[2:], b[2:])
        inter = (rb - lt).clamp(min=0).prod()
        area_a, area_b = (a[2:] - a[:2]).prod(), (b[2:] - b[:2]).prod()
    else:
        ma = torch.tensor(p["mask_a"], dtype=torch.float64)
        mb = torch.tensor(p["mask_b"], dtype=torch.float64)
        inter, area_a, area_b = (ma * mb).sum(), ma.sum(), mb.sum()
    return float(inter / (area_a + area_b - inter))


def triplet_loss(p: dict[str, Any]) -> float:
    import torch
    import torch.nn.functional as F

    a, pos, neg = (torch.tensor(p[k], dtype=torch.float64).unsqueeze(0) for k in ("anchor", "positive", "negative"))
    if p.get("distance", "squared_euclidean") == "euclidean":
        return float(F.triplet_margin_loss(a, pos, neg, margin=p["margin"], p=2, eps=0.0))
    loss = torch.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda x, y: ((x - y) ** 2).sum(dim=1), margin=p["margin"]
    )
    return float(loss(a, pos, neg))


SEED_002_A = [[0.10, 0.47, 0.88, 0.25], [0.65, 0.11, 0.66, 1.0], [0.91, 0.00, 0.99, 0.29], [0.78, 1.0, 0.40, 0.99]]
SEED_002_B = [[0.01, 0.44, 0.48, 0.18], [0.60, 0.09, 0.97, 0.99], [0.87, 0.02, 0.98, 0.20], [0.77, 0.99, 0.40, 0.99]]

REFERENCES = {
    "dice_coefficient": dice_coefficient,
    "iou": iou,
    "triplet_loss": triplet_loss,
}

CASES = [
    ("dice_coefficient", {"a": SEED_002_A, "b": SEED_002_B}),
    ("dice_coefficient", {"a": SEED_002_A, "b": SEED_002_B, "threshold": 0.5}),
    ("dice_coefficient", {"a": [[1.0, 0.0], [0.0, 0.0]], "b": [[0.0, 0.0], [0.0, 1.0]], "smooth": 1.0}),
    ("iou", {"box_a": [0.0, 0.0, 2.0, 2.0], "box_b": [1.0, 1.0, 3.0, 3.0]}),
    ("iou", {"box_a": [0.0, 0.0, 1.0, 1.0], "box_b": [2.0, 2.0, 3.0, 4.0]}),
    ("iou", {"mask_a": [[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]], "mask_b": [[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]}),
    ("iou", {"mask_a": SEED_002_A, "mask_b": SEED_002_B}),
    ("triplet_loss", {"anchor": [0.0, 0.0], "positive": [1.0, 0.0], "negative": [0.0, 1.0], "margin": 0.2}),
    ("triplet_loss", {"anchor": [0.5, 1.0, -0.5], "positive": [0.4, 1.2, -0.1], "negative": [1.5, 0.0, 0.5],
                      "margin": 1.0, "distance": "euclidean"}),
    ("triplet_loss", {"anchor": [1.0, 2.0], "positive": [3.0, 0.0], "negative": [1.5, 2.5], "margin": 0.5,
                      "distance": "euclidean"}),
    ("triplet_loss", {"anchor": [1.0, 2.0], "positive": [1.1, 2.1], "negative": [4.0, -2.0], "margin": 0.3}),
]
