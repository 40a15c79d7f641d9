"""The package's layering (docs/engine.md, section Architecture), enforced: layers import downward only.

Every module under ``src/chaoszoo`` is parsed with ``ast``; every import in it counts, at module
level, inside functions and classes and under ``if TYPE_CHECKING``, as does an
``importlib.import_module`` call whose target is a literal (or an f-string whose literal start
names a package). Each module and each imported name is mapped to a unit (a package, or a
top-level module) and each unit to a layer, lowest first:

==========================  ===========================================================
errors                      ``chaoszoo.errors``
utilities                   ``chaoszoo.io``, ``chaoszoo.plotting``, ``chaoszoo.workers``
catalog                     ``chaoszoo.catalog``
engine                      ``chaoszoo.engine``
API                         ``chaoszoo.system``
package root                ``chaoszoo`` (``chaoszoo/__init__.py``: re-exports the API)
analysis                    ``chaoszoo.analysis``
data                        ``chaoszoo.data``
forecast                    ``chaoszoo.forecast``
features, experiments,      ``chaoszoo.features``, ``chaoszoo.experiments``,
symbolic                    ``chaoszoo.symbolic``
interfaces                  ``chaoszoo.cli``, ``chaoszoo.atlas``, ``chaoszoo.compat``
==========================  ===========================================================

The rows from catalog to interfaces are docs/engine.md's table; the errors and utilities rows
(modules that import nothing of chaoszoo but ``chaoszoo.errors``) and the package root are the
modules the table does not name. A unit may import itself and any unit of a lower layer. Units
of one layer are independent of each other, except the pairs in ``WITHIN_LAYER`` with their
reason. ``import chaoszoo`` / ``from chaoszoo import get`` is an import of the package root (so
only analysis and above may use ``cz.get``). Not checked: imports whose target is computed at
run time and names no package in its literal part: the root's lazy ``cz.<subpackage>``
attributes (``import_module(f"chaoszoo.{name}")``, documented in docs/engine.md), the CLI's loop
over its own command modules and ``chaoszoo.forecast.registry.load_class`` (a user's model module).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: The layers, lowest first, and the units (packages or top-level modules) in each.
LAYERS = (
    ("errors", ("chaoszoo.errors",)),
    ("utilities", ("chaoszoo.io", "chaoszoo.plotting", "chaoszoo.workers")),
    ("catalog", ("chaoszoo.catalog",)),
    ("engine", ("chaoszoo.engine",)),
    ("API", ("chaoszoo.system",)),
    ("package root", ("chaoszoo",)),
    ("analysis", ("chaoszoo.analysis",)),
    ("data", ("chaoszoo.data",)),
    ("forecast", ("chaoszoo.forecast",)),
    ("features, experiments, symbolic", ("chaoszoo.features", "chaoszoo.experiments", "chaoszoo.symbolic")),
    ("interfaces", ("chaoszoo.cli", "chaoszoo.atlas", "chaoszoo.compat")),
)

#: Imports between two units of the same layer, allowed for a stated reason: (importer, imported).
WITHIN_LAYER = {
    ("chaoszoo.cli", "chaoszoo.atlas"): "the `chaoszoo atlas` commands build and serve the atlas",
    ("chaoszoo.plotting", "chaoszoo.io"): "figures are written through the one atomic-write helper, io.replacing",
}

LAYER_OF = {unit: i for i, (_, units) in enumerate(LAYERS) for unit in units}


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(name: str) -> str | None:
    """The unit a dotted module name belongs to (``None``: no layer assigned)."""
    if name == "chaoszoo":
        return "chaoszoo"
    top = ".".join(name.split(".")[:2])
    return top if top in LAYER_OF and top != "chaoszoo" else None


def _is_module(name: str, src: Path) -> bool:
    base = src.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(path: Path, src: Path) -> list[tuple[int, str]]:
    """``(line, imported module)`` of every chaoszoo import in the file at ``path``."""
    module = module_name(path, src)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                # ``from a import b``: the module a.b if there is one, else the name b of module a
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if _is_module(sub, src) else base))
        elif isinstance(node, ast.Call) and node.args and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__"))):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((node.lineno, arg.value))
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                prefix = str(arg.values[0].value)  # f"chaoszoo.forecast.models.{mod}": its package
                if prefix.count(".") >= 2 and prefix.endswith("."):
                    found.append((node.lineno, prefix.rstrip(".")))
    return [(line, name) for line, name in found if name == "chaoszoo" or name.startswith("chaoszoo.")]


def violations(src: Path = SRC) -> list[str]:
    """Every import of a higher layer (or of another unit of the same layer, unless allowed),
    and every module or imported name that has no layer, as ``file:line: message``."""
    problems = []
    for path in sorted((src / "chaoszoo").rglob("*.py")):
        module = module_name(path, src)
        where = path.relative_to(src)
        unit = unit_of(module)
        if unit is None:
            problems.append(f"{where}:1: module {module} belongs to no layer "
                            f"(add it to LAYERS in {Path(__file__).name})")
            continue
        layer = LAYER_OF[unit]
        for line, name in imports(path, src):
            target = unit_of(name)
            if target is None:
                problems.append(f"{where}:{line}: {module} imports {name}, which belongs to no layer")
            elif target == unit:
                continue
            elif LAYER_OF[target] > layer:
                problems.append(f"{where}:{line}: {module} ({LAYERS[layer][0]}) imports {name} "
                                f"({LAYERS[LAYER_OF[target]][0]}), a higher layer")
            elif LAYER_OF[target] == layer and (unit, target) not in WITHIN_LAYER:
                problems.append(f"{where}:{line}: {module} imports {name}: {unit} and {target} are one layer "
                                f"({LAYERS[layer][0]}) and independent "
                                "(or list the pair in WITHIN_LAYER with a reason)")
    return problems


def test_every_module_imports_only_lower_layers():
    problems = violations()
    assert not problems, "imports against the layering of docs/engine.md (files under src/):\n" + "\n".join(problems)


def test_the_check_sees_the_whole_package():
    files = list((SRC / "chaoszoo").rglob("*.py"))
    assert len(files) > 100  # not an empty or relocated tree
    seen = {unit_of(module_name(p, SRC)) for p in files}
    assert seen == set(LAYER_OF), f"units without modules: {set(LAYER_OF) - seen}"


def test_every_within_layer_allowance_is_used():
    used = set()
    for path in (SRC / "chaoszoo").rglob("*.py"):
        unit = unit_of(module_name(path, SRC))
        used |= {(unit, unit_of(name)) for _, name in imports(path, SRC)}
    stale = [pair for pair in WITHIN_LAYER if pair not in used]
    assert not stale, f"allowed but no longer imported (remove from WITHIN_LAYER): {stale}"
    for a, b in WITHIN_LAYER:
        assert a != b and LAYER_OF[a] == LAYER_OF[b], (a, b)


def _write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_planted_violations_are_found(tmp_path):
    """A small package tree with the real layout and planted upward imports of every kind."""
    for rel in ("chaoszoo/__init__.py", "chaoszoo/errors.py", "chaoszoo/system.py",
                "chaoszoo/catalog/__init__.py", "chaoszoo/engine/__init__.py", "chaoszoo/forecast/__init__.py",
                "chaoszoo/forecast/runner.py", "chaoszoo/cli/__init__.py", "chaoszoo/atlas/__init__.py",
                "chaoszoo/features/__init__.py", "chaoszoo/symbolic/__init__.py"):
        _write(tmp_path, rel)
    _write(tmp_path, "chaoszoo/catalog/registry.py", """\
        from chaoszoo.errors import ChaoszooError
        from . import declaration
        from chaoszoo.forecast import runner


        def later():
            from ..cli import main
            import chaoszoo
            return main, chaoszoo
        """)
    _write(tmp_path, "chaoszoo/catalog/declaration.py")
    _write(tmp_path, "chaoszoo/engine/aot.py", """\
        import importlib

        from chaoszoo import get
        from chaoszoo.catalog.registry import names


        def load(mod):
            importlib.import_module("chaoszoo.system")
            return importlib.import_module(f"chaoszoo.forecast.{mod}")
        """)
    _write(tmp_path, "chaoszoo/features/compute.py", "from chaoszoo.symbolic import methods\n")
    _write(tmp_path, "chaoszoo/cli/atlas.py", "from chaoszoo.atlas import build\n")
    _write(tmp_path, "chaoszoo/newthing.py", "from chaoszoo.errors import ChaoszooError\n")
    found = sorted(violations(tmp_path))
    assert found == sorted([
        "chaoszoo/catalog/registry.py:3: chaoszoo.catalog.registry (catalog) imports chaoszoo.forecast.runner "
        "(forecast), a higher layer",
        "chaoszoo/catalog/registry.py:7: chaoszoo.catalog.registry (catalog) imports chaoszoo.cli (interfaces), "
        "a higher layer",
        "chaoszoo/catalog/registry.py:8: chaoszoo.catalog.registry (catalog) imports chaoszoo (package root), "
        "a higher layer",
        "chaoszoo/engine/aot.py:3: chaoszoo.engine.aot (engine) imports chaoszoo (package root), a higher layer",
        "chaoszoo/engine/aot.py:8: chaoszoo.engine.aot (engine) imports chaoszoo.system (API), a higher layer",
        "chaoszoo/engine/aot.py:9: chaoszoo.engine.aot (engine) imports chaoszoo.forecast (forecast), a higher layer",
        "chaoszoo/features/compute.py:1: chaoszoo.features.compute imports chaoszoo.symbolic: chaoszoo.features "
        "and chaoszoo.symbolic are one layer (features, experiments, symbolic) and independent (or list the pair "
        "in WITHIN_LAYER with a reason)",
        "chaoszoo/newthing.py:1: module chaoszoo.newthing belongs to no layer (add it to LAYERS in "
        "test_architecture.py)",
    ]), "\n".join(found)
