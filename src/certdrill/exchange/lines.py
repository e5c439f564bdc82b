"""A progress file's bytes, read so that no file can hang an import or fill its memory.

Only a regular file is read (a FIFO would wait for a writer forever, `/dev/zero` never ends), and
no line may be longer than MAX_LINE: export writes one review a line, and a file that is one
200 MB line is refused at that line instead of being read whole first.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from certdrill.errors import InputError

# The longest line export writes is a mock exam's: 100,000 answers (the model's most) of about 130
# bytes each come to 13 MB. A review line is under 2 kB.
MAX_LINE = 16 * 1024 * 1024
MAX_BYTES = 2 * 1024 * 1024 * 1024
CHUNK = 1024 * 1024
BOM = b"\xef\xbb\xbf"


def open_regular(path: Path) -> BinaryIO:
    """The file opened for reading, once it proved a regular file; opened without blocking, so a
    FIFO is refused instead of waited on."""
    name = str(path)
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs to wait on
    fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a folder, not a progress file", file=name)
        if not stat.S_ISREG(mode):
            raise InputError("not a regular file (a FIFO, a device or a socket): give the file certdrill export wrote", file=name)
        if nonblocking:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def too_long(name: str, line: int) -> InputError:
    return InputError(f"line longer than {MAX_LINE // (1024 * 1024)} MiB (a progress file has one review a line): refusing", file=name, line=line)


def read_line(fh: BinaryIO, name: str, line: int) -> bytes:
    """The next line (b"" at the end), at most MAX_LINE bytes; `line` is its number, for the error."""
    text = fh.readline(MAX_LINE + 1)
    if len(text) > MAX_LINE:
        raise too_long(name, line)
    return text


def read_rest(fh: BinaryIO, name: str, line: int, limit: int) -> bytes:
    """The rest of the file from line number `line` on, a chunk at a time: a line longer than
    MAX_LINE is refused as soon as it is seen, and so is more than `limit` bytes in all."""
    chunks: list[bytes] = []
    total = since_newline = 0
    while chunk := fh.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise InputError("file too large for a progress file", file=name)
        first, last = chunk.find(b"\n"), chunk.rfind(b"\n")
        if since_newline + (len(chunk) if first < 0 else first) > MAX_LINE:
            raise too_long(name, line)
        if last >= 0:
            line += chunk.count(b"\n")
            since_newline = len(chunk) - last - 1
        else:
            since_newline += len(chunk)
        chunks.append(chunk)
    return b"".join(chunks)


def read_text(path: Path, name: str) -> str:
    """The whole file as text (a document not in the export layout is read whole)."""
    with open_regular(path) as fh:
        return decode(read_rest(fh, name, 1, MAX_BYTES), name)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte order mark dropped); the first byte that is not UTF-8 named by its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (len(BOM) if raw.startswith(BOM) else 0)
        raise InputError(f"not UTF-8 text (byte {start})", file=name, line=raw.count(b"\n", 0, start) + 1) from None
