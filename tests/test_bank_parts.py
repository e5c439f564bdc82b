"""The bank cache keeps a part per file: an edit re-parses only its file, the checks across files
still see the whole bank, a damaged part is rebuilt, and builders running at once agree."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from certdrill.bank import build, cache, loader, parts
from certdrill.bank.items import Choices, Entry
from certdrill.bank.open import load_bank
from certdrill.errors import BankError


def topic(slug: str, ids: list[str], *, prompt: str = "Pick b.", extra: str = "") -> str:
    body = [f"topic: {slug}", f"title: Topic {slug}", "items:"]
    for item_id in ids:
        body += [
            f"  - id: {item_id}",
            "    type: single",
            f"    prompt: {prompt}",
            "    choices: [x, y, z]",
            "    answer: b",
            "    explanation: Because.",
            "    sources:",
            "      - note: 000.txt",
        ]
    return "\n".join(body) + "\n" + extra


def make_bank(folder: Path, files: int = 4, per_file: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bank.yaml").write_text("name: parts\ntitle: Parts\n", encoding="utf-8")
    for f in range(files):
        (folder / f"t{f}.yaml").write_text(topic(f"t{f}", [f"t{f}-{n}" for n in range(per_file)]), encoding="utf-8")
    aged(folder)
    return folder


def aged(folder: Path) -> None:
    """Files as if written a minute ago, so that the note of their stamps is trusted."""
    past = time.time() - 60
    for f in folder.iterdir():
        os.utime(f, (past, past))


def edit(file: Path, text: str) -> None:
    file.write_text(text, encoding="utf-8")
    aged(file.parent)


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files parsed, in order."""
    seen: list[str] = []
    real = build.build_part

    def counting(file, blob, *, manifest):
        seen.append(Path(file).name)
        return real(file, blob, manifest=manifest)

    monkeypatch.setattr(build, "build_part", counting)
    return seen


def fresh(folder: Path):
    return load_bank(folder)  # no cache: what the cached bank must equal


def test_an_edit_re_parses_only_the_file_it_touched(tmp_path, parsed):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    expected = fresh(folder)
    parsed.clear()
    load_bank(folder, cache_dir=store)
    assert sorted(parsed) == ["bank.yaml", "t0.yaml", "t1.yaml", "t2.yaml", "t3.yaml"]
    parsed.clear()
    assert load_bank(folder, cache_dir=store) == expected
    assert parsed == []  # nothing changed: nothing parsed
    edit(folder / "t2.yaml", topic("t2", ["t2-0", "t2-1", "t2-2"], prompt="Pick the second."))
    parsed.clear()
    bank = load_bank(folder, cache_dir=store)
    assert parsed == ["t2.yaml"]
    parsed.clear()
    assert bank == fresh(folder)
    assert [i.prompt for i in bank.items if i.topic == "t2"] == ["Pick the second."] * 3


def test_a_deleted_an_added_and_a_renamed_file(tmp_path, parsed):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    load_bank(folder, cache_dir=store)
    (folder / "t1.yaml").unlink()
    parsed.clear()
    assert {i.topic for i in load_bank(folder, cache_dir=store).items} == {"t0", "t2", "t3"}
    assert parsed == []  # what is left was all cached
    (folder / "t9.yaml").write_text(topic("t9", ["t9-0"]), encoding="utf-8")
    aged(folder)
    expected = fresh(folder)
    parsed.clear()
    assert load_bank(folder, cache_dir=store) == expected
    assert parsed == ["t9.yaml"]
    (folder / "t0.yaml").rename(folder / "a0.yaml")
    parsed.clear()
    bank = load_bank(folder, cache_dir=store)
    assert parsed == ["a0.yaml"]  # items carry their file's path: a renamed file is a new part
    assert bank == fresh(folder) and {i.file for i in bank.items if i.topic == "t0"} == {str(folder / "a0.yaml")}


def test_an_edit_that_duplicates_an_id_in_another_file_is_refused_with_file_and_line(tmp_path, parsed):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    load_bank(folder, cache_dir=store)
    edit(folder / "t3.yaml", topic("t3", ["t3-0", "t0-1"]))
    parsed.clear()
    with pytest.raises(BankError) as caught:
        load_bank(folder, cache_dir=store)
    assert parsed == ["t3.yaml"]
    assert caught.value.lines() == [f"{folder / 't3.yaml'}:12: duplicate id 't0-1' (first defined at {folder / 't0.yaml'}:12)"]


def test_a_claim_on_an_old_id_is_checked_against_every_file_after_any_edit(tmp_path):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    load_bank(folder, cache_dir=store)
    edit(folder / "t1.yaml", topic("t1", ["t1-0"]).replace("    type: single\n", "    type: single\n    previous_ids: [t2-2]\n", 1))
    with pytest.raises(BankError) as caught:
        load_bank(folder, cache_dir=store)
    assert caught.value.lines() == [f"{folder / 't1.yaml'}:4: t1-0: previous_ids: 't2-2' is a live id of another item"]


