"""The quick reading of export's own review lines (exchange/quicklines.py): whatever it takes, the
model takes too and gives the same row; anything else is left to the model, whose verdict and
messages stay those of the file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdrill.exchange.export import review_line
from certdrill.exchange.models import MAX_DURATION_MS
from certdrill.exchange.quicklines import quick_rows
from certdrill.schedule.review_log import KINDS

MS_2000, MS_2101 = (int(datetime(year, 1, 1, tzinfo=UTC).timestamp() * 1000) for year in (2000, 2101))


def model_row(line: str) -> tuple | None:
    """The row the model gives for a review line, or None when it refuses the line."""
    from pydantic import ValidationError

    from certdrill.exchange.models import ReviewModel
    from certdrill.exchange.whole import review_of
    from certdrill.schedule.review_log import review_row

    try:
        return tuple(review_row(review_of(ReviewModel.model_validate_json(line.strip().rstrip(",")))))
    except ValidationError:
        return None


def file_line(row: tuple, *, last: bool = False) -> str:
    return f"    {review_line(row)}{'' if last else ','}\n"


text = st.text(st.sampled_from('ab-:. é\u00e9\u2028\u202e\x7f\x9f"\\\t/'), max_size=6)
ids = st.text(st.sampled_from("abcXYZ019._:-/ é"), min_size=0, max_size=5) | st.just("x" * 201) | st.just("y" * 200)
review_rows = st.tuples(
    ids,
    ids,
    text | st.just("b" * 501),
    st.integers(MS_2000 - 86_400_000, MS_2101 + 86_400_000),
    st.integers(0, 5),
    st.none() | st.lists(st.integers(0, 30), max_size=3).map(lambda a: json.dumps(a, separators=(",", ":"))),
    st.sampled_from([None, 0, 1]),
    st.none() | st.integers(0, MAX_DURATION_MS + 5) | st.sampled_from([MAX_DURATION_MS, 10**11 - 1, 10**11]),
    st.sampled_from([*KINDS, "nap"]),
    st.none() | text | st.just("s" * 201),
)


@settings(max_examples=400, deadline=None)
@given(review_rows, st.booleans())
def test_a_line_read_quickly_is_the_row_the_model_gives(row, last):
    line = file_line(row, last=last)
    quick = quick_rows(line, 1)
    assert quick is None or quick == [model_row(line)]


PIECES = ["\\", '"', "0", "9", "-", ":", ",", " ", "]", "[", "}", "{", "null", "true", "e1", ".5", "\u2028", "\x00", "\n", "Z", "+01:00", "60", "24"]


@settings(max_examples=400, deadline=None)
@given(st.floats(0, 1), st.sampled_from(["insert", "replace", "delete"]), st.sampled_from(PIECES) | st.text(max_size=3))
def test_a_changed_line_read_quickly_is_the_row_the_model_gives(where, how, piece):
    line = file_line(("0193581b10293f31", "t016-item-008374", "bank", 1_732_349_988_905, 3, "[0,12]", 1, 17948, "study", "7aaa142406fc36bf"))
    at = int(where * (len(line) - 1))
    changed = line[:at] + ("" if how == "delete" else piece) + line[at + (len(piece) if how == "replace" else 1 if how == "delete" else 0) :]
    quick = quick_rows(changed, max(1, changed.count("\n")))  # as the stream reads it: a line without a newline at the end of the file
    assert quick is None or quick == [model_row(changed)]


@pytest.mark.parametrize(
    "row",
    [
        ("a1", "item-1", "mini", 1_767_225_600_000, 3, "[1]", 1, 900, "study", "s"),
        ("a2", "item-1", "", 1_767_225_600_999, 1, None, None, None, "cram", None),
        ("a3", "item-1", "Banque é", 1_767_225_600_001, 4, "[0,25,3]", 0, 0, "exam", ""),
        ("a4", "item-1", "mini", MS_2101 - 1, 2, "[]", 1, 10**11 - 1, "import", "x" * 200),
    ],
)
def test_export_lines_are_read_quickly(row):
    assert quick_rows(file_line(row), 1) == [row]


@pytest.mark.parametrize(
    "change",
    [
        lambda line: line.replace('"rating": 3', '"rating":3'),
        lambda line: line.replace('"id": "a1", "item_id": "item-1"', '"item_id": "item-1", "id": "a1"'),
        lambda line: line.replace('"mini"', '"m\\u0069ni"'),
        lambda line: line.replace("2026-01-01T00:00:00.000Z", "2026-01-01T01:00:00.000+01:00"),
        lambda line: line.replace('"duration_ms": 900', '"duration_ms": 900.0'),
        lambda line: line.replace('"answer": [1]', '"answer": [1 ]'),
    ],
    ids=["spacing", "key-order", "escape", "offset", "float", "space-in-list"],
)
def test_a_valid_line_written_another_way_is_left_to_the_model_and_gives_the_same_row(change):
    row = ("a1", "item-1", "mini", 1_767_225_600_000, 3, "[1]", 1, 900, "study", "s")
    other = change(file_line(row))
    assert other != file_line(row)
    assert quick_rows(other, 1) is None and model_row(other) == row


def test_a_batch_with_one_line_not_in_the_form_is_left_whole_to_the_model():
    rows = [(f"a{n}", "item-1", "mini", 1_767_225_600_000 + n, 3, "[1]", 1, 900, "study", "s") for n in range(3)]
    lines = [file_line(row) for row in rows]
    assert quick_rows("".join(lines), 3) == rows
    lines[1] = lines[1].replace('"rating": 3', '"rating": 7')
    assert quick_rows("".join(lines), 3) is None


def write_file(path, lines: list[str]) -> None:
    head = '{\n  "format": "certdrill-progress",\n  "version": 1,\n  "reviews": [\n'
    path.write_text(head + "".join(lines)[:-2] + "\n  ]\n}\n", encoding="utf-8")


def import_outcome(path):
    from certdrill.errors import InputError
    from certdrill.exchange.reader import open_progress
    from certdrill.exchange.stream import ReviewStream

    incoming = open_progress(path)
    assert isinstance(incoming.rows, ReviewStream)
    try:
        return [tuple(row) for row in incoming.rows]
    except InputError as exc:
        return str(exc)


@pytest.mark.parametrize("bad", [None, '"rating": 7', '"item_id": "bad id!"', '"reviewed_at": "2026-02-30T00:00:00.000Z"'])
def test_the_quick_path_and_the_model_give_the_same_rows_and_the_same_error(tmp_path, monkeypatch, bad):
    """The same file in export's form and with its keys spaced otherwise (every line then goes to the model)."""
    import certdrill.exchange.stream as stream

    monkeypatch.setattr(stream, "BATCH", 2)
    rows = [(f"a{n}", "item-1", "mini", 1_767_225_600_000 + n * 1000, 3, "[1]", 1, 900, "study", "s") for n in range(5)]
    lines = [file_line(row) for row in rows]
    if bad is not None:
        key = bad.split(":")[0]
        lines[3] = lines[3].replace(next(part for part in lines[3].split(", ") if part.startswith(key)), bad)
    quick, spaced = tmp_path / "quick.json", tmp_path / "spaced.json"
    write_file(quick, lines)
    write_file(spaced, [line.replace('": ', '":') for line in lines])
    outcome = import_outcome(quick)
    assert outcome == import_outcome(spaced).replace("spaced.json", "quick.json") if bad else outcome == import_outcome(spaced) == rows
    if bad:
        assert outcome.startswith(f"{quick}:8: reviews[3].{bad.split(':')[0].strip(chr(34))}:"), outcome


