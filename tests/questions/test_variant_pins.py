"""Pinned variants: the same (template, seed) must keep giving the same variant.

The digests below were recorded before generation was optimised; any change in
sampling (order or number of random draws), answers, choice order, mistakes or
rendered HTML changes them. Only regenerate them (``python -m
tests.questions.test_variant_pins``) for a deliberate, announced change of
behaviour: stored variants of students would change with it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from questions import TemplateSpec, Variant, generate_variant, load_template
from tests.questions.conftest import example

KINDS = """\
slug: pin-kinds
title: All kinds of parameters
params:
  n: {int: [2, 20], step: 2}
  lr: {float: [0.01, 0.5], decimals: 3}
  act: {choice: [relu, tanh, 'sig<moid>']}
  x: {vector: {length: 4, float: [-1, 1], decimals: 1, nonzero: true}}
  W: {matrix: {shape: [2, 3], int: [-2, 2], nonzero: true}}
  big: {vector: {length: 3, int: [-100000, 100000]}}
  m: {int: [1, n]}
  total: {derived: "n + m"}
  fixed: {value: [[1, 0], [0, 1]]}
constraints:
  - "total % 3 != 0"
  - "sum(x) > -1"
text: |
  Given **{{act}}**, $n = {{n}}$, $\\eta = {{lr|fmt:.3f}}$, $x = {{column(x)}}$ and
  $W = {{matrix(W)}}$ ({{big}}, {{lr * 1e-9|latex}}):

  {{table(fixed)}}

  What is $\\eta \\cdot (n + m)$ with $m = {{m}}$? <script>alert(1)</script>
parts:
  - key: prod
    type: numeric
    value: "lr * total"
    tolerance: {rel: 0.01}
    mistakes:
      forgot_m: {value: "lr * n", feedback: "Add $m = {{m}}$ too."}
  - key: xs
    type: vector
    value: "[x[0] * 2, x[1] * 2, x[2] * 2, x[3] * 2]"
explanation: "{{answers['prod']|fmt:.4f}} = {{lr}} * {{total}}"
"""

CHOICE = """\
slug: pin-choice
title: Parameter count
params:
  c_in: {choice: [1, 3]}
  n: {choice: [8, 16, 32]}
  k: {choice: [3, 5, 7]}
solver: conv2d_param_count
solver_params: {in_channels: c_in, out_channels: n, kernel: k}
text: How many parameters has a layer of {{n}} filters ${{k}} \\times {{k}}$ on {{c_in}} channels?
answer:
  type: single_choice
  distractors_from_mistakes: true
  distractors: ["n * k * k", "n * k * k * c_in * 2"]
mistakes:
  forgot_bias: {feedback: "Each filter has a bias."}
  forgot_input_channels: {feedback: "Each filter spans all {{c_in}} input channels."}
