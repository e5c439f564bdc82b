from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certdrill.schedule.scheduler import (
    AGAIN,
    EASY,
    EXAM_DAY_RETENTION,
    EXAM_FINAL_DAYS,
    GOOD,
    HARD,
    ReviewEvent,
    SchedulerConfig,
    cap_for_exam,
    is_mature,
    recall_after,
    replay,
    retrievability,
    review,
    under_exam_date,
)

T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)


def run(ratings, config=SchedulerConfig()):
    card, at, events, intervals = None, T0, [], []
    for n, rating in enumerate(ratings):
        rid = f"r{n}"
        card = review(card, rating, at, rid, config)
        events.append(ReviewEvent(rid, at, rating))
        intervals.append(round((card.due - at).total_seconds() / 86400, 3))
        at = card.due
    return card, events, intervals


def test_golden_intervals_with_default_parameters():
    # learning steps 10 min, then FSRS-6 default intervals with certdrill's deterministic fuzz
    _, _, intervals = run([GOOD] * 6)
    assert intervals[0] == round(10 / 1440, 3)
    assert intervals[1:] == [2.0, 11.0, 45.0, 169.0, 527.0]


def test_lapse_goes_to_relearning_and_counts():
    card, _, _ = run([GOOD, GOOD, GOOD, AGAIN])
    assert card.state == 3 and card.lapses == 1 and card.reps == 4


def test_replay_rebuilds_the_same_state():
    card, events, _ = run([GOOD, AGAIN, GOOD, GOOD, GOOD, AGAIN, GOOD])
    assert replay(list(reversed(events))) == card


def test_retrievability_falls_with_time():
    card, _, _ = run([GOOD, GOOD, GOOD])
    assert retrievability(card, card.last_review) > retrievability(card, card.last_review + timedelta(days=30))
    assert retrievability(None, T0) == 0.0


def test_higher_retention_gives_shorter_intervals():
    _, _, loose = run([GOOD] * 4, SchedulerConfig(desired_retention=0.8))
    _, _, tight = run([GOOD] * 4, SchedulerConfig(desired_retention=0.95))
    assert tight[-1] < loose[-1]


def test_exam_date_caps_intervals_that_would_end_too_weak():
    exam = T0 + timedelta(days=30)
    config = SchedulerConfig(exam_date=exam)
    due = T0 + timedelta(days=60)
    capped = cap_for_exam(10.0, T0, due, config)
    assert capped <= exam
    assert cap_for_exam(10_000.0, T0, due, config) == due


# --- exam date -------------------------------------------------------------------------------

EXAM = T0 + timedelta(days=60)


def test_without_an_exam_date_scheduling_is_plain_fsrs():
    plain = run([GOOD, GOOD, AGAIN, GOOD, GOOD, GOOD, GOOD])
    assert run([GOOD, GOOD, AGAIN, GOOD, GOOD, GOOD, GOOD], SchedulerConfig(exam_date=None)) == plain
    past = SchedulerConfig(exam_date=T0 - timedelta(days=1))  # an exam already sat changes nothing either
    assert run([GOOD, GOOD, AGAIN, GOOD, GOOD, GOOD, GOOD], past) == plain
    card = plain[0]
    assert under_exam_date(card, SchedulerConfig(), T0) is card


def test_cap_leaves_reviews_before_the_exam_and_strong_items_alone():
    config = SchedulerConfig(exam_date=EXAM)
    assert cap_for_exam(10.0, T0, T0 + timedelta(days=10), config) == T0 + timedelta(days=10)  # due before the exam
    assert cap_for_exam(10_000.0, T0, T0 + timedelta(days=90), config) == T0 + timedelta(days=90)  # recall on exam day ≥ 0.9
    assert cap_for_exam(None, T0, T0 + timedelta(days=90), config) == T0 + timedelta(days=90)  # learning: no stability yet


def test_cap_pulls_a_weak_item_into_the_final_days():
    config = SchedulerConfig(exam_date=EXAM)
    assert recall_after(20.0, 60) < 0.9
    days = {cap_for_exam(20.0, T0, T0 + timedelta(days=61), config, seed=f"s{n}") for n in range(40)}
    assert all(EXAM - timedelta(days=EXAM_FINAL_DAYS) <= d <= EXAM - timedelta(days=1) for d in days)
    assert len(days) == EXAM_FINAL_DAYS  # spread over the final week, not piled on the eve