def layout_of(data: bytes, chunk: int, monkeypatch):
    """`export_layout` of the bytes read `chunk` bytes at a time: the layout, None, or the error."""
    import io

    import certdrill.exchange.stream as stream
    from certdrill.errors import InputError

    monkeypatch.setattr(stream, "CHUNK", chunk)
    try:
        return stream.export_layout(io.BufferedReader(io.BytesIO(data)), "p.json")  # type: ignore[arg-type]
    except InputError as exc:
        return str(exc)


EXPORTED = (
    ("{\n" + '  "format": "certdrill-progress",\n  "version": 1,\n  "reviews": [\n').encode()
    + b"".join(file_line((f"a{n}", "item-1", "mini", 1_767_225_600_000 + n, 3, "[1]", 1, 900, "study", "s"), last=n == 3).encode() for n in range(4))
    + b'  ],\n  "cards": []\n}\n'
)
LAYOUT_PIECES = [b"\n", b"\xff", b"\xc3", b"\xe2\x82", b"}", b",", b"  ]", b"  ],\n", b"    {", b" ", b"\r"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans(), st.sampled_from(LAYOUT_PIECES)), max_size=3), st.sampled_from([1, 2, 5, 17, 64]))
def test_the_layout_is_the_same_whatever_the_reads_it_is_found_in(monkeypatch, changes, chunk):
    data = EXPORTED
    for where, insert, piece in changes:
        at = int(where * len(data))
        data = data[:at] + piece + data[at + (0 if insert else len(piece)) :]
    assert layout_of(data, chunk, monkeypatch) == layout_of(data, 1024 * 1024, monkeypatch)


