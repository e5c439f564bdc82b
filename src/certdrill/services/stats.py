"""`stats`: every figure of the progress report, fetched from the store and worked out by the core."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certdrill.errors import InputError
from certdrill.services.banks import load_banks, topic_entries
from certdrill.services.workspace import cards_for, load_settings_for, open_store, optimizer_record, scheduler_config

if TYPE_CHECKING:
    from certdrill.bank.items import Bank
    from certdrill.insight.confusions import Confusion
    from certdrill.insight.leeches import Leech
    from certdrill.insight.optimize import ParametersInUse
    from certdrill.insight.plan import Plan, Readiness
    from certdrill.insight.readiness import Calibration
    from certdrill.insight.stats import Heatmap, Retention, TopicMastery, Totals
    from certdrill.schedule.scheduler import CardState
    from certdrill.store.exams import ExamRow
    from certdrill.store.store import ItemScope, Store


@dataclass(frozen=True)
class StatsReport:
    """What `stats` shows and `stats --json` prints, for the active items of the chosen topics."""

    bank: Bank
    items: int
    now: datetime
    today: date
    day: Totals  # today's reviews
    overall: Totals
    retention: Retention
    streak: int
    heatmap: Heatmap
    forecast: dict[date, int]
    mastery: list[TopicMastery]
    confusions: list[Confusion]
    mock_exams: list[ExamRow]  # scored exams of this bank, oldest first
    parameters: ParametersInUse
    exam_day: date | None  # the exam date in effect (it may have passed)
    readiness: Readiness | None  # None without an exam date, or once it has passed
    plan: Plan | None
    calibration: Calibration | None = None  # the predictions made for this bank's scored mock exams, once there are a few
    leeches: list[Leech] = field(default_factory=list)  # of the chosen items, most lapses first
    suspended: list[str] = field(default_factory=list)  # ids of the chosen items that are suspended (counted in `items` too)

    def to_json(self) -> dict[str, Any]:
        from certdrill.clock import iso

        exam = None
        if self.exam_day is not None:
            exam = {"date": self.exam_day.isoformat(), "passed": self.readiness is None}
            if self.readiness is not None:
                exam |= self.readiness.to_json() | {"plan": self.plan.to_json() if self.plan else None}
                exam |= {"calibration": None if self.calibration is None else self.calibration.to_json()}
        return {
            "bank": {"name": self.bank.name, "title": self.bank.title, "items": self.items},
            "now": iso(self.now),
            "today": {"date": self.today.isoformat(), **self.day.to_json()},
            "overall": self.overall.to_json(),
            "retention": self.retention.to_json(),
            "streak": {"days": self.streak},
            "heatmap": self.heatmap.to_json(),
            "forecast": {day.isoformat(): n for day, n in self.forecast.items()},
            "mastery": [row.to_json() for row in self.mastery],
            "confusions": [c.to_json() for c in self.confusions],
            "mock_exams": self._mock_exams_json(),
            "fsrs": self.parameters.to_json(),
            "exam": exam,
            "leeches": [leech.to_json() for leech in self.leeches],
            "suspended": {"count": len(self.suspended), "ids": self.suspended},
        }

    def _mock_exams_json(self) -> dict[str, Any]:
        """Scored mock exams of this bank (certdrill exam --history has them all)."""
        from certdrill.clock import iso

        rows = self.mock_exams
        last = rows[-1] if rows else None
        return {
            "scored": len(rows),
            "best": max((e.scaled for e in rows if e.scaled is not None), default=None),
            "last": None if last is None else {"started_at": iso(last.started_at), "questions": last.count, "scaled": last.scaled, "passed": last.passed},
        }


def stats_report(
    bank_paths: Sequence[Path] | None, topics: Sequence[str] | None, *, exam_date: str | None, top: int, plan_wanted: bool, now: datetime
) -> StatsReport:
    """Reviews, time, accuracy, true retention, streak, charts' data, confusions and exam readiness, read without writing.

    The cyclic GC is paused throughout: 50,000 entries, 38,665 cards' figures and the items behind
    the confusions are made and kept to the end, none in a cycle, and a collection every few hundred
    of them walked all that was alive again.
    """
    from certdrill.gcpause import paused_gc

    with paused_gc():
        return _report(bank_paths, topics, exam_date=exam_date, top=top, plan_wanted=plan_wanted, now=now)


def _report(
    bank_paths: Sequence[Path] | None, topics: Sequence[str] | None, *, exam_date: str | None, top: int, plan_wanted: bool, now: datetime
) -> StatsReport:
    from certdrill import clock
    from certdrill.drill.exam import eligible
    from certdrill.insight import stats as figures
    from certdrill.insight.confusions import CONFUSABLE, counted_confusions
    from certdrill.insight.guessing import guesses, learner_model
    from certdrill.insight.leeches import leeches
    from certdrill.insight.optimize import ParametersInUse
    from certdrill.insight.plan import plan, readiness
    from certdrill.insight.readiness import ExamPrediction, calibration, error_for
    from certdrill.schedule.posterior import BRANCH_LAST, BUDGET, KEEP
    from certdrill.schedule.queue import Limits
    from certdrill.schedule.scheduler import retrievabilities
    from certdrill.store.exams import history, predictions
    from certdrill.store.store import ItemScope

    if not 1 <= top <= 1000:
        raise InputError(f"--top: {top} is out of range (1 to 1000)")
    settings = load_settings_for(exam_date)
    if plan_wanted and settings.exam_date is None:
        raise InputError("--plan needs an exam date: --exam-date YYYY-MM-DD or certdrill config set exam-date YYYY-MM-DD")
    the_bank = load_banks(bank_paths)
    entries = [e for e in topic_entries(the_bank, topics) if e.status == "active"]  # no item's text is read for these
    ids = {e.id for e in entries}
    today = clock.local_day(now)
    day_start, _ = clock.day_bounds(now)
    ahead = settings.exam_date is not None and settings.exam_date >= today
    beliefs = guess = None
    cards: dict[str, CardState] = {}
    store = open_store(writable=False)
    try:
        config = scheduler_config(settings, store=store)
        parameters = ParametersInUse.of(optimizer_record(store))
        stored = store.card_figures()
        scope = ItemScope.of(ids, studied=(card.item_id for card in stored))
        mine = [card for card in stored if card.item_id in ids]
        totals = store.review_totals(scope)
        today_reviews = [r for r in store.reviews(since=day_start) if r.item_id in ids]
        counts = _daily_counts(store, scope, store.first_review_at(), today)
        mature = store.mature_totals(scope, config)
        wrong = store.wrong_answers()
        new_done, reviews_done = store.done_today(day_start)
        mock_exams = [e for e in history(store) if e.bank == the_bank.name and e.scaled is not None]
        kept = predictions(store)
        if settings.exam_date is not None:  # due dates capped by the exam date, and what readiness reads of every card
            cards = {k: c for k, c in cards_for(store, config, now).items() if k in ids}
        if ahead:
            items = the_bank.load(entries)
            guess = learner_model(settings, items, store.first_answers())
            studied = [i for i in eligible(items, the_bank.weights) if i.id in cards]
            if sum(cards[i.id].reps for i in studied) <= BUDGET:
                beliefs = store.recall_beliefs(guesses(studied, guess), config, BRANCH_LAST, KEEP)
        suspended = store.suspended()
    finally:
        store.close()
    ready = the_plan = None
    record = [ExamPrediction.from_json(kept[e.id]) for e in mock_exams if e.id in kept]
    if ahead:
        assert config.exam_date is not None and settings.exam_date is not None and guess is not None  # set from settings.exam_date
        ready = readiness(
            items,
            cards,
            exam_day=settings.exam_date,
            exam_at=config.exam_date,
            now=now,
            config=config,
            weights=the_bank.weights,
            guess=guess,
            error=error_for(record),
            beliefs=beliefs,
        )
        limits = Limits(settings.new_per_day, settings.reviews_per_day)
        the_plan = plan(items, cards, now=now, limits=limits, config=config, new_done_today=new_done, reviews_done_today=reviews_done)
    wrong_ids = {item_id for item_id, _, _ in wrong}
    confused = the_bank.choices([e for e in entries if e.type in CONFUSABLE and e.id in wrong_ids])
    recalls = dict(zip((card.item_id for card in mine), retrievabilities(((c.stability, c.last_review) for c in mine), now, config), strict=True))
    return StatsReport(
        bank=the_bank,
        items=len(entries),
        now=now,
        today=today,
        day=figures.totals(today_reviews),
        overall=figures.Totals(*totals),
        retention=figures.counted_retention([mature]),
        streak=figures.streak(counts, today),
        heatmap=figures.heatmap(counts, today),
        forecast=figures.forecast(cards.values(), today) if settings.exam_date is not None else figures.due_forecast((c.due for c in mine), today),
        mastery=figures.topic_mastery(entries, recalls, the_bank.topic_title),
        confusions=counted_confusions(confused, wrong, top),
        mock_exams=mock_exams,
        parameters=parameters,
        exam_day=settings.exam_date,
        readiness=ready,
        plan=the_plan,
        calibration=calibration(record),
        leeches=leeches({c.item_id: c for c in mine}, settings.leech_lapses, suspended),
        suspended=[e.id for e in entries if e.id in suspended],
    )


def _daily_counts(store: Store, scope: ItemScope, first: datetime | None, today: date) -> dict[date, int]:
    """Reviews a local day, from the first review to today, counted by the store."""
    from certdrill import clock
    from certdrill.insight import stats as figures

    if first is None:
        return {}
    start = min(clock.local_day(first), today)
    edges = figures.day_starts(start, today)
    counts = store.review_histogram(edges, scope)
    return {start + timedelta(days=n): count for n, count in enumerate(counts) if count}
