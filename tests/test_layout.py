"""The package tree reads as the pipeline, and imports only go down it.

cli → commands → search → site / importer / synthetic → content → the base modules
(errors, parallel, timing, output, caches). A module may import its own package and any layer
below its own, never one above: nothing imports a command, no stage imports the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cio_forum_site"

LAYERS = {
    "errors": 0, "mecab": 0, "parallel": 0, "timing": 0, "output": 0, "caches": 0, "filecache": 0,
    "content": 1,
    "site": 2, "importer": 2, "synthetic": 2,
    "search": 3,
    "commands": 4,
    "cli": 5, "__main__": 6, "__init__": 7,
}


def _unit(module: str) -> str:
    """The top-level unit a dotted module name belongs to: 'content', 'site', 'cli' …"""
    parts = module.split(".")
    assert parts[0] == "cio_forum_site", module
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir()


def _imports(file: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cio_forum_site":
                found += [(f"cio_forum_site.{a.name}" if _is_module(a.name) else "cio_forum_site",
                           node.lineno) for a in node.names]
            elif node.module.startswith("cio_forum_site."):
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("cio_forum_site.")]
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_known_layer():
    units = {_unit("cio_forum_site." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts))
             for p in _modules()}
    assert units <= set(LAYERS), f"add to LAYERS: {sorted(units - set(LAYERS))}"


@pytest.mark.parametrize("file", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_go_down_the_pipeline(file: Path):
    own = _unit("cio_forum_site." + ".".join(file.relative_to(PACKAGE).with_suffix("").parts))
    for module, line in _imports(file):
        target = _unit(module)
        if target == own or target == "__init__":  # own package; the version
            continue
        assert LAYERS[target] < LAYERS[own], (
            f"{file.relative_to(PACKAGE)}:{line} imports {module}: layer {target} "
            f"({LAYERS[target]}) is not below {own} ({LAYERS[own]})"
        )


def test_the_direction_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("from cio_forum_site.commands.build import build\n")
    assert _imports(bad) == [("cio_forum_site.commands.build", 1)]
    assert LAYERS[_unit("cio_forum_site.commands.build")] > LAYERS["content"]
