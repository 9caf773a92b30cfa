"""The packages form layers, read from the code itself: no circles, no reaching into a lower
package's private names, nothing imported from a layer above.

Every import counts, at module level or inside a function: an import moved into a function to
dodge a circle is still a circle. (A lazy import for start-up cost is fine when it goes down
the layers.) README's layout table shows the same layers.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. A package may import the packages of the layers below its own, never one of
# its own layer or above.
LAYERS: list[set[str]] = [
    {"kernel"},  # errors, @service, history save, validators, shared choices, library shims
    {"notifications"},  # notification rows and the one door to the channel layer
    {"privacy"},  # consent and special categories; casework asks it, it never asks casework
    {"casework"},  # the domain: models, journey, guards, actions, services, selectors
    {"workflows"},  # the Viewflow flow over cases; plugged into casework's journey_flow port
    {"audit", "community"},  # the audit trail; community events
    {"reporting"},  # indicators and targets over all the records
    {"web", "api"},  # pages and the HTTP API
    {"config"},  # settings, URLs and ASGI wiring
    {"bench"},  # benchmarks: they drive everything below, the served app included
]
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def _project_packages() -> list[str]:
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests"} and not path.parent.name.startswith(".")
    )


def _imports(package: str):
    """``(importing module, imported module, names, line)`` for every import in ``package``."""
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield module, alias.name, [], node.lineno
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = module.split(".")
                    base = parts if is_package else parts[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                yield module, target, [alias.name for alias in node.names], node.lineno


def _package_graph() -> dict[str, dict[str, list[str]]]:
    packages = set(_project_packages())
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for package in packages:
        for module, target, _names, line in _imports(package):
            imported = target.split(".")[0]
            if imported in packages and imported != package:
                graph[package][imported].append(f"{module}:{line}")
    return graph


def test_every_package_has_a_place_in_the_layers():
    unplaced = [package for package in _project_packages() if package not in LAYER_OF]
    assert not unplaced, f"add these packages to LAYERS (and README's layout): {unplaced}"


def test_no_circle_between_packages():
    graph = _package_graph()
    circles = []

    def walk(package, path):
        for imported in graph.get(package, {}):
            if imported == path[0]:
                circles.append(" -> ".join([*path, imported]))
            elif imported not in path and len(path) < len(graph) + 1:
                walk(imported, [*path, imported])

    for package in sorted(graph):
        walk(package, [package])
    assert not circles, "package circles:\n" + "\n".join(sorted(set(circles)))


def test_no_package_imports_one_of_its_own_layer_or_above():
    graph = _package_graph()
    upward = [
        f"{package} -> {imported} ({where[0]})"
        for package, targets in sorted(graph.items())
        for imported, where in sorted(targets.items())
        if package in LAYER_OF and imported in LAYER_OF and LAYER_OF[imported] >= LAYER_OF[package]
    ]
    assert not upward, "imports that go up or sideways:\n" + "\n".join(upward)


def test_no_package_imports_another_packages_private_names():
    packages = set(_project_packages())
    private = [
        f"{module}:{line} imports {target}.{name}"
        for package in sorted(packages)
        for module, target, names, line in _imports(package)
        if target.split(".")[0] in packages and target.split(".")[0] != package
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ] + [
        f"{module}:{line} imports {target}"
        for package in sorted(packages)
        for module, target, _names, line in _imports(package)
        if target.split(".")[0] in packages
        and target.split(".")[0] != package
        and any(part.startswith("_") and part != "__init__" for part in target.split("."))
    ]
    assert not private, "private names imported across packages:\n" + "\n".join(private)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from casework.services import _save\n", "imports casework.services._save"),
        ("from casework import _helpers\n", "imports casework._helpers"),
    ],
)
def test_the_private_name_check_catches_a_planted_import(tmp_path, monkeypatch, source, expected):
    planted = tmp_path / "community"
    planted.mkdir()
    (planted / "__init__.py").write_text("")
    (planted / "leak.py").write_text(source)
    (tmp_path / "casework").mkdir()
    (tmp_path / "casework" / "__init__.py").write_text("")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    with pytest.raises(AssertionError, match=expected.replace(".", r"\.")):
        test_no_package_imports_another_packages_private_names()


def test_the_circle_check_catches_a_planted_circle(tmp_path, monkeypatch):
    for name, body in [("kernel", "import casework.models\n"), ("casework", "import kernel\n")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / "models.py").write_text(f"def lazy():\n    {body}")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="kernel -> casework -> kernel"):
        test_no_circle_between_packages()
