import json

from certdrill.exchange.jsonpos import line_of


def study_some(cli, mini, answers="b\nb\nb\nb\nb\nb\nq\n"):
    result = cli("study", "--bank", mini, "--seed", "3", input=answers)
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


def test_line_of_finds_nested_values():
    text = '{\n "a": 1,\n "reviews": [\n  {"x": 1},\n  {"x": 2,\n   "rating": 5}\n ]\n}'
    assert line_of(text, ("reviews", 1, "rating")) == 6
    assert line_of(text, ("reviews", 0)) == 4


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
