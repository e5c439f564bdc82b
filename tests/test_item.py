"""`certdrill item ID`: the question (inert), its card, its flags and its whole history, undone answers included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN, GOOD
from support import json_of, log_reviews, truefalse_bank

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def test_item_json_has_the_card_the_flags_and_every_answer(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    log_reviews(
        home,
        [
            Review(f"r{n}", "tf-000", "tf", T0 + timedelta(days=n), r, (0,) if r == GOOD else (1,), r == GOOD, 900, "study", "s")
            for n, r in enumerate([GOOD, AGAIN, GOOD])
        ],
    )
    cli("undo")
    cli("suspend", "tf-000", "--bank", bank)
    out = json_of(cli("item", "tf-000", "--bank", bank, "--json"))
    assert out["item"]["id"] == "tf-000" and out["item"]["prompt"] == "Statement 0 is true."
    assert out["card"]["reps"] == 2 and out["card"]["state"] in ("learning", "review", "relearning") and 0 < out["card"]["recall_now"] <= 1
    assert [(h["id"], h["correct"], h["undone_at"] is not None) for h in out["history"]] == [("r0", True, False), ("r1", False, False), ("r2", True, True)]
    assert out["suspended"]["reason"] == "manual" and out["leech"] is False and out["leech_lapses"] == 8


def test_item_text_shows_the_card_and_marks_the_undone_answer(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 1)
    log_reviews(home, [Review(f"r{n}", "tf-000", "tf", T0 + timedelta(days=n), GOOD, (0,), True, 900, "study", "s") for n in range(2)])
    cli("undo")
    result = cli("item", "tf-000", "--bank", bank)
    assert result.exit_code == 0, result.output
    assert "Statement 0 is true." in result.output and ("Card: learning" in result.output or "Card: review" in result.output)
    assert "predicted recall now" in result.output and "undone 2026-11-23" in result.output


def test_an_item_never_answered_has_no_card(cli, tmp_path):
    bank = truefalse_bank(tmp_path / "tf", 1)
    out = json_of(cli("item", "tf-000", "--bank", bank, "--json"))
    assert out["card"] is None and out["history"] == [] and out["suspended"] is None
    assert "Card: none yet" in cli("item", "tf-000", "--bank", bank).output


def test_an_unknown_id_is_one_clear_line(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    result = cli("item", "tf-0001", "--bank", bank)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ID: unknown item id 'tf-0001' in tf; did you mean ")


def test_item_text_is_inert(cli, tmp_path, monkeypatch):
    """Such a bank no longer loads (issue 15); with the loader's refusal off, the item is still shown inert."""
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "t.yaml").write_text(
        'topic: t\ntitle: T\nitems:\n  - id: t-one\n    type: single\n    prompt: "[bold]Pick\\u001b[31m b."\n'
        '    choices: ["[red]x", y]\n    answer: b\n    explanation: Because.\n    sources: [{note: n.txt}]\n',
        encoding="utf-8",
    )
    refused = cli("item", "t-one", "--bank", folder)
    assert refused.exit_code == 2 and "t.yaml:6: t-one: prompt: contains control character U+001B" in refused.output, refused.output
    monkeypatch.setattr("certdrill.bank.loader.control_problems", lambda *args: [])
    result = cli("item", "t-one", "--bank", folder)
    assert result.exit_code == 0, result.output
    assert "[bold]Pick" in result.output and "[red]x" in result.output and "\x1b" not in result.output
    assert "\\u001b" in cli("item", "t-one", "--bank", folder, "--json").output