def test_cap_close_to_the_exam():
    config = SchedulerConfig(exam_date=EXAM)
    three_days_before = EXAM - timedelta(days=3)
    days = {cap_for_exam(2.0, three_days_before, EXAM + timedelta(days=2), config, seed=str(n)) for n in range(20)}
    assert days == {EXAM - timedelta(days=2), EXAM - timedelta(days=1)}  # at least a day after this review
    noon_before_eve = EXAM - timedelta(hours=36)
    assert cap_for_exam(0.5, noon_before_eve, EXAM + timedelta(days=1), config) == noon_before_eve + timedelta(days=1)
    last_evening = EXAM - timedelta(hours=10)  # under a day later, recall counts as whole (FSRS counts whole days)
    assert cap_for_exam(0.5, last_evening, EXAM + timedelta(days=1), config) == EXAM + timedelta(days=1)


def test_exam_day_target_is_above_the_everyday_one():
    assert SchedulerConfig().exam_target == EXAM_DAY_RETENTION == 0.95
    assert SchedulerConfig(desired_retention=0.97).exam_target == 0.97  # never below the everyday target
    assert SchedulerConfig(exam_retention=0.8).exam_target == 0.9
    due = T0 + timedelta(days=70)
    assert 0.9 < recall_after(70.0, 60) < 0.95  # holds the everyday target, not the exam-day one
    assert cap_for_exam(70.0, T0, due, SchedulerConfig(exam_date=EXAM, exam_retention=0.9)) == due
    assert cap_for_exam(70.0, T0, due, SchedulerConfig(exam_date=EXAM)) < EXAM


@settings(max_examples=60, deadline=None)
@given(
    ratings=st.lists(st.sampled_from([AGAIN, HARD, GOOD, EASY]), min_size=1, max_size=12),
    exam_days=st.integers(min_value=1, max_value=400),
    retention=st.sampled_from([0.8, 0.9, 0.95]),
    target=st.sampled_from([None, 0.9, 0.97]),
)
def test_no_review_lands_after_the_exam_while_exam_day_recall_would_be_too_low(ratings, exam_days, retention, target):
    config = SchedulerConfig(desired_retention=retention, exam_date=T0 + timedelta(days=exam_days, hours=15), exam_retention=target)
    card, at = None, T0
    for n, rating in enumerate(ratings):
        card = review(card, rating, at, f"h{n}", config)
        if card.state == 2 and at < config.exam_date:
            assert card.due <= config.exam_date or retrievability(card, config.exam_date, config) >= config.exam_target
        at = card.due


def test_a_date_set_later_caps_cards_already_scheduled():
    card, _, _ = run([GOOD, GOOD, GOOD], SchedulerConfig(desired_retention=0.75))  # scheduled under a lower retention
    exam = card.last_review + timedelta(days=round(2 * card.stability))
    assert card.due > exam and retrievability(card, exam) < 0.9
    now = card.last_review + timedelta(days=1)
    capped = under_exam_date(card, SchedulerConfig(exam_date=exam), now)
    assert exam - timedelta(days=EXAM_FINAL_DAYS) <= capped.due < exam
    assert capped.stability == card.stability and capped.last_review == card.last_review
    soon = card.last_review + timedelta(days=round(card.stability / 4))
    assert under_exam_date(card, SchedulerConfig(exam_date=soon), now) == card  # recall on that day holds
    assert under_exam_date(card, SchedulerConfig(exam_date=exam), exam) == card  # the exam has begun: plain FSRS again
    learning = review(None, GOOD, T0, "l")
    assert under_exam_date(learning, SchedulerConfig(exam_date=T0 + timedelta(days=1)), T0) == learning


def test_replay_equals_folding_review_over_random_logs():
    import random

    rng = random.Random(7)
    for n in range(200):
        at, events, card = T0, [], None
        for k in range(rng.randint(1, 25)):
            at += timedelta(hours=rng.choice([0.01, 0.2, 5, 30, 24 * rng.randint(1, 60)]))
            rating = rng.choice([AGAIN, 2, GOOD, GOOD, 4])
            rid = f"{n}-{k}"
            card = review(card, rating, at, rid)
            events.append(ReviewEvent(rid, at, rating))
        assert replay(events) == card


# replay keeps fsrs's own card between steps: it must equal folding `review` (fsrs, a fresh card
# each step, fuzz and exam cap each time) under any parameters, retention and exam date.

DAY_US = 86_400_000_000
gaps = st.one_of(st.integers(0, 3_600_000_000), st.integers(0, 400 * DAY_US))
logs = st.lists(st.tuples(gaps, st.sampled_from([AGAIN, HARD, GOOD, EASY])), min_size=1, max_size=30)


