"""A study session as a pure state machine, shaped like `exam.Exam`: what was typed goes in with the
time it arrived; a Step comes out saying what to save (before anything is drawn), what to show and
what to read next. It never reads the clock or the terminal.

How a session moves on (as in Anki, with a cap so that it always ends):
- today's queue is asked in order (due reviews, then new items);
- an item still in a (re)learning step after its answer (a miss, or fsrs's 1- and 10-minute steps)
  comes back once its step is due within the learn-ahead limit (20 minutes) and other questions
  were asked since: 3 after the first answer, then 6, then 12 (`Rules.gaps`);
- when nothing else is left, a waiting item due within the learn-ahead limit is asked at once;
- an item is asked at most `Rules.max_asks` times; then it waits for another day (or `missed`);
- with `until_right` (`certdrill missed`) an item is done once answered right;
- with `leech_lapses`, an answer that makes a leech of its item (suspended) ends the item's session.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from certdrill.bank.items import Item
from certdrill.drill.grading import AnswerParseError, Grade, grade_answer, override_rating, parse_answer, parse_self_rating, split_rating_mark
from certdrill.schedule.controls import became_leech
from certdrill.schedule.review_log import Review, ReviewKind, new_review_id
from certdrill.schedule.scheduler import AGAIN, LEARNING_STATES, CardState, Rating, SchedulerConfig, review

QUESTION = "question"  # a multiple-choice question is on screen: read an answer
REVEAL = "reveal"  # a flashcard's front is on screen: Enter shows the back
RATE = "rate"  # a flashcard's back is on screen: read a self-rating, 1-4
AFTER = "after"  # the verdict on an answer is on screen: Enter goes on, h / e change the rating
DONE = "done"  # nothing left to ask
QUIT = "quit"  # the learner stopped
EOF = "eof"  # input ended
FINAL = frozenset({DONE, QUIT, EOF})
QUIT_WORDS = frozenset({"q", "quit", "exit"})


@dataclass(frozen=True)
class Rules:
    max_asks: int = 3  # times one item is asked in a session
    learn_ahead: timedelta = timedelta(minutes=20)  # Anki's learn-ahead limit
    gaps: tuple[int, ...] = (3, 6, 12)  # other answers before an item is asked again, by times asked
    until_right: bool = False  # done once right; steps are not served (certdrill missed)
    pause_after_answer: bool = True  # wait for Enter (or h / e) after a verdict: a terminal, not a pipe
    leech_lapses: int | None = None  # an item whose lapses reach this is suspended as a leech: not asked again


MISSED_RULES = Rules(max_asks=5, until_right=True)


@dataclass(frozen=True)
class Outcome:
    review: Review
    card: CardState
    prior: CardState | None
    correct: bool | None


@dataclass(frozen=True)
class Progress:
    """Where today's work stands when a question is shown; none of it grows with a miss."""

    number: int  # this item's place among today's items, 1-based
    total: int  # today's items
    answered: int  # answers given so far
    new_left: int  # new items not asked yet
    reviews_left: int  # due reviews not asked yet
    waiting: int  # asked already and coming back in this session (misses and learning steps)
    repeat: bool  # this item was asked before in this session


@dataclass(frozen=True)
class Shown:
    item: Item
    order: tuple[int, ...]  # display position → choice index
    progress: Progress


@dataclass(frozen=True)
class Verdict:
    """What the answer was: drawn after it is saved (a flashcard's back has no chosen nor correct)."""

    item: Item
    order: tuple[int, ...]
    chosen: tuple[int, ...] | None
    correct: bool | None


@dataclass(frozen=True)
class Step:
    kind: str
    message: str = ""  # a problem with what was typed: show it and read again
    verdict: Verdict | None = None  # drawn first
    question: Shown | None = None  # then the next question
    save: Outcome | None = None  # save before drawing anything
    amend: Outcome | None = None  # the last answer's changed rating: save before drawing
    undone: Outcome | None = None  # an answer taken back (`u`, drill/undo.py): log its tombstone before drawing


@dataclass
class TopicTally:
    answered: int = 0
    correct: int = 0  # right answers and recalled flashcards


@dataclass
class Tally:
    answered: int = 0
    graded: int = 0  # multiple-choice answers
    correct: int = 0
    cards: int = 0  # flashcard self-ratings
    recalled: int = 0  # of them, rated hard, good or easy
    by_topic: dict[str, TopicTally] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return 100.0 * self.correct / self.graded if self.graded else None


@dataclass
class _Waiting:
    item: Item
    due: datetime
    after: int  # asked again once this many answers were given in the session


