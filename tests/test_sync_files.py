"""The device-file reader: whatever bytes a sync tool leaves, it takes exactly the whole records and never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from certdrill.exchange import sync_files as sf
from certdrill.schedule.review_log import ReviewRow

T0 = 1_795_424_400_000


@st.composite
def review_lines(draw):
    count = draw(st.integers(0, 12))
    rows = []
    for n in range(count):
        correct = draw(st.sampled_from([None, 0, 1]))
        answer = None if correct is None else "[" + ",".join(map(str, sorted(draw(st.sets(st.integers(0, 4), min_size=1, max_size=3))))) + "]"
        rows.append(
            ReviewRow(
                f"r{n:03d}",
                draw(st.sampled_from(["a", "b", "c"])),
                "mini",
                T0 + draw(st.integers(0, 10**9)),
                draw(st.integers(1, 4)),
                answer,
                correct,
                draw(st.integers(0, 9000)),
                "study",
                None,
            )
        )
    return rows


def ids(batch: sf.Batch) -> list[str]:
    return sorted(row.id for row in batch.rows)


@given(review_lines(), st.data())
@settings(max_examples=200, deadline=None)
def test_a_cut_anywhere_yields_the_whole_lines_before_it_and_the_rest_later(rows, data):
    blob = b"".join(sf.encode_review(row) for row in rows)
    cut = data.draw(st.integers(0, len(blob)))
    first = sf.split_lines(blob[:cut])
    assert blob[: first.consumed].endswith(b"\n") or first.consumed == 0
    head = sf.decode(first.lines)
    assert head.damaged == 0 and ids(head) == sorted(r.id for r in rows[: blob[:cut].count(b"\n")])
    rest = sf.decode(sf.split_lines(blob[first.consumed :]).lines)
    assert sorted(ids(head) + ids(rest)) == sorted(r.id for r in rows)
    assert set(head.rows) | set(rest.rows) == set(rows)


@given(review_lines(), st.lists(st.binary(max_size=40), max_size=4), st.data())
@settings(max_examples=200, deadline=None)
def test_garbage_and_conflicted_copies_never_raise_and_never_double(rows, garbage, data):
    lines = [sf.encode_review(row) for row in rows]
    for junk in garbage:
        lines.insert(data.draw(st.integers(0, len(lines))), junk.replace(b"\n", b"") + b"\n")
    copy = lines[: data.draw(st.integers(0, len(lines)))]  # a conflicted copy: an older state of the same file
    batch = sf.decode(sf.split_lines(b"".join(lines)).lines + sf.split_lines(b"".join(copy)).lines)
    assert ids(batch) == sorted(r.id for r in rows)
    assert batch.damaged + batch.unknown <= len(garbage)


def test_a_newer_certdrill_s_record_kind_is_counted_not_damage():
    batch = sf.decode([b'{"record":"hologram","id":"x"}', b'{"record":"review","id":"x"}', b"[1,2]", b'{"no":"record"}'])
    assert (batch.unknown, batch.damaged, batch.rows) == (1, 3, [])


def test_a_half_copied_snapshot_counts_for_nothing_until_whole():
    whole = sf.compressed([sf.encode_review(ReviewRow("r1", "a", "mini", T0, 3, None, None, 10, "study", None))])
    assert not sf.split_lines(whole[:-5], compressed=True).complete
    chunk = sf.split_lines(whole, compressed=True)
    assert chunk.complete and chunk.consumed == len(whole) and len(sf.decode(chunk.lines).rows) == 1


def test_which_files_are_read_and_which_a_snapshot_stands_for():
    for name in (
        "1.jsonl",
        "12.snapshot.jsonl.gz",
        "1 (conflicted copy 2026-12-01).jsonl",
        "1.sync-conflict-20261201-101010-ABCDEFG.jsonl",
        "1-DESKTOP-7QX.jsonl",
    ):
        assert sf.readable(name), name
    for name in (".1.jsonl.4242.tmp", ".syncthing.1.jsonl.tmp", "notes.txt", "~1.jsonl"):
        assert not sf.readable(name), name
    assert sf.own_number("3.jsonl") == 3 and sf.own_number("1 (conflicted copy).jsonl") is None
    assert sf.covered("3.jsonl", [5]) and not sf.covered("6.jsonl", [5]) and not sf.covered("3 (1).jsonl", [5])
