"""certdrill sync: two homes (two machines) through one shared folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from certdrill.store.store import Store


@pytest.fixture
def machines(tmp_path, monkeypatch, cli):
    """Run certdrill as machine "a" or "b": each its own data dir, one shared folder."""
    shared = tmp_path / "shared"
    shared.mkdir()

    def on(name: str, *args: str, input: str | None = None, now: str | None = None):
        monkeypatch.setenv("CERTDRILL_HOME", str(tmp_path / name))
        if now:
            monkeypatch.setenv("CERTDRILL_NOW", now)
        return cli(*args, input=input)

    on.shared = shared
    on.home = lambda name: tmp_path / name
    return on


def reviews(home: Path) -> list[tuple]:
    store = Store.open(home / "progress.sqlite3", read_only=True)
    try:
        return [(r.id, r.item_id, r.reviewed_at, int(r.rating)) for r in store.reviews()]
    finally:
        store.close()


def cards(home: Path) -> dict:
    store = Store.open(home / "progress.sqlite3", read_only=True)
    try:
        return store.cards()
    finally:
        store.close()


def test_two_machines_end_with_the_same_log_and_cards(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "3", "--seed", "1", input="a\nb\nc\n")
    machines("b", "study", "--bank", mini, "--new", "2", "--seed", "2", "--new-order", "file", input="b\na\n", now="2026-11-23T10:00:00+00:00")
    before = set(reviews(machines.home("a"))) | set(reviews(machines.home("b")))
    assert len(before) > len(reviews(machines.home("a"))) > 0
    for name in ("a", "b", "a"):
        result = machines(name, "sync", machines.shared)
        assert result.exit_code == 0, result.output
    a, b = reviews(machines.home("a")), reviews(machines.home("b"))
    assert a == b and set(a) == before
    assert cards(machines.home("a")) == cards(machines.home("b"))
    again = machines("b", "sync", machines.shared, "--json")
    data = json.loads(again.output)
    assert data["added"] == 0 and data["sent"] == 0


def test_each_device_writes_only_its_own_folder(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "2", input="a\nb\n")
    machines("a", "sync", machines.shared)
    machines("b", "sync", machines.shared)
    devices = sorted(p.name for p in (machines.shared / "certdrill").iterdir())
    assert len(devices) == 2
    a_id = (machines.home("a") / "device-id").read_text().strip()
    b_id = (machines.home("b") / "device-id").read_text().strip()
    assert sorted([a_id, b_id]) == devices
    assert list((machines.shared / "certdrill" / b_id).iterdir()) == []  # b had nothing the folder lacked


def test_a_missing_folder_is_one_line_and_exit_2(machines, tmp_path):
    result = machines("a", "sync", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: {tmp_path / 'nowhere'}: no such folder"]
