from __future__ import annotations

from pathlib import Path

import pytest

from questions import TemplateSpec, load_template

EXAMPLES = Path(__file__).parent / "examples"


def example(name: str) -> TemplateSpec:
    return load_template((EXAMPLES / f"{name}.yaml").read_text(), source=name)


@pytest.fixture
def conv_spec() -> TemplateSpec:
    return example("conv-output-size")


@pytest.fixture
def conceptual_spec() -> TemplateSpec:
    return example("vanishing-gradient-sigmoid")
