"""Every file certdrill writes goes through one helper: whole or not at all, synced, nothing left behind."""

import os

import pytest

from certdrill import files


def test_a_replaced_file_is_synced_before_the_rename_and_its_folder_after(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append(("fsync", os.path.isdir(f"/proc/self/fd/{fd}"))) or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append(("replace", None)) or real_replace(a, b))
    files.save_text(target, "new")
    assert target.read_text() == "new"
    assert events == [("fsync", False), ("replace", None), ("fsync", True)]
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_one(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def half(fh):
        fh.write("ne")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        files.write_text_atomically(target, half)
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_settings_are_written_through_it(cli, home, monkeypatch):
    written = []
    real = files.replace_atomically
    monkeypatch.setattr(files, "replace_atomically", lambda target, fill: written.append(target.name) or real(target, fill))
    assert cli("config", "set", "new-per-day", "5").exit_code == 0
    assert written == ["config.json"]
