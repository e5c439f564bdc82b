"""What `certdrill sync` keeps on this machine: the device id, how far each device file was read,
the settings' change stamps, and the lock that lets one sync run at a time.

The clock rule for settings (and the adopted FSRS parameters): a value carries a stamp (time of
change in ms, device id); merging keeps the greater stamp, the device id breaking a tie. A change
made here is stamped max(now, the stamp of the value it replaces + 1 ms), like a hybrid logical
clock: a change made after this machine saw another's always wins over it, even when this
machine's clock is behind; only changes made on two machines before either saw the other's are
decided by the clocks (a clock hours ahead wins those).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from certdrill import paths
from certdrill.errors import InputError

if TYPE_CHECKING:
    from pydantic import JsonValue

    from certdrill.config import Settings
    from certdrill.exchange.records import Setting, Stamp

LOCAL_KEYS = frozenset({"sync-dir"})  # settings of this machine alone: never sent
LOCK_WAIT_S = 10.0


class SyncSkipped(InputError):
    """The shared folder cannot be used now: `certdrill sync` stops with it, a session goes on without it."""


def device_id() -> str:
    """This data dir's device id, made on first use: the host's name (letters, digits, dashes) and a random tail."""
    path = paths.home_dir() / "device-id"
    known = _read_id(path)
    if known is not None:
        return known
    from certdrill.files import discard, save_text

    host = re.sub(r"[^a-z0-9-]+", "-", socket.gethostname().lower()).strip("-")[:24] or "device"
    made = f"{host}-{secrets.token_hex(4)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    save_text(draft, made + "\n")
    try:
        os.link(draft, path)  # the first of several syncs starting at once names the device for all
    except FileExistsError:
        known = _read_id(path)
        if known is not None:
            return known
        save_text(path, made + "\n")  # there, but not an id (damaged): replaced
    finally:
        discard(draft)
    return made


def _read_id(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if re.fullmatch(r"[A-Za-z0-9._-]{1,100}", text) else None


def _known_device() -> str:
    """This data dir's device id if it has one, without making one (nothing is written)."""
    try:
        text = (paths.home_dir() / "device-id").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return "unsynced"
    return text if re.fullmatch(r"[A-Za-z0-9._-]{1,100}", text) else "unsynced"


@dataclass
class State:
    """How far this device has read the shared folder `dir`, and what it wrote there."""

    dir: str = ""
    read: dict[str, list[int | str]] = field(default_factory=dict)  # "<device>/<file>" -> [bytes taken, blake2b of its first KiB]
    own: dict[str, int] = field(default_factory=dict)  # own file -> its size as last written
    known: set[str] = field(default_factory=set)  # digests of exams, settings and parameters in the folder
    fresh: bool = True  # none was kept for this folder (never synced here, or the file was lost)


def _state_path() -> Path:
    return paths.home_dir() / "sync-state.json"


def load_state(folder: Path) -> State:
    """The state for `folder`, or a fresh one (another folder, none yet, or unreadable: read all again)."""
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
        if data.get("dir") == str(folder):
            return State(str(folder), dict(data["read"]), dict(data["own"]), set(data["known"]), fresh=False)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return State(str(folder))


def save_state(state: State) -> None:
    from certdrill.files import save_text

    data = {"dir": state.dir, "read": state.read, "own": state.own, "known": sorted(state.known)}
    save_text(_state_path(), json.dumps(data, separators=(",", ":")) + "\n")


@contextmanager
def sync_lock() -> Iterator[None]:
    """One sync at a time on this machine (a lock file in the data dir, not in the shared folder:
    network shares and sync tools do not carry locks)."""
    path = paths.home_dir() / "sync.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _lock(fd)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise SyncSkipped("another certdrill is syncing") from None
                time.sleep(0.05)
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise SyncSkipped("another certdrill is syncing") from None
            time.sleep(0.05)


# settings: last writer wins per key


def _stamps_path() -> Path:
    return paths.home_dir() / "settings-stamps.json"


def _load_stamps() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_stamps_path().read_text(encoding="utf-8"))
        return {k: v for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("at"), int) and isinstance(v.get("device"), str)}
    except (OSError, ValueError, AttributeError):
        return {}


