"""Every Python example in the README runs (documentation that cannot rot)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path, monkeypatch):
    from chaoszoo.catalog import registry

    registry.declarations()  # load the catalog before snapshotting it
    saved = dict(registry._REGISTRY)
    monkeypatch.chdir(tmp_path)
    try:
        exec(compile(BLOCKS[index], f"README.md[python block {index}]", "exec"), {"__name__": "__readme__"})
    finally:  # an example that declares a system must not leak it into other tests
        registry._REGISTRY.clear()
        registry._REGISTRY.update(saved)
