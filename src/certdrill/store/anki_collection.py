"""Read an Anki collection file (the SQLite database inside an .apkg or .colpkg) into plain records.

Two layouts: schema 11 (`collection.anki2` / `collection.anki21`, note types as JSON in `col`) and
schema 18 (`collection.anki21b` once decompressed, note types in their own tables as protobuf).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from certdrill.bank.importers.anki_records import Card, Collection, Note, Notetype, RevlogEntry, WireError, first
from certdrill.errors import InputError

FIELD_SEPARATOR = "\x1f"


def read_collection(path: Path, *, name: str) -> Collection:
    """The collection at `path`; errors name `name` (the package the user gave)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the collection inside: {exc}", file=name) from None
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"notes", "cards", "revlog", "col"} <= tables:
            raise InputError("not an Anki package: its collection has no notes, cards and revlog tables", file=name)
        notetypes, decks = _schema18(conn) if "notetypes" in tables else _schema11(conn, name)
        notes = [
            Note(nid, str(guid), mid, tuple(str(flds).split(FIELD_SEPARATOR)), tuple(str(tags).split()))
            for nid, guid, mid, flds, tags in conn.execute("SELECT id, guid, mid, flds, tags FROM notes ORDER BY id")
        ]
        cards = [Card(*row) for row in conn.execute("SELECT id, nid, did, ord FROM cards ORDER BY nid, ord, id")]
        revlog = [RevlogEntry(*row) for row in conn.execute("SELECT id, cid, ease, ivl, factor, time, type FROM revlog ORDER BY cid, id")]
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a readable Anki collection: {exc}", file=name) from None
    except WireError as exc:
        raise InputError(f"a note type in it does not parse: {exc}", file=name) from None
    finally:
        conn.close()
    return Collection(notetypes, decks, notes, cards, revlog)


def _schema11(conn: sqlite3.Connection, name: str) -> tuple[dict[int, Notetype], dict[int, str]]:
    row = conn.execute("SELECT models, decks FROM col").fetchone()
    try:
        models, decks = json.loads(row[0] or "{}"), json.loads(row[1] or "{}")
        notetypes = {}
        for model in models.values():
            fields = tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"]))
            templates = tuple((t.get("qfmt", ""), t.get("afmt", "")) for t in sorted(model["tmpls"], key=lambda t: t["ord"]))
            notetypes[int(model["id"])] = Notetype(int(model["id"]), str(model["name"]), model.get("type") == 1, fields, templates)
        return notetypes, {int(d["id"]): str(d["name"]) for d in decks.values()}
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"the note types in its collection do not parse ({exc.__class__.__name__}: {exc})", file=name) from None


def _schema18(conn: sqlite3.Connection) -> tuple[dict[int, Notetype], dict[int, str]]:
    fields: dict[int, list[str]] = {}
    for ntid, field_name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(str(field_name))
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, config in conn.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        question, answer = first(config, 1, b""), first(config, 2, b"")
        templates.setdefault(ntid, []).append((_text(question), _text(answer)))
    notetypes = {}
    for ntid, nt_name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        cloze = first(config, 1, 0) == 1  # NotetypeConfig.kind: 0 normal, 1 cloze
        notetypes[ntid] = Notetype(ntid, str(nt_name), cloze, tuple(fields.get(ntid, ())), tuple(templates.get(ntid, ())))
    decks = {did: str(deck_name).replace(FIELD_SEPARATOR, "::") for did, deck_name in conn.execute("SELECT id, name FROM decks")}
    return notetypes, decks


def _text(value: int | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def use_v2_scheduler(cursor: sqlite3.Cursor) -> None:
    """Mark a collection genanki wrote as kept by Anki's v2 (and later) scheduler. Without the mark
    Anki takes it for a v1 collection and, upgrading it, renumbers learning answers (v1 had three
    buttons there: Good became Easy)."""
    (conf,) = cursor.execute("SELECT conf FROM col").fetchone()
    settings = json.loads(conf or "{}")
    settings["schedVer"] = 2
    cursor.execute("UPDATE col SET conf = ?", (json.dumps(settings),))