def _save_stamps(stamps: dict[str, dict[str, Any]]) -> None:
    from certdrill.files import save_text

    save_text(_stamps_path(), json.dumps(stamps, indent=1, sort_keys=True) + "\n")


def next_stamp(previous: Stamp | None, now_ms: int, device: str) -> Stamp:
    """The stamp of a change made now here (the clock rule above)."""
    from certdrill.exchange.records import Stamp

    return Stamp(max(now_ms, previous.at + 1 if previous else now_ms), device)


def setting_changed(key: str, settings: Settings, now_ms: int) -> None:
    """Stamp the change `config set` just made to `key`, on a machine that syncs (it has synced, or
    has a sync-dir); elsewhere a change is stamped at the machine's first sync."""
    from certdrill import config

    name = key.replace("_", "-")
    if name in LOCAL_KEYS or not (_stamps_path().exists() or settings.sync_dir):
        return
    stamps = _load_stamps()
    stamp = next_stamp(_stamp_of(stamps.get(name)), now_ms, device_id())
    stamps[name] = {"value": config.as_dict(settings)[name], "at": stamp.at, "device": stamp.device}
    _save_stamps(stamps)


def _stamp_of(entry: dict[str, Any] | None) -> Stamp | None:
    from certdrill.exchange.records import Stamp

    return None if entry is None else Stamp(entry["at"], entry["device"])


def local_settings(now_ms: int, *, keep: bool = True) -> list[Setting]:
    """Every setting that differs from the default or was ever changed, with its stamp; a value
    changed by editing the file (not matching its stamp) is stamped now, one changed before this
    machine first synced at the time the settings file was last written. With `keep`, the
    stamps are kept (and the device id made); without, nothing is written (an export)."""
    from certdrill import config
    from certdrill.exchange.records import Setting

    values = config.as_dict(config.load(paths.config_path()))
    defaults = config.as_dict(config.Settings())
    stamps = _load_stamps()
    changed = False
    out = []
    for key, value in values.items():
        entry = stamps.get(key)
        if key in LOCAL_KEYS or (entry is None and value == defaults[key]):
            continue
        if entry is None or entry.get("value") != value:
            # never stamped (changed before this machine first synced): the settings file's last change
            stamp = next_stamp(_stamp_of(entry), now_ms if entry is not None else _file_ms(now_ms), device_id() if keep else _known_device())
            entry = stamps[key] = {"value": value, "at": stamp.at, "device": stamp.device}
            changed = True
        kept = _stamp_of(entry)
        assert kept is not None  # set just above when missing
        out.append(Setting(key, cast("JsonValue", value), kept))
    if keep and (changed or not _stamps_path().exists()):
        _save_stamps(stamps)  # also marks this machine as one that syncs: `config set` stamps from now on
    return out


def _file_ms(default: int) -> int:
    try:
        return paths.config_path().stat().st_mtime_ns // 1_000_000
    except OSError:
        return default


def merge_settings(incoming: list[Setting], now_ms: int) -> tuple[int, int]:
    """Adopt each incoming value whose stamp is greater than this machine's; returns (changed, refused).
    A value this certdrill cannot take (an unknown key or a bad value) is refused, the rest still merged."""
    from certdrill import config
    from certdrill.errors import InputError

    here = {s.key: s for s in local_settings(now_ms)}
    stamps = _load_stamps()
    settings = config.load(paths.config_path())
    changed = refused = 0
    for s in sorted(incoming, key=lambda s: s.stamp):
        mine = here.get(s.key)
        if s.key in LOCAL_KEYS or (mine is not None and mine.stamp >= s.stamp):
            continue
        try:
            settings = config.set_value(settings, s.key, "none" if s.value is None else str(s.value))
        except InputError:
            refused += 1
            continue
        stamps[s.key] = {"value": config.as_dict(settings)[s.key], "at": s.stamp.at, "device": s.stamp.device}
        here[s.key] = replace(s, value=stamps[s.key]["value"])
        changed += 1
    if changed:
        config.save(paths.config_path(), settings)
        _save_stamps(stamps)
    return changed, refused
