"""A progress file in the layout `certdrill export` writes, read as a stream.

One review a line: the reviews are validated a batch at a time while the store takes them, so a
million reviews need neither the whole document nor a million objects in memory at once. The
verdict is the one a whole read gives (tests compare the two on broken files): the same first
error, the same count of the others, the same line.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from certdrill.clock import ms_of_iso
from certdrill.errors import InputError
from certdrill.exchange.controls import control_rows_of_head
from certdrill.exchange.jsonpos import json_line, loads
from certdrill.exchange.lines import CHUNK, MAX_BYTES, MAX_LINE, open_regular, read_line, read_rest, read_text, too_long
from certdrill.exchange.models import REVIEW_DEFAULTS as DEFAULTS
from certdrill.exchange.quicklines import columns_of_lines
from certdrill.exchange.whole import check_format, invalid, parse_progress, reused, review_of
from certdrill.schedule.review_log import review_row

BATCH = 5000
PARALLEL = 50_000  # reviews from which the lines are read in worker processes
AHEAD = 6  # blocks a worker may have read ahead of the rows stored (a megabyte each): a busy machine stalls each side less on the other
MAX_HEADER_BYTES = 1024 * 1024
REVIEWS_OPEN = b'  "reviews": [\n'
REVIEWS_CLOSE = (b"  ],\n", b"  ]\n")


@dataclass(frozen=True)
class Layout:
    head: str  # the document up to the reviews, closed as if they were empty
    reviews_at: int  # byte offset of the first review line
    first_line: int  # its line number
    count: int
    tail: str  # "{" + everything after the reviews
    tail_line: int  # the file line of the tail's second line
    # the review lines as the first pass read them, (byte offset, bytes, lines) a block: how it was read, not what it is
    spans: tuple[tuple[int, int, int], ...] = field(default=(), compare=False)


def export_layout(fh: BinaryIO, name: str) -> Layout | None:
    """A first pass over the lines: the export layout, or None (the document must be read whole).

    A line longer than MAX_LINE is refused at once; the first byte that is not UTF-8 in a review
    line is refused once the rest proved the layout, as a whole read would refuse it."""
    head: list[bytes] = []
    offset = 0
    while line := read_line(fh, name, len(head) + 1):
        offset += len(line)
        if line == REVIEWS_OPEN:
            break
        head.append(line)
        if offset > MAX_HEADER_BYTES:
            return None
    else:
        return None
    first_line = len(head) + 2
    scanned = _review_lines(fh, name, first_line)
    if scanned is None:
        return None
    count, not_utf8, spans = scanned
    tail = read_rest(fh, name, first_line + count + 1, MAX_BYTES)
    try:
        head_text = b"".join(head).decode("utf-8-sig") + '  "reviews": []\n}\n'
    except UnicodeDecodeError:
        return None
    if not_utf8 is not None:
        raise not_utf8
    try:
        tail_text = "{\n" + tail.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Layout(head_text, offset, first_line, count, tail_text, first_line + count + 1, tuple(spans))


def _review_lines(fh: BinaryIO, name: str, first_line: int) -> tuple[int, InputError | None, list[tuple[int, int, int]]] | None:
    """The number of review lines, each one review as export writes it (`    {...},` and the last
    `    {...}`), read a megabyte at a time up to the line that closes them, which the file is left
    after; the first byte among them that is not UTF-8; and the blocks read (offset, bytes, lines).
    None when the lines are not that.

    A line longer than MAX_LINE is refused at once (its start and its end are never both in memory)."""
    count, carry, ended, not_utf8 = 0, b"", False, None
    spans: list[tuple[int, int, int]] = []
    at = fh.tell()  # the file offset of `carry`
    while chunk := fh.read(CHUNK):
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        block, carry = data[:cut], data[cut:]
        lines = block.count(b"\n")
        quick = lines and not ended and block.startswith(b"    {") and block.endswith(b"},\n") and block.count(b"},\n    {") == lines - 1
        stop = None if quick or not block else _OTHER_LINE.search(block, 0, len(block) - 1)
        region = block[: stop.start()] if stop else block
        if not quick:  # the block that ends the reviews, or one not in the layout
            lines = region.count(b"\n")
            commas = region.count(b"},\n")
            if lines and (ended or not (commas == lines or (commas == lines - 1 and region.endswith(b"}\n")))):
                return None
            ended = ended or region.endswith(b"}\n")
        if not_utf8 is None and not region.isascii():
            not_utf8 = _not_utf8(region, at, name, first_line + count)
        count += lines
        if lines:
            spans.append((at, len(region), lines))
        if stop:
            close = block[stop.start() : block.find(b"\n", stop.start()) + 1]
            if close not in REVIEWS_CLOSE or not ended:
                return None
            fh.seek(at + stop.start() + len(close))
            return count, not_utf8, spans
        if len(carry) > MAX_LINE:
            raise too_long(name, first_line + count)
        at += len(block)
    return None


# A line that is no review line: looked for only in a block that is not all review lines (the last).
_OTHER_LINE = re.compile(rb"^(?!    \{)", re.MULTILINE)


def _not_utf8(lines: bytes, at: int, name: str, first: int) -> InputError | None:
    """The first byte of `lines` (at file offset `at`, its first line numbered `first`) that is not UTF-8."""
    try:
        lines.decode("utf-8")
    except UnicodeDecodeError as exc:
        return InputError(f"not UTF-8 text (byte {at + exc.start})", file=name, line=first + lines.count(b"\n", 0, exc.start))
    return None


class ReviewStream:
    """The reviews of an export-layout file as review rows (`review_row`), validated a batch at a
    time as they are iterated.

    Iterating raises the file's first problem (an InputError) once every line has been checked,
    or at once for broken JSON, as a whole read would; the store's transaction then writes
    nothing. `count` is the number of reviews read so far.
    """

    def __init__(self, path: Path, name: str, layout: Layout, head: dict, tail: dict):
        from pydantic import TypeAdapter

        from certdrill.exchange.models import ReviewFields, ReviewModel

        self.path, self.name, self.layout = path, name, layout
        self.count = 0
        self.fields_adapter = TypeAdapter(list[ReviewFields])
        self.reviews_adapter = TypeAdapter(list[ReviewModel])
        self.header_problem = self._header_errors(head, tail)
        self.controls = control_rows_of_head(head)
        self._cards: list | None = tail.get("cards", [])  # checked while the first blocks are read (`_check_cards`), reported in document order
        self.cards_problem: tuple[tuple[Mapping[str, Any], int] | None, int] = (None, 0)

    def __iter__(self) -> Iterator[tuple]:
        return chain.from_iterable(self._row_batches())  # a million rows through C, not a generator frame each

    def _row_batches(self) -> Iterator[list[tuple]]:
        first, total = self.header_problem
        ids = array("q")  # hashes of the ids read, to find an id used twice without keeping a million strings
        for start, lines, quick, hashes in self._quick_batches():
            self._check_cards()  # the first time, while worker processes read the next blocks
            batch = lines() if quick is None else None
            rows, error, count = (quick, None, 0) if batch is None else self._validate(start, batch)
            if rows is None:
                first, total = first or error, total + count
                continue
            if batch is not None and len(rows) != len(batch):  # more than one review on a line: not quite the layout after all
                yield self._whole()
                return
            if first is not None:
                continue
            if hashes is None:
                ids.extend(map(hash, map(itemgetter(0), rows)))
            else:
                ids.frombytes(hashes)
            self.count += len(rows)
            yield rows
        self._check_cards()
        error, count = self.cards_problem
        first, total = first or error, total + count
        if first is not None:
            raise invalid(first[0], total, self.name, first[1])
        self._check_reused(ids)

    def _quick_batches(self) -> Iterator[tuple[int, Callable[[], list[bytes]], list[tuple] | None, bytes | None]]:
        """Each block of review lines the first pass read: its first line's index, its lines (read
        again when asked), its rows by the quick expression (None: not all in export's own form),
        and the `hash` of each row's id as an array's bytes (None: to be hashed here; a worker
        started afresh hashes text differently, which its hash of a probe shows).

        Past `PARALLEL` reviews the blocks are read and matched by worker processes, each from the
        file itself, while this one stores the rows: a block's rows come back as ten columns, which
        pickle in a fraction of the time of its tuples, and its lines never pass through here."""
        from certdrill.parallel import ordered_map

        spans = self.layout.spans
        tasks = [(str(self.path), offset, size, lines) for offset, size, lines in spans]
        start, workers, probe = 0, None if self.layout.count >= PARALLEL else 1, hash(PROBE)
        for (_, offset, size, lines), read in zip(tasks, ordered_map(span_columns, tasks, workers=workers, ahead=AHEAD), strict=True):
            if isinstance(read, str):  # CHANGED, the only text span_columns gives: the block is not what the first pass read
                raise InputError("the file changed while it was imported; import it again", file=self.name, line=self.layout.first_line + start)
            again = partial(self._span_lines, start, offset, size, lines)
            if read is None:
                yield start, again, None, None
            else:
                columns, hashes, theirs = read
                yield start, again, unpacked(columns), hashes if theirs == probe else None
            start += lines

    def _span_lines(self, start: int, offset: int, size: int, lines: int) -> list[bytes]:
        """A block's lines (without their newlines), read again."""
        with open_regular(self.path) as fh:
            fh.seek(offset)
            batch = fh.read(size).split(b"\n")
        if len(batch) != lines + 1 or batch[-1]:
            raise InputError("the file changed while it was imported; import it again", file=self.name, line=self.layout.first_line + start)
        return batch[:-1]

    def _batches(self) -> Iterator[tuple[int, list[bytes]]]:
        """The review lines again (without their newlines), BATCH at a time, each as read in the
        first pass: read a megabyte at a time and split in C, and bounded all the same (the file
        may have changed since)."""
        with open_regular(self.path) as fh:
            fh.seek(self.layout.reviews_at)
            data = b""
            for start in range(0, self.layout.count, BATCH):
                wanted = min(BATCH, self.layout.count - start)
                while data.count(b"\n") < wanted and (chunk := fh.read(CHUNK)):
                    data += chunk
                    if len(data) - data.rfind(b"\n") - 1 > MAX_LINE:
                        raise too_long(self.name, self.layout.first_line + start + data.count(b"\n"))
                batch = data.split(b"\n", wanted)
                if len(batch) <= wanted:  # the end of the file before the lines the first pass read
                    raise InputError(
                        "the file changed while it was imported; import it again", file=self.name, line=self.layout.first_line + start + len(batch)
                    )
                data = batch.pop()
                yield start, batch

    def _lines(self) -> Iterator[bytes]:
        """The review lines again, each without its indent and comma."""
        for _, batch in self._batches():
            for line in batch:
                yield _bare(line)

    def _header_errors(self, head: dict, tail: dict) -> tuple[tuple[Mapping[str, Any], int] | None, int]:
        from pydantic import ValidationError

        from certdrill.exchange.models import ProgressFile

        try:
            ProgressFile.model_validate({**head, **{k: v for k, v in tail.items() if k != "cards"}})
        except ValidationError as exc:
            first = exc.errors()[0]
            return (first, json_line(self.layout.head, tuple(first["loc"]))), exc.error_count()
        return None, 0

    def _check_cards(self) -> None:
        """The file's cards checked by the model, once (a few hundred ms at 50,000 items)."""
        if self._cards is None:
            return
        from pydantic import TypeAdapter

        from certdrill.exchange.models import CardModel

        self.cards_problem = self._card_errors(TypeAdapter(list[CardModel]), self._cards)
        self._cards = None

    def _card_errors(self, adapter, cards: list) -> tuple[tuple[Mapping[str, Any], int] | None, int]:
        from pydantic import ValidationError

        try:
            adapter.validate_python(cards)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ("cards", *first["loc"])
            return ({**first, "loc": loc}, self.layout.tail_line - 2 + json_line(self.layout.tail, loc)), exc.error_count()
        return None, 0

    def _validate(self, start: int, lines: list[bytes]):
        """The batch's review rows by the model, or (None, first error, error count); broken JSON is raised at once."""
        from pydantic import ValidationError

        lines = [_bare(line) for line in lines]
        blob = b"[" + b",".join(lines) + b"]"
        try:
            return [_row(fields) for fields in self.fields_adapter.validate_json(blob)], None, 0
        except (ValidationError, ValueError):
            pass
        try:  # the errors exactly as the model gives them
            return [review_row(review_of(model)) for model in self.reviews_adapter.validate_json(blob)], None, 0
        except ValidationError as exc:
            if not any(e["type"] == "json_invalid" for e in exc.errors()):
                return self._refused(start, exc)
        try:  # JSON that Python's parser takes (a lone surrogate, deep nesting): judged as a whole read judges it
            return [review_row(review_of(model)) for model in self.reviews_adapter.validate_python(self._decoded(start, lines))], None, 0
        except ValidationError as exc:
            return self._refused(start, exc)

    def _decoded(self, start: int, lines: list[bytes]) -> list:
        """The lines parsed by Python's parser: the first one it refuses raised at once, at its line and column."""
        decoded = []
        for offset, line in enumerate(lines):
            number = self.layout.first_line + start + offset
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:  # the first pass found none: the file changed since
                raise InputError("not UTF-8 text (the file changed while it was read)", file=self.name, line=number) from None
            decoded.append(loads(text, self.name, number, column=4))
        return decoded

    def _refused(self, start: int, exc) -> tuple[None, tuple, int]:
        first = exc.errors()[0]
        position = first["loc"][0]
        assert isinstance(position, int)  # the batch is a list: its errors start at an index
        index = start + position
        return None, ({**first, "loc": ("reviews", index, *first["loc"][1:])}, self.layout.first_line + index), exc.error_count()

    def _check_reused(self, ids: array) -> None:
        """An id on two lines with different values is refused, as a whole read refuses it (at the
        second line, naming the first); identical copies are one review.

        Hashes that repeat are only candidates; the file is read again for those ids alone.
        """
        if len(set(ids)) == len(ids):  # the usual case, found at once
            return
        twice = {a for a, b in pairwise(sorted(ids)) if a == b}
        seen: dict[str, tuple[tuple, int]] = {}
        line_of = self.layout.first_line
        for index, line in enumerate(self._lines()):
            try:
                if hash(json.loads(line)["id"]) not in twice:
                    continue
                (review,) = self.reviews_adapter.validate_json(b"[" + line + b"]")
            except (ValueError, KeyError, TypeError):  # it was valid when the reviews were read
                raise InputError("the file changed while it was imported; import it again", file=self.name, line=line_of + index) from None
            row = review_row(review_of(review))
            first, at = seen.setdefault(review.id, (row, index))
            if first != row:
                raise reused(index, review.id, self.name, line_of + index, line_of + at)

    def _whole(self) -> list[tuple]:
        """Start again from the whole document; the store takes a review it already has as no change."""
        reviews = parse_progress(read_text(self.path, self.name), self.name)
        self.count = len(reviews)
        return [review_row(r) for r in reviews]


CHANGED = "changed"  # what `span_columns` gives for a block that is not what the first pass read


PROBE = "certdrill"  # hashed by a worker and here: equal, the worker's hashes of the ids are this process's


def span_columns(task: tuple[str, int, int, int]) -> tuple[list[list | str], bytes, int] | str | None:
    """`columns_of_lines` of a block of review lines read from the file (path, offset, bytes, lines),
    with the hashes of the ids and of `PROBE`; None when not all lines are in export's own form, or
    CHANGED when the file no longer has those lines there (run in a worker process)."""
    path, offset, size, lines = task
    try:
        with open_regular(Path(path)) as fh:  # never a FIFO put in its place meanwhile
            fh.seek(offset)
            block = fh.read(size)
    except (OSError, InputError):
        return CHANGED
    if len(block) != size or block.count(b"\n") != lines or not block.endswith(b"\n"):
        return CHANGED
    columns = columns_of_lines(block)
    if columns is None:
        return None
    return [_packed(column, i) for i, column in enumerate(columns)], array("q", map(hash, columns[0])).tobytes(), hash(PROBE)


_TEXTS, _MAYBE_TEXTS = (0, 1, 2, 8), (5, 9)  # the columns always text (id, item, bank, kind), and those text or null (answer, session)


def _packed(column: list, index: int) -> list | str:
    """A column of text as one string, its values a line each (no value read from a line holds a
    newline): it pickles in half the time of the list of them."""
    return "\n".join(column) if index in _TEXTS or (index in _MAYBE_TEXTS and None not in column) else column


def unpacked(columns: list) -> list[tuple]:
    """The rows of `span_columns`'s columns."""
    return list(zip(*(column.split("\n") if isinstance(column, str) else column for column in columns), strict=True))


def _bare(line: bytes) -> bytes:
    """A review line without its indent, newline and comma."""
    return line.strip().rstrip(b",")


def _row(fields: dict) -> tuple:
    """`review_row` of the review these validated fields describe, without building the Review."""
    get = fields.get
    answer, correct = get("answer", DEFAULTS["answer"]), get("correct", DEFAULTS["correct"])
    return (
        fields["id"],
        fields["item_id"],
        get("bank", DEFAULTS["bank"]),
        ms_of_iso(fields["reviewed_at"]),  # a time that is no instant raises ValueError: the model then checks the batch
        fields["rating"],
        None if answer is None else "[" + ",".join(map(str, answer)) + "]",
        None if correct is None else int(correct),
        get("duration_ms", DEFAULTS["duration_ms"]),
        get("kind", DEFAULTS["kind"]),
        get("session_id", DEFAULTS["session_id"]),
    )


def streamed(path: Path, name: str, layout: Layout) -> ReviewStream | None:
    """The file's reviews as a stream, or None when its head or tail is not what export writes."""
    try:
        head, tail = loads(layout.head, name), loads(layout.tail, name)
    except InputError:  # a whole read names the problem
        return None
    if not isinstance(head, dict) or not isinstance(tail, dict) or "reviews" in tail or any(key in head for key in tail):
        return None
    check_format(head, layout.head, name)
    return ReviewStream(path, name, layout, head, tail)
