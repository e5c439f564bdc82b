"""What every command shares: the error boundary, the consoles, the root callback. Not a command module."""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer
from typer.core import TyperGroup

from certdrill.errors import BankError, CertdrillError
from certdrill.text import show_controls

if TYPE_CHECKING:
    from rich.console import Console

    from certdrill.services.study import Drill

F = TypeVar("F", bound=Callable[..., Any])


def err_console() -> Console:
    from certdrill.ui.console import make_console

    return make_console(stderr=True)


def out_console() -> Console:
    from certdrill.ui.console import make_console

    return make_console()


def err_line(message: str) -> None:
    """One plain line on stderr: the `warn` every service takes."""
    err_console().print(message, markup=False, highlight=False)


JSON_FLAGS = ("--json", "--jsonl")


def error_object(message: str, exit_code: int, *, file: str | None = None, line: int | None = None, problems: list[CertdrillError] | None = None) -> str:
    """An error as the one JSON object `--json` prints on stdout."""
    from certdrill.text import inert_json

    body: dict[str, Any] = {"message": message, "file": file, "line": line, "exit_code": exit_code}
    if problems and len(problems) > 1:
        body["problems"] = [{"message": p.message, "file": p.file, "line": p.line} for p in problems]
    return inert_json({"error": body})


def _fail(exc: CertdrillError | None, exit_code: int, as_json: bool) -> typer.Exit:
    """Say what went wrong (a JSON object on stdout under --json, `Error: …` lines on stderr otherwise)."""
    if as_json:
        if exc is None:
            sys.stdout.write(error_object("interrupted", exit_code) + "\n")
        else:
            problems = exc.problems if isinstance(exc, BankError) else None
            sys.stdout.write(error_object(exc.message, exit_code, file=exc.file, line=exc.line, problems=problems) + "\n")
        sys.stdout.flush()
    elif isinstance(exc, BankError):
        console = err_console()
        for line in exc.lines():
            console.print(show_controls(line), markup=False, highlight=False)
    elif exc is not None:
        err_console().print(show_controls(f"Error: {exc}"), markup=False, highlight=False)
    return typer.Exit(exit_code)


def _os_error(exc: OSError) -> CertdrillError:
    return CertdrillError(exc.strerror or str(exc), file=None if exc.filename is None else str(exc.filename))


def errors_to_exit(fn: F) -> F:
    """Turn expected errors into `Error: …` on stderr (under --json or --jsonl, one JSON object on
    stdout) and an exit code; Ctrl-C exits 130; an OSError nothing else caught is one line naming
    its path, exit 1; bugs still show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json") or kwargs.get("as_jsonl"))
        try:
            return fn(*args, **kwargs)
        except CertdrillError as exc:
            raise _fail(exc, exc.exit_code, as_json) from None
        except KeyboardInterrupt:
            raise _fail(None, 130, as_json) from None
        except OSError as exc:  # the machine, not certdrill: a path no check foresaw; its name and what is wrong
            if isinstance(exc, BrokenPipeError):
                raise
            raise _fail(_os_error(exc), 1, as_json) from None
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError):
            from certdrill.services.workspace import diagnose_store

            explained = diagnose_store()  # a damaged cell in the store, or else a bug: its traceback
            if explained is None:
                raise
            raise _fail(explained, explained.exit_code, as_json) from None
        finally:
            gc.unfreeze()  # what services.banks.load_banks froze, once the command is done (tests run many in one process)

    return cast(F, wrapper)


def split_examples(text: object) -> tuple[str | None, str | None]:
    """A help text and the `Examples:` block ending it (one command a line), as (help, epilog):
    click prints an epilog after the options, so the examples end every `--help`."""
    if not isinstance(text, str):
        return None, None
    import inspect

    doc = inspect.cleandoc(text)
    head, found, tail = doc.partition("Examples:\n")
    if not found or (head and not head.endswith("\n")):
        return doc, None
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return head.rstrip(), "Examples:\n" + "\n".join(f"  {line}" for line in lines)


def examples_last(app: typer.Typer) -> typer.Typer:
    """Every command's and group's `Examples:` moved from its help text to its epilog."""
    import inspect

    text, epilog = split_examples(app.info.help)
    if epilog:
        app.info.help, app.info.epilog = text, epilog
    for command in app.registered_commands:  # the command modules' apps are built once a process: move once
        text, epilog = split_examples(command.help or (inspect.getdoc(command.callback) if command.callback else None))
        if epilog:
            command.help, command.epilog = text, epilog
    for group in app.registered_groups:
        if group.typer_instance is not None:
            examples_last(group.typer_instance)
    return app


class OneLineErrors(TyperGroup):
    """Usage errors (an unknown option, a value that is not a number) as one `Error:` line, exit 2,
    instead of a usage block and a framed panel: the same shape as every other bad input."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, windows_expand_args=windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, windows_expand_args=windows_expand_args, **extra)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        except Exception as raised:
            exc: Any = raised  # click's exceptions, told apart by what they have
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already shown
                if exc.format_message().strip():
                    exc.show()
                sys.exit(exc.exit_code)
            if not hasattr(exc, "format_message"):
                raise
            ctx = getattr(exc, "ctx", None)
            hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            code = getattr(exc, "exit_code", 2)
            given = list(sys.argv[1:] if args is None else args)
            if any(flag in given for flag in JSON_FLAGS):
                typer.echo(error_object(f"{exc.format_message()}{hint}", code))
            else:
                typer.echo(show_controls(f"Error: {exc.format_message()}{hint}"), err=True)
            sys.exit(code)
        sys.exit(code if isinstance(code, int) else 0)


