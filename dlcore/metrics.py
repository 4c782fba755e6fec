"""Segmentation and embedding metrics: Dice, IoU, triplet loss."""

from __future__ import annotations

from itertools import chain
from operator import mul
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dlcore.errors import SolverError
from dlcore.finite import require_finite
from dlcore.fmt import num, nums
from dlcore.pairwise import np_sum
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = ["dice_coefficient", "iou", "triplet_loss"]

Array = NDArray[np.float64]


def _masks(a: list[list[float]], b: list[list[float]], threshold: float | None) -> tuple[Array, Array]:
    ma, mb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if ma.shape != mb.shape:
        raise SolverError(f"The two masks must have the same shape, got {ma.shape[0]}x{ma.shape[1]} and {mb.shape[0]}x{mb.shape[1]}.")
    if threshold is not None:
        ma, mb = (ma >= threshold).astype(np.float64), (mb >= threshold).astype(np.float64)
    return ma, mb


def _dice(a: Array, b: Array, smooth: float, *, factor: float = 2.0, smooth_top: bool = True) -> float:
    denominator = a.sum() + b.sum() + smooth
    if denominator == 0:
        raise SolverError("Both masks are empty, so the Dice coefficient is undefined unless smooth > 0.")
    return float((factor * np.sum(a * b) + (smooth if smooth_top else 0.0)) / denominator)


_MASK = Param("matrix", min=0, max=1)


@solver(
    "dice_coefficient",
    params={
        "a": _MASK, "b": _MASK,
        "smooth": Param("float", 0.0, min=0),
        "threshold": Param("float", None, help="hard Dice: binarise both masks with value >= threshold; soft Dice when left out"),
    },
)
def dice_coefficient(*, a: list[list[float]], b: list[list[float]], smooth: float, threshold: float | None) -> Solution:
    """Dice = (2 sum(a*b) + smooth) / (sum(a) + sum(b) + smooth); hard Dice first binarises with value >= threshold.

    >>> dice_coefficient(a=[[1, 1], [0, 0]], b=[[1, 0], [1, 0]], smooth=0.0, threshold=None).answer
    0.5
    """
    rows, width = len(a), len(a[0])
    if len(b) != rows or len(b[0]) != width:
        raise SolverError(f"The two masks must have the same shape, got {rows}x{width} and {len(b)}x{len(b[0])}.")
    fa, fb = list(chain.from_iterable(a)), list(chain.from_iterable(b))
    steps = []
    if threshold is not None:
        fa = [1.0 if v >= threshold else 0.0 for v in fa]
        fb = [1.0 if v >= threshold else 0.0 for v in fb]
        t = num(threshold)
        steps.append(Step("Binarise both masks", _BINARISE % (t, t),
                          {"a": [fa[i:i + width] for i in range(0, len(fa), width)],
                           "b": [fb[i:i + width] for i in range(0, len(fb), width)]}))
    n = len(fa)
    inter = np_sum(list(map(mul, fa, fb)), 0, n)  # fa and fb have n values each (same shape)
    sum_a, sum_b = np_sum(fa, 0, n), np_sum(fb, 0, n)
    denominator = sum_a + sum_b + smooth
    if denominator == 0:
        raise SolverError("Both masks are empty, so the Dice coefficient is undefined unless smooth > 0.")
    dice = (2.0 * inter + smooth) / denominator
    require_finite("dice_coefficient", [inter, sum_a, sum_b, dice])
    t_inter, t_a, t_b, t_smooth, t_dice = nums([inter, sum_a, sum_b, smooth, dice])
    steps += [
        _new(Step, ("Overlap", r"\sum a \odot b = " + t_inter, inter)),
        _new(Step, ("Sizes", r"\sum a = " + t_a + r",\ \sum b = " + t_b, [sum_a, sum_b])),
        _new(Step, ("Dice coefficient", _DICE % (t_inter, t_smooth, t_a, t_b, t_smooth, t_dice), dice)),
    ]
    return _new(Solution, (dice, tuple(steps), True))  # every computed number checked above (see Solution.checked)


_new = tuple.__new__  # builds a Step or Solution without the NamedTuple constructor's keyword handling


_BINARISE = r"a \leftarrow [a \ge %s],\ b \leftarrow [b \ge %s]"
_DICE = r"\frac{2 \cdot %s + %s}{%s + %s + %s} = %s"


@mistake("dice_coefficient", "forgot_factor_2", "Forgot the factor 2 in the numerator.")
def _dice_no_2(*, a: Any, b: Any, smooth: float, threshold: float | None) -> float:
    return _dice(*_masks(a, b, threshold), smooth, factor=1.0)


