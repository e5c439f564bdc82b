"""`certdrill bank import deck.apkg|deck.colpkg [--with-progress]`: Anki notes → items, revlog → reviews."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
import yaml

from certdrill.bank.importers import apkg
from certdrill.bank.importers.anki_notes import item_id
from certdrill.bank.importers.anki_records import FILTERED, LEARNING, MANUAL, RELEARNING, RESCHEDULED, REVIEW, RevlogEntry
from certdrill.bank.importers.html_text import render
from certdrill.bank.open import load_bank
from certdrill.exchange.anki_history import answers
from certdrill.store.store import Store
from test_anki_export import need

DAY_MS = 86_400_000


# pure: HTML, ids, the review log


def test_html_reads_as_a_reader_sees_it():
    shown = render(
        "What &amp; why?<br>Line two<ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li></ul>"
        'See <a href="https://aws.amazon.com/ecs/">the docs</a> <img src="diagram.png"> [sound:say.mp3]&nbsp;end'
        "<div>block</div><script>alert(1)</script><p>para</p>"
    )
    assert shown.text == (
        "What & why?\nLine two\n- one\n- two\n  1. a\n  2. b\n"
        "See the docs (https://aws.amazon.com/ecs/) [image: diagram.png] [sound: say.mp3] end\nblock\n\npara"
    )
    assert shown.media == ["diagram.png", "say.mp3"]
    assert shown.links == ["https://aws.amazon.com/ecs/"]


def test_a_link_whose_text_is_its_url_is_written_once():
    assert render('<a href="https://x.example/">https://x.example/</a>').text == "https://x.example/"


def test_ids_come_from_the_guid_and_the_card():
    assert item_id("qRGy_7su{z", "1") == item_id("qRGy_7su{z", "1") != item_id("qRGy_7su{z", "2")
    assert item_id("qRGy_7su{z", "c2").startswith("anki-") and item_id("qRGy_7su{z", "c2").endswith("-c2")
    assert item_id("certdrill:roles-pull", "1") == "roles-pull"  # certdrill's own export comes back under its id
    assert item_id("certdrill:Not A Slug", "1").startswith("anki-")


def entry(ms: int, ease: int, kind: int, factor: int = 2500, interval: int = 1) -> RevlogEntry:
    return RevlogEntry(ms, 1, ease, interval, factor, 1000, kind)


@pytest.mark.parametrize(
    ("log", "kept"),
    [
        ([entry(1, 3, LEARNING), entry(2, 3, REVIEW), entry(3, 1, REVIEW), entry(4, 3, RELEARNING)], [1, 2, 3, 4]),
        ([entry(1, 3, LEARNING), entry(2, 3, FILTERED, factor=0), entry(3, 3, REVIEW)], [1, 3]),  # cramming: no rescheduling
        ([entry(1, 3, LEARNING), entry(2, 3, FILTERED), entry(3, 3, REVIEW)], [1, 2, 3]),  # early review in a filtered deck
        ([entry(1, 3, LEARNING), entry(2, 0, MANUAL, factor=2300), entry(3, 3, REVIEW)], [1, 3]),  # set due date
        ([entry(1, 3, LEARNING), entry(2, 0, RESCHEDULED), entry(3, 3, REVIEW)], [1, 3]),  # rescheduled on change
        ([entry(1, 3, LEARNING), entry(2, 3, REVIEW), entry(3, 0, MANUAL, factor=0), entry(4, 1, LEARNING), entry(5, 3, LEARNING)], [4, 5]),  # reset
        ([entry(1, 3, LEARNING), entry(2, 0, MANUAL, factor=0)], []),  # reset, not learned since
        ([entry(1, 3, REVIEW), entry(2, 0, MANUAL, factor=0), entry(3, 3, REVIEW)], [3]),
        ([entry(1, 3, REVIEW, interval=5), entry(2, 4, REVIEW, interval=9)], [1, 2]),  # history without its learning steps
    ],
)
def test_which_revlog_entries_are_answers(log, kept):
    assert [e.id for e in answers(log)] == kept


# real Anki packages


@pytest.fixture
def anki_collection(tmp_path):
    need("anki", ".[test]")
    from anki.collection import Collection

    folder = tmp_path / "anki-profile"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    col.set_config("fsrs", True)
    yield col
    col.close()


def build_deck(col) -> dict[str, list[int]]:
    """Basic (HTML, a link, an image), Basic-and-reversed and Cloze notes in two decks; card ids by note."""
    ecs, ecr = col.decks.id("AWS::ECS"), col.decks.id("AWS::ECR")
    notes = {}
    basic = col.new_note(col.models.by_name("Basic"))
    basic["Front"] = "Task role &amp; execution role?<br>Two lines<ul><li>pull</li><li>logs</li></ul>"
    basic["Back"] = 'The execution role; see <a href="https://docs.aws.amazon.com/ecs/">the guide</a> <img src="roles.png">'
    basic.tags = ["ecs", "iam"]
    col.add_note(basic, ecs)
    notes["basic"] = basic
    reverse = col.new_note(col.models.by_name("Basic (and reversed card)"))
    reverse["Front"], reverse["Back"] = "ECR", "Elastic Container Registry"
    col.add_note(reverse, ecr)
    notes["reverse"] = reverse
    cloze = col.new_note(col.models.by_name("Cloze"))
    cloze["Text"] = "{{c1::Fargate}} runs tasks without {{c2::EC2 instances::servers}}"
    cloze["Back Extra"] = "Serverless compute for containers."
    col.add_note(cloze, ecs)
    notes["cloze"] = cloze
    (Path(col.media.dir()) / "roles.png").write_bytes(b"\x89PNG")
    return {name: [c.id for c in sorted(note.cards(), key=lambda c: c.ord)] for name, note in notes.items()}


def answer(col, card_id: int, rating: int, at_ms: int) -> None:
    """Answer through Anki's own scheduler, stamped at `at_ms` (the revlog keeps that time)."""
    from anki.scheduler.v3 import CardAnswer

    card = col.get_card(card_id)
    card.start_timer()
    states = col._backend.get_scheduling_states(card_id)
    buttons = [CardAnswer.AGAIN, CardAnswer.HARD, CardAnswer.GOOD, CardAnswer.EASY]
    built = col.sched.build_answer(card=card, states=states, rating=buttons[rating - 1])
    built.answered_at_millis = at_ms
    col.sched.answer_card(built)


