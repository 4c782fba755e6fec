"""Batch norm, layer norm, inverted dropout and mixup: seeds, mistakes, and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlcore import SolverError, distinguishable_mistakes, mistake_answers, solve
from dlcore.torch_reference import norm as ref
from tests.dlcore.test_torch_reference import assert_close

SEED_002_BATCH = [[4.0, 4.0, 3.0], [0.0, 2.0, 5.0], [8.0, 9.0, 1.0]]  # three samples of 3 neurons


def test_batchnorm_mean_matches_seed_002():
    """Seed 002 (NPTEL week 11, Q7): the batch mean of [4,4,3], [0,2,5], [8,9,1] is [4, 5, 3] (the seed is right)."""
    answer = solve("batchnorm", {"batch": SEED_002_BATCH}).answer
    assert answer["mean"] == [4.0, 5.0, 3.0]
    assert answer["var"] == pytest.approx([32 / 3, 26 / 3, 8 / 3])  # biased: divide by N = 3
    assert answer["normalized"][0] == pytest.approx([0.0, -1 / np.sqrt(26 / 3), 0.0])


def test_batchnorm_applies_eps_gamma_and_beta_per_feature():
    sol = solve("batchnorm", {"batch": [[1.0, 2.0], [3.0, 6.0]], "eps": 0.5, "gamma": [2.0, 1.0], "beta": [0.0, 10.0]})
    # feature 0: mean 2, var 1 -> +-1/sqrt(1.5); feature 1: mean 4, var 4 -> +-2/sqrt(4.5)
    assert sol.answer["normalized"] == [pytest.approx([-2 / np.sqrt(1.5), 10 - 2 / np.sqrt(4.5)]),
                                        pytest.approx([2 / np.sqrt(1.5), 10 + 2 / np.sqrt(4.5)])]
    assert [s.label for s in sol.steps] == ["Mean of each feature over the batch", "Biased variance of each feature",
                                            "Normalise", "Scale and shift"]


def test_batchnorm_mistakes():
    params = {"batch": SEED_002_BATCH, "eps": 0.1, "gamma": 2.0, "beta": 1.0}
    wrong = mistake_answers("batchnorm", params)
    assert wrong["unbiased_variance"]["var"] == pytest.approx([16.0, 13.0, 4.0])
    assert wrong["normalised_over_features"]["mean"] == pytest.approx([11 / 3, 7 / 3, 6.0])
    assert wrong["forgot_gamma_beta"]["normalized"][0][0] == 0.0
    assert wrong["forgot_eps"]["normalized"][1][0] == pytest.approx(2 * -4 / np.sqrt(32 / 3) + 1)
    assert all(distinguishable_mistakes("batchnorm", params).values())
    assert distinguishable_mistakes("batchnorm", {"batch": SEED_002_BATCH})["forgot_eps"] is False  # eps = 0


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"batch": [[1.0, 2.0], [1.0, 3.0]]}, "zero variance"),
        ({"batch": [[1.0, 2.0]]}, "zero variance"),
        ({"batch": [[1.0, 2.0], [3.0, 4.0]], "gamma": [1.0, 2.0, 3.0]}, "'gamma' has 3 values but there are 2 features"),
        ({"batch": [[1.0, 2.0], [3.0]]}, "rows of equal length"),
        ({"batch": [[1.0, 2.0], [3.0, 4.0]], "eps": -1.0}, "at least 0"),
    ],
)
def test_batchnorm_rejects_bad_input(params, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve("batchnorm", params)


def test_single_sample_batchnorm_works_with_eps_and_unbiased_mistake_is_left_out():
    params = {"batch": [[1.0, 2.0]], "eps": 1e-5}
    assert solve("batchnorm", params).answer["normalized"] == [[0.0, 0.0]]
    assert "unbiased_variance" not in mistake_answers("batchnorm", params)  # N - 1 = 0


def test_batchnorm2d_normalises_each_channel_over_batch_height_and_width():
    answer = solve("batchnorm2d", {"x": ref.BN2D_X}).answer
    x = np.array(ref.BN2D_X)
    assert answer["mean"] == pytest.approx(x.mean(axis=(0, 2, 3)).tolist())
    assert answer["var"] == pytest.approx(x.var(axis=(0, 2, 3)).tolist())
    assert np.array(answer["normalized"]).shape == (2, 2, 2, 2)
    wrong = mistake_answers("batchnorm2d", {"x": ref.BN2D_X})
    assert np.array(wrong["statistics_per_image"]["mean"]).size == 4  # one per image and channel
    assert all(distinguishable_mistakes("batchnorm2d", {"x": ref.BN2D_X, "eps": 0.1}).values())


@pytest.mark.parametrize("x", [[[1.0, 2.0]], [[[[1.0, 2.0]], [[3.0]]]], [[[["a"]]]], [[[[True, 1.0]]]]])
def test_batchnorm2d_rejects_tensors_that_are_not_4d(x):
    with pytest.raises(SolverError, match="4-D list"):
        solve("batchnorm2d", {"x": x})


def test_layernorm_normalises_each_sample_over_its_features():
    x = [[1.0, 2.0, 3.0, 4.0], [3.0, 1.0, 5.0, 5.0]]
    answer = solve("layernorm", {"x": x}).answer
    assert answer["mean"] == [2.5, 3.5]
    assert answer["var"] == [1.25, 2.75]
    assert answer["normalized"][1] == pytest.approx([(v - 3.5) / np.sqrt(2.75) for v in x[1]])
    wrong = mistake_answers("layernorm", {"x": x})
    assert wrong["normalised_over_batch"]["mean"] == [2.0, 1.5, 4.0, 4.5]
    assert wrong["unbiased_variance"]["var"] == pytest.approx([5 / 3, 11 / 3])


def test_inverted_dropout_scales_kept_units_by_one_over_keep_prob():
    """Seed 003 (answers 8 and 13) says activations are scaled by 1/p at test time. For plain dropout the test-time
    factor is the keep probability p (a multiplication); inverted dropout divides by p at training time instead,
    so that E[out] = a and test time needs no scaling. The solver shows that expected-value step."""
    sol = solve("inverted_dropout", {"a": [1.0, 2.0, 3.0, 4.0], "mask": [1, 0, 1, 1], "keep_prob": 0.8})
    assert sol.answer == pytest.approx([1.25, 0.0, 3.75, 5.0])
    assert sol.steps[-1].value == [1.0, 2.0, 3.0, 4.0]
    wrong = mistake_answers("inverted_dropout", {"a": [1.0, 2.0, 3.0, 4.0], "mask": [1, 0, 1, 1], "keep_prob": 0.8})
    assert wrong["multiplied_by_keep_prob"] == pytest.approx([0.8, 0.0, 2.4, 3.2])
    assert wrong["divided_by_drop_prob"] == pytest.approx([5.0, 0.0, 15.0, 20.0])
    assert wrong["forgot_to_scale"] == [1.0, 0.0, 3.0, 4.0]
    assert wrong["forgot_the_mask"] == pytest.approx([1.25, 2.5, 3.75, 5.0])


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"a": [1.0, 2.0], "mask": [1, 2], "keep_prob": 0.5}, "only 0"),
        ({"a": [1.0, 2.0], "mask": [1], "keep_prob": 0.5}, "mask has 1 values"),
        ({"a": [1.0], "mask": [1], "keep_prob": 0.0}, "greater than 0"),
        ({"a": [1.0], "mask": [1], "keep_prob": 1.5}, "at most 1"),
    ],
)
def test_inverted_dropout_rejects_bad_input(params, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve("inverted_dropout", params)


SEED_000_MIXUP = dict(x1=[0.2, 0.4, 0.6], y1=[1.0, 0.0], x2=[0.8, 0.7, 0.3], y2=[0.0, 1.0], lam=0.3)


def test_mixup_matches_seed_000():
    """Seed 000 (week 3): x_mix = [0.62, 0.61, 0.39], y_mix = [0.3, 0.7] with lam weighting sample 1 (seed is right)."""
    answer = solve("mixup", SEED_000_MIXUP).answer
    assert answer["x"] == pytest.approx([0.62, 0.61, 0.39])
    assert answer["y"] == pytest.approx([0.3, 0.7])


def test_mixup_mistakes():
    wrong = mistake_answers("mixup", SEED_000_MIXUP)
    assert wrong["swapped_lambda"]["x"] == pytest.approx([0.38, 0.49, 0.51])
    assert wrong["swapped_lambda"]["y"] == pytest.approx([0.7, 0.3])
    assert wrong["labels_not_mixed"]["y"] == [0.0, 1.0]
    assert wrong["lambda_for_both"]["y"] == pytest.approx([0.3, 0.3])
    assert all(distinguishable_mistakes("mixup", SEED_000_MIXUP).values())
    with pytest.raises(SolverError, match="same length"):
        solve("mixup", dict(SEED_000_MIXUP, x2=[1.0]))


value = st.floats(-5, 5, allow_subnormal=False)


@st.composite
def batches(draw, rows=st.integers(2, 5), cols=st.integers(1, 4)):
    n, f = draw(rows), draw(cols)
    return [[draw(value) for _ in range(f)] for _ in range(n)]


def _affine(draw, n):
    return {"eps": draw(st.sampled_from([0.0, 1e-5, 0.1])),
            "gamma": draw(st.one_of(value, st.lists(value, min_size=n, max_size=n))),
            "beta": draw(st.one_of(value, st.lists(value, min_size=n, max_size=n)))}


@settings(max_examples=60, deadline=None)
@given(batch=batches(), data=st.data())
def test_batchnorm_agrees_with_torch_batch_norm_in_training_mode(batch, data):
    pytest.importorskip("torch")
    assume(np.array(batch).var(axis=0).min() > 1e-3)
    params = {"batch": batch, **_affine(data.draw, len(batch[0]))}
    assert_close(solve("batchnorm", params).answer, ref.batchnorm(params))


@settings(max_examples=40, deadline=None)
@given(shape=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), data=st.data())
def test_batchnorm2d_agrees_with_torch(shape, data):
    pytest.importorskip("torch")
    x = np.array(data.draw(st.lists(value, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))).reshape(shape)
    assume(x.var(axis=(0, 2, 3)).min() > 1e-3)
    params = {"x": x.tolist(), **_affine(data.draw, shape[1])}
    assert_close(solve("batchnorm2d", params).answer, ref.batchnorm2d(params))


@settings(max_examples=60, deadline=None)
@given(x=batches(rows=st.integers(1, 4), cols=st.integers(2, 5)), data=st.data())
def test_layernorm_agrees_with_torch(x, data):
    pytest.importorskip("torch")
    assume(np.array(x).var(axis=1).min() > 1e-3)
    params = {"x": x, **_affine(data.draw, len(x[0]))}
    assert_close(solve("layernorm", params).answer, ref.layernorm(params))


@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(st.tuples(value, st.sampled_from([0, 1])), min_size=1, max_size=6),
       keep_prob=st.floats(0.05, 1), lam=st.floats(0, 1))
def test_dropout_and_mixup_agree_with_torch(pairs, keep_prob, lam):
    pytest.importorskip("torch")
    drop = {"a": [p[0] for p in pairs], "mask": [p[1] for p in pairs], "keep_prob": keep_prob}
    assert_close(solve("inverted_dropout", drop).answer, ref.inverted_dropout(drop))
    mix = {"x1": drop["a"], "x2": [v * 0.5 - 1 for v in drop["a"]], "y1": [1.0, 0.0], "y2": [0.0, 1.0], "lam": lam}
    assert_close(solve("mixup", mix).answer, ref.mixup(mix))