@st.composite
def configs(draw):
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    fitted = draw(st.booleans())
    parameters = tuple(draw(st.floats(lo, hi)) for lo, hi in zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)) if fitted else None
    exam = T0 + timedelta(days=draw(st.integers(1, 900))) if draw(st.booleans()) else None
    return SchedulerConfig(desired_retention=draw(st.floats(0.7, 0.99)), parameters=parameters, exam_date=exam)


@settings(max_examples=150, deadline=None)
@given(log=logs, config=configs())
def test_replay_and_its_maturity_equal_folding_fsrs_over_the_log(log, config):
    card, at, events, mature = None, T0 + timedelta(microseconds=123_457), [], []
    for n, (gap, rating) in enumerate(log):
        at += timedelta(microseconds=gap)
        mature.append(is_mature(card))
        card = review(card, rating, at, f"r{n:03d}", config)
        events.append(ReviewEvent(f"r{n:03d}", at, rating))
    seen: list[bool] = []
    assert replay(events, config, maturity=seen) == card
    assert seen == mature


@settings(max_examples=200, deadline=None)
@given(stability=st.floats(0.001, 36500), elapsed_us=st.integers(-DAY_US, 3000 * DAY_US), config=configs())
def test_retrievability_is_fsrs_own_on_its_own_card(stability, elapsed_us, config):
    import fsrs

    from certdrill.schedule.scheduler import CardState, _fsrs_scheduler

    card = CardState(2, None, stability, 5.0, T0, T0)
    now = T0 + timedelta(microseconds=elapsed_us)
    reference = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=stability, difficulty=5.0, due=T0, last_review=T0)
    expected = _fsrs_scheduler(config.desired_retention, config.parameters).get_card_retrievability(reference, max(now, T0))
    assert retrievability(card, now, config) == expected


@pytest.mark.parametrize(
    ("ratings", "config", "state_after"),
    [
        # issue 12: Hard on a right answer repeats a learning step; one day later it graduates
        ([HARD, HARD], SchedulerConfig(), 2),
        ([GOOD, HARD], SchedulerConfig(), 2),
        ([AGAIN, HARD], SchedulerConfig(), 2),
        ([AGAIN, AGAIN], SchedulerConfig(), 1),  # a miss stays a miss: back to the first step
        # fsrs alone (no expiry): the step repeats however long it waited
        ([HARD, HARD, HARD, HARD], SchedulerConfig(step_expiry=None), 1),
    ],
)
def test_a_learning_step_taken_a_day_late_ends_on_a_right_answer(ratings, config, state_after):
    card, events = None, []
    for day, rating in enumerate(ratings):
        at = T0 + timedelta(days=day)
        card = review(card, rating, at, f"r{day}", config)
        events.append(ReviewEvent(f"r{day}", at, rating))
    assert card.state == state_after
    assert replay(events, config) == card  # the log rebuilds the same card under the same rule


def test_a_step_taken_within_the_day_still_follows_fsrs_steps():
    card = review(None, HARD, T0, "r0")
    card = review(card, HARD, T0 + timedelta(hours=2), "r1")
    assert (card.state, card.step) == (1, 0)


# --- Anki's constraints on passing intervals (schedule/intervals.py) ---------------------------

H, G, E = HARD, GOOD, EASY


@pytest.mark.parametrize(
    ("rating", "fsrs_days", "elapsed", "expected"),
    [
        # a review card whose stability is under a day: fsrs says 1 day for every pass
        (H, {H: 1}, 1, (1, 1)),
        (G, {H: 1, G: 1}, 1, (2, 2)),  # Good ≥ Hard + 1
        (E, {H: 1, G: 1, E: 1}, 1, (3, 3)),  # Easy ≥ Good + 1
        (E, {H: 1, G: 2, E: 2}, 1, (3, 3)),
        # intervals that grew: fsrs's own, the fuzz never back to the last one
        (H, {H: 3}, 2, (3, 3)),
        (G, {H: 3, G: 5}, 2, (5, 4)),
        (E, {H: 3, G: 5, E: 9}, 2, (9, 6)),
        (G, {H: 5, G: 5}, 2, (6, 6)),  # Hard and Good equal in fsrs: Good one more
        # Anki's regression case (fuzz.rs): 2.73 → 3 days after 4, within the fuzz's reach: keeps 4
        (H, {H: 3}, 4, (4, 4)),
        (H, {H: 3}, 5, (3, 1)),  # far short of the last (a lower retention): fsrs's own
        (G, {H: 2, G: 3}, 30, (3, 3)),  # a late review fsrs shortens: ordering only
        (G, {H: 0, G: 0}, 0, (2, 2)),  # a review card answered again the same day
        (E, {H: 36500, G: 36500, E: 36500}, 400, (36500, 36500)),  # never past the maximum
        # a card leaving (re)learning: Hard and Good ≥ 1, Easy ≥ Good + 1
        (H, {H: 1}, None, (1, 1)),
        (G, {G: 1}, None, (1, 1)),
        (G, {G: 3}, None, (3, 1)),
        (E, {G: 1, E: 1}, None, (2, 2)),
        (E, {G: 2, E: 8}, None, (8, 3)),
    ],
)
def test_passing_interval_follows_ankis_constraints(rating, fsrs_days, elapsed, expected):
    from certdrill.schedule.intervals import Interval, needed, passing_interval

    assert set(fsrs_days) == set(needed(rating, elapsed is not None))
    result = passing_interval(rating, fsrs_days, elapsed_days=elapsed, maximum=36500)
    assert result == Interval(*expected)


