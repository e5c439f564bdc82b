"""Rich renderables for questions, feedback and summaries. Bank text is always data, never markup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from certdrill.bank.items import LETTERS, Item
from certdrill.bank.words import count_word
from certdrill.drill.session import Progress, Tally
from certdrill.text import reflow, strip_controls
from certdrill.ui import learn


@dataclass(frozen=True)
class DueLater:
    """What is left after a session: still due today, due tomorrow, held back by the ask cap."""

    today: int
    tomorrow: int
    parked: int = 0
    max_asks: int = 0


def safe(text: str, style: str = "") -> Text:
    """Bank text as literal Text: markup shows as typed, control characters are removed."""
    return Text(strip_controls(text), style=style)


def prose(text: str, style: str = "") -> Text:
    """Bank paragraphs: literal like safe(), with hard-wrapped lines joined."""
    return safe(reflow(text), style)


def header(progress: Progress, extra: str = "") -> Text:
    """Where today's work stands. No item id: ids often name the answer, so it comes after it."""
    line = Text()
    line.append(f"Question {progress.number} of {progress.total}", style="bold")
    if progress.repeat:
        line.append(" (again)", style="bold")
    left = [f"{progress.new_left} new", f"{progress.reviews_left} {plural(progress.reviews_left, 'review')}"]
    if progress.waiting:
        left.append(f"{progress.waiting} coming back")
    line.append(f"  ·  {progress.answered} answered  ·  left: {', '.join(left)}", style="dim")
    if extra:
        line.append(f"  ·  {extra}", style="dim")
    return line


def item_ref(item: Item) -> Text:
    """The item's id, shown after its answer (for `--item` and bug reports)."""
    return Text(f"Item {strip_controls(item.id)}", style="dim")


def plural(count: int, word: str, many: str | None = None) -> str:
    return word if count == 1 else (many or f"{word}s")


def question(item: Item, order: tuple[int, ...], head: Text, *, truefalse_hint: str = "(t = true, f = false)") -> Group:
    parts: list[RenderableType] = [head, Text(), prose(item.prompt)]
    if item.type == "multi":
        parts.append(Text(f"(choose {count_word(len(item.answer))}; type all letters, e.g. ac)", style="italic dim"))
    if item.type == "truefalse":
        parts.append(Text(truefalse_hint, style="italic dim"))
    if item.is_choice:
        parts.append(Text())
        parts.append(choice_table([(LETTERS[position], item.choices[index]) for position, index in enumerate(order)], "bold cyan"))
    parts.append(Text())
    return Group(*parts)


def choice_table(rows: list[tuple[str, str]], letter_style: str) -> Table:
    """Lettered choices with a hanging indent, so a wrapped choice stays under its text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for letter, text in rows:
        grid.add_row(Text(f"  {letter})", style=letter_style), safe(text))
    return grid


def letters_for(indices: tuple[int, ...], order: tuple[int, ...]) -> str:
    """File indices → the letters they had on screen."""
    return ", ".join(LETTERS[order.index(i)] for i in sorted(indices, key=order.index))


def feedback(item: Item, order: tuple[int, ...], chosen: tuple[int, ...] | None, correct: bool | None, *, every_rationale: bool = False) -> Group:
    """The verdict, why the picked wrong choices (`every_rationale`: all wrong choices) are wrong,
    the explanation, then "Learn more" with the item's references. Sources are provenance for the
    bank's authors (notes the learner does not have): never shown here."""
    parts: list = []
    if item.is_choice:
        if correct:
            parts.append(Text("Correct.", style="bold green"))
        else:
            verdict = Text("Wrong. ", style="bold red")
            if chosen:
                verdict.append(f"You chose {letters_for(chosen, order)}; ")
            verdict.append(f"{'the' if chosen else 'The'} answer is {letters_for(item.answer, order)}:", style="bold")
            parts.append(verdict)
            parts.append(choice_table([(LETTERS[order.index(i)], item.choices[i]) for i in sorted(item.answer, key=order.index)], "green"))
            why = learn.rationales(item, order, learn.wrong_choices(item) if every_rationale else learn.wrong_picks(item, chosen))
            if why is not None:
                parts.append(why)
    else:
        parts.append(Text("Answer:", style="bold"))
        parts.append(Padding(prose(item.back or ""), (0, 0, 0, 2)))
    parts.append(Text())
    parts.append(prose(item.explanation))
    more = learn.LearnMore(item.references)
    if more:
        parts.append(more)
    parts.append(Text())
    return Group(*parts)


def summary(tally: Tally, topic_title: Callable[[str], str], due: DueLater, *, title: str = "Session summary") -> Group:
    parts: list[RenderableType] = [Text(title, style="bold")]
    if not tally.answered:
        parts.append(Text("Nothing answered this time."))
    else:
        parts.append(Text(answered_line(tally)))
        table = Table(show_edge=False, pad_edge=False, box=None)
        table.add_column("Topic")
        table.add_column("Answered", justify="right")
        table.add_column("Right" if not tally.cards else "Right or recalled", justify="right")
        for topic, t in sorted(tally.by_topic.items()):
            table.add_row(safe(topic_title(topic)), str(t.answered), str(t.correct))
        parts.append(table)
    if due.parked:
        parts.append(
            Text(
                f"{due.parked} {plural(due.parked, 'item')} asked {due.max_asks} times {plural(due.parked, 'comes', 'come')} back in a later session; "
                f"certdrill missed drills {plural(due.parked, 'it', 'them')} now."
            )
        )
    if due.today:
        parts.append(Text(f"Still due today: {due.today} (certdrill study continues)"))
    parts.append(Text(f"Due tomorrow: {due.tomorrow}"))
    return Group(*parts)


def answered_line(tally: Tally) -> str:
    """ "Answered 5, 3 of 4 right (75%); 1 of 1 flashcard recalled": flashcards are self-rated, not right or wrong."""
    line = f"Answered {tally.answered}"
    pct = tally.percent
    if pct is not None:
        line += f", {tally.correct} of {tally.graded} right ({pct:.0f}%)"
    if tally.cards:
        line += f"{';' if pct is not None else ','} {tally.recalled} of {tally.cards} {plural(tally.cards, 'flashcard')} recalled"
    return line
