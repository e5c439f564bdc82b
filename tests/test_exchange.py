import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certdrill.exchange.jsonpos import json_line


def study_some(cli, mini, answers="b\nb\nb\nb\nb\nb\nq\n"):
    result = cli("study", "--bank", mini, "--seed", "3", "--new-order", "file", input=answers)
    assert result.exit_code == 0, result.output
    return result


def test_export_document_shape(cli, mini, tmp_path):
    study_some(cli, mini)
    out = tmp_path / "progress.json"
    result = cli("export", "-o", out, "--bank", mini)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["format"] == "certdrill-progress" and doc["version"] == 1
    assert doc["bank"]["name"] == "mini"
    assert len(doc["reviews"]) == 6 and len({r["id"] for r in doc["reviews"]}) == 6
    assert {"id", "item_id", "reviewed_at", "rating", "answer", "correct", "duration_ms"} <= set(doc["reviews"][0])
    assert len(doc["cards"]) == len({r["item_id"] for r in doc["reviews"]})


def test_round_trip_onto_a_fresh_home_gives_identical_state(cli, mini, tmp_path, monkeypatch):
    study_some(cli, mini)
    first = tmp_path / "a.json"
    cli("export", "-o", first, "--bank", mini)
    monkeypatch.setenv("CERTDRILL_HOME", str(tmp_path / "other-home"))
    result = cli("import", first)
    assert result.exit_code == 0, result.output
    assert "Imported 6 new reviews" in result.output
    second = tmp_path / "b.json"
    cli("export", "-o", second, "--bank", mini)
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    assert a["reviews"] == b["reviews"]
    assert a["cards"] == b["cards"]


def test_importing_twice_changes_nothing(cli, mini, tmp_path):
    study_some(cli, mini)
    out = tmp_path / "p.json"
    cli("export", "-o", out, "--bank", mini)
    again = cli("import", out)
    assert again.exit_code == 0 and "Imported 0 new reviews (6 already here)" in again.output
    out2 = tmp_path / "p2.json"
    cli("export", "-o", out2, "--bank", mini)
    assert json.loads(out.read_text())["cards"] == json.loads(out2.read_text())["cards"]


def test_invalid_file_changes_nothing_and_names_line_and_field(cli, mini, tmp_path, home):
    study_some(cli, mini)
    out = tmp_path / "p.json"
    cli("export", "-o", out, "--bank", mini)
    doc = out.read_text()
    lines = doc.splitlines()
    bad_line = next(n for n, line in enumerate(lines, 1) if '"rating": ' in line and n > 8)
    broken = tmp_path / "broken.json"
    broken.write_text(doc.replace('"rating": 1', '"rating": 9', 1).replace('"rating": 3', '"rating": 9', 1))
    before = (home / "progress.sqlite3").read_bytes()
    result = cli("import", broken)
    assert result.exit_code == 2
    assert f"broken.json:{bad_line}: reviews[" in result.output or "broken.json:" in result.output
    assert "rating" in result.output
    assert "Traceback" not in result.output
    assert (home / "progress.sqlite3").read_bytes() == before


def test_newer_format_version_is_refused(cli, tmp_path):
    f = tmp_path / "new.json"
    f.write_text(json.dumps({"format": "certdrill-progress", "version": 99, "reviews": []}))
    result = cli("import", f)
    assert result.exit_code == 2 and "newer certdrill" in result.output