def study_history(col, cards: dict[str, list[int]]) -> int:
    """Answers on past days at noon UTC (far from Anki's 4 a.m. day change), each a few minutes later in
    the day than the one before, so a gap of n days is n whole days both for Anki (days passed) and
    for certdrill (24-hour periods); a set-due-date entry and a reset that the card is learned after."""
    noon = (int(time.time()) // 86_400 - 60) * DAY_MS + 12 * 3_600_000
    histories = {
        cards["basic"][0]: [(3, 0), (3, 1), (3, 10), (1, 30), (3, 30), (4, 40)],
        cards["reverse"][0]: [(1, 2), (3, 2), (2, 5), (3, 20)],
        cards["reverse"][1]: [(4, 3), (3, 25)],
        cards["cloze"][0]: [(3, 4), (3, 6)],
    }
    count = 0
    for card_id, steps in histories.items():
        for minute, (rating, day) in enumerate(steps):
            answer(col, card_id, rating, noon + day * DAY_MS + minute * 60_000)
            count += 1
    col.sched.set_due_date([cards["reverse"][0]], "0")  # Manual, ease 0: not an answer
    backdate(col, cards["reverse"][0], noon + 21 * DAY_MS)
    col.sched.schedule_cards_as_new([cards["cloze"][0]])  # reset: the answers before it no longer count
    backdate(col, cards["cloze"][0], noon + 45 * DAY_MS)
    answer(col, cards["cloze"][0], 3, noon + 50 * DAY_MS)
    answer(col, cards["cloze"][0], 3, noon + 51 * DAY_MS + 60_000)
    return count + 2 - 2  # the two answers before the reset drop out, the two after it count


def backdate(col, card_id: int, at_ms: int) -> None:
    """Anki stamps a set-due-date or reset entry with the real time: move the card's latest entry into the past."""
    col.db.execute("UPDATE revlog SET id = ? WHERE id = (SELECT max(id) FROM revlog WHERE cid = ?)", at_ms, card_id)


def export_package(col, path: Path, *, legacy: bool = True) -> Path:
    from anki.collection import ExportAnkiPackageOptions

    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=True, legacy=legacy)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path