def test_a_topic_defined_twice_and_an_unknown_weight_are_found_across_cached_parts(tmp_path):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    load_bank(folder, cache_dir=store)
    edit(folder / "t3.yaml", topic("t0", ["t3-0"]))
    with pytest.raises(BankError) as caught:
        load_bank(folder, cache_dir=store)
    assert caught.value.lines() == [f"{folder / 't3.yaml'}:1: topic 't0' is also defined in {folder / 't0.yaml'}"]
    edit(folder / "t3.yaml", topic("t3", ["t3-0"]))
    edit(folder / "bank.yaml", "name: parts\ntitle: Parts\nexam:\n  weights: {t3: 1, nope: 2}\n")
    with pytest.raises(BankError, match=r"exam\.weights: unknown topic 'nope'"):
        load_bank(folder, cache_dir=store)


def test_errors_name_file_line_and_field_whichever_reader_took_the_file(tmp_path):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    load_bank(folder, cache_dir=store)
    edit(folder / "t1.yaml", topic("t1", ["t1-0", "t1-1"]).replace("    answer: b\n", "    answer: q\n", 2))
    with pytest.raises(BankError) as caught:
        load_bank(folder, cache_dir=store)
    where = folder / "t1.yaml"
    assert caught.value.lines() == [
        f"{where}:8: t1-0: answer: 'q' is not one of the choice letters a-c",
        f"{where}:16: t1-1: answer: 'q' is not one of the choice letters a-c",
    ]


def test_a_bank_that_does_not_load_leaves_no_part_of_its_good_files(tmp_path):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    (folder / "t2.yaml").write_text("topic: t2\ntitle: T\nitems: []\n", encoding="utf-8")
    with pytest.raises(BankError):
        load_bank(folder, cache_dir=store)
    assert not store.exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other part"])