def test_not_json(cli, tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{\n  "format": "certdrill-progress",\n  oops\n}')
    result = cli("import", f)
    assert result.exit_code == 2 and "x.json:3: invalid JSON" in result.output


def test_json_line_finds_nested_values():
    text = '{\n "a": 1,\n "reviews": [\n  {"x": 1},\n  {"x": 2,\n   "rating": 5}\n ]\n}'
    assert json_line(text, ("reviews", 1, "rating")) == 6
    assert json_line(text, ("reviews", 0)) == 4


def test_published_schema_matches_the_model():
    from pathlib import Path

    from certdrill.exchange.models import ProgressFile

    published = json.loads((Path(__file__).parents[1] / "docs" / "progress.schema.json").read_text())
    generated = ProgressFile.model_json_schema()
    assert published["properties"] == generated["properties"]
    assert published["$defs"] == generated["$defs"]


def test_a_number_too_big_for_sqlite_is_refused_with_its_line(cli, tmp_path):
    """Found by fuzzing: a duration past 2**63 reached SQLite and overflowed."""
    review = {"id": "r1", "item_id": "t-one", "reviewed_at": "2026-11-20T09:00:00Z", "rating": 3, "duration_ms": 2**63}
    f = tmp_path / "big.json"
    f.write_text(json.dumps({"format": "certdrill-progress", "version": 1, "reviews": [review]}, indent=1))
    result = cli("import", f)
    assert result.exit_code == 2 and "big.json:" in result.output and "duration_ms" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_error_about_a_key_with_a_line_separator_stays_on_one_line(cli, tmp_path):
    """Found by fuzzing: U+2028 in a field name split the error message in two."""
    review = {"id": "r1", "item_id": "t-one", "reviewed_at": "2026-11-20T09:00:00Z", "rating": 3, "\u2028kind": "study"}
    f = tmp_path / "sep.json"
    f.write_text(json.dumps({"format": "certdrill-progress", "version": 1, "reviews": [review]}, ensure_ascii=False, indent=1))
    result = cli("import", f)
    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 1 and "\\u2028kind" in result.output


# Streaming the export layout must judge a file exactly as reading it whole does.


def exported(tmp_path, reviews=7):
    from datetime import UTC, datetime, timedelta

    from certdrill.exchange.export import write_progress

    rows = [
        (f"{n:032x}", f"item-{n % 3}", "mini", int((datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)).timestamp() * 1000), 3, "[1]", 1, 900, "study", "s")
        for n in range(reviews)
    ]
    path = tmp_path / "progress.json"
    with open(path, "w", encoding="utf-8") as fh:
        write_progress(fh, review_rows=rows, cards={}, bank={"name": "mini", "title": "", "items": 3}, now=datetime(2026, 2, 1, tzinfo=UTC))
    return path


def review_of_line(text: str, n: int) -> str:
    """Review n's JSON object, as export wrote it on its line."""
    return next(line for line in text.splitlines() if f'"id": "{n:032x}"' in line).strip().rstrip(",")


