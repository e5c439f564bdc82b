"""The command line: thin Typer wiring over the core. `--version` answers before importing it."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing's: importing typing costs --version a sixth of its time
if TYPE_CHECKING:
    from collections.abc import Callable

    import typer


def main() -> None:
    try:
        if not _utf8(sys.stdout) or not _utf8(sys.stderr):
            from certdrill.cli.streams import tolerate

            tolerate(sys.argv[1:])
        if sys.argv[1:] in (["--version"], ["-V"]):
            from certdrill import __version__

            sys.stdout.write(f"certdrill {__version__}\n")
            return
        build_app()(prog_name="certdrill")  # `python -m certdrill` too: its usage lines and completion are certdrill's
    except KeyboardInterrupt:  # before a command's own handler exists (while modules import): still 130
        sys.stdout.write("\n")
        sys.exit(130)


def _utf8(stream: object) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def build_app() -> typer.Typer:
    import typer

    from certdrill.cli import backup, bank, config, exam, optimize, progress, stats, study
    from certdrill.cli.common import OneLineErrors, examples_last, root

    application = typer.Typer(
        name="certdrill",
        cls=OneLineErrors,
        help="""Spaced-repetition drills for cloud certification exams.

        Examples:
            certdrill study
            certdrill exam --count 20
            certdrill stats --plan
        """,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=True,
        context_settings={"help_option_names": ["--help", "-h"]},
    )

    application.callback()(root)
    application.command()(study.study)
    application.command()(study.missed)
    application.command()(exam.exam)
    application.command()(stats.stats)
    application.command()(optimize.optimize)
    application.command()(progress.export)
    application.command("import")(progress.import_)
    application.add_typer(bank.app, name="bank")
    application.add_typer(config.app, name="config")
    application.add_typer(backup.app, name="backup")
    for register in _extensions():
        register(application)
    return examples_last(application)


def _extensions() -> list[Callable[[typer.Typer], None]]:
    """Commands that live in their own modules register themselves here."""
    from certdrill.cli import controls, cram, item, sync

    return [controls.register, cram.register, item.register, sync.register]


def __getattr__(name: str) -> typer.Typer:
    """`certdrill.cli.app` is the Typer app, built on first use so that importing this is cheap."""
    if name == "app":
        return build_app()
    raise AttributeError(name)