def test_a_damaged_part_is_ignored_and_rebuilt(tmp_path, parsed, damage):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    expected = load_bank(folder, cache_dir=store)
    expected_items = expected.items
    (part,) = [p for p in store.glob("bank-*/part-*.pickle") if b"t1-0" in p.read_bytes()]
    other = next(p for p in store.glob("bank-*/part-*.pickle") if p != part)
    blob = part.read_bytes()
    part.write_bytes({"truncated": blob[: len(blob) // 2], "garbage": os.urandom(len(blob)), "empty": b"", "other part": other.read_bytes()}[damage])
    for index in store.glob("bank-*/index-*.pickle"):
        index.unlink()  # the parts are read again to assemble the bank: the damaged one is parsed again
    parsed.clear()
    again = load_bank(folder, cache_dir=store)
    assert parsed == ["t1.yaml"]
    assert again.items == expected_items


@pytest.mark.parametrize("damage", ["truncated", "garbage", "flipped"])
def test_a_part_damaged_after_its_bank_was_indexed_is_rebuilt_when_read(tmp_path, parsed, damage):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    expected = load_bank(folder, cache_dir=store).items
    (part,) = [p for p in store.glob("bank-*/part-*.pickle") if b"t1-0" in p.read_bytes()]
    blob = part.read_bytes()
    at = blob.index(b"t1-1")
    part.write_bytes({"truncated": blob[: at - 1], "garbage": blob[:at] + os.urandom(len(blob) - at), "flipped": blob.replace(b"t1-1", b"t1-X")}[damage])
    parsed.clear()
    bank = load_bank(folder, cache_dir=store)
    assert parsed == []  # the index is whole: nothing is parsed until an item of the damaged part is asked for
    assert bank.load([e for e in bank.entries if e.topic == "t1"]) == [i for i in expected if i.topic == "t1"]
    assert parsed == ["t1.yaml"]
    assert load_bank(folder, cache_dir=store).items == expected


@pytest.mark.parametrize("damage", ["none", "garbage", "flipped"])
def test_choices_are_read_alone_and_a_damaged_record_of_them_is_rebuilt(tmp_path, parsed, monkeypatch, damage):
    """`Bank.choices` reads each part's choices record, not its items; equal to the items' own."""
    folder, store = make_bank(tmp_path / "bank", files=3, per_file=20), tmp_path / "cache"
    expected = [Choices.of(item) for item in fresh(folder).items]
    load_bank(folder, cache_dir=store)
    (part,) = [p for p in store.glob("bank-*/part-*.pickle") if b"t1-0" in p.read_bytes()]
    blob = part.read_bytes()
    runs, choices, summary = [k for k in range(len(blob)) if blob.startswith(b"t1-10", k)]  # item 30's id in each
    assert runs < choices < summary
    at = choices
    damaged = {"none": blob, "garbage": blob[:at] + os.urandom(8) + blob[at + 8 :], "flipped": blob[:at] + b"t1-X0" + blob[at + 5 :]}[damage]
    part.write_bytes(damaged)
    bank = load_bank(folder, cache_dir=store)
    monkeypatch.setattr(parts, "_records", lambda *_: pytest.fail("an item was read for its choices"))
    parsed.clear()
    wanted = [bank.entries[k] for k in (5, 47, 21, 30)]
    assert bank.choices(wanted) == [expected[k] for k in (5, 47, 21, 30)]
    assert parsed == ([] if damage == "none" else ["t1.yaml"])


def test_a_damaged_index_or_note_is_rebuilt(tmp_path, parsed):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    expected = load_bank(folder, cache_dir=store)
    for damaged in [*store.glob("bank-*/index-*.pickle"), *store.glob("bank-*/files.json")]:
        damaged.write_bytes(b"\x80\x05garbage")
    parsed.clear()
    assert load_bank(folder, cache_dir=store) == expected
    assert parsed == []  # the parts were whole


def test_a_session_reads_only_the_items_it_asks_for(tmp_path, monkeypatch):
    folder, store = make_bank(tmp_path / "bank", files=3, per_file=20), tmp_path / "cache"
    expected = fresh(folder)
    load_bank(folder, cache_dir=store)
    bank = load_bank(folder, cache_dir=store)
    read: list[int] = []
    real = parts._records

    def counting(path, entries=None):
        found = real(path, entries)
        read.append(len(found))
        return found

    monkeypatch.setattr(parts, "_records", counting)
    assert all(isinstance(e, Entry) for e in bank.entries) and [e.id for e in bank.entries] == [i.id for i in expected.items]
    wanted = [bank.entries[5], bank.entries[47], bank.entries[21]]
    assert bank.load(wanted) == [expected.items[5], expected.items[47], expected.items[21]]
    assert sum(read) == 3
    assert bank.items == expected.items and sum(read) == 3 + 60


def test_parts_built_on_every_core_equal_those_built_here(tmp_path, monkeypatch):
    folder = make_bank(tmp_path / "bank", files=6, per_file=30)
    here = load_bank(folder, cache_dir=tmp_path / "here")
    monkeypatch.setattr(cache, "PARALLEL_BYTES", 0)
    workers = load_bank(folder, cache_dir=tmp_path / "workers")
    assert workers == here == fresh(folder)
    assert load_bank(folder, cache_dir=tmp_path / "workers") == here


def _build_in_child(folder: str, store: str, rounds: int) -> None:
    for n in range(rounds):
        target = Path(folder) / f"t{n % 4}.yaml"
        scratch = target.with_name(f".{target.name}.{os.getpid()}")
        scratch.write_text(topic(f"t{n % 4}", [f"t{n % 4}-{k}" for k in range(3)], prompt=f"Pick b {n % 3}."), encoding="utf-8")
        os.replace(scratch, target)  # as an editor saves: a reader sees the old file or the new one
        load_bank(Path(folder), cache_dir=Path(store))


def test_builders_running_at_once_leave_a_cache_that_gives_the_bank(tmp_path):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_build_in_child, args=(str(folder), str(store), 12)) for _ in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    aged(folder)
    assert not list(store.glob("bank-*/.*.tmp"))
    assert load_bank(folder, cache_dir=store) == fresh(folder)
    assert load_bank(folder, cache_dir=store).items == fresh(folder).items


def test_the_quick_reader_gives_what_the_full_loader_gives_on_every_bank_file(mini):
    from certdrill import paths

    files = [*paths.builtin_bank_dir().glob("*.yaml"), *mini.glob("*.yaml"), *Path(__file__).parent.glob("banks/**/*.yaml")]
    read_quickly = 0
    for file in files:
        blob = file.read_bytes()
        quick = loader.quick_yaml(file, blob)
        try:
            data, lines = loader.parse_yaml(file, blob)
        except Exception:  # noqa: BLE001 - a broken fixture: the quick reader must have left it
            assert quick is None, file
            continue
        if quick is None:
            continue
        read_quickly += 1
        assert quick[0] == data, file
        assert all(lines[path] == line for path, line in quick[1].items()), file
    assert read_quickly >= 5


@pytest.mark.parametrize(
    "text",
    [
        "topic: t\ntitle: T\nitems: &a []\n",  # an anchor
        "topic: t\ntitle: !!str T\nitems: []\n",  # a tag
        "topic: t\ntopic: u\ntitle: T\n",  # a duplicate key
        "topic: t\n1: a\n'1': b\n",  # the same key text, two values
        "topic: t\ntitle: T\n---\ntopic: u\n",  # two documents
        "<<: {a: 1}\ntopic: t\n",  # a merge key
        "? [a]\n: b\n",  # a complex key
        'title: "\\x1b[31m"\n',  # an escape that makes a control character
        "",  # nothing
    ],
)
def test_the_quick_reader_leaves_anything_unusual_to_the_full_loader(tmp_path, text):
    assert loader.quick_yaml(tmp_path / "t.yaml", text.encode()) is None


def test_the_cache_never_takes_a_disks_last_free_space(tmp_path, monkeypatch):
    folder, store = make_bank(tmp_path / "bank"), tmp_path / "cache"
    monkeypatch.setattr(cache, "ROOM_BYTES", 1 << 62)  # more than any disk has free
    assert load_bank(folder, cache_dir=store) == fresh(folder)
    assert not store.exists()
