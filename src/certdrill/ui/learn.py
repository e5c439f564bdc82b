"""After the answer: why the wrong choices are wrong, and where to read more.

References are links on a terminal that shows them (an OSC 8 hyperlink, set through a Style, never
through markup) and plain URLs everywhere else: NO_COLOR, a pipe, a dumb terminal. Bank text stays
inert: control characters are stripped from the shown text and from the link target alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.style import Style
from rich.table import Table
from rich.text import Text

from certdrill.bank.items import LETTERS, Item
from certdrill.text import reflow, strip_controls


def wrong_picks(item: Item, chosen: Iterable[int] | None) -> list[int]:
    """The chosen choices that are not in the key."""
    return [i for i in chosen or () if i not in item.answer]


def wrong_choices(item: Item) -> list[int]:
    return [i for i in range(len(item.choices)) if i not in item.answer]


def rationales(item: Item, order: Sequence[int], indices: Iterable[int]) -> Group | None:
    """ "Why not:" and, in display order, each of these choices that has a rationale, with it."""
    rows = [i for i in sorted(indices, key=order.index) if item.rationale(i)]
    if not rows:
        return None
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for index in rows:
        line = Text(strip_controls(item.choices[index]))
        line.append(" — ", style="dim")
        line.append(reflow(strip_controls(item.rationale(index) or "")))
        grid.add_row(Text(f"  {LETTERS[order.index(index)]})", style="red"), line)
    return Group(Text("Why not:", style="bold"), grid)


def _linkable(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def shows_links(console: Console) -> bool:
    return console.is_terminal and not console.no_color and os.environ.get("TERM") != "dumb"


class LearnMore:
    """ "Learn more:" and the item's references, one a line."""

    def __init__(self, urls: Iterable[str]) -> None:
        self.urls = tuple(strip_controls(url) for url in urls)

    def __bool__(self) -> bool:
        return bool(self.urls)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(links=shows_links(console))

    def lines(self, *, links: bool) -> Iterator[Text]:
        yield Text("Learn more:", style="bold")
        for url in self.urls:
            line = Text("  ", no_wrap=True, overflow="ignore")  # a URL broken across lines cannot be copied
            line.append(url, style=Style(link=url) if links and _linkable(url) else "")
            yield line
