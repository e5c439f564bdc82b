"""User settings: a small JSON file in the data dir; flags override it for one run."""

from __future__ import annotations

import json
import stat
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

from certdrill.clock import YEARS, in_range
from certdrill.errors import InputError
from certdrill.paths import check_folder

LeechAction = Literal["suspend", "tag"]
LEECH_ACTIONS: tuple[LeechAction, ...] = get_args(LeechAction)


@dataclass(frozen=True)
class Settings:
    new_per_day: int = 20
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    exam_date: date | None = None
    new_order: str = "mixed"  # "mixed": topics and item types interleaved; "file": topic files in turn, each in file order
    learn_ahead: int = 20  # minutes: a learning step due this soon is asked when nothing else is left
    guess_single: float | None = None  # chance of a lucky guess per item type; None: from the item's choices
    guess_multi: float | None = None
    guess_truefalse: float | None = None
    leech_lapses: int = 8  # Anki's default: an item forgotten this often once learned is a leech
    leech_action: LeechAction = "suspend"  # or "tag": listed as a leech, still asked
    sync_dir: str | None = None  # a shared folder: study, missed, cram and exam sync through it at start and at end (this machine's alone)


KEYS = {f.name.replace("_", "-"): f.name for f in fields(Settings)}
HELP = {
    "new-per-day": "new items introduced a day (0-10000)",
    "reviews-per-day": "reviews a day at most (0-100000)",
    "desired-retention": "target probability of recall, 0.70-0.99",
    "exam-date": f"YYYY-MM-DD in the years {YEARS}, or 'none' to clear",
    "new-order": "mixed (topics and item types interleaved) or file (topic files in turn, each in its own order)",
    "learn-ahead": "minutes a learning step may be taken early when nothing else is left (0-1440)",
    **{
        f"guess-{kind}": f"chance of a lucky guess on a {what} item, 0-0.95, or 'none' for {default}"
        for kind, what, default in (
            ("single", "single-answer", "1 / choices"),
            ("multi", "choose-several", "1 / C(choices, answers)"),
            ("truefalse", "true/false", "1/2"),
        )
    },
    "leech-lapses": "lapses that make an item a leech (1-1000)",
    "leech-action": "what a leech gets: suspend or tag",
    "sync-dir": "a shared folder to sync through at the start and end of every session, or 'none'",
}


def parse_value(key: str, raw: str) -> object:
    name = KEYS.get(key.replace("_", "-"))
    if name is None:
        raise InputError(f"unknown setting {key!r}; known: {', '.join(KEYS)}")
    text = str(raw).strip()
    try:
        if name == "new_per_day":
            return _int_in(text, 0, 10_000)
        if name == "reviews_per_day":
            return _int_in(text, 0, 100_000)
        if name == "leech_lapses":
            return _int_in(text, 1, 1000)
        if name == "leech_action":
            if text.lower() not in LEECH_ACTIONS:
                raise ValueError
            return text.lower()
        if name == "learn_ahead":
            return _int_in(text, 0, 1440)
        if name == "new_order":
            if text.lower() not in ("mixed", "file"):
                raise ValueError
            return text.lower()
        if name == "desired_retention":
            value = float(text)
            if not 0.7 <= value <= 0.99:
                raise ValueError
            return value
        if text.lower() in ("", "none", "null", "off"):
            return None
        if name == "sync_dir":
            return text
        if name.startswith("guess_"):
            value = float(text)
            if not 0 <= value <= 0.95:
                raise ValueError
            return value
        day = date.fromisoformat(text)
        if not in_range(day):
            raise ValueError
        return day
    except ValueError:
        raise InputError(f"{key.replace('_', '-')}: {raw!r} is not valid ({HELP[name.replace('_', '-')]})") from None


def _int_in(text: str, low: int, high: int) -> int:
    value = int(text)
    if not low <= value <= high:
        raise ValueError
    return value


def load(path: Path) -> Settings:
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would be waited on for ever
            raise InputError("the settings file is not a regular file (a folder, FIFO or device has its name): move it away", file=str(path))
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        check_folder(path.parent)  # a file where the folder should be is named; a folder not made yet is fine
        return Settings()
    except OSError as exc:
        check_folder(path.parent)
        raise InputError(f"unreadable settings ({exc.strerror}); fix or delete the file", file=str(path)) from None
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable settings ({exc}); fix or delete the file", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("settings must be a JSON object", file=str(path))
    settings = Settings()
    for key, raw in data.items():
        try:
            value = parse_value(key, "none" if raw is None else raw)
        except InputError as exc:
            raise InputError(exc.message, file=str(path)) from None
        settings = _with(settings, key, value)
    return settings


def save(path: Path, settings: Settings) -> None:
    data = {key: _jsonable(getattr(settings, name)) for key, name in KEYS.items()}
    from certdrill.files import save_text

    check_folder(path.parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_text(path, json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise InputError(f"cannot save settings: {exc.strerror}", file=str(path)) from None


def set_value(settings: Settings, key: str, raw: str) -> Settings:
    return _with(settings, key, parse_value(key, raw))


def _with(settings: Settings, key: str, value: object) -> Settings:
    """`settings` with one value changed (`parse_value` gave it the field's type)."""
    changes: dict[str, Any] = {KEYS[key.replace("_", "-")]: value}
    return replace(settings, **changes)


def as_dict(settings: Settings) -> dict[str, object]:
    return {key: _jsonable(value) for key, value in zip(KEYS, asdict(settings).values(), strict=True)}


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
