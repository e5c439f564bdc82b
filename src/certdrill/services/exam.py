"""`exam`: start, resume, save and close a mock exam in the store; the history of past exams."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certdrill.errors import InputError
from certdrill.services.banks import filter_topics, load_banks
from certdrill.services.workspace import Warn, catch_up, ignore, load_settings, open_store, scheduler_config

if TYPE_CHECKING:
    from certdrill.bank.items import Bank, Item
    from certdrill.drill.exam import Exam, Result
    from certdrill.insight.guessing import GuessModel
    from certdrill.insight.readiness import ExamPrediction
    from certdrill.schedule.posterior import Belief
    from certdrill.schedule.scheduler import CardState, SchedulerConfig
    from certdrill.store.exams import ExamRow
    from certdrill.store.store import Store


@dataclass
class Running:
    """An exam with its row id and the item ids its answer rows are stored under."""

    id: int
    exam: Exam
    stored_ids: list[str]
    prediction: ExamPrediction | None = None  # made when the exam was drawn (None for exams older than predictions)


@dataclass
class Closed:
    """An exam closed: its result (None when abandoned) and how many answers were logged as reviews."""

    result: Result | None
    reviews: int
    prediction: ExamPrediction | None = None  # scored against the result


@dataclass
class Sitting:
    """The store and bank an `exam` command works on, and the exam in progress on that bank, if any.

    `running` is that exam restored on today's bank text (None when none is in progress, or when
    none of its questions is left: it was then closed as abandoned). Holds the store: `close` it.
    """

    store: Store
    bank: Bank
    items: list[Item]
    config: SchedulerConfig
    current: ExamRow | None
    running: Running | None
    notes: list[str] = field(default_factory=list)
    guess: GuessModel | None = None  # the guessing model of the prediction; None: the nominal chances

    def new(self, *, count: int | None, minutes: int | None, seed: int | None, now: datetime) -> Running:
        """Draw and store a new exam (a note says when fewer questions are eligible than wanted)."""
        from certdrill.drill.exam import DEFAULT_COUNT, Exam, draw_exam, eligible
        from certdrill.services.controls import unsuspended
        from certdrill.store import exams

        items = unsuspended(self.store, self.items)
        pool = eligible(items, self.bank.weights)
        if not pool:
            raise InputError("no questions to draw: an exam asks only multiple-choice items (not flashcards, not status: needs-review, not suspended)")
        wanted = count or DEFAULT_COUNT
        if wanted > len(pool):
            self.notes.append(f"Note: only {len(pool)} eligible multiple-choice questions, so the exam has {len(pool)} instead of {wanted}.")
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        drawn = draw_exam(items, self.bank.weights, wanted, random.Random(seed))
        limit = minutes or len(drawn) * self.bank.minutes_per_question
        prediction = self._predict(drawn, now)
        ids = [i.id for i in drawn]
        exam_id = exams.start(self.store, bank=self.bank.name, started_at=now, minutes=limit, seed=seed, item_ids=ids, prediction=prediction.to_json())
        return Running(exam_id, Exam(tuple(drawn), now, limit, seed), ids, prediction)

    def _predict(self, drawn: Sequence[Item], now: datetime) -> ExamPrediction:
        """Each drawn question's predicted recall now and its chance without recall, and the score they add up to.

        An item never studied has no recall to predict (0) and is right as often as first answers are (`GuessModel.unseen`);
        a studied one has its posterior recall (`store.recall_beliefs`: lucky guesses not taken as memory), as `stats` predicts it.
        """
        from certdrill.insight.guessing import GuessModel, guesses
        from certdrill.insight.readiness import ExamPrediction, error_for
        from certdrill.schedule.posterior import BRANCH_LAST, KEEP
        from certdrill.store import exams

        guess = self.guess or GuessModel()
        cards = self.store.cards(item_ids=[i.id for i in drawn])
        beliefs = self.store.recall_beliefs(guesses([i for i in drawn if i.id in cards], guess), self.config, BRANCH_LAST, KEEP)
        questions = [(i.id, _recall(i.id, cards, beliefs, now, self.config), guess.chance(i)) if i.id in cards else (i.id, 0.0, guess.unseen(i)) for i in drawn]
        kept = exams.predictions(self.store)
        scored = [row.id for row in exams.history(self.store) if row.bank == self.bank.name and row.scaled is not None]
        return ExamPrediction.of(questions, error=error_for([ExamPrediction.from_json(kept[n]) for n in scored if n in kept]))

    def save(self, running: Running, position: int) -> None:
        from certdrill.store import exams

        exam = running.exam
        saved = exams.SavedAnswer(position, running.stored_ids[position], exam.answers[position], exam.answered_at[position], exam.flagged[position])
        exams.save_answer(self.store, running.id, saved)

    def finish(self, running: Running, *, abandon: bool, now: datetime) -> Closed:
        """Log every answer as a review; score the exam unless it was abandoned."""
        from certdrill.store import exams

        exam = running.exam
        finished = min(now, exam.deadline)
        reviews = exam.reviews(self.store.cards(), bank=self.bank.name, session_id=f"exam-{running.id}", config=self.config)
        if abandon:
            exams.finish(self.store, running.id, status=exams.ABANDONED, finished_at=finished, result=None, reviews=reviews)
            return Closed(None, len(reviews))
        result = exam.score()
        scored = _scored(running, result)
        record = None if scored is None else scored.to_json()
        exams.finish(self.store, running.id, status=exams.SUBMITTED, finished_at=finished, result=result, reviews=reviews, prediction=record)
        return Closed(result, len(reviews), scored)

    def close(self) -> None:
        self.store.close()


def _recall(item_id: str, cards: Mapping[str, CardState], beliefs: Mapping[str, Belief], now: datetime, config: SchedulerConfig) -> float:
    """The posterior recall where there is a belief; the plain card's (a flashcard, or g = 0) otherwise."""
    from certdrill.schedule.posterior import belief_recall
    from certdrill.schedule.scheduler import retrievability

    belief = beliefs.get(item_id)
    return retrievability(cards[item_id], now, config) if belief is None else belief_recall(belief, now, config)