def test_the_exported_layout_is_found_in_small_reads(monkeypatch):
    found = layout_of(EXPORTED, 3, monkeypatch)
    assert found is not None and not isinstance(found, str) and found.count == 4 and found.first_line == 5


def test_a_fresh_home_and_a_merge_into_a_store_in_use_give_the_same_store(cli, tmp_path, monkeypatch):
    """The file (read quickly) into a home without a store, and into one that holds part of it and
    a review of its own: the same reviews, and the same cards, as a rebuild from them gives."""
    import certdrill.exchange.stream as stream
    from support import cards_alike, stored_cards, stored_reviews

    monkeypatch.setattr(stream, "BATCH", 7)  # several batches, each read quickly
    rows = [(f"r{n:04d}", f"item-{n % 9}", "mini", 1_767_225_600_000 + n * 3_600_000, 1 + n % 4, "[1]", n % 2, 900, "study", "s") for n in range(60)]
    own = ("own-1", "item-1", "mini", 1_767_225_600_500, 3, None, None, None, "study", None)

    def write(path, part):
        write_file(path, [file_line(row) for row in part])
        return path

    whole, part, mine = write(tmp_path / "whole.json", rows), write(tmp_path / "part.json", rows[::3]), write(tmp_path / "own.json", [own])
    homes = {}
    for name, files in {"fresh": [whole, mine], "in-use": [mine, part, whole]}.items():  # the whole file first into no store, or last into one
        homes[name] = tmp_path / name
        monkeypatch.setenv("CERTDRILL_HOME", str(homes[name]))
        for path in files:
            result = cli("import", path)
            assert result.exit_code == 0, result.output
    reviews = [stored_reviews(home) for home in homes.values()]
    assert reviews[0] == reviews[1] and len(reviews[0]) == 61
    assert cards_alike(stored_cards(homes["fresh"]), stored_cards(homes["in-use"]))


@pytest.mark.parametrize("workers", [False, True])
def test_a_file_cut_short_after_its_first_pass_is_refused_not_half_read(tmp_path, monkeypatch, workers):
    import certdrill.exchange.stream as stream
    from certdrill.errors import InputError
    from certdrill.exchange.reader import open_progress

    monkeypatch.setattr(stream, "BATCH", 2)
    monkeypatch.setattr(stream, "CHUNK", 300)  # blocks of a line or two
    monkeypatch.setattr(stream, "PARALLEL", 0 if workers else 10**9)  # read again by worker processes, or here
    path = tmp_path / "p.json"
    write_file(path, [file_line((f"a{n}", "item-1", "mini", 1_767_225_600_000 + n, 3, "[1]", 1, 900, "study", "s")) for n in range(5)])
    incoming = open_progress(path)
    path.write_bytes(path.read_bytes()[:-120])  # another program rewrote it meanwhile
    with pytest.raises(InputError, match="the file changed while it was imported"):
        list(incoming.rows)
