"""The posterior replay: a right multiple-choice answer replayed as recall or a lucky guess (schedule.posterior)."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.bank.items import Item
from certdrill.insight.guessing import GuessModel, first_sight, recall_beliefs
from certdrill.insight.plan import readiness
from certdrill.schedule.posterior import Answer, belief_recall, posterior_replay
from certdrill.schedule.scheduler import AGAIN, EASY, GOOD, HARD, ReviewEvent, SchedulerConfig, replay, retrievability

START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def mixed_log(seed: int, n: int = 30) -> list[tuple[datetime, object]]:
    """A random log: gaps from a minute to nine days, every rating."""
    rng = random.Random(seed)
    at, out = START, []
    for _ in range(n):
        at += timedelta(minutes=rng.choice([1, 10, 600, 1440, 4320, 12960]))
        out.append((at, rng.choice([AGAIN, HARD, GOOD, GOOD, EASY])))
    return out


def plain_card(log):
    return replay([ReviewEvent(str(n), at, rating) for n, (at, rating) in enumerate(log)])


@pytest.mark.parametrize("seed", range(5))
def test_a_flashcard_log_replays_exactly_as_plain(seed):
    log = mixed_log(seed)
    belief = posterior_replay([Answer(at, rating, 0.0) for at, rating in log])
    card = plain_card(log)
    assert len(belief) == 1 and belief[0][0] == 1.0
    for days in (0, 1, 5, 30):
        at = log[-1][0] + timedelta(days=days)
        assert belief_recall(belief, at) == retrievability(card, at)


def test_only_wrong_answers_replay_as_plain_whatever_the_guess():
    log = [(START + timedelta(days=d), AGAIN) for d in (0, 1, 3, 7)]
    belief = posterior_replay([Answer(at, rating, 0.25, 0.3) for at, rating in log])
    assert len(belief) == 1
    assert belief_recall(belief, START + timedelta(days=10)) == retrievability(plain_card(log), START + timedelta(days=10))


def test_right_answers_to_four_choice_questions_leave_lower_recall_than_plain():
    log = [(START + timedelta(days=d), GOOD) for d in (0, 2, 6, 14)]
    belief = posterior_replay([Answer(at, rating, 0.25, 0.3) for at, rating in log])
    exam = START + timedelta(days=30)
    assert len(belief) > 1 and belief_recall(belief, exam) < retrievability(plain_card(log), exam)
    truefalse = posterior_replay([Answer(at, rating, 0.5, 0.3) for at, rating in log])
    assert belief_recall(truefalse, exam) < belief_recall(belief, exam)  # the likelier the guess, the less a right answer says


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("keep", [1, 4, 16])
def test_weights_sum_to_one_at_most_keep_states_and_the_same_log_gives_the_same_belief(seed, keep):
    answers = [Answer(at, rating, 0.25, 0.3) for at, rating in mixed_log(seed)]
    belief = posterior_replay(answers, keep=keep)
    assert 1 <= len(belief) <= keep and sum(w for w, _ in belief) == pytest.approx(1.0)
    assert all(w > 0 for w, _ in belief)
    assert posterior_replay(answers, keep=keep) == belief


def test_branching_only_the_last_answers_starts_from_the_plain_replay():
    log = mixed_log(7)
    answers = [Answer(at, rating, 0.25, 0.3) for at, rating in log]
    assert posterior_replay(answers, branch_last=0) == posterior_replay([Answer(at, rating, 0.0) for at, rating in log])
    assert posterior_replay(answers, branch_last=len(answers)) == posterior_replay(answers)


def test_a_first_answer_known_for_sure_is_recall():
    log = [(START, GOOD)]
    sure = posterior_replay([Answer(START, GOOD, 0.25, 1.0)])
    unknown = posterior_replay([Answer(START, GOOD, 0.25, 0.0)])
    later = START + timedelta(days=3)
    assert belief_recall(sure, later) == retrievability(plain_card(log), later)
    assert belief_recall(unknown, later) == retrievability(plain_card([(START, AGAIN)]), later)  # right, but surely a guess


def item(n: int, kind: str) -> Item:
    choices = {"single": ("a", "b", "c", "d"), "flashcard": ()}[kind]
    return Item(id=f"q{n}", type=kind, topic="t", prompt="", choices=choices, answer=(0,) if choices else (), explanation="", back="" if not choices else None)  # type: ignore[arg-type]


def test_recall_beliefs_skip_flashcards_and_use_the_first_answer_share():
    items = [item(0, "single"), item(1, "flashcard")]
    logs = {i.id: [(START, GOOD), (START + timedelta(days=2), GOOD)] for i in items}
    windows = {k: (None, log) for k, log in logs.items()}
    model = GuessModel(first={"single": 0.55})
    assert first_sight(model, items[0]) == pytest.approx(0.4) and first_sight(GuessModel(), items[0]) is None
    beliefs = recall_beliefs(items, windows, model, SchedulerConfig())
    assert set(beliefs) == {"q0"}
    expected = posterior_replay([Answer(at, r, 0.25, first_sight(model, items[0])) for at, r in logs["q0"]])
    assert beliefs["q0"] == expected


def test_readiness_takes_the_posterior_recall_and_scores_lower():
    items = [item(n, "single") for n in range(20)]
    logs = {i.id: [(START + timedelta(days=d), GOOD) for d in (0, 2, 6)] for i in items}
    config = SchedulerConfig()
    cards = {i.id: plain_card(log) for i, log in zip(items, logs.values(), strict=True)}
    model = GuessModel(first={"single": 0.4})
    beliefs = recall_beliefs(items, {k: (None, log) for k, log in logs.items()}, model, config)
    exam = START + timedelta(days=40)
    kwargs = {"exam_day": exam.date(), "exam_at": exam, "now": START + timedelta(days=7), "config": config, "guess": model, "count": 20}
    plain = readiness(items, cards, **kwargs).forecast
    posterior = readiness(items, cards, beliefs=beliefs, **kwargs).forecast
    assert plain is not None and posterior is not None and posterior.expected_right < plain.expected_right
    recall = belief_recall(beliefs["q0"], exam, config)
    assert posterior.expected_right == pytest.approx(20 * (recall + (1 - recall) * 0.25))


def test_the_store_replays_the_last_answers_from_the_plain_card_before_them(home):
    from certdrill.schedule.review_log import Review
    from support import log_reviews, stored

    logs = {f"q{n}": mixed_log(n, 12) for n in range(3)}
    log_reviews(
        home,
        [Review(f"{k}-{n:02d}", k, "b", at, r, (0,), r != AGAIN, 1000, "study", "s") for k, log in logs.items() for n, (at, r) in enumerate(log)],
    )
    config = SchedulerConfig()
    wanted = {"q0": (0.25, 0.3), "q1": (0.5, None), "never": (0.25, 0.3)}
    later = START + timedelta(days=200)
    for last in (None, 4):
        beliefs = stored(home, lambda store, last=last: store.recall_beliefs(wanted, config, last, 16))
        assert set(beliefs) == {"q0", "q1"}
        for k, belief in beliefs.items():
            answers = [Answer(at, r, *wanted[k]) for at, r in logs[k]]
            expected = posterior_replay(answers, config, keep=16, branch_last=last)
            assert belief_recall(belief, later) == pytest.approx(belief_recall(expected, later), rel=1e-5)  # the card before may be fsrs-rs's (float32)
