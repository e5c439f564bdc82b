"""`certdrill export --format anki | anki-text`, checked by importing into a real Anki collection."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest

from certdrill.bank.items import Item, Source
from certdrill.exchange.anki import FIELDS, build_notes, card_columns, guid, html_text, note_for, schedule_for, tags_for
from certdrill.schedule.scheduler import CardState
from certdrill.store.store import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def need(module: str, install: str):
    """Skip when an optional library is missing, except in CI, which installs the test extra."""
    try:
        return __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs the test extra, which includes {module}")
        pytest.skip(f"needs the {module} library: pip install '{install}'")


@pytest.fixture
def collection(tmp_path):
    need("anki", ".[test]")
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col, path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions(with_scheduling=True)))


def import_text(col, path):
    from anki.collection import ImportCsvRequest

    metadata = col.get_csv_metadata(str(path), None)
    return col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))


def notes_by_id(col) -> dict:
    return {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}


def item(**overrides) -> Item:
    values = {
        "id": "x",
        "type": "single",
        "topic": "iam",
        "prompt": "Pick one",
        "choices": ("A", "B"),
        "answer": (1,),
        "explanation": "Because.",
        "tags": ("SOA-C03", "ecs"),
        "sources": (Source("note.txt", "a quote"),),
    }
    return Item(**{**values, **overrides})


# pure: notes from items


def test_bank_text_is_escaped_and_inert():
    assert html_text("<script>alert(1)</script> & [sound:x.mp3]\n\n\x1b]0;owned\x07next") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#91;sound:x.mp3]<br><br>]0;ownednext"
    )


def test_hard_wrapped_lines_become_one_paragraph_and_lists_keep_their_breaks():
    assert (
        html_text("A job runs for two hours and needs an\nOS-level codec.\n\n- one\n- two")
        == "A job runs for two hours and needs an OS-level codec.<br><br>- one<br>- two"
    )


def test_note_fields_show_lettered_choices_and_the_answer():
    note = note_for(item(choices=("Task role", "Execution <role>"), answer=(1,)))
    fields = dict(zip(FIELDS, note.fields, strict=True))
    assert fields["Choices"] == "a) Task role<br>b) Execution &lt;role&gt;"
    assert fields["Answer"] == "b) Execution &lt;role&gt;"
    assert fields["Source"] == "note.txt (“a quote”)"
    assert note.guid == guid("x") == "certdrill:x"


def test_the_back_says_why_each_wrong_choice_is_wrong_and_links_the_references():
    note = note_for(
        item(
            choices=("Task <role>", "Execution role", "Profile"),
            answer=(1,),
            rationales=("The app's role [sound:x]", None, "No instances on Fargate."),
            references=("https://docs.aws.amazon.com/a.html?x=1&y=2", 'https://e.example/"><script>'),
        )
    )
    fields = dict(zip(FIELDS, note.fields, strict=True))
    assert fields["Explanation"] == (
        "Because.<br><br>Why not:<br>a) The app's role &#91;sound:x]<br>c) No instances on Fargate."
        '<br><br>Learn more:<br><a href="https://docs.aws.amazon.com/a.html?x=1&amp;y=2">https://docs.aws.amazon.com/a.html?x=1&amp;y=2</a>'
        '<br><a href="https://e.example/&quot;&gt;&lt;script&gt;">https://e.example/&quot;&gt;&lt;script&gt;</a>'
    )
    assert fields["Source"] == "note.txt (“a quote”)"  # provenance stays in the export


def test_multi_without_choose_phrase_says_how_many():
    note = note_for(item(type="multi", prompt="Which are true?", choices=("a", "b", "c"), answer=(0, 2)))
    assert note.fields[1] == "Which are true?<br>(Choose two.)"


def test_flashcard_answer_is_its_back():
    note = note_for(item(type="flashcard", choices=(), answer=(), back="The back"))
    fields = dict(zip(FIELDS, note.fields, strict=True))
    assert fields["Choices"] == "" and fields["Answer"] == "The back"


def test_tags_by_topic_exam_and_service():
    assert tags_for(item()) == ("topic::iam", "exam::SOA-C03", "service::ecs")
    assert "needs-review" in tags_for(item(status="needs-review"))


def test_needs_review_items_are_left_out_unless_asked():
    items = [item(id="a"), item(id="b", status="needs-review")]
    assert [n.item_id for n in build_notes(items)] == ["a"]
    assert [n.item_id for n in build_notes(items, include_unreviewed=True)] == ["a", "b"]


def test_review_card_maps_to_anki_review_columns():
    card = CardState(2, None, 14.2, 5.1, NOW + timedelta(days=12), NOW, reps=3, lapses=1)
    schedule = schedule_for(card)
    assert (schedule.kind, schedule.due_date, schedule.interval_days) == ("review", date(2026, 12, 5), 12)
    columns = card_columns(schedule, date(2026, 11, 1))
    assert columns["type"] == columns["queue"] == 2
    assert columns["due"] == 34 and columns["ivl"] == 12
    assert (columns["reps"], columns["lapses"]) == (3, 1)
    assert '"s": 14.2' in columns["data"] and '"d": 5.1' in columns["data"]


def test_learning_card_is_due_at_a_moment():
    card = CardState(1, 0, 0.4, 6.0, NOW + timedelta(minutes=10), NOW, reps=1)
    columns = card_columns(schedule_for(card), date(2026, 11, 1))
    assert (columns["type"], columns["queue"], columns["due"]) == (1, 1, int((NOW + timedelta(minutes=10)).timestamp()))


def test_new_cards_keep_bank_order():
    assert card_columns(None, date(2026, 11, 1), position=7)["due"] == 7


# CLI


def test_unknown_format_and_misplaced_flags(cli, mini, tmp_path):
    bad = cli("export", "-o", tmp_path / "x", "--format", "pdf", "--bank", mini)
    assert bad.exit_code == 2 and "--format: unknown format 'pdf'" in bad.output
    text = cli("export", "-o", tmp_path / "x.txt", "--format", "anki-text", "--with-progress", "--bank", mini)
    assert text.exit_code == 2 and "--with-progress: only with --format anki" in text.output
    stdout = cli("export", "-o", "-", "--format", "anki", "--bank", mini)
    assert stdout.exit_code == 2 and "binary file" in stdout.output
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.txt").exists()


def test_missing_genanki_is_a_one_line_error(cli, mini, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "genanki", None)
    result = cli("export", "-o", tmp_path / "x.apkg", "--bank", mini)
    assert result.exit_code == 4  # a missing extra, whichever it is
    assert result.output.strip() == "Error: the anki export needs the genanki package: pip install 'certdrill[anki]'"
    assert not (tmp_path / "x.apkg").exists()


def test_anki_text_has_the_header_lines(cli, mini, tmp_path):
    out = tmp_path / "mini.txt"
    result = cli("export", "--format", "anki-text", "-o", out, "--bank", mini)
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[:6] == ["#separator:tab", "#html:true", "#notetype:Basic", "#deck:Mini test bank", "#tags column:3", "#guid column:4"]
    assert len(lines) == 6 + 12


# real Anki


@pytest.mark.slow
def test_apkg_imports_into_a_real_anki_collection(cli, mini, tmp_path, collection):
    need("genanki", ".[anki]")
    out = tmp_path / "mini.apkg"
    result = cli("export", "--format", "anki", "-o", out, "--bank", mini)
    assert result.exit_code == 0, result.output
    assert "Exported 12 notes to" in result.output and 'deck "Mini test bank"' in result.output
    import_apkg(collection, out)
    notes = notes_by_id(collection)
    assert len(notes) == 12
    pull = notes["roles-pull"]
    assert pull.note_type()["name"] == "certdrill question"
    assert list(pull.keys()) == list(FIELDS)
    assert pull["Prompt"] == "Which role pulls a private ECR image for a Fargate task?"
    assert pull["Choices"] == "a) Task role<br>b) Task execution role<br>c) Instance profile<br>d) Service-linked role"
    assert pull["Answer"] == "b) Task execution role"
    assert pull["Source"] == "004_2a3a88d39c5f83df.txt (“image-pull failures point to the task execution role”)"
    assert sorted(pull.tags) == ["exam::DVA-C02", "service::ecs", "service::iam", "topic::roles"]
    assert notes["ecr-lifecycle-card"]["Choices"] == "" and notes["ecr-lifecycle-card"]["Answer"]
    assert {collection.decks.name(card.did) for n in notes.values() for card in n.cards()} == {"Mini test bank"}
    card = pull.cards()[0]
    assert "Task execution role" in card.answer() and "Source:" in card.answer()
    assert all(c.type == 0 for n in notes.values() for c in n.cards())  # no progress asked for: all new


@pytest.mark.slow
def test_reexport_updates_notes_in_place(cli, mini, tmp_path, collection):
    need("genanki", ".[anki]")
    out = tmp_path / "mini.apkg"
    cli("export", "-o", out, "--bank", mini)  # .apkg picks the anki format
    import_apkg(collection, out)
    cli("export", "-o", out, "--bank", mini)
    import_apkg(collection, out)
    assert len(collection.find_notes("")) == 12


@pytest.mark.slow
def test_with_progress_carries_due_date_interval_and_memory_state(cli, mini, tmp_path, home, collection):
    need("genanki", ".[anki]")
    from certdrill.schedule.review_log import Review

    store = Store.open(home / "progress.sqlite3")
    try:
        review = Review("r1", "roles-pull", "mini", NOW - timedelta(days=3), 3, (1,), True, 1000)
        store.record(review, CardState(2, None, 15.0, 4.5, NOW + timedelta(days=9), NOW - timedelta(days=3), reps=4, lapses=1))
        learning = Review("r2", "ecr-scan", "mini", NOW, 1, (0,), False, 1000)
        store.record(learning, CardState(1, 0, 0.4, 7.0, NOW + timedelta(minutes=1), NOW, reps=1))
    finally:
        store.close()
    out = tmp_path / "progress.apkg"
    result = cli("export", "--format", "anki", "--with-progress", "-o", out, "--bank", mini)
    assert result.exit_code == 0, result.output
    assert "12 notes, 2 with progress" in result.output
    import_apkg(collection, out)
    notes = notes_by_id(collection)
    card = notes["roles-pull"].cards()[0]
    assert (card.type, card.queue, card.ivl, card.reps, card.lapses) == (2, 2, 12, 4, 1)
    anki_today = datetime.fromtimestamp(collection.crt).date() + timedelta(days=collection.sched.today)
    assert anki_today + timedelta(days=card.due - collection.sched.today) == date(2026, 12, 2)
    assert card.memory_state.stability == pytest.approx(15.0) and card.memory_state.difficulty == pytest.approx(4.5)
    learning_card = notes["ecr-scan"].cards()[0]
    assert (learning_card.type, learning_card.queue, learning_card.due) == (1, 1, int((NOW + timedelta(minutes=1)).timestamp()))
    assert notes["ecr-cost"].cards()[0].type == 0


@pytest.mark.slow
def test_anki_text_imports_into_a_real_anki_collection(cli, mini, tmp_path, collection):
    out = tmp_path / "mini.txt"
    assert cli("export", "-f", "anki-text", "-o", out, "--bank", mini).exit_code == 0
    log = import_text(collection, out).log
    assert len(log.new) == 12
    notes = {collection.get_note(nid).guid: collection.get_note(nid) for nid in collection.find_notes("")}
    three = notes["certdrill:ecr-three"]
    assert three.note_type()["name"] == "Basic"
    assert three["Front"].startswith("Which THREE are ECR features? (Choose three.)<br><br>a) Image scanning<br>")
    assert three["Back"].startswith("Answer:<br>a) Image scanning<br>b) Lifecycle policies<br>c) Replication<br><br>Insights")
    assert sorted(three.tags) == ["service::ecr", "topic::ecr"]
    assert {collection.decks.name(c.did) for n in notes.values() for c in n.cards()} == {"Mini test bank"}
    again = import_text(collection, out).log
    assert len(again.new) == 0 and len(collection.find_notes("")) == 12


@pytest.mark.slow
def test_hostile_text_stays_text_in_anki(cli, tmp_path, collection, controls_allowed):
    need("genanki", ".[anki]")
    bank = tmp_path / "evil"
    bank.mkdir()
    (bank / "t.yaml").write_text(
        "topic: t\ntitle: T\nitems:\n  - id: x\n    type: single\n"
        '    prompt: "<img src=x onerror=alert(1)> [sound:boom.mp3] \\e]0;owned\\a pick"\n'
        "    choices: ['<b>bold</b>', 'tab\there']\n    answer: a\n    explanation: e\n    sources: [{note: n}]\n"
    )
    out = tmp_path / "evil.apkg"
    assert cli("export", "-o", out, "--bank", bank).exit_code == 0
    import_apkg(collection, out)
    note = notes_by_id(collection)["x"]
    assert note["Prompt"] == "&lt;img src=x onerror=alert(1)&gt; &#91;sound:boom.mp3] ]0;owned pick"
    assert note["Choices"] == "a) &lt;b&gt;bold&lt;/b&gt;<br>b) tab\there"
    assert "<img" not in note.cards()[0].question()