"""


BANK = Path(__file__).resolve().parents[2] / "question_bank"
BANK_PINNED = ("backprop/mlp-sgd-step", "cnn/conv2d-leaky-relu", "cnn/cnn-summary-table", "norm/batchnorm-normalize")


def _bank(rel: str) -> TemplateSpec:
    path = BANK / f"{rel}.yaml"
    return load_template(path.read_text(encoding="utf-8"), source=path.name)


def _templates() -> dict[str, TemplateSpec]:
    return {"conv-output-size": example("conv-output-size"),
            "vanishing-gradient-sigmoid": example("vanishing-gradient-sigmoid"),
            "kinds": load_template(KINDS), "choice": load_template(CHOICE),
            **{rel.rsplit("/", 1)[1]: _bank(rel) for rel in BANK_PINNED}}


SEEDS = (0, 1, 2, 7, 42, 1234, -3, 2**64 + 5)


def _digest(v: Variant) -> str:
    d: dict[str, Any] = v.to_dict()
    d.pop("steps")  # dlcore's own business, pinned by dlcore's tests
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def _record() -> dict[str, list[str]]:
    return {name: [_digest(generate_variant(spec, seed)) for seed in SEEDS] for name, spec in _templates().items()}


PINS: dict[str, list[str]] = {
    "conv-output-size": [
        "ed68195958b4f258",
        "5bef13ac8e93e9c0",
        "09f8bb15e928f9c4",
        "f820556babe8eff5",
        "27c794d67efd46a1",
        "cbf75c808e4cc895",
        "cb1478b74f3e1b1e",
        "a4c1179d8a01b12c"
    ],
    "vanishing-gradient-sigmoid": [
        "ee35a968b8c4a4eb",
        "abf0a13846da4c27",
        "588f1d4d13d3c931",
        "661ef13d04fecc95",
        "9acf3d4504fc985f",
        "46216f72ead558ae",
        "e3088e50075c58af",
        "deff354e25fbc2ed"
    ],
    "kinds": [
        "22bd871e73d4ccdb",
        "521be7c1dc189b61",
        "d01b53f1b5f3ace5",
        "a41c8e1b78daae41",
        "71a5ce32a5a85133",
        "d85eff9b4f820149",
        "c642fc83094a0f3f",
        "0b7b808032a4343c"
    ],
    "choice": [
        "a1ef4d10459413fd",
        "45a0fbd9839d0ff0",
        "c2c2d21694b6abf6",
        "f40f1397dc9b19e8",
        "3ae3748a60f9501f",
        "1e3081bef78b43ba",
        "6a9bf86c8cdca102",
        "2bd2f315f415865f"
    ],
    "mlp-sgd-step": [
        "97854978c0989f44",
        "65555b1187df7173",
        "be3a06dcef4314c3",
        "7d457387a58f2de8",
        "dd897de9831ee0a1",
        "d988193612c4d9a2",
        "1d7e19a55fd77ef3",
        "e6ff0e845249f4c4"
    ],
    "conv2d-leaky-relu": [
        "df6e0a663fb7e82a",
        "eb25b0b34ea2a528",
        "38675594a830d50d",
        "f867282c983f1161",
        "ab1aacad800318cd",
        "5fd87d44de0b5e0e",
        "39799f8f19aa143f",
        "60e61df4e44de7df"
    ],
    "cnn-summary-table": [
        "38efcc793542ed41",
        "44256a5773897a15",
        "91dd9541f75eb036",
        "ea377e50511c2e66",
        "370c0223dd54391a",
        "c9e21a2c56ba35fd",
        "41dca477ab50c631",
        "1311238550b39cb7"
    ],
    "batchnorm-normalize": [
        "53325fb70e03a321",
        "c73970c1c4043376",
        "20d5d139aa27dc2b",
        "5ef49b532fd980d4",
        "09a3173eb9a0d27f",
        "aaa130b51efdd3b9",
        "5f43b1d9ee9c963d",
        "a4f0b4a42eb9ecb6"
    ]
}

PARAMS: dict[tuple[str, int], dict[str, Any]] = {
    ("conv-output-size", 0): {'params': {'h': 57, 'k': 5, 's': 2, 'p': 1, 'c_in': 3, 'n': 8}, 'correct': [[8, 28, 28], 608]},
    ("conv-output-size", 1): {'params': {'h': 39, 'k': 5, 's': 2, 'p': 3, 'c_in': 1, 'n': 8}, 'correct': [[8, 21, 21], 208]},
    ("conv-output-size", 2): {'params': {'h': 57, 'k': 3, 's': 1, 'p': 1, 'c_in': 3, 'n': 128}, 'correct': [[128, 57, 57], 3584]},
    ("vanishing-gradient-sigmoid", 0): {'params': {}, 'correct': [['batchnorm', 'leaky-relu']]},
    ("vanishing-gradient-sigmoid", 1): {'params': {}, 'correct': [['batchnorm', 'leaky-relu']]},
    ("vanishing-gradient-sigmoid", 2): {'params': {}, 'correct': [['leaky-relu', 'batchnorm']]},
    ("kinds", 0): {'params': {'n': 14, 'lr': 0.43, 'act': 'relu', 'x': [-0.9, 0.5, -0.6, 0.7], 'W': [[-2, 1, -2], [-1, -1, -1]], 'big': [-19352, -94337, -98930], 'm': 2, 'total': 16, 'fixed': [[1, 0], [0, 1]]}, 'correct': [6.88, [-1.8, 1.0, -1.2, 1.4]]},
    ("kinds", 1): {'params': {'n': 10, 'lr': 0.491, 'act': 'tanh', 'x': [0.9, 0.4, 0.1, -0.4], 'W': [[1, -2, -1], [2, -1, 1]], 'big': [-41406, -76827, -15080], 'm': 7, 'total': 17, 'fixed': [[1, 0], [0, 1]]}, 'correct': [8.347, [1.8, 0.8, 0.2, -0.8]]},
    ("kinds", 2): {'params': {'n': 18, 'lr': 0.156, 'act': 'relu', 'x': [0.6, -0.8, 0.2, 0.5], 'W': [[2, -2, 2], [-2, 1, -1]], 'big': [-59730, 31487, -38860], 'm': 11, 'total': 29, 'fixed': [[1, 0], [0, 1]]}, 'correct': [4.524, [1.2, -1.6, 0.4, 1.0]]},
    ("choice", 0): {'params': {'c_in': 3, 'n': 16, 'k': 5}, 'correct': ['d']},
    ("choice", 1): {'params': {'c_in': 3, 'n': 8, 'k': 3}, 'correct': ['c']},
    ("choice", 2): {'params': {'c_in': 3, 'n': 8, 'k': 3}, 'correct': ['a']},
    ('mlp-sgd-step', 0): {'params': {'x1': -1, 'x2': 2, 'W1': [[-0.2, -0.5], [-0.5, 0.3]], 'v': [0.5, 0.1], 'y': -0.5, 'lr': 0.5, 'z1': -0.8, 'z2': 1.1}, 'correct': [0.18605, [0.0, 0.671], [[-0.2, -0.5], [-0.46950000000000003, 0.239]], [0.5, -0.23550000000000001], -0.305]},
    ('mlp-sgd-step', 1): {'params': {'x1': 2, 'x2': 2, 'W1': [[-0.5, 0.3], [0.3, -0.2]], 'v': [-0.2, -0.1], 'y': -0.5, 'lr': 0.1, 'z1': -0.4, 'z2': 0.2}, 'correct': [0.1152, [0.0, 0.09599999999999997], [[-0.5, 0.3], [0.3096, -0.1904]], [-0.2, -0.1096], -0.048]},
    ('conv2d-leaky-relu', 0): {'params': {'x': [[17, 13, 10, 5], [6, 0, 1, 0], [3, 17, 13, 19], [10, 12, 20, 15]], 'kern': [[1, 0, 0], [2, -1, 2], [1, -2, -1]], 'b': 4, 'alpha': 0.01}, 'correct': [[[1.0, 50.0, 28.0, 20.0], [-25.0, -9.0, -12.0, -9.0], [3.0, -9.0, 20.0, 2.0], [18.0, 55.0, 55.0, 42.0]], [[1.0, 50.0, 28.0, 20.0], [-0.25, -0.09, -0.12, -0.09], [3.0, -0.09, 20.0, 2.0], [18.0, 55.0, 55.0, 42.0]]]},
    ('conv2d-leaky-relu', 1): {'params': {'x': [[9, 10, 15, 19], [0, 3, 17, 19], [5, 6, 18, 8], [5, 17, 5, 8]], 'kern': [[1, 0, -2], [-2, 2, 1], [2, 0, 2]], 'b': -2, 'alpha': 0.01}, 'correct': [[[32.0, 49.0, 71.0, 40.0], [-7.0, 46.0, 45.0, 53.0], [42.0, 4.0, 45.0, 5.0], [13.0, -4.0, -28.0, 22.0]], [[32.0, 49.0, 71.0, 40.0], [-0.07, 46.0, 45.0, 53.0], [42.0, 4.0, 45.0, 5.0], [13.0, -0.04, -0.28, 22.0]]]},
    ('cnn-summary-table', 0): {'params': {'h': 128, 'k1': 7, 'n1': 16, 'k2': 5, 'n2': 64, 'k3': 3, 'n3': 64, 'fc': 32, 'classes': 5, 'l1': 'CONV-7-16', 'l2': 'CONV-5-64', 'l3': 'CONV-3-64', 'l4': 'FC-32', 'l5': 'FC-5', 'h3': 55}, 'correct': [[27, 27, 64], 1492992, 1558149]},
    ('cnn-summary-table', 1): {'params': {'h': 96, 'k1': 7, 'n1': 16, 'k2': 3, 'n2': 64, 'k3': 3, 'n3': 64, 'fc': 16, 'classes': 5, 'l1': 'CONV-7-16', 'l2': 'CONV-3-64', 'l3': 'CONV-3-64', 'l4': 'FC-16', 'l5': 'FC-5', 'h3': 41}, 'correct': [[20, 20, 64], 409600, 458277]},
    ('batchnorm-normalize', 0): {'params': {'n': 4, 'z': [[5, 3], [-1, -1], [-5, -4], [-5, -3]], 'gamma': 1.5, 'beta': -1, 'eps': 0.1}, 'correct': [[16.75, 7.1875], [[1.3752244935287177, 1.3615160697130277], [-0.817290423574714, -0.8610872900168807], [-2.2789670349770015, -2.528039809814312], [-2.2789670349770015, -1.9723889698818349]]]},
    ('batchnorm-normalize', 1): {'params': {'n': 4, 'z': [[1, -1], [8, -1], [1, 5], [3, -4]], 'gamma': 2, 'beta': 0.5, 'eps': 0.1}, 'correct': [[8.1875, 10.6875], [[-1.0631503171567185, 0.04330016500815781], [3.799984002886406, 0.04330016500815781], [-1.0631503171567185, 3.6968988449428952], [0.32631663142703127, -1.783499174959211]]]},
}


@pytest.mark.parametrize("name", sorted(PINS))
def test_variants_are_the_pinned_ones(name: str) -> None:
    spec = _templates()[name]
    assert [_digest(generate_variant(spec, seed)) for seed in SEEDS] == PINS[name]


@pytest.mark.parametrize("key", sorted(PARAMS))
def test_pinned_params_and_answers(key: tuple[str, int]) -> None:
    name, seed = key
    v = generate_variant(_templates()[name], seed)
    assert {"params": v.params, "correct": [p.correct for p in v.parts]} == PARAMS[key]


def test_the_pinned_text_is_still_escaped() -> None:
    v = generate_variant(_templates()["kinds"], 4)
    assert v.params["act"] == "sig<moid>"
    assert "<strong>sig&lt;moid&gt;</strong>" in v.text_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in v.text_html and "<script" not in v.text_html


if __name__ == "__main__":  # print fresh pins (only for a deliberate change of behaviour)
    print("PINS =", json.dumps(_record(), indent=4))
    for name, spec in _templates().items():
        for seed in SEEDS[:3]:
            v = generate_variant(spec, seed)
            print(f"({name!r}, {seed}):", {"params": v.params, "correct": [p.correct for p in v.parts]}, ",")
