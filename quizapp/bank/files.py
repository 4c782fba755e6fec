"""Template files on disk: find them, read them with the file name in every error."""

from __future__ import annotations

from pathlib import Path

TEMPLATE_SUFFIXES = (".yaml", ".yml")


def template_files(paths: list[str]) -> list[Path]:
    """YAML files named, or found below the folders named, sorted; missing paths raise FileNotFoundError."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in TEMPLATE_SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{name}: no such file or folder")
    return found