@mistake("dice_coefficient", "iou_instead_of_dice", "Computed the IoU (Jaccard index) instead of Dice.")
def _dice_iou(*, a: Any, b: Any, smooth: float, threshold: float | None) -> float:
    ma, mb = _masks(a, b, threshold)
    inter = float(np.sum(ma * mb))
    union = float(ma.sum() + mb.sum()) - inter + smooth
    if union == 0:
        raise SolverError("not applicable")
    return (inter + smooth) / union


@mistake("dice_coefficient", "smooth_only_in_denominator", "Added smooth to the denominator only.")
def _dice_smooth_bottom(*, a: Any, b: Any, smooth: float, threshold: float | None) -> float:
    return _dice(*_masks(a, b, threshold), smooth, smooth_top=False)


@mistake("dice_coefficient", "ignored_threshold", "Used the soft masks without thresholding them.")
def _dice_soft(*, a: Any, b: Any, smooth: float, threshold: float | None) -> float:
    return _dice(*_masks(a, b, None), smooth)


def _box(name: str, box: list[float]) -> Array:
    if len(box) != 4 or box[2] < box[0] or box[3] < box[1]:
        raise SolverError(f"Parameter '{name}' must be a box [x1, y1, x2, y2] with x2 >= x1 and y2 >= y1.")
    return np.asarray(box, dtype=np.float64)


def _iou_parts(box_a: list[float] | None, box_b: list[float] | None, mask_a: Any, mask_b: Any,
               *, clamp: bool = True) -> tuple[float, float, float]:
    """Intersection, size of a, size of b."""
    if box_a is not None and box_b is not None and mask_a is None and mask_b is None:
        ba, bb = _box("box_a", box_a), _box("box_b", box_b)
        w = min(ba[2], bb[2]) - max(ba[0], bb[0])
        h = min(ba[3], bb[3]) - max(ba[1], bb[1])
        inter = max(w, 0.0) * max(h, 0.0) if clamp else w * h
        return float(inter), float((ba[2] - ba[0]) * (ba[3] - ba[1])), float((bb[2] - bb[0]) * (bb[3] - bb[1]))
    if mask_a is not None and mask_b is not None and box_a is None and box_b is None:
        ma, mb = _masks(mask_a, mask_b, None)
        return float(np.sum(ma * mb)), float(ma.sum()), float(mb.sum())
    raise SolverError("Give either box_a and box_b, or mask_a and mask_b.")


def _ratio(top: float, bottom: float) -> float:
    if bottom == 0:
        raise SolverError("The union is empty, so the IoU is undefined.")
    return top / bottom


@solver(
    "iou",
    params={
        "box_a": Param("vector", None, help="[x1, y1, x2, y2]"),
        "box_b": Param("vector", None, help="[x1, y1, x2, y2]"),
        "mask_a": Param("matrix", None, min=0, max=1),
        "mask_b": Param("matrix", None, min=0, max=1),
    },
)
def iou(*, box_a: list[float] | None, box_b: list[float] | None, mask_a: Any, mask_b: Any) -> Solution:
    """IoU = |A and B| / (|A| + |B| - |A and B|) for two boxes [x1, y1, x2, y2] or two (soft) binary masks.

    >>> iou(box_a=[0, 0, 2, 2], box_b=[1, 1, 3, 3], mask_a=None, mask_b=None).answer
    0.14285714285714285
    """
    inter, size_a, size_b = _iou_parts(box_a, box_b, mask_a, mask_b)
    union = size_a + size_b - inter
    value = _ratio(inter, union)
    what = "area" if box_a is not None else "pixels"
    steps = (
        Step(f"Intersection ({what})", rf"|A \cap B| = {num(inter)}", inter),
        Step(f"Sizes ({what})", rf"|A| = {num(size_a)},\ |B| = {num(size_b)}", [size_a, size_b]),
        Step("Union", rf"|A \cup B| = {num(size_a)} + {num(size_b)} - {num(inter)} = {num(union)}", union),
        Step("IoU", rf"\frac{{{num(inter)}}}{{{num(union)}}} = {num(value)}", value),
    )
    return Solution(value, steps)


@mistake("iou", "union_not_minus_intersection", "Divided by |A| + |B| without subtracting the intersection.")
def _iou_sum(*, box_a: Any, box_b: Any, mask_a: Any, mask_b: Any) -> float:
    inter, size_a, size_b = _iou_parts(box_a, box_b, mask_a, mask_b)
    return _ratio(inter, size_a + size_b)