def _scored(running: Running, result: Result) -> ExamPrediction | None:
    """The exam's prediction with what happened; None without one, or when questions left the bank since it was made."""
    prediction = running.prediction
    if prediction is None:
        return None
    right = {running.stored_ids[p]: p not in result.missed for p in range(len(running.stored_ids))}
    if [q[0] for q in prediction.questions] != running.stored_ids:
        return None
    return prediction.scored(result.scaled, [right[item_id] for item_id, _, _ in prediction.questions])


def open_exam(bank_paths: Sequence[Path] | None, topics: Sequence[str] | None, *, resume: bool, warn: Warn = ignore) -> Sitting:
    """The bank, the store and the exam in progress on that bank; with `resume`, there must be one."""
    from certdrill.insight.guessing import learner_model
    from certdrill.store import exams

    the_bank = load_banks(bank_paths)
    items = filter_topics(the_bank, topics)
    store = open_store(warn=warn)
    try:
        settings = load_settings()
        config = scheduler_config(settings, store=store)
        catch_up(store, the_bank, config)
        current = next((row for row in exams.in_progress(store) if row.bank == the_bank.name), None)
        if resume and current is None:
            others = sorted({row.bank for row in exams.in_progress(store)})
            hint = f" (there is one on {', '.join(others)}: pass the --bank it was started with)" if others else ""
            raise InputError(f"--resume: no exam in progress on {the_bank.name}{hint}")
        sitting = Sitting(store, the_bank, items, config, current, None, guess=learner_model(settings, items, store.first_answers()))
        if current is not None:
            sitting.running = _restore(sitting, current)
        return sitting
    except BaseException:
        store.close()
        raise


def _restore(sitting: Sitting, row: ExamRow) -> Running | None:
    """The saved exam on today's bank text; questions since removed from the bank are left out.

    An exam with no question left is closed as abandoned (None): there is nothing to resume.
    """
    from certdrill.drill.exam import Exam
    from certdrill.insight.readiness import ExamPrediction
    from certdrill.store import exams

    by_id = sitting.bank.by_id()
    by_id.update({old: item for item in sitting.bank.items for old in item.previous_ids if old not in by_id})
    kept = [(saved, by_id[saved.item_id]) for saved in exams.answers(sitting.store, row.id) if saved.item_id in by_id]
    if len(kept) < row.count:
        sitting.notes.append(f"Note: {row.count - len(kept)} questions of exam {row.id} are no longer in the bank and are left out.")
    if not kept:
        exams.finish(sitting.store, row.id, status=exams.ABANDONED, finished_at=row.started_at, result=None, reviews=[])
        return None

    def valid(saved: exams.SavedAnswer, item: Item) -> tuple[int, ...] | None:
        return saved.chosen if saved.chosen is not None and all(i < len(item.choices) for i in saved.chosen) else None

    exam = Exam(
        tuple(item for _, item in kept),
        row.started_at,
        row.minutes,
        row.seed,
        answers=[valid(saved, item) for saved, item in kept],
        answered_at=[saved.answered_at if valid(saved, item) is not None else None for saved, item in kept],
        flagged=[saved.flagged for saved, _ in kept],
    )
    unanswered = exam.unanswered()
    exam.current = unanswered[0] if unanswered else 0
    stored = exams.prediction(sitting.store, row.id)
    return Running(row.id, exam, [saved.item_id for saved, _ in kept], None if stored is None else ExamPrediction.from_json(stored))


def exam_history(warn: Warn = ignore) -> list[dict[str, Any]]:
    """Every exam, oldest first, as the JSON objects `exam --history --json` prints."""
    from certdrill import clock
    from certdrill.store import exams

    store = open_store(warn=warn)
    try:
        rows = exams.history(store)
    finally:
        store.close()
    return [
        {
            "id": r.id,
            "bank": r.bank,
            "status": r.status,
            "started_at": clock.iso(r.started_at),
            "finished_at": clock.iso(r.finished_at) if r.finished_at else None,
            "duration_seconds": round((r.finished_at - r.started_at).total_seconds()) if r.finished_at else None,
            "minutes": r.minutes,
            "questions": r.count,
            "answered": r.answered,
            "correct": r.correct,
            "scaled": r.scaled,
            "passed": r.passed,
            "per_topic": r.per_topic,
        }
        for r in rows
    ]
