"""Hostile progress files (issue 15, class 9): whatever the bytes, `import` takes the file or refuses
it in one line naming file:line (and the field, where there is one), exit 2, without hanging and in
bounded memory, having written nothing; in the streamed layout export writes and in a document read
whole alike."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import env_for, fresh_home, stored_reviews

TARGET = 2  # the review the hostile value goes into (its session id is "here")


def rows(count: int = 5, *, copy_of: dict[int, dict] | None = None) -> list[tuple]:
    """Review rows as the store keeps them; `copy_of` {n: changes}: review n takes review 1's id and
    values, with these changes (by field position)."""
    made = [
        (
            f"{n:032x}",
            f"item-{n % 3}",
            "mini",
            int((datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)).timestamp() * 1000),
            3,
            "[1]",
            1,
            900,
            "study",
            "here" if n == TARGET else "s",
        )
        for n in range(count)
    ]
    for n, changes in (copy_of or {}).items():
        row = list(made[1])
        for position, value in changes.items():
            row[position] = value
        made[n] = tuple(row)
    return made


def export_text(review_rows: list[tuple]) -> str:
    from certdrill.exchange.export import write_progress

    out = io.StringIO()
    write_progress(out, review_rows=review_rows, cards={}, bank={"name": "mini", "title": "", "items": 3}, now=datetime(2026, 2, 1, tzinfo=UTC))
    return out.getvalue()


def in_layout(text: str, layout: str) -> str:
    """The export's text as export writes it ("streamed"), or the same document indented ("whole": read whole)."""
    return text if layout == "streamed" else json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def one_error_line(result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


HOSTILE = {  # the value put in place of "here", and what the one line must say
    "not-utf8": (b'"h\xffre"', "not UTF-8 text (byte {byte})"),
    "lone-surrogate": (b'"\\ud800"', "reviews[2].session_id: not text: a lone surrogate escape"),
    "lone-low-surrogate": (b'"x\\udc00y"', "reviews[2].session_id: not text: a lone surrogate escape"),
    "nested-5000-deep": (b"[" * 5000 + b"]" * 5000, "JSON nested too deeply"),
    "nested-100000-deep": (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "JSON nested too deeply"),
    "100000-digits": (b"9" * 100_000, "a number 100,000 digits long (at most 4,300)"),
    "100000-digits-negative": (b"-" + b"1" * 100_000, "a number 100,000 digits long (at most 4,300)"),
}


def hostile_file(tmp_path: Path, layout: str, value: bytes) -> tuple[Path, int, int]:
    """The file with `value` in place of review 2's session id; the line it is on, and the offset of its 0xff byte."""
    data = in_layout(export_text(rows()), layout).encode()
    at = data.index(b'"here"')
    path = tmp_path / "progress.json"
    path.write_bytes(data.replace(b'"here"', value, 1))
    return path, data[:at].count(b"\n") + 1, at + value.find(b"\xff")


@pytest.fixture(params=["fresh", "existing"])
def before(request, cli, tmp_path, home):
    """A home without a store, or one holding another device's reviews: either way unchanged by a refusal."""
    if request.param == "existing":
        other = tmp_path / "other.json"
        other.write_text(export_text([(f"{n:032x}", "item-9", "mini", 1_767_225_600_000 + n, 2, None, None, None, "study", None) for n in range(100, 103)]))
        assert cli("import", other).exit_code == 0
    return lambda: stored_reviews(home) if (home / "progress.sqlite3").exists() else None


@pytest.mark.parametrize("layout", ["streamed", "whole"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_value_in_a_review_is_one_line_naming_its_line_and_nothing_is_written(cli, tmp_path, before, layout, case):
    value, says = HOSTILE[case]
    stored_before = before()
    path, line, byte = hostile_file(tmp_path, layout, value)
    error = one_error_line(cli("import", path))
    assert f"progress.json:{line}: " in error and says.format(byte=byte) in error, error
    assert before() == stored_before


@pytest.mark.parametrize("layout", ["streamed", "whole"])
def test_a_200_mb_line_is_refused_at_its_line_without_reading_it_whole(cli, tmp_path, before, layout):
    data = in_layout(export_text(rows()), layout).encode()
    cut = data.index(b'"here"') + 1
    path = tmp_path / "progress.json"
    with open(path, "wb") as fh:  # a sparse file: 200 MB on one line, without writing them
        fh.write(data[:cut])
        fh.seek(200 * 1024 * 1024, os.SEEK_CUR)
        fh.write(data[cut:])
    stored_before = before()
    tracemalloc.start()
    try:
        result = cli("import", path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = one_error_line(result)
    line = data[:cut].count(b"\n") + 1
    assert f"progress.json:{line}: line longer than 16 MiB" in error, error
    assert peak < 64 * 1024 * 1024, f"{peak:,} bytes allocated"  # 34 MB here, reading up to the limit
    assert before() == stored_before


@pytest.mark.parametrize("layout", ["streamed", "whole"])
def test_a_review_id_on_two_lines_with_different_values_names_both_lines(cli, tmp_path, before, layout):
    stored_before = before()
    data = in_layout(export_text(rows(copy_of={3: {7: 901}})), layout).encode()  # review 3: review 1 with another duration
    first, second = (m.start() for m in re.finditer(re.escape(f'"id": "{1:032x}"'.encode()), data))
    path = tmp_path / "progress.json"
    path.write_bytes(data)
    error = one_error_line(cli("import", path))
    lines = data[:first].count(b"\n") + 1, data[:second].count(b"\n") + 1
    assert f"progress.json:{lines[1]}: reviews[3].id: review id '{1:032x}' also on line {lines[0]} with different values" in error, error
    assert before() == stored_before


@pytest.mark.parametrize("layout", ["streamed", "whole"])
def test_identical_copies_of_a_review_import_as_one(cli, tmp_path, home, layout):
    path = tmp_path / "progress.json"
    path.write_text(in_layout(export_text(rows(copy_of={3: {}})), layout))
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    assert len(stored_reviews(home)) == 4


def run_import(home: Path, target: str | Path) -> subprocess.CompletedProcess:
    """In a process of its own, so that a hang ends the test instead of the suite."""
    return subprocess.run([sys.executable, "-m", "certdrill", "import", str(target)], env=env_for(home), capture_output=True, text=True, timeout=30)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "/dev/null", "folder"])
def test_a_fifo_a_device_or_a_folder_is_refused_not_read(tmp_path, home, kind):
    target: str | Path = kind
    if kind == "fifo":
        target = tmp_path / "progress.json"
        os.mkfifo(target)
    elif kind == "folder":
        target = tmp_path / "progress.json"
        target.mkdir()
    result = run_import(home, target)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{target}: " in lines[0], result.stderr
    assert ("is a folder" if kind == "folder" else "not a regular file") in lines[0]
    assert not home.exists() or list(home.rglob("*")) == []


# Any bytes, and any mutation of a valid file in either layout: imported, or one line and nothing written.

VALID = export_text(rows(8))
PIECES = [
    b"\xff",
    b"\xed\xa0\x80",
    b"\\ud800",
    b"\\udfff",
    b"[" * 3000,
    b"{" * 1200,
    b"9" * 5000,
    b"-0",
    b"1e999",
    b"\n",
    b"\r\n",
    b",",
    b"}",
    b"]",
    b'"',
    b"\\",
    b"\x00",
    b" ",
]
mutation = st.tuples(
    st.floats(0, 1),
    st.sampled_from(["insert", "replace", "delete", "copy-line", "copy-line-changed"]),
    st.sampled_from(PIECES) | st.binary(min_size=1, max_size=6),
)


def mutated(base: bytes, changes) -> bytes:
    data = base
    for where, how, piece in changes:
        at = int(where * len(data))
        if how == "insert":
            data = data[:at] + piece + data[at:]
        elif how == "replace":
            data = data[:at] + piece + data[at + len(piece) :]
        elif how == "delete":
            data = data[:at] + data[at + len(piece) :]
        else:  # a line twice, as it is or with another duration
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at) + 1 or len(data)
            copy = data[start:end] if how == "copy-line" else data[start:end].replace(b"900", b"901", 1)
            data = data[:end] + copy + data[end:]
    return data


hostile_files = st.one_of(
    st.tuples(st.sampled_from(["streamed", "whole"]), st.lists(mutation, min_size=1, max_size=4)).map(lambda t: mutated(in_layout(VALID, t[0]).encode(), t[1])),
    st.binary(max_size=300),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=hostile_files)
def test_any_bytes_or_any_mutation_import_or_give_one_line_and_write_nothing(cli, content):
    with fresh_home() as home, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "progress.json"
        path.write_bytes(content)
        result = cli("import", path)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert re.fullmatch(r"Error: .*progress\.json:\d+: \S.*\n", result.output), result.output
            assert not home.exists() or list(home.rglob("*")) == []
