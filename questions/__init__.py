"""Question templates: declarative YAML -> per-student variants -> grades.

Pure Python on top of :mod:`dlcore`; nothing here imports Django.

>>> spec = load_template('''
... slug: add-two
... title: Adding
... params: {a: {int: [1, 9]}, b: {int: [1, 9]}}
... text: What is {{a}} + {{b}}?
... answer: {type: integer, value: "a + b"}
... ''')
>>> v = generate_variant(spec, seed=7)
>>> grade_part(v.parts[0], str(v.params["a"] + v.params["b"])).score
1.0
"""

from __future__ import annotations

from questions.errors import TemplateError
from questions.grading import PartResult, check_format, grade_part, grade_variant
from questions.template import TemplateSpec, load_template, schema, template_from_dict
from questions.validate import validate_template
from questions.variants import Variant, VariantPart, generate_variant, regenerate_variant

__all__ = [
    "TemplateError", "TemplateSpec", "load_template", "template_from_dict", "generate_variant", "regenerate_variant",
    "grade_part", "grade_variant", "check_format", "validate_template", "Variant", "VariantPart", "PartResult", "schema",
]
