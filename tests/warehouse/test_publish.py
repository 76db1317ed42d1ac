"""Publishing's snapshot: a clone where the file system shares blocks between files, a byte copy elsewhere; either
way readers get the warehouse as it was checkpointed, and later writes do not reach the snapshot."""
from __future__ import annotations

import os
import subprocess

import duckdb

import warehouse
from warehouse.publish import clone_or_copy


def _file_system_clones(directory) -> bool:
    """What `cp --reflink=always` says of this directory's file system."""
    probe = directory / "probe"
    probe.write_bytes(b"x" * 4096)
    return subprocess.run(["cp", "--reflink=always", str(probe), str(directory / "probe-clone")],
                          capture_output=True).returncode == 0


def test_a_snapshot_is_a_clone_where_the_file_system_can_make_one_else_a_copy(tmp_path):
    source, target = tmp_path / "warehouse.bin", tmp_path / "snapshot.bin"
    source.write_bytes(os.urandom(3 << 20))
    how = clone_or_copy(source, target)
    assert how == ("cloned" if _file_system_clones(tmp_path) else "copied")
    assert target.read_bytes() == source.read_bytes()
    with open(source, "r+b") as changed:  # the writer goes on: a clone shares blocks until one side writes
        changed.write(b"\0" * 4096)
    assert target.read_bytes()[:4096] != b"\0" * 4096


def test_publishing_twice_shows_readers_each_checkpointed_state_and_leaves_no_staging_copy(tmp_path):
    db = tmp_path / "cijobs.duckdb"
    warehouse.open_warehouse(db).close()
    first = warehouse.publish(db)
    con = warehouse.open_warehouse(db, create=False)
    con.execute("INSERT INTO warehouse_state VALUES ('probe', 'after the first publish')")
    con.close()
    reader = duckdb.connect(str(first), read_only=True)
    assert reader.execute("SELECT count(*) FROM warehouse_state WHERE key = 'probe'").fetchone() == (0,)
    reader.close()
    second = warehouse.publish(db)
    reader = duckdb.connect(str(second), read_only=True)
    probe = reader.execute("SELECT value FROM warehouse_state WHERE key = 'probe'").fetchone()
    assert probe == ("after the first publish",)
    reader.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