def _fsrs_alone(card, rating, at, config=SchedulerConfig()):
    """fsrs's own review of `card` (the no-steps scheduler of a step waited past its expiry)."""
    import fsrs

    from certdrill.schedule.scheduler import _scheduler_for, _to_fsrs

    new, _ = _scheduler_for(card.state, card.last_review, rating, at, config).review_card(_to_fsrs(card), fsrs.Rating(int(rating)), review_datetime=at)
    return new


def _lapsed_card():
    """An item missed day after day: stability far under a day, difficulty near 10."""
    card, events = None, []
    for day in range(6):
        at = T0 + timedelta(days=day)
        rating = GOOD if day == 1 else AGAIN
        card = review(card, rating, at, f"a{day}")
        events.append(ReviewEvent(f"a{day}", at, rating))
    assert card.state == 3 and card.stability < 0.1 and card.difficulty > 9.5
    return card, events


@pytest.mark.parametrize(
    ("ratings", "least_days"),
    [
        ([HARD], [1]),  # leaving relearning: fsrs's own interval, at least a day
        ([EASY], [2]),  # leaving relearning with Easy: more than Good would give
        ([GOOD, GOOD], [1, 2]),  # in review, fsrs says 1 day: Good ≥ Hard + 1
        ([GOOD, EASY], [1, 3]),  # Easy ≥ Good + 1
        ([HARD, EASY], [1, 3]),
        ([GOOD, HARD], [1, 1]),  # Hard keeps fsrs's 1 day, as in Anki
    ],
)
def test_a_struggling_card_answered_right_day_after_day_gets_longer_gaps(ratings, least_days):
    card, events = _lapsed_card()
    at = card.last_review
    for n, (rating, least) in enumerate(zip(ratings, least_days, strict=True)):
        at += timedelta(days=1)
        assert card.due <= at  # due that day: the session asks it
        fsrs_own = _fsrs_alone(card, rating, at)
        card = review(card, rating, at, f"p{n}")
        events.append(ReviewEvent(f"p{n}", at, rating))
        assert (card.stability, card.difficulty, card.state) == (fsrs_own.stability, fsrs_own.difficulty, 2)  # fsrs's memory, untouched
        assert (fsrs_own.due - at).days == 1  # fsrs alone would ask it again tomorrow
        assert (card.due - at).days == least
    assert replay(events) == card


def test_the_fuzz_never_brings_a_grown_interval_back_to_the_last_one():
    from certdrill.schedule.scheduler import _due, fuzz_days

    class Fsrs:  # fsrs's card after a review: in review, due in 21 days
        state, stability = 2, 21.0
        due = T0 + timedelta(days=21)

    moved_back = next(f"s{n}" for n in range(100) if fuzz_days(21, f"s{n}") == -1)
    assert _due(Fsrs, T0, moved_back, SchedulerConfig()) == T0 + timedelta(days=20)  # no floor: the fuzz moves it
    assert _due(Fsrs, T0, moved_back, SchedulerConfig(), floor=21) == T0 + timedelta(days=21)


def test_the_fuzz_hashes_a_review_ids_time_and_sequence_not_its_random_tail():
    from certdrill.schedule.review_log import new_review_id
    from certdrill.schedule.scheduler import fuzz_seed

    ids = [new_review_id(T0, after=f"{'0' * 12}0001{'0' * 16}") for _ in range(2)]
    assert ids[0] != ids[1] and fuzz_seed(ids[0]) == ids[0][:16]
    a, b = f"{ids[0][:16]}{'a' * 16}", f"{ids[0][:16]}{'b' * 16}"  # the same answer logged twice, tails apart
    card, _, _ = run([GOOD, GOOD, GOOD])
    assert review(card, GOOD, card.due, a) == review(card, GOOD, card.due, b)
    assert fuzz_seed("anki-1700000000000") == "anki-1700000000000"  # an imported id is hashed whole
