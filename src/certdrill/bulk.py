"""Bulk work (an import's million rows, a replay's million states) with the garbage collector paused.

Such work allocates millions of objects that live until it ends; every collection it triggers walks
them all again without freeing any. Paused, and then the survivors (if wanted) moved out of the
collector's sight (`gc.freeze`), so later collections skip them too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No collection inside; the collector as it was afterwards (a caller that paused it keeps it paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
