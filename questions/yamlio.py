"""Safe, bounded YAML loading that remembers the line of every field.

The document is composed into nodes by PyYAML's safe loader, checked (size,
aliases, duplicate keys) and only then constructed into plain Python values,
so a "billion laughs" document is refused before it is expanded.
"""

from __future__ import annotations

from typing import Any

import yaml

from questions.errors import TemplateError

__all__ = ["load_yaml", "dump_yaml", "MAX_DOCUMENT_BYTES", "LineMap"]

MAX_DOCUMENT_BYTES = 64 * 1024
MAX_ALIASES = 100
MAX_NODES = 20_000  # counting every alias as the full subtree it stands for

LineMap = dict[tuple[str | int, ...], int]


class _Loader(yaml.SafeLoader):
    """The safe loader; a class of our own so that nothing global is changed."""


def _walk(node: yaml.Node, path: tuple[str | int, ...], lines: LineMap, seen: dict[int, int],
          active: set[int], counter: list[int]) -> int:
    """Record lines, refuse duplicate keys and cycles; return the expanded size of ``node``."""
    ident = id(node)
    if ident in active:
        raise TemplateError("the document refers to itself through an alias (recursive anchor)",
                            line=node.start_mark.line + 1)
    if ident in seen:  # an alias to a node already measured
        counter[1] += 1
        if counter[1] > MAX_ALIASES:
            raise TemplateError(f"the document uses more than {MAX_ALIASES} aliases", line=node.start_mark.line + 1)
        counter[0] += seen[ident]
        if counter[0] > MAX_NODES:
            raise TemplateError(f"the document expands to more than {MAX_NODES} values (too many aliases?)",
                                line=node.start_mark.line + 1)
        return seen[ident]
    lines.setdefault(path, node.start_mark.line + 1)
    active.add(ident)
    size = 1
    counter[0] += 1
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None:
                if key in keys:
                    raise TemplateError(f"the key '{key}' appears twice", path=_dotted(path) or None,
                                        line=key_node.start_mark.line + 1)
                keys.add(key)
                lines.setdefault(path + (key,), key_node.start_mark.line + 1)
            size += 1 + _walk(value_node, path + ((key,) if key is not None else ("?",)), lines, seen, active,
                              counter)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            size += _walk(child, path + (i,), lines, seen, active, counter)
    if counter[0] > MAX_NODES:
        raise TemplateError(f"the document expands to more than {MAX_NODES} values", line=node.start_mark.line + 1)
    active.discard(ident)
    seen[ident] = size
    return size


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def load_yaml(text: str, source: str = "<template>") -> tuple[Any, LineMap]:
    """Parse one YAML document safely; return ``(data, lines)``.

    ``lines`` maps a field path such as ``("params", "h", "int")`` to its 1-based line.
    """
    if not isinstance(text, str):
        raise TemplateError(f"{source}: a template must be text, got {type(text).__name__}")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
        raise TemplateError(f"{source}: the template is larger than {MAX_DOCUMENT_BYTES // 1024} KB")
    depth = deepest = 0
    for ch in text:  # cheap guard: PyYAML's composer recurses once per nesting level
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    if deepest > 200:
        raise TemplateError(f"{source}: the YAML is nested too deeply")
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            problem = exc.problem or exc.context or "invalid YAML"
            raise TemplateError(f"{source}: invalid YAML: {problem}", line=line) from None
        except yaml.YAMLError as exc:
            raise TemplateError(f"{source}: invalid YAML: {exc}") from None
        except RecursionError:
            raise TemplateError(f"{source}: the YAML is nested too deeply") from None
        if node is None:
            raise TemplateError(f"{source}: the template is empty")
        lines: LineMap = {}
        try:
            _walk(node, (), lines, {}, set(), [0, 0])
        except RecursionError:
            raise TemplateError(f"{source}: the YAML is nested too deeply") from None
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise TemplateError(f"{source}: invalid YAML: {exc.problem}",
                                line=mark.line + 1 if mark else None) from None
        except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
            raise TemplateError(f"{source}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, lines


def dump_yaml(data: Any) -> str:
    """Plain, readable YAML for a template dictionary (keys in their original order)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