def _version(value: bool) -> None:
    if value:
        from certdrill import __version__

        typer.echo(f"certdrill {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """certdrill: study what is due, drill what you missed, sit a mock exam."""


def present_drill(drill: Drill, seed: int | None, *, title: str = "Session summary") -> None:
    """What a drill says before it starts (or instead, when there is nothing to ask), the limits'
    notes, then the session; the store is closed however it ends."""
    from certdrill.ui import render

    try:
        console = out_console()
        console.print(render.safe(drill.empty) if drill.empty else render.safe(drill.heading, "bold"))
        for note in drill.notes:
            console.print(render.safe(note, "yellow"))
        if not drill.empty:
            run_drill(console, drill, seed, title=title)
    finally:
        drill.close()


def run_drill(console: Console, drill: Drill, seed: int | None, *, title: str = "Session summary") -> None:
    """A study, missed or cram session until it ends, then its summary; Ctrl-C shows the summary
    too, then exits 130. `u` takes answers back (drill/undo.py)."""
    from certdrill import clock
    from certdrill.ui import render
    from certdrill.ui.loop import run_session

    still = clock.frozen()
    if seed is None and still is not None:
        seed = clock.to_ms(still)  # a frozen clock (tests, demos) shows the same screens every run
    session = drill.session(seed, pause_after_answer=sys.stdin.isatty())
    interrupted = False
    try:
        run_session(
            session,
            console,
            save=lambda outcome: drill.save(session, outcome),
            save_amend=lambda outcome: drill.save_amend(session, outcome),
            now=clock.now,
            status=lambda: drill.status,
            undo=lambda outcome: drill.undo(session, outcome, clock.now()),
        )
    except KeyboardInterrupt:
        from certdrill.ui.console import after_interrupt

        after_interrupt(console)
        interrupted = True
        console.print()
    today, tomorrow = drill.due_after(session, clock.now())
    due = render.DueLater(today, tomorrow, len(session.parked), session.rules.max_asks)
    console.print(render.summary(session.tally, drill.bank.topic_title, due, title=title))
    if interrupted:
        raise typer.Exit(130)


def synced(fn: F) -> F:
    """A session that syncs with the configured sync-dir at its start and at its end (also when
    interrupted); a folder that cannot be used is one line on stderr and the session runs anyway."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _session_sync()
        try:
            result = fn(*args, **kwargs)
        except (typer.Exit, KeyboardInterrupt):
            _session_sync()
            raise
        _session_sync()
        return result

    return cast(F, wrapper)


def _session_sync() -> None:
    from certdrill import clock
    from certdrill.errors import CertdrillError
    from certdrill.services.workspace import load_settings

    try:
        if load_settings().sync_dir is None:
            return  # no sync-dir: the sync modules (pydantic models, 0.2-0.5 s to import) are not even loaded
    except CertdrillError:
        return  # the session itself reports a bad settings file
    from certdrill.services.sync import session_sync

    done = session_sync(now=clock.now(), warn=err_line)
    if done is None:
        return
    from certdrill.ui.sync import session_line

    line = session_line(done)
    if line:
        err_line(line)
