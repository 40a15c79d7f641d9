"""chaoszoo.io.replacing: the one atomic-write helper every layer uses (results tables, figures,
invariants, the atlas, experiment files): a target is either its old content or its new one."""

import json
import threading

import pytest

from chaoszoo.io import replacing


def test_success_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "table.json"
    target.write_text("old")
    with replacing(target, fsync=True) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".json" and tmp.name.startswith(".")
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing visible until the block ends
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["table.json"]


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_a_failure_keeps_the_old_content_and_removes_the_temporary_file(tmp_path, error):
    target = tmp_path / "fig.png"
    target.write_bytes(b"old")
    with pytest.raises(error):
        with replacing(target) as tmp:
            tmp.write_bytes(b"half")
            raise error("writer failed")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["fig.png"]


def test_a_writer_that_never_created_the_file_is_an_error_not_an_empty_target(tmp_path):
    target = tmp_path / "x.txt"
    with pytest.raises(FileNotFoundError):
        with replacing(target):
            pass
    assert not target.exists()


def test_concurrent_writers_of_one_target_do_not_collide(tmp_path):
    target = tmp_path / "shared.json"
    errors = []

    def write(i):
        try:
            for _ in range(50):
                with replacing(target) as tmp:
                    tmp.write_text(json.dumps({"writer": i, "pad": "x" * 10_000}))
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert json.loads(target.read_text())["writer"] in range(4)  # one whole write, never a mix
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.json"]
