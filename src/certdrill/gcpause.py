"""The cyclic garbage collector paused while a bank is built or read from its cache.

Building or unpickling a big bank allocates about a million small objects with no cycles among
them; every few hundred allocations the collector would walk all that is alive, which cost more
than the work itself (42-44% of a 50,000-item cold build). What is kept lives as long as the
command and is then `gc.freeze`d (services/banks.py); what is dropped is freed by reference
counting, cycles or not.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection within; nested uses keep it off until the outermost one ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
