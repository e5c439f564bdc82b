"""What every command shares: the error boundary, consoles, loading banks, opening the store."""

from __future__ import annotations

import functools
import gc
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from certdrill import paths
from certdrill.bank.items import Bank
from certdrill.errors import BankError, CertdrillError, InputError
from certdrill.text import show_controls


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
                console.print(show_controls(line), markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except CertdrillError as exc:
            err_console().print(show_controls(f"Error: {exc}"), markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        finally:
            gc.unfreeze()  # what load_banks froze, once the command is done (tests run many in one process)

    return wrapper


class OneLineErrors(TyperGroup):
    """Usage errors (an unknown option, a value that is not a number) as one `Error:` line, exit 2,
    instead of a usage block and a framed panel: the same shape as every other bad input."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        except Exception as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already shown
                if exc.format_message().strip():
                    exc.show()
                sys.exit(exc.exit_code)
            if not hasattr(exc, "format_message"):
                raise
            ctx = getattr(exc, "ctx", None)
            hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            typer.echo(show_controls(f"Error: {exc.format_message()}{hint}"), err=True)
            sys.exit(getattr(exc, "exit_code", 2))
        sys.exit(code if isinstance(code, int) else 0)


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


def check_range(name: str, value, low, high) -> None:
    if value is not None and not low <= value <= high:
        raise InputError(f"{name}: {value} is out of range ({low} to {high})")


def filter_topics(bank: Bank, topics: list[str] | None):
    if not topics:
        return list(bank.items)
    known = {t.slug for t in bank.topics}
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise InputError(f"--topic: unknown topic {unknown[0]!r}; known: {', '.join(sorted(known))}")
    return [i for i in bank.items if i.topic in topics]


def open_store(*, writable: bool = True):
    """The progress store; for writing, after the day's first automatic backup (a failed backup
    only warns), and checked up front so that a read-only home fails before the first question."""
    from certdrill.store.store import Store

    if not writable:
        return Store.open(paths.db_path(), read_only=True)
    store = Store.open(paths.db_path())
    try:
        store.check_writable()
        _daily_backup(store)
    except BaseException:
        store.close()
        raise
    return store


def _daily_backup(store) -> None:
    from certdrill import clock
    from certdrill.errors import DamagedStoreError, StoreError
    from certdrill.store import backup

    try:
        with store.reading() as conn:
            backup.daily_backup(conn, store.path, clock.now())
    except DamagedStoreError:
        raise
    except StoreError as exc:
        err_console().print(f"Warning: today's automatic backup failed ({exc}); your progress is still saved.", markup=False, highlight=False)


def catch_up(store, bank: Bank, config) -> None:
    """Bring the store up to date before a session: carry the history of renamed items
    (`previous_ids`) over to their new ids, and count the mature recalls of cards kept before
    certdrill counted them (each once; after that, nothing to do); cards cached under older
    scheduling rules are replayed once."""
    from certdrill.scheduler import RULES

    store.adopt_rules(RULES, config)
    renames = {old: item.id for item in bank.items for old in item.previous_ids}
    if renames:
        store.apply_renames(renames, config)
    store.fill_mature_counts(config)


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