def topic(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_real_deck_imports_with_every_card_and_review_and_anki_s_memory_state(cli, tmp_path, home, anki_collection):
    col = anki_collection
    cards = build_deck(col)
    expected_reviews = study_history(col, cards)
    package = export_package(col, tmp_path / "aws.apkg")
    out = tmp_path / "bank"
    result = cli("bank", "import", package, "-o", out, "--with-progress")
    assert result.exit_code == 0, result.output
    assert f"Imported {expected_reviews} new reviews (0 already here)" in result.output
    ecs, ecr = topic(out / "aws-ecs.yaml"), topic(out / "aws-ecr.yaml")
    assert ecs["title"] == "AWS::ECS" and ecr["title"] == "AWS::ECR"
    items = {i["id"]: i for i in ecs["items"] + ecr["items"]}
    assert len(items) == 5  # basic, two directions, two deletions
    guid = {name: col.get_note(col.get_card(ids[0]).nid).guid for name, ids in cards.items()}
    basic = items[item_id(guid["basic"], "1")]
    assert basic["prompt"] == "Task role & execution role?\nTwo lines\n- pull\n- logs"
    assert basic["back"] == "The execution role; see the guide (https://docs.aws.amazon.com/ecs/) [image: roles.png]"
    assert basic["status"] == "needs-review" and basic["tags"] == ["ecs", "iam"]
    assert basic["references"] == ["https://docs.aws.amazon.com/ecs/"]
    assert "refers to media: roles.png" in result.output
    front, back = items[item_id(guid["reverse"], "1")], items[item_id(guid["reverse"], "2")]
    assert (front["prompt"], front["back"]) == ("ECR", "Elastic Container Registry")
    assert (back["prompt"], back["back"]) == ("Elastic Container Registry", "ECR")
    c1, c2 = items[item_id(guid["cloze"], "c1")], items[item_id(guid["cloze"], "c2")]
    assert (c1["prompt"], c1["back"]) == ("[…] runs tasks without EC2 instances", "Fargate")
    assert (c2["prompt"], c2["back"]) == ("Fargate runs tasks without [servers]", "EC2 instances")
    assert c1["explanation"] == "Fargate runs tasks without EC2 instances\n\nServerless compute for containers."
    assert len(load_bank(out).items) == 5

    # FSRS state continues where Anki left it: certdrill's replay (py-fsrs, float64) against Anki's
    # own FSRS over the same revlog (fsrs-rs, float32), with the default parameters both ship.
    store = Store.open(home / "progress.sqlite3", read_only=True)
    try:
        states = store.cards()
        assert store.review_count() == expected_reviews
    finally:
        store.close()
    compared = 0
    for name, ids in cards.items():
        for ordinal, card_id in enumerate(ids):
            suffix = f"c{ordinal + 1}" if name == "cloze" else str(ordinal + 1)
            anki_state = col.compute_memory_state(card_id)
            mine = states.get(item_id(guid[name], suffix))
            if anki_state.stability is None:
                assert mine is None
                continue
            assert mine.stability == pytest.approx(anki_state.stability, rel=1e-4)
            assert mine.difficulty == pytest.approx(anki_state.difficulty, rel=1e-4)
            compared += 1
    assert compared == 4

    again = cli("bank", "import", package, "-o", out, "--with-progress")
    assert again.exit_code == 0, again.output
    assert "(0 new, 0 updated, 5 unchanged, 0 removed)" in again.output
    assert f"Imported 0 new reviews ({expected_reviews} already here)" in again.output


@pytest.mark.slow
def test_an_edited_deck_updates_items_in_place(cli, tmp_path, anki_collection):
    col = anki_collection
    cards = build_deck(col)
    out = tmp_path / "bank"
    assert cli("bank", "import", export_package(col, tmp_path / "a.apkg"), "-o", out, "--topic", "aws").exit_code == 0
    note = col.get_note(col.get_card(cards["reverse"][0]).nid)
    note["Back"] = "Amazon Elastic Container Registry"
    col.update_note(note)
    result = cli("bank", "import", export_package(col, tmp_path / "a.apkg"), "-o", out, "--topic", "aws")
    assert result.exit_code == 0, result.output
    assert "(0 new, 2 updated, 3 unchanged, 0 removed)" in result.output
    by_id = {i["id"]: i for i in topic(out / "aws.yaml")["items"]}
    assert by_id[item_id(note.guid, "1")]["back"] == "Amazon Elastic Container Registry"


@pytest.mark.slow
def test_a_current_format_package_without_zstandard_is_one_clear_line(cli, tmp_path, anki_collection, monkeypatch):
    build_deck(anki_collection)
    package = export_package(anki_collection, tmp_path / "new.apkg", legacy=False)
    monkeypatch.setitem(sys.modules, "zstandard", None)
    result = cli("bank", "import", package, "-o", tmp_path / "bank")
    assert result.exit_code == 4  # a missing extra, whichever it is
    assert result.output.strip() == f"Error: {package}: {apkg.NEEDS_ZSTD}: pip install 'certdrill[anki]'"
    assert result.output.strip().endswith("needs the zstandard package: pip install 'certdrill[anki]'")
    assert not (tmp_path / "bank").exists()


@pytest.mark.slow
def test_a_current_format_package_reads_with_zstandard(cli, tmp_path, home, anki_collection):
    """Anki's own current layout (collection.anki21b and the media list, zstd-compressed) read
    with zstandard: the schema-18 collection, the protobuf media list, the review history."""
    col = anki_collection
    cards = build_deck(col)
    expected_reviews = study_history(col, cards)
    package = export_package(col, tmp_path / "new.colpkg", legacy=False)
    import zipfile

    assert apkg.MODERN in zipfile.ZipFile(package).namelist()
    result = cli("bank", "import", package, "-o", tmp_path / "bank", "--with-progress")
    assert result.exit_code == 0, result.output
    assert "Imported 5 cards" in result.output
    assert "refers to media: roles.png" in result.output and "not in the package" not in result.output
    assert f"Imported {expected_reviews} new reviews (0 already here)" in result.output
    assert len(load_bank(tmp_path / "bank").items) == 5
    again = cli("bank", "import", package, "-o", tmp_path / "bank", "--with-progress", "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert (report["format"], report["items"], len(report["unchanged"])) == ("colpkg", 5, 5)
    assert (report["reviews"], report["reviews_added"]) == (expected_reviews, 0)


def test_a_zstd_collection_that_does_not_decompress_is_one_line(cli, tmp_path):
    import zipfile

    import zstandard

    package = tmp_path / "broken.apkg"
    with zipfile.ZipFile(package, "w") as z:
        z.writestr(apkg.MODERN, zstandard.ZstdCompressor().compress(b"not sqlite at all")[:-3])  # truncated frame
    result = cli("bank", "import", package, "-o", tmp_path / "bank")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {package}: {apkg.MODERN} does not decompress:")
    assert not (tmp_path / "bank").exists()


def test_a_zstd_entry_is_decompressed_only_up_to_the_size_limit(tmp_path, monkeypatch):
    import zstandard

    source, target = tmp_path / "big.zst", tmp_path / "big"
    source.write_bytes(zstandard.ZstdCompressor().compress(b"\0" * 3_000_000))
    monkeypatch.setattr(apkg, "MAX_ENTRY_BYTES", 2_000_000)
    with pytest.raises(ValueError, match="larger than 2,000,000 bytes"):
        apkg.zstd_decompressor()(source, target)
    monkeypatch.setattr(apkg, "MAX_ENTRY_BYTES", 4_000_000)
    apkg.zstd_decompressor()(source, target)
    assert target.read_bytes() == b"\0" * 3_000_000


def test_zstd_frames_one_after_another_all_decompress(tmp_path):
    import zstandard

    source, target = tmp_path / "two.zst", tmp_path / "two"
    source.write_bytes(zstandard.ZstdCompressor().compress(b"a" * 5000) + zstandard.ZstdCompressor().compress(b"b" * 5000))
    apkg.zstd_decompressor()(source, target)
    assert target.read_bytes() == b"a" * 5000 + b"b" * 5000


def test_not_a_package_is_one_line(cli, tmp_path):
    fake = tmp_path / "deck.apkg"
    fake.write_text("hello")
    result = cli("bank", "import", fake, "-o", tmp_path / "bank")
    assert result.exit_code == 2 and result.output.startswith(f"Error: {fake}: not an Anki package (not a zip archive")
    text = tmp_path / "q.md"
    text.write_text("### Q?\n- [x] a\n- [ ] b\n")
    flag = cli("bank", "import", text, "-o", tmp_path / "bank", "--with-progress")
    assert flag.exit_code == 2 and "--with-progress: only for an Anki package" in flag.output
    assert not (tmp_path / "bank").exists()


def test_anki_text_round_trip_keeps_ids_and_topics(cli, mini, tmp_path):
    """export --format anki-text → bank import: the GUID column gives the id back, the topic:: tag the topic."""
    text = tmp_path / "mini.txt"
    assert cli("export", "--format", "anki-text", "-o", text, "--bank", mini).exit_code == 0
    out = tmp_path / "again"
    result = cli("bank", "import", text, "-o", out)
    assert result.exit_code == 0, result.output
    original = {i.id: i.topic for i in load_bank(mini).items if i.status == "active"}
    assert {i.id: i.topic for i in load_bank(out).items} == original
    assert cli("bank", "import", text, "-o", out).exit_code == 0
    assert {i.id: i.topic for i in load_bank(out).items} == original  # importing again: the same items, in place


def test_anki_text_deck_column_names_the_topic_and_guids_the_ids(cli, tmp_path):
    source = tmp_path / "deck.txt"
    source.write_text("#separator:tab\n#html:true\n#guid column:3\n#deck column:4\nFront one\tBack one\tg1!x\tAWS::ECS\nFront two\tBack two\tg2\tAWS::ECR\n")
    out = tmp_path / "bank"
    result = cli("bank", "import", source, "-o", out)
    assert result.exit_code == 0, result.output
    items = {i.id: i for i in load_bank(out).items}
    assert set(items) == {item_id("g1!x", "1"), item_id("g2", "1")}
    assert {i.topic for i in items.values()} == {"aws-ecs", "aws-ecr"}
    assert topic(out / "aws-ecs.yaml")["title"] == "AWS::ECS"


# elapsed days: certdrill counts whole 24-hour periods, Anki counts its day changes (docs/bank-format.md)


def test_certdrill_counts_elapsed_days_as_whole_24_hour_periods_whatever_the_clock_says():
    """fsrs takes `(review - last_review).days`: 23 h 59 min is a same-day review (short-term
    stability) even across midnight or 4 a.m.; 24 h is one day, 47 h 59 min still one."""
    from datetime import UTC, datetime, timedelta

    from certdrill.schedule.scheduler import GOOD, ReviewEvent, replay, retrievability

    def after(first: datetime, gap: timedelta):
        return replay([ReviewEvent("a", first, GOOD), ReviewEvent("b", first + gap, GOOD)])

    evening = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    morning = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
    same_day = after(morning, timedelta(hours=10))
    assert after(evening, timedelta(hours=10)).stability == same_day.stability  # across midnight and 4 a.m.: still day 0
    assert after(evening, timedelta(hours=23, minutes=59)).stability == same_day.stability
    one_day = after(morning, timedelta(hours=24))
    assert one_day.stability != same_day.stability
    assert after(evening, timedelta(hours=47, minutes=59)).stability == one_day.stability
    assert after(evening, timedelta(hours=48)).stability != one_day.stability
    last = one_day.last_review
    assert retrievability(one_day, last + timedelta(hours=47, minutes=59)) == retrievability(one_day, last + timedelta(hours=24))
    assert retrievability(one_day, last + timedelta(hours=48)) < retrievability(one_day, last + timedelta(hours=47, minutes=59))


@pytest.mark.slow
def test_where_anki_counts_a_day_change_and_certdrill_no_whole_day_the_memory_states_differ(cli, tmp_path, home, anki_collection):
    """Two Good answers per card, placed around one of Anki's day changes (4 a.m. local, from Anki's
    own cutoff, so the machine's time zone does not matter). Where both count the same days they
    agree; 10 h across the day change is a day for Anki and none for certdrill; 30 h from 2 a.m.
    is two days for Anki and one for certdrill."""
    col = anki_collection
    change = (col.sched.day_cutoff - 30 * 86_400) * 1000  # a day change a month ago, in ms
    hour = 3_600_000
    plans = {  # name: (first answer, second answer) in hours from the day change
        "across": (-2, 8),  # Anki 1 day, certdrill 0
        "within": (6, 16),  # both 0
        "whole": (6, 30),  # both 1
        "from-2am": (-2, 28),  # Anki 2 days, certdrill 1
        "two": (6, 54),  # both 2
    }
    deck = col.decks.id("Days")
    cards = {}
    for name in plans:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = f"Card {name}", "Back"
        col.add_note(note, deck)
        cards[name] = note.cards()[0].id
    for step in (0, 1):  # each card a minute after the one before (Anki moves an answer in the same ms by 1 ms)
        for minute, (name, card_id) in sorted(enumerate(cards.items()), key=lambda kv: plans[kv[1][0]][step]):
            answer(col, card_id, 3, change + plans[name][step] * hour + minute * 60_000)
    result = cli("bank", "import", export_package(col, tmp_path / "days.apkg"), "-o", tmp_path / "bank", "--with-progress")
    assert result.exit_code == 0, result.output
    store = Store.open(home / "progress.sqlite3", read_only=True)
    try:
        states = store.cards()
    finally:
        store.close()
    mine_cards = {name: states[item_id(col.get_card(card_id).note().guid, "1")] for name, card_id in cards.items()}
    anki_states = {name: col.compute_memory_state(card_id) for name, card_id in cards.items()}
    for name in plans:  # difficulty does not depend on the days counted
        assert mine_cards[name].difficulty == pytest.approx(anki_states[name].difficulty, rel=1e-4)
    mine = {name: card.stability for name, card in mine_cards.items()}
    anki = {name: state.stability for name, state in anki_states.items()}
    for name in ("within", "whole", "two"):  # the same days counted: the same memory state
        assert mine[name] == pytest.approx(anki[name], rel=1e-4)
    assert anki["across"] == pytest.approx(anki["whole"], rel=1e-6) and mine["across"] == mine["within"]
    assert anki["from-2am"] == pytest.approx(anki["two"], rel=1e-6) and mine["from-2am"] == mine["whole"]
    assert mine["across"] != pytest.approx(anki["across"], rel=1e-2) and mine["from-2am"] != pytest.approx(anki["from-2am"], rel=1e-2)


@pytest.mark.slow
@pytest.mark.parametrize("bad_ms", [5, 10**15])
def test_a_revlog_time_outside_the_accepted_years_is_one_line_and_nothing_written(cli, tmp_path, home, anki_collection, bad_ms):
    """An entry from 1970 would be accepted and poison later runs; one from the year 33658 did not convert (a traceback)."""
    col = anki_collection
    cards = build_deck(col)
    answer(col, cards["basic"][0], 3, (int(time.time()) // 86_400 - 3) * DAY_MS)
    package = export_package(col, tmp_path / "bad.apkg")  # then the entry's id changed in the package (Anki would not export it)
    import sqlite3
    import zipfile

    with zipfile.ZipFile(package) as zipped:
        members = {name: zipped.read(name) for name in zipped.namelist()}
    for name in ("collection.anki2", "collection.anki21"):
        if name in members:
            (tmp_path / name).write_bytes(members[name])
            with sqlite3.connect(tmp_path / name) as db:
                db.execute("UPDATE revlog SET id = ?", (bad_ms,))
            members[name] = (tmp_path / name).read_bytes()
    with zipfile.ZipFile(package, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    result = cli("bank", "import", package, "-o", tmp_path / "bank", "--with-progress")
    assert result.exit_code == 2, result.output
    assert f"bad.apkg: revlog entry {bad_ms} (card {cards['basic'][0]}): its time is outside the years 2000-2100" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "bank").exists() and not (home / "progress.sqlite3").exists()
    plain = cli("bank", "import", package, "-o", tmp_path / "bank")  # without its reviews the revlog is not read
    assert plain.exit_code == 0, plain.output
