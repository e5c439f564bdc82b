"""What every command shares: the error boundary, consoles, loading banks, opening the store."""

from __future__ import annotations

import functools
import gc
from pathlib import Path
from typing import Annotated

import typer

from certdrill import paths
from certdrill.bank.items import Bank
from certdrill.errors import BankError, CertdrillError, InputError


def err_console():
    from certdrill.ui.console import make_console

    return make_console(stderr=True)


def out_console():
    from certdrill.ui.console import make_console

    return make_console()


def errors_to_exit(fn):
    """Turn expected errors into `Error: …` on stderr and an exit code; bugs still show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BankError as exc:
            console = err_console()
            for line in exc.lines():
                console.print(line, markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except CertdrillError as exc:
            err_console().print(f"Error: {exc}", markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        finally:
            gc.unfreeze()  # what load_banks froze, once the command is done (tests run many in one process)

    return wrapper


def load_banks(bank_paths: list[Path] | None) -> Bank:
    """The built-in bank, or the banks named with --bank merged into one.

    The bank lives as long as the command, so it is moved out of the cyclic GC's reach
    (`gc.freeze`): a big bank is hundreds of thousands of objects that every later collection
    would otherwise walk again, a quarter of a second on a 50,000-item bank.
    """
    bank = _load_banks(bank_paths)
    gc.freeze()
    return bank


def _load_banks(bank_paths: list[Path] | None) -> Bank:
    from certdrill.bank.loader import load_bank

    cache = paths.cache_dir()
    if not bank_paths:
        return load_bank(paths.builtin_bank_dir(), cache_dir=cache)
    banks = [load_bank(p, cache_dir=cache) for p in bank_paths]
    if len(banks) == 1:
        return banks[0]
    seen: dict[str, str] = {}
    for bank in banks:
        for item in bank.items:
            if item.id in seen:
                raise BankError([CertdrillError(f"duplicate id {item.id!r} (also in {seen[item.id]})", file=item.file, line=item.line)])
            seen[item.id] = item.file
    return Bank(
        name="+".join(b.name for b in banks),
        title=" + ".join(b.title for b in banks),
        items=tuple(i for b in banks for i in b.items),
        topics=tuple(t for b in banks for t in b.topics),
        weights={k: v for b in banks for k, v in b.weights.items()},
        minutes_per_question=banks[0].minutes_per_question,
    )


def filter_topics(bank: Bank, topics: list[str] | None):
    if not topics:
        return list(bank.items)
    known = {t.slug for t in bank.topics}
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise InputError(f"--topic: unknown topic {unknown[0]!r}; known: {', '.join(sorted(known))}")
    return [i for i in bank.items if i.topic in topics]


def open_store():
    from certdrill.store.store import Store

    return Store.open(paths.db_path())


def load_settings():
    from certdrill import config

    return config.load(paths.config_path())


def _version(value: bool) -> None:
    if value:
        from certdrill import __version__

        typer.echo(f"certdrill {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """certdrill: study what is due, drill what you missed, sit a mock exam."""