def verdicts(path):
    """(streamed, whole) outcome: the review rows, or the error message."""
    from certdrill.errors import InputError
    from certdrill.exchange.reader import open_progress
    from certdrill.exchange.whole import parse_progress
    from certdrill.schedule.review_log import review_row

    def run(fn):
        try:
            return fn()
        except InputError as exc:
            return str(exc)

    return run(lambda: list(open_progress(path).rows)), run(lambda: [review_row(r) for r in parse_progress(path.read_text(encoding="utf-8"), str(path))])


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t,
        lambda t: t.replace('"rating": 3', '"rating": 9', 1),
        lambda t: t.replace('"rating": 3', '"rating": 9').replace('"kind": "study"', '"kind": "nap"', 2),
        lambda t: t.replace('"duration_ms": 900}', '"duration_ms": 900, "mood": 1}', 1),
        lambda t: t.replace('"item_id": "item-1"', '"item_id": "bad id!"', 1),
        lambda t: t.replace('"bank": {"name": "mini"', '"bank": {"title": 5', 1),
        lambda t: t.replace('"version": 1', '"version": 7', 1),
        lambda t: t.replace('"correct": true, "duration', '"correct": true "duration', 1),
        lambda t: t.replace(f'"id": "{2:032x}"', f'"id": "{1:032x}"', 1),
        lambda t: t.replace(f'"id": "{2:032x}"', f'"id": "{1:032x}"', 1).replace('"rating": 3', '"rating": 2', 2),
        lambda t: t.replace('Z", "rating"', '+02:00", "rating"', 2).replace('"session_id": "s"', '"session_id": null', 3),
        lambda t: t.replace('"answer": [1], "correct": true, ', "", 2),
        lambda t: t.replace("2026-01-03T00:00:00.000Z", "2026-02-30T00:00:00.000Z", 1),
        lambda t: t.replace("2026-01-03T00:00:00.000Z", "2026-01-03T24:00:00.000Z", 1),
        lambda t: t.replace("},\n    {", "}, {", 2),
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace(review_of_line(t, 4), review_of_line(t, 1).replace('"duration_ms": 900', '"duration_ms": 901')),
        lambda t: t.replace(review_of_line(t, 4), review_of_line(t, 1)),
        lambda t: t.replace('"session_id": "s"', '"session_id": "\\ud800"', 3),
        lambda t: t.replace('"session_id": "s"', '"session_id": ' + "[" * 5000 + "]" * 5000, 1),
        lambda t: t.replace('"session_id": "s"', '"session_id": ' + "[" * 300 + "]" * 300, 1),
        lambda t: t.replace('"duration_ms": 900', '"duration_ms": ' + "9" * 100_000, 1),
        lambda t: t.replace('"duration_ms": 900', '"duration_ms": ' + "9" * 5000 + ".5", 1),
    ],
    ids=[
        "valid",
        "bad-rating",
        "many-errors",
        "extra-field",
        "bad-id",
        "bad-bank",
        "newer",
        "syntax",
        "same-id-same-review",
        "same-id-other-review",
        "other-offsets",
        "defaults",
        "no-such-day",
        "no-such-hour",
        "two-a-line",
        "crlf",
        "same-id-other-duration",
        "same-id-same-values",
        "lone-surrogates",
        "nested-5000-deep",
        "nested-300-deep",
        "100000-digits",
        "5000-digit-float",
    ],
)
@pytest.mark.parametrize("workers", [False, True])
def test_streamed_and_whole_reads_agree(tmp_path, monkeypatch, change, workers):
    import certdrill.exchange.stream as stream

    monkeypatch.setattr(stream, "BATCH", 2)  # several batches, and errors that straddle them
    monkeypatch.setattr(stream, "CHUNK", 300)  # blocks of a line or two, read again as such
    monkeypatch.setattr(stream, "PARALLEL", 0 if workers else 10**9)  # the blocks read and matched by worker processes, or here
    path = exported(tmp_path)
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    streamed, whole = verdicts(path)
    assert streamed == whole


def test_the_export_layout_is_streamed(tmp_path):
    from certdrill.exchange.reader import open_progress
    from certdrill.exchange.stream import ReviewStream

    assert isinstance(open_progress(exported(tmp_path)).rows, ReviewStream)


@pytest.mark.parametrize("fresh", [True, False])
def test_an_error_late_in_a_stream_writes_nothing_though_earlier_batches_went_in(cli, mini, tmp_path, home, monkeypatch, fresh):
    import certdrill.exchange.stream as stream
    import certdrill.store.writes as store_module
    from certdrill.store.store import Store

    monkeypatch.setattr(stream, "BATCH", 2)
    monkeypatch.setattr(store_module, "MERGE_BATCH", 2)
    if not fresh:
        assert cli("study", "--bank", mini, "--new", "1", input="a\n").exit_code == 0
    path = exported(tmp_path, reviews=9)
    lines = path.read_text().splitlines()
    bad = next(n for n, text in enumerate(lines, 1) if f"{8:032x}" in text)
    path.write_text(
        path.read_text().replace(
            f'"id": "{8:032x}", "item_id": "item-2", "bank": "mini", "reviewed_at": "2026-01-09T00:00:00.000Z", "rating": 3',
            f'"id": "{8:032x}", "item_id": "item-2", "bank": "mini", "reviewed_at": "2026-01-09T00:00:00.000Z", "rating": 0',
        )
    )
    result = cli("import", path)
    assert result.exit_code == 2 and f"progress.json:{bad}: reviews[8].rating" in result.output
    if fresh:  # the first import's store is linked in only at the end
        assert not home.exists() or list(home.rglob("*")) == []
    else:
        store = Store.open(home / "progress.sqlite3")
        try:
            assert store.review_count() == 1
        finally:
            store.close()


