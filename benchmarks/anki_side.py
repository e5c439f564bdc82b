"""Anki's side of `vs_anki.py`: one path a process, run through the `anki` library (Anki's own Rust backend).

    python benchmarks/anki_side.py first COLLECTION          # open, first card of today's queue rendered
    python benchmarks/anki_side.py stats COLLECTION          # today's counts and the stats screen's data
    python benchmarks/anki_side.py export COLLECTION OUT     # .apkg with scheduling
    python benchmarks/anki_side.py import COLLECTION APKG    # a package with scheduling into a new collection
    python benchmarks/anki_side.py rebuild COLLECTION        # FSRS switched on: every card's memory state computed
    python benchmarks/anki_side.py setup COLLECTION APKG     # the reference collection (FSRS off, 20 new / 200 reviews a day)

Each prints one line when its work is done (`vs_anki.py` times the process to its exit, as it
times certdrill's commands). The clock is Anki's own: the collection's "today" is the day of the
generated data's last review plus one, as certdrill's frozen clock is.
"""

from __future__ import annotations

import sys


def _open(path: str):
    from anki.collection import Collection

    return Collection(path)


def first(path: str) -> None:
    col = _open(path)
    queued = col.sched.get_queued_cards(fetch_limit=1)
    card = col.get_card(queued.cards[0].card.id)
    question = card.question()
    new, learning, review = col.sched.counts()
    print(f"{review} due, {new} new; Question 1 of {new + learning + review}: {len(question)} characters")
    col.close(downgrade=False)


def stats(path: str) -> None:
    col = _open(path)
    new, _, review = col.sched.counts()
    graphs = col._backend.graphs(search="deck:*", days=365)
    studied = col.studied_today()
    print(f"{review} due, {new} new; {graphs.ByteSize()} bytes of graph data; {studied}")
    col.close(downgrade=False)


def export(path: str, out: str) -> None:
    from anki.collection import ExportAnkiPackageOptions

    col = _open(path)
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False)
    count = col.export_anki_package(out_path=out, options=options, limit=None)
    print(f"{count} notes exported")
    col.close(downgrade=False)


def import_(path: str, package: str) -> None:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = _open(path)
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=package, options=ImportAnkiPackageOptions(with_scheduling=True)))
    print(f"{len(log.log.new)} notes imported")
    col.close(downgrade=False)


def rebuild(path: str) -> None:
    """Switching FSRS on makes Anki compute every card's memory state from its review log."""
    col = _open(path)
    _set_fsrs(col, True)
    cards = col.db.scalar("SELECT count() FROM cards WHERE data LIKE '%\"s\":%'")
    print(f"{cards} memory states computed")
    col.close(downgrade=False)


def _set_fsrs(col, on: bool, *, new: int | None = None, reviews: int | None = None) -> None:
    from anki.decks import UpdateDeckConfigs

    did = col.decks.id_for_name("Default") or 1
    for deck in col.decks.all_names_and_ids():
        if col.card_count() and col.db.scalar("SELECT count() FROM cards WHERE did = ?", deck.id):
            did = deck.id
    current = col.decks.get_deck_configs_for_update(did)
    config = current.all_config[0].config
    for entry in current.all_config:
        if entry.config.id == current.current_deck.config_id:
            config = entry.config
    if new is not None:
        config.config.new_per_day = new
    if reviews is not None:
        config.config.reviews_per_day = reviews
    request = UpdateDeckConfigs(
        target_deck_id=did,
        configs=[config],
        mode=0,
        limits=current.current_deck.limits,
        new_cards_ignore_review_limit=current.new_cards_ignore_review_limit,
        fsrs=on,
        apply_all_parent_limits=current.apply_all_parent_limits,
        fsrs_reschedule=False,
        fsrs_health_check=False,
    )
    col.decks.update_deck_configs(request)
    col.decks.select(did)  # today's queue is the current deck's


def setup(path: str, package: str) -> None:
    """A new collection with the package imported (scheduling and review log), certdrill's daily limits, FSRS off."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = _open(path)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=package, options=ImportAnkiPackageOptions(with_scheduling=True)))
    _set_fsrs(col, False, new=20, reviews=200)
    print(f"{col.card_count()} cards, {col.db.scalar('SELECT count() FROM revlog')} reviews")
    col.close(downgrade=False)


def fsrs_on(path: str) -> None:
    col = _open(path)
    _set_fsrs(col, True)
    col.close(downgrade=False)


TASKS = {"first": first, "stats": stats, "export": export, "import": import_, "rebuild": rebuild, "setup": setup, "fsrs_on": fsrs_on}

if __name__ == "__main__":
    TASKS[sys.argv[1]](*sys.argv[2:])
