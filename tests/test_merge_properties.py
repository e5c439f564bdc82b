"""Merging logs from two devices: the order of imports never matters and repeating one changes nothing."""

import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certdrill.exchange.controls import ControlRows
from certdrill.exchange.export import write_progress
from certdrill.exchange.whole import parse_progress
from certdrill.schedule.review_log import Review, review_row
from certdrill.store.store import Store

pytestmark = pytest.mark.slow

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)


@st.composite
def two_devices(draw):
    """Reviews as two devices log them: some synced to both (maybe with a rating amended on one), some not."""
    count = draw(st.integers(0, 14))
    base = []
    for n in range(count):
        item = draw(st.sampled_from(["a", "b", "c"]))
        at = T0 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 40)))
        rating = draw(st.integers(1, 4))
        correct = None if draw(st.booleans()) else rating > 1
        base.append(Review(f"{n:04d}", item, "mini", at, rating, (0,) if correct is not None else None, correct, draw(st.integers(0, 9000)), "study", "s"))
    a, b = [], []
    for review in base:
        where = draw(st.sampled_from(["a", "b", "both", "both-amended"]))
        if where in ("a", "both", "both-amended"):
            a.append(review)
        if where in ("b", "both"):
            b.append(review)
        if where == "both-amended":
            b.append(Review(*[draw(st.integers(1, 4)) if field == "rating" else getattr(review, field) for field in Review.__slots__]))
    return a, b


@contextmanager
def store_with(reviews):
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "p.sqlite3")
        store.conn.execute("PRAGMA synchronous = OFF")  # durability is not what these properties are about
        try:
            store.merge_reviews(reviews)
            yield store
        finally:
            store.close()


def state(store):
    return store.reviews(), store.cards()


@settings(max_examples=60, deadline=None)
@given(two_devices())
def test_merge_is_commutative(devices):
    a, b = devices
    with store_with(a) as first, store_with(b) as second:
        first.merge_reviews(b)
        second.merge_reviews(a)
        assert state(first) == state(second)


@settings(max_examples=40, deadline=None)
@given(two_devices())
def test_merge_is_idempotent(devices):
    a, b = devices
    with store_with(a) as store:
        alone = state(store)
        assert store.merge_reviews(a) == 0
        assert state(store) == alone
        store.merge_reviews(b)
        merged = state(store)
        assert store.merge_reviews(b) == 0 and store.merge_reviews(a) == 0
        assert state(store) == merged


@settings(max_examples=30, deadline=None)
@given(two_devices())
def test_merge_through_the_export_file_equals_merging_the_logs(devices):
    """What export writes and import reads is the same log: merging through the file changes nothing."""
    import io

    a, b = devices
    with store_with(b) as source:
        out = io.StringIO()
        write_progress(out, review_rows=source.iter_review_rows(), cards={}, bank={"name": "mini"}, now=T0)
    with store_with(a) as via_file, store_with(a) as direct:
        via_file.merge_reviews(parse_progress(out.getvalue()))
        direct.merge_reviews(b)
        assert state(via_file) == state(direct)


def test_a_conflict_keeps_the_same_copy_on_both_devices():
    good = Review("r1", "a", "mini", T0, 3, (0,), True, 900, "study", "s")
    easy = Review("r1", "a", "mini", T0, 4, (0,), True, 900, "study", "s")
    with store_with([good]) as first, store_with([easy]) as second:
        assert first.merge_reviews([easy]) == 1
        assert second.merge_reviews([good]) == 0
        assert [r.rating for r in first.reviews()] == [r.rating for r in second.reviews()] == [4]
        assert first.cards() == second.cards()


@st.composite
def two_devices_with_undos(draw):
    """As `two_devices`, and each device undoes some of the answers it has (a tombstone holds the row it had)."""
    a, b = draw(two_devices())
    from certdrill.schedule.controls import Tombstone

    def undos(reviews):
        picked = draw(st.lists(st.sampled_from(reviews), unique_by=lambda r: r.id, max_size=4)) if reviews else []
        return [Tombstone(r, T0 + timedelta(days=50, minutes=draw(st.integers(0, 100)))) for r in picked]

    return (a, undos(a)), (b, undos(b))


@contextmanager
def device(log):
    reviews, undone = log
    with store_with(reviews) as store:
        store.merge_reviews([], undone=undone)
        yield store


def full_state(store):
    return store.reviews(), store.cards(), store.tombstones()


@settings(max_examples=60, deadline=None)
@given(two_devices_with_undos())
def test_merge_with_tombstones_is_commutative_and_never_brings_an_undone_answer_back(devices):
    a, b = devices
    with device(a) as first, device(b) as second:
        first.merge_reviews(b[0], undone=b[1])
        second.merge_reviews(a[0], undone=a[1])
        assert full_state(first) == full_state(second)
        undone = {t.review_id for t in first.tombstones()}
        assert undone == {t.review_id for t in a[1] + b[1]}
        assert not undone & {r.id for r in first.reviews()}
        rebuilt = first.cards()
        first.rebuild_cards()
        assert first.cards() == rebuilt  # the cards are the replay of what is left


@settings(max_examples=40, deadline=None)
@given(two_devices_with_undos())
def test_merge_with_tombstones_is_idempotent(devices):
    a, b = devices
    with device(a) as store:
        alone = full_state(store)
        assert store.merge_reviews(a[0], undone=a[1]) == 0
        assert full_state(store) == alone
        store.merge_reviews(b[0], undone=b[1])
        merged = full_state(store)
        assert store.merge_reviews(b[0], undone=b[1]) == 0 and store.merge_reviews(a[0], undone=a[1]) == 0
        assert full_state(store) == merged


@settings(max_examples=30, deadline=None)
@given(two_devices_with_undos())
def test_tombstones_through_the_export_file_equal_merging_them_directly(devices):
    import io

    from certdrill.exchange.whole import parse_document

    a, b = devices
    with device(b) as source:
        out = io.StringIO()
        controls = ControlRows(source.iter_tombstone_rows(), source.suspension_rows())
        write_progress(out, review_rows=source.iter_review_rows(), cards={}, bank={"name": "mini"}, now=T0, controls=controls)
    with device(a) as via_file, device(a) as direct:
        reviews, rows = parse_document(out.getvalue())
        via_file.merge_rows([review_row(r) for r in reviews], undone=rows.undone, suspensions=rows.suspensions)
        direct.merge_reviews(b[0], undone=b[1])
        assert full_state(via_file) == full_state(direct)