def test_a_reused_id_in_a_stream_is_refused_at_its_line(cli, tmp_path, home):
    path = exported(tmp_path, reviews=6)
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if f"{4:032x}" in text)
    first = next(n for n, text in enumerate(lines, 1) if f"{1:032x}" in text)
    path.write_text("\n".join(lines).replace(f'"id": "{4:032x}"', f'"id": "{1:032x}"', 1) + "\n")
    result = cli("import", path)
    assert result.exit_code == 2
    assert f"progress.json:{line}: reviews[4].id: review id '{1:032x}' also on line {first} with different values" in result.output
    assert not (home / "progress.sqlite3").exists()


any_text = st.text(st.characters(codec="utf-8"), max_size=12)
review_rows = st.tuples(
    any_text,
    any_text,
    any_text,
    st.integers(0, 4_000_000_000_000),
    st.integers(1, 4),
    st.none() | st.lists(st.integers(0, 25), max_size=4).map(lambda a: f"[{','.join(map(str, a))}]"),
    st.sampled_from([None, 0, 1]),
    st.none() | st.integers(0, 10**9),
    any_text,
    st.none() | any_text,
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(row=review_rows)
def test_review_line_is_the_json_encoding_of_review_json(row):
    from certdrill.exchange.export import review_json, review_line

    assert review_line(row) == json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode(review_json(row))


exported_rows = st.lists(
    st.tuples(
        st.integers(946_684_800_000, 4_102_444_799_999),  # the years 2000-2099: what a progress file may carry
        st.sampled_from([1, 2, 3, 4]),
        st.none() | st.lists(st.integers(0, 25), max_size=3).map(lambda a: f"[{','.join(map(str, a))}]"),
        st.sampled_from([None, 0, 1]),
        st.sampled_from(["study", "missed", "exam", "import"]),
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(rows=exported_rows)
def test_what_export_writes_streams_back_as_the_same_rows(tmp_path_factory, rows):
    from datetime import UTC, datetime

    from certdrill.exchange.export import write_progress
    from certdrill.exchange.reader import open_progress

    review_rows = [
        (f"r{n:04d}", f"item-{n % 3}", "mini", at, rating, answer, correct, n * 100, kind, None) for n, (at, rating, answer, correct, kind) in enumerate(rows)
    ]
    path = tmp_path_factory.mktemp("export") / "progress.json"
    with open(path, "w", encoding="utf-8") as fh:
        write_progress(fh, review_rows=review_rows, cards={}, bank={"name": "mini"}, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert list(open_progress(path).rows) == review_rows


@given(ms=st.integers(0, 4_102_444_799_999))
def test_milliseconds_make_the_round_trip_exactly(ms):
    from certdrill.clock import from_ms, to_ms

    assert to_ms(from_ms(ms)) == ms


def test_a_first_import_leaves_a_whole_store_in_wal_mode(cli, tmp_path, home):
    import sqlite3

    assert cli("import", exported(tmp_path, reviews=20)).exit_code == 0
    conn = sqlite3.connect(home / "progress.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 20
    finally:
        conn.close()
    assert sorted(p.name for p in home.iterdir()) == ["progress.sqlite3"]  # no scratch file left behind


@given(ms=st.integers(-86_400_000 * 365, 4_102_444_799_999))
def test_the_quick_iso_codec_is_the_datetime_one(ms):
    from certdrill.clock import from_ms, iso, iso_of_ms, ms_of_iso, to_ms

    assert iso_of_ms(ms) == iso(from_ms(ms))
    assert ms_of_iso(iso_of_ms(ms)) == to_ms(from_ms(ms)) == ms
