"""Dice, IoU and the triplet loss: seeds, mistakes, and PyTorch."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import SolverError, distinguishable_mistakes, mistake_answers, solve
from dlcore.torch_reference import metrics as ref
from tests.dlcore.test_torch_reference import assert_close

SEED_002 = {"a": ref.SEED_002_A, "b": ref.SEED_002_B}


def test_dice_coefficient_matches_seed_002_with_the_factor_two():
    """Seed 002 (NPTEL week 11, segmentation): the seed writes Dice = sum(A x B) / (sum A + sum B), without the
    factor 2, which gives 0.3931. The Dice coefficient is 2 sum(A B) / (sum A + sum B) = 0.7861."""
    sol = solve("dice_coefficient", SEED_002)
    assert sol.answer == pytest.approx(0.7861213434452871, rel=1e-12)
    assert sol.steps[0].value == pytest.approx(float(np.sum(np.array(ref.SEED_002_A) * np.array(ref.SEED_002_B))))
    assert mistake_answers("dice_coefficient", SEED_002)["forgot_factor_2"] == pytest.approx(0.39306067172264353)


def test_hard_dice_thresholds_both_masks_first():
    sol = solve("dice_coefficient", dict(SEED_002, threshold=0.5))
    assert sol.answer == pytest.approx(16 / 17)  # 8 common pixels, 9 + 8 pixels >= 0.5
    assert sol.steps[0].label == "Binarise both masks"
    wrong = mistake_answers("dice_coefficient", dict(SEED_002, threshold=0.5))
    assert wrong["ignored_threshold"] == pytest.approx(0.7861213434452871)
    assert wrong["iou_instead_of_dice"] == pytest.approx(8 / 9)


@pytest.mark.parametrize(
    "a, b, smooth, expected",
    [
        ([[1, 1], [0, 0]], [[1, 0], [1, 0]], 0.0, 0.5),
        ([[1, 0], [0, 0]], [[0, 0], [0, 1]], 1.0, 1 / 3),
        ([[0, 0]], [[0, 0]], 1.0, 1.0),  # both empty: smooth makes it a perfect match
        ([[1, 1]], [[1, 1]], 0.0, 1.0),
    ],
)
def test_dice_coefficient_table(a, b, smooth, expected):
    assert solve("dice_coefficient", {"a": a, "b": b, "smooth": smooth}).answer == pytest.approx(expected)


def test_dice_mistakes_are_distinguishable_when_smooth_is_set():
    params = {"a": [[1, 0], [1, 1]], "b": [[1, 1], [0, 1]], "smooth": 1.0, "threshold": 0.5}
    assert distinguishable_mistakes("dice_coefficient", params) == {
        "forgot_factor_2": True, "iou_instead_of_dice": True, "smooth_only_in_denominator": True,
        "ignored_threshold": False,  # masks already binary
    }


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"a": [[0, 0]], "b": [[0, 0]]}, "Both masks are empty"),
        ({"a": [[1, 0]], "b": [[1], [0]]}, "same shape"),
        ({"a": [[1.5, 0]], "b": [[1, 0]]}, "at most 1"),
        ({"a": [[-0.5, 0]], "b": [[1, 0]]}, "at least 0"),
    ],
)
def test_dice_rejects_bad_input(params, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve("dice_coefficient", params)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"box_a": [0, 0, 2, 2], "box_b": [1, 1, 3, 3]}, 1 / 7),
        ({"box_a": [0, 0, 2, 2], "box_b": [0, 0, 2, 2]}, 1.0),
        ({"box_a": [0, 0, 1, 1], "box_b": [2, 2, 3, 4]}, 0.0),
        ({"box_a": [0, 0, 4, 2], "box_b": [2, 0, 6, 2]}, 1 / 3),
        ({"mask_a": [[1, 1, 0], [0, 1, 0]], "mask_b": [[0, 1, 1], [0, 1, 1]]}, 2 / 5),
    ],
)
def test_iou_of_boxes_and_masks(params, expected):
    assert solve("iou", params).answer == pytest.approx(expected)


def test_iou_mistakes():
    wrong = mistake_answers("iou", {"box_a": [0, 0, 2, 2], "box_b": [1, 1, 3, 3]})
    assert wrong == {"union_not_minus_intersection": pytest.approx(1 / 8), "dice_instead_of_iou": pytest.approx(1 / 4),
                     "no_clamp_for_disjoint_boxes": pytest.approx(1 / 7)}
    # Disjoint on both axes: two negative overlaps multiply to a positive "intersection".
    assert mistake_answers("iou", {"box_a": [0, 0, 1, 1], "box_b": [2, 2, 3, 3]})["no_clamp_for_disjoint_boxes"] == 1.0
    assert "no_clamp_for_disjoint_boxes" not in mistake_answers("iou", {"mask_a": [[1, 0]], "mask_b": [[1, 1]]})


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"box_a": [0, 0, 1, 1]}, "Give either box_a and box_b"),
        ({"box_a": [0, 0, 1, 1], "box_b": [0, 0, 1, 1], "mask_a": [[1]], "mask_b": [[1]]}, "Give either"),
        ({"box_a": [2, 0, 1, 1], "box_b": [0, 0, 1, 1]}, "x2 >= x1"),
        ({"box_a": [0, 0, 1], "box_b": [0, 0, 1, 1]}, r"\[x1, y1, x2, y2\]"),
        ({"box_a": [0, 0, 0, 0], "box_b": [1, 1, 1, 1]}, "union is empty"),
    ],
)
def test_iou_rejects_bad_input(params, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve("iou", params)


TRIPLET = {"anchor": [1.0, 2.0], "positive": [3.0, 0.0], "negative": [1.5, 2.5], "margin": 0.5}


def test_triplet_loss_squared_and_euclidean():
    squared = solve("triplet_loss", TRIPLET)
    assert [s.value for s in squared.steps] == pytest.approx([8.0, 0.5, 8.0, 8.0])
    euclid = solve("triplet_loss", dict(TRIPLET, distance="euclidean")).answer
    assert euclid == pytest.approx(math.sqrt(8) - math.sqrt(0.5) + 0.5)
    easy = dict(TRIPLET, positive=[1.1, 2.1], negative=[4.0, -2.0], margin=0.3)
    assert solve("triplet_loss", easy).answer == 0.0


def test_triplet_mistakes():
    wrong = mistake_answers("triplet_loss", TRIPLET)
    assert wrong["forgot_margin"] == pytest.approx(7.5)
    assert wrong["swapped_positive_negative"] == 0.0
    assert wrong["other_distance"] == pytest.approx(math.sqrt(8) - math.sqrt(0.5) + 0.5)
    easy = dict(TRIPLET, positive=[1.1, 2.1], negative=[4.0, -2.0], margin=0.3)
    assert mistake_answers("triplet_loss", easy)["no_hinge"] == pytest.approx(0.02 - 25 + 0.3)
    with pytest.raises(SolverError, match="same length"):
        solve("triplet_loss", dict(TRIPLET, negative=[1.0]))


unit = st.floats(0, 1, allow_subnormal=False)


@settings(max_examples=60, deadline=None)
@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 4)), data=st.data(),
       smooth=st.sampled_from([0.0, 1.0, 1e-6]), threshold=st.sampled_from([None, 0.5, 0.3]))
def test_dice_agrees_with_torch(shape, data, smooth, threshold):
    pytest.importorskip("torch")
    mask = st.lists(st.lists(unit, min_size=shape[1], max_size=shape[1]), min_size=shape[0], max_size=shape[0])
    params = {"a": data.draw(mask), "b": data.draw(mask), "smooth": smooth, "threshold": threshold}
    try:
        answer = solve("dice_coefficient", params).answer
    except SolverError:
        return  # both masks empty: undefined
    assert_close(answer, ref.dice_coefficient(params))


coordinate = st.floats(-10, 10, allow_subnormal=False)


@settings(max_examples=60, deadline=None)
@given(a=st.lists(coordinate, min_size=4, max_size=4), b=st.lists(coordinate, min_size=4, max_size=4))
def test_box_iou_agrees_with_torch(a, b):
    pytest.importorskip("torch")
    box_a = [min(a[0], a[2]), min(a[1], a[3]), max(a[0], a[2]), max(a[1], a[3])]
    box_b = [min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])]
    params = {"box_a": box_a, "box_b": box_b}
    try:
        answer = solve("iou", params).answer
    except SolverError:
        return  # two empty boxes
    assert_close(answer, ref.iou(params))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5), data=st.data(), margin=st.floats(0.001, 2),
       distance=st.sampled_from(["squared_euclidean", "euclidean"]))
def test_triplet_loss_agrees_with_torch(n, data, margin, distance):
    pytest.importorskip("torch")
    vec = st.lists(coordinate, min_size=n, max_size=n)
    params = {"anchor": data.draw(vec), "positive": data.draw(vec), "negative": data.draw(vec),
              "margin": margin, "distance": distance}
    assert_close(solve("triplet_loss", params).answer, ref.triplet_loss(params))


def test_dice_solution_is_checked_plain_json():
    for threshold in (None, 0.5):
        sol = solve("dice_coefficient", {"a": [[0.2, 0.9], [1.0, 0.0]], "b": [[0.7, 0.4], [1.0, 0.0]], "threshold": threshold})
        assert sol.checked
        assert json.loads(json.dumps(sol.to_dict(), allow_nan=False)) == sol.to_dict()
