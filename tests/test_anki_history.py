"""`export --format anki --with-progress` writes certdrill's reviews into the package's revlog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from certdrill.exchange.anki_history import LEARNING, RELEARNING, REVIEW, revlog_rows
from certdrill.schedule.review_log import Review
from certdrill.store.store import Store
from test_anki_export import import_apkg, need, notes_by_id

NOON = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def reviews(item_id: str, steps: list[tuple[int, int]]) -> list[Review]:
    """(rating, day) answers at noon plus a minute per answer (so day gaps are whole days for both schedulers)."""
    return [
        Review(f"r-{item_id}-{n}", item_id, "mini", NOON + timedelta(days=day, minutes=n), rating, None, None, 4000, "study")
        for n, (rating, day) in enumerate(steps)
    ]


def test_kinds_and_intervals_follow_the_replay():
    rows = revlog_rows(reviews("x", [(3, 0), (3, 0), (3, 2), (1, 10), (3, 10), (4, 14)]))
    assert [r.kind for r in rows] == [LEARNING, LEARNING, REVIEW, REVIEW, RELEARNING, REVIEW]
    assert [r.ease for r in rows] == [3, 3, 3, 1, 3, 4]
    assert rows[0].interval < 0 and rows[2].interval > 0  # a step in seconds, then days
    assert [r.last_interval for r in rows[1:]] == [r.interval for r in rows[:-1]]
    assert rows[0].ms == int(NOON.timestamp() * 1000) and rows[0].taken_ms == 4000


@pytest.mark.slow
def test_an_export_with_progress_carries_the_review_history_into_anki(cli, mini, tmp_path, home):
    need("genanki", ".[anki]")
    need("anki", ".[test]")
    from anki.collection import Collection

    history = reviews("roles-pull", [(3, 0), (3, 1), (3, 5), (1, 20), (3, 20), (3, 26)]) + reviews("ecr-scan", [(2, 3), (4, 4)])
    store = Store.open(home / "progress.sqlite3")
    try:
        store.merge_reviews(history)
        mine = store.cards()
    finally:
        store.close()
    out = tmp_path / "progress.apkg"
    result = cli("export", "--format", "anki", "--with-progress", "-o", out, "--bank", mini)
    assert result.exit_code == 0, result.output
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.set_config("fsrs", True)
        import_apkg(col, out)
        notes = notes_by_id(col)
        for item_id, count in (("roles-pull", 6), ("ecr-scan", 2)):
            card = notes[item_id].cards()[0]
            log = col.db.all("SELECT id, ease, type, time FROM revlog WHERE cid = ? ORDER BY id", card.id)
            assert [row[1] for row in log] == [r.rating for r in history if r.item_id == item_id]
            assert [row[0] for row in log] == [int(r.reviewed_at.timestamp() * 1000) for r in history if r.item_id == item_id]
            assert len(log) == count and log[0][2] == 0 and {row[3] for row in log} == {4000}
            # Anki's FSRS, run over the imported log, arrives where certdrill's replay did
            state = col.compute_memory_state(card.id)
            assert state.stability == pytest.approx(mine[item_id].stability, rel=1e-4)
            assert state.difficulty == pytest.approx(mine[item_id].difficulty, rel=1e-4)
        assert col.db.scalar("SELECT count() FROM revlog") == 8
        assert notes["ecr-cost"].cards()[0].type == 0  # never answered: new, no log
    finally:
        col.close()