@mistake("iou", "dice_instead_of_iou", "Computed Dice 2|A and B| / (|A| + |B|) instead of IoU.")
def _iou_dice(*, box_a: Any, box_b: Any, mask_a: Any, mask_b: Any) -> float:
    inter, size_a, size_b = _iou_parts(box_a, box_b, mask_a, mask_b)
    return _ratio(2 * inter, size_a + size_b)


@mistake("iou", "no_clamp_for_disjoint_boxes", "Did not clamp a negative overlap width or height to 0.")
def _iou_no_clamp(*, box_a: Any, box_b: Any, mask_a: Any, mask_b: Any) -> float:
    if box_a is None:
        raise SolverError("not applicable")
    inter, size_a, size_b = _iou_parts(box_a, box_b, mask_a, mask_b, clamp=False)
    return _ratio(inter, size_a + size_b - inter)


def _distances(anchor: list[float], positive: list[float], negative: list[float], distance: str) -> tuple[float, float]:
    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))
    if not a.shape == p.shape == n.shape:
        raise SolverError("The anchor, positive and negative embeddings must have the same length.")
    d_pos, d_neg = float(np.sum((a - p) ** 2)), float(np.sum((a - n) ** 2))
    if distance == "euclidean":
        return float(np.sqrt(d_pos)), float(np.sqrt(d_neg))
    return d_pos, d_neg


_OTHER_DISTANCE = {"euclidean": "squared_euclidean", "squared_euclidean": "euclidean"}


@solver(
    "triplet_loss",
    params={
        "anchor": Param("vector"), "positive": Param("vector"), "negative": Param("vector"),
        "margin": Param("float", positive=True),
        "distance": Param("str", "squared_euclidean", choices=("squared_euclidean", "euclidean")),
    },
)
def triplet_loss(*, anchor: list[float], positive: list[float], negative: list[float], margin: float,
                 distance: str) -> Solution:
    """L = max(0, d(a, p) - d(a, n) + margin), d = ||.||^2 (FaceNet) or ||.|| (torch TripletMarginLoss).

    >>> triplet_loss(anchor=[0.0, 0.0], positive=[1.0, 0.0], negative=[0.0, 1.0], margin=0.2,
    ...              distance="squared_euclidean").answer
    0.2
    """
    d_pos, d_neg = _distances(anchor, positive, negative, distance)
    inside = d_pos - d_neg + margin
    loss = max(0.0, inside)
    d = r"\|\cdot\|^2" if distance == "squared_euclidean" else r"\|\cdot\|"
    steps = (
        Step("Anchor-positive distance", rf"d(a, p) = {d} = {num(d_pos)}", d_pos),
        Step("Anchor-negative distance", rf"d(a, n) = {d} = {num(d_neg)}", d_neg),
        Step("Inside the hinge", rf"{num(d_pos)} - {num(d_neg)} + {num(margin)} = {num(inside)}", inside),
        Step("Loss", rf"L = \max(0, {num(inside)}) = {num(loss)}", loss),
    )
    return Solution(loss, steps)


@mistake("triplet_loss", "forgot_margin", "Left the margin out.")
def _triplet_no_margin(*, anchor: Any, positive: Any, negative: Any, margin: float, distance: str) -> float:
    d_pos, d_neg = _distances(anchor, positive, negative, distance)
    return max(0.0, d_pos - d_neg)


@mistake("triplet_loss", "no_hinge", "Forgot the max(0, .).")
def _triplet_no_hinge(*, anchor: Any, positive: Any, negative: Any, margin: float, distance: str) -> float:
    d_pos, d_neg = _distances(anchor, positive, negative, distance)
    return d_pos - d_neg + margin


@mistake("triplet_loss", "swapped_positive_negative", "Swapped the positive and negative distances.")
def _triplet_swapped(*, anchor: Any, positive: Any, negative: Any, margin: float, distance: str) -> float:
    d_pos, d_neg = _distances(anchor, positive, negative, distance)
    return max(0.0, d_neg - d_pos + margin)


@mistake("triplet_loss", "other_distance", "Used the Euclidean distance where the squared one was asked, or the other way round.")
def _triplet_other_distance(*, anchor: Any, positive: Any, negative: Any, margin: float, distance: str) -> float:
    d_pos, d_neg = _distances(anchor, positive, negative, _OTHER_DISTANCE[distance])
    return max(0.0, d_pos - d_neg + margin)