class Session:
    def __init__(
        self,
        items: Iterable[Item],
        cards: dict[str, CardState],
        *,
        bank: str,
        kind: ReviewKind = "study",
        config: SchedulerConfig = SchedulerConfig(),
        rules: Rules = Rules(),
        rng: random.Random | None = None,
        session_id: str | None = None,
        last_review_id: str | None = None,
    ):
        self.todo: deque[Item] = deque({i.id: i for i in items}.values())
        self.cards = cards
        self.new_ids = frozenset(i.id for i in self.todo if i.id not in cards)
        self.total = len(self.todo)
        self.bank = bank
        self.kind = kind
        self.config = config
        self.rules = rules
        self.rng = rng or random.Random()
        self.session_id = session_id or new_review_id()
        self.last_id = last_review_id
        self.tally = Tally()
        self.waiting: dict[str, _Waiting] = {}
        self.asks: Counter[str] = Counter()
        self.numbers: dict[str, int] = {}
        self.parked: list[str] = []  # asked max_asks times and still not learned: for another day
        self.phase = DONE
        self.shown: Shown | None = None
        self.stopped_on: Item | None = None
        self.last: Outcome | None = None

    # the steps

    def start(self, now: datetime) -> Step:
        return self._next(now)

    def end_of_input(self) -> Step:
        self._stop()
        self.phase = EOF
        return Step(EOF)

    def _stop(self) -> None:
        if self.phase in (QUESTION, REVEAL) and self.shown is not None:
            self.stopped_on = self.shown.item

    @property
    def unanswered(self) -> Item | None:
        """The item that was on screen, unanswered, when the session stopped (q, end of input, Ctrl-C)."""
        if self.phase in (QUESTION, REVEAL) and self.shown is not None:
            return self.shown.item
        return self.stopped_on

    def handle(self, line: str, now: datetime, *, duration_ms: int | None = None) -> Step:
        """One line typed at `now` (`duration_ms`: how long the question was on screen)."""
        word = line.strip().lower()
        if word in QUIT_WORDS:
            self._stop()
            self.phase = QUIT
            return Step(QUIT)
        if self.phase == QUESTION:
            return self._choice(line, now, duration_ms)
        if self.phase == REVEAL:
            assert self.shown is not None
            self.phase = RATE
            return Step(RATE, verdict=Verdict(self.shown.item, self.shown.order, None, None))
        if self.phase == RATE:
            return self._rating(word, now, duration_ms)
        if self.phase == AFTER:
            return self._after(word, now)
        return Step(self.phase)

    def _choice(self, line: str, now: datetime, duration_ms: int | None) -> Step:
        assert self.shown is not None
        item, order = self.shown.item, self.shown.order
        text, mark = split_rating_mark(line)
        try:
            positions = parse_answer(item, text, len(order))
        except AnswerParseError as exc:
            return Step(QUESTION, message=str(exc))
        chosen = tuple(sorted(order[p] for p in positions))
        grade = grade_answer(item, chosen)
        rating = (override_rating(grade, mark) if mark else None) or grade.rating
        outcome = self._answer(item, now, chosen, rating, grade.correct, duration_ms)
        verdict = Verdict(item, order, chosen, grade.correct)
        if self.rules.pause_after_answer:
            self.phase = AFTER
            return Step(AFTER, verdict=verdict, save=outcome)
        return replace(self._next(now), verdict=verdict, save=outcome)

    def _rating(self, word: str, now: datetime, duration_ms: int | None) -> Step:
        assert self.shown is not None
        try:
            rating = parse_self_rating(word)
        except AnswerParseError as exc:
            return Step(RATE, message=str(exc))
        outcome = self._answer(self.shown.item, now, None, rating, None, duration_ms)
        return replace(self._next(now), save=outcome)

    def _after(self, word: str, now: datetime) -> Step:
        last = self.last
        assert last is not None
        rating = override_rating(Grade(True, last.review.rating), word) if last.correct else None
        amended = self.amend(last, rating) if rating is not None and rating != last.review.rating else None
        return replace(self._next(now), amend=amended)

    # answering

    def _answer(self, item: Item, now: datetime, chosen: tuple[int, ...] | None, rating: Rating, correct: bool | None, duration_ms: int | None) -> Outcome:
        prior = self.cards.get(item.id)
        rid = new_review_id(now, after=self.last_id)
        self.last_id = rid
        card = review(prior, rating, now, rid, self.config)
        self.cards[item.id] = card
        entry = Review(rid, item.id, self.bank, now, rating, chosen, correct, duration_ms, self.kind, self.session_id)
        self._count(item, correct, rating)
        outcome = Outcome(entry, card, prior, correct)
        self.last = outcome
        self._place(item, outcome)
        return outcome

    def amend(self, outcome: Outcome, rating: Rating) -> Outcome:
        """Change the rating of the answer just given (Hard/Easy); the card is recomputed and the
        item comes back, or not, by the new card."""
        card = review(outcome.prior, rating, outcome.review.reviewed_at, outcome.review.id, self.config)
        self.cards[outcome.review.item_id] = card
        amended = replace(outcome, review=replace(outcome.review, rating=rating), card=card)
        self.last = amended
        if self.shown is not None and self.shown.item.id == outcome.review.item_id:
            self._place(self.shown.item, amended)
        return amended

    def _place(self, item: Item, outcome: Outcome) -> None:
        """Whether (and when) the item just answered comes back in this session."""
        self.waiting.pop(item.id, None)
        if item.id in self.parked:
            self.parked.remove(item.id)
        asked = self.asks[item.id]
        if self.rules.until_right:
            again, due = outcome.review.rating == AGAIN, outcome.review.reviewed_at
        else:
            again, due = outcome.card.state in LEARNING_STATES, outcome.card.due
        if not again or self._leech(outcome):
            return
        if asked >= self.rules.max_asks:
            self.parked.append(item.id)
            return
        gap = self.rules.gaps[min(asked, len(self.rules.gaps)) - 1]
        self.waiting[item.id] = _Waiting(item, due, self.tally.answered + gap)

    def _leech(self, outcome: Outcome) -> bool:
        lapses = self.rules.leech_lapses
        return lapses is not None and became_leech(outcome.prior, outcome.card, lapses)

    def drop(self, item_id: str) -> None:
        """The rest of the session without this item (it was just suspended): out of today's queue,
        the learning steps waiting and the items parked for another day."""
        self.todo = deque(i for i in self.todo if i.id != item_id)
        self.waiting.pop(item_id, None)
        if item_id in self.parked:
            self.parked.remove(item_id)

    def _count(self, item: Item, correct: bool | None, rating: Rating) -> None:
        self.tally.answered += 1
        topic = self.tally.by_topic.setdefault(item.topic, TopicTally())
        topic.answered += 1
        right = correct if correct is not None else rating != AGAIN
        topic.correct += int(right)
        if correct is None:
            self.tally.cards += 1
            self.tally.recalled += int(right)
        else:
            self.tally.graded += 1
            self.tally.correct += int(right)

    # what comes next

    def _next(self, now: datetime) -> Step:
        item = self.pick(now)
        if item is None:
            self.phase, self.shown = DONE, None
            return Step(DONE)
        repeat = item.id in self.numbers
        self.numbers.setdefault(item.id, len(self.numbers) + 1)
        self.asks[item.id] += 1
        self.shown = Shown(item, self.choice_order(item), self._progress(item, repeat))
        self.phase = QUESTION if item.is_choice else REVEAL
        return Step(self.phase, question=self.shown)

    def pick(self, now: datetime) -> Item | None:
        """A waiting item whose gap has passed and whose step is due within the learn-ahead limit;
        else the next of today's queue; else the waiting item due first, if within the limit.

        The limit applies before the queue is empty too: a step a few minutes off is taken once the
        gap has passed, so a session runs the same under a frozen clock (tests, demos) as in real time.
        """
        horizon = now + self.rules.learn_ahead
        ready = [w for w in self.waiting.values() if w.due <= horizon and w.after <= self.tally.answered]
        if ready:
            return self.waiting.pop(min(ready, key=lambda w: (w.due, w.after)).item.id).item
        if self.todo:
            return self.todo.popleft()
        if self.waiting:
            first = min(self.waiting.values(), key=lambda w: (w.due, w.after))
            if first.due <= horizon:
                return self.waiting.pop(first.item.id).item
        return None

    def _progress(self, item: Item, repeat: bool) -> Progress:
        """Counts that include the item on screen when it is asked for the first time."""
        new_left = sum(1 for i in self.todo if i.id in self.new_ids)
        reviews_left = len(self.todo) - new_left
        if not repeat:
            new_left, reviews_left = (new_left + 1, reviews_left) if item.id in self.new_ids else (new_left, reviews_left + 1)
        return Progress(self.numbers[item.id], self.total, self.tally.answered, new_left, reviews_left, len(self.waiting), repeat)

    def choice_order(self, item: Item) -> tuple[int, ...]:
        """Display position → choice index, reshuffled at every showing (true/false stays put)."""
        order = list(range(len(item.choices)))
        if item.type in ("single", "multi"):
            self.rng.shuffle(order)
        return tuple(order)

    @property
    def waiting_later(self) -> list[datetime]:
        """When the items still in a step, but beyond the learn-ahead limit, fall due."""
        return sorted(w.due for w in self.waiting.values())
