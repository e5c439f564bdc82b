"""`certdrill study` and `certdrill missed`: the daily loop."""

from __future__ import annotations

from typing import Annotated

import typer

from certdrill.cli.common import err_line, errors_to_exit, present_drill, synced
from certdrill.cli.options import BankPaths, ExamDate, ItemIds, Seed, Topics, Unreviewed, check_range
from certdrill.errors import InputError


@errors_to_exit
@synced
def study(
    bank: BankPaths = None,
    topic: Topics = None,
    new: Annotated[int | None, typer.Option("--new", help="New items today at most (default from config: 20).")] = None,
    reviews: Annotated[int | None, typer.Option("--reviews", help="Reviews today at most (default from config: 200).")] = None,
    retention: Annotated[float | None, typer.Option("--retention", help="Desired retention for this run, 0.70-0.99.")] = None,
    exam_date: ExamDate = None,
    include_unreviewed: Unreviewed = False,
    item: ItemIds = None,
    seed: Seed = None,
    new_order: Annotated[
        str | None,
        typer.Option(
            "--new-order", metavar="mixed|file", help="New items: topics and types mixed (default), or file: topic files in turn, each in its own order."
        ),
    ] = None,
) -> None:
    """Today's session: due items first (most at risk first), then new ones; or the items named with --item.

    With an exam date, no review is put off past the exam when predicted recall on exam day would drop below 95% (or the desired retention, if higher): it moves into the final 7 days, where the items most at risk on exam day come first.

    Examples:
        certdrill study
        certdrill study --new 5 --topic ecr
        certdrill study --bank content/community/ --include-unreviewed
    """
    from certdrill import clock
    from certdrill.services.study import start_study

    check_range("--new", new, 0, 10_000)
    check_range("--reviews", reviews, 0, 100_000)
    check_range("--retention", retention, 0.7, 0.99)
    if new_order is not None and new_order not in ("mixed", "file"):
        raise InputError(f"--new-order: {new_order!r} is not one of mixed, file")
    drill = start_study(
        bank,
        topic,
        new=new,
        reviews=reviews,
        retention=retention,
        exam_date=exam_date,
        include_unreviewed=include_unreviewed,
        item_ids=item,
        now=clock.now(),
        warn=err_line,
        new_order=new_order,
        seed=seed,
    )
    present_drill(drill, seed)


@errors_to_exit
@synced
def missed(
    bank: BankPaths = None,
    topic: Topics = None,
    days: Annotated[int, typer.Option("--days", help="How far back a wrong answer counts (1-3650).")] = 7,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many items.")] = None,
    confusions: Annotated[
        bool, typer.Option("--confusions", help="Instead: the items behind your most frequent confusions over all your answers (see certdrill stats).")
    ] = False,
    top: Annotated[int, typer.Option("--top", help="With --confusions: how many of the top confusions (1-1000).")] = 10,
    exam_date: ExamDate = None,
    include_unreviewed: Unreviewed = False,
    seed: Seed = None,
    leeches: Annotated[
        bool, typer.Option("--leeches", help="Instead: the leeches (items lapsed leech-lapses times), suspended ones too, most lapses first.")
    ] = False,
) -> None:
    """Drill what you got wrong recently, until each is right once.

    Examples:
        certdrill missed
        certdrill missed --days 14 --topic ecr
        certdrill missed --confusions --top 5
    """
    from certdrill import clock
    from certdrill.services.study import start_missed

    check_range("--days", days, 1, 3650)
    check_range("--limit", limit, 1, 100_000)
    check_range("--top", top, 1, 1000)
    if leeches and confusions:
        raise InputError("--leeches and --confusions: choose one")
    if leeches:
        from certdrill.services.leeches import start_leeches

        drill = start_leeches(bank, topic, limit=limit, exam_date=exam_date, include_unreviewed=include_unreviewed, now=clock.now(), warn=err_line)
    else:
        drill = start_missed(
            bank,
            topic,
            days=days,
            limit=limit,
            confusions=confusions,
            top=top,
            exam_date=exam_date,
            include_unreviewed=include_unreviewed,
            now=clock.now(),
            warn=err_line,
        )
    present_drill(drill, seed)
