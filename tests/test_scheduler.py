from datetime import UTC, datetime, timedelta

from certdrill.scheduler import AGAIN, GOOD, ReviewEvent, SchedulerConfig, cap_for_exam, replay, retrievability, review

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
