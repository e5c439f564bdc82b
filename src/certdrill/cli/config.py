"""`certdrill config show|set`."""

from __future__ import annotations

from typing import Annotated

import typer

from certdrill.cli.common import errors_to_exit, out_console
from certdrill.text import inert_json

app = typer.Typer(
    help="Show or change settings (daily limits, desired retention, exam date).\n\nExamples:\ncertdrill config show\ncertdrill config set new-per-day 30",
    no_args_is_help=True,
)


@app.command("show")
@errors_to_exit
def show(as_json: Annotated[bool, typer.Option("--json", help="As a JSON object.")] = False) -> None:
    """Show every setting and where the file lives.

    Examples:
        certdrill config show
        certdrill config show --json
    """
    from certdrill import config, paths

    values = config.as_dict(config.load(paths.config_path()))
    if as_json:
        typer.echo(inert_json(values, indent=2))
        return
    console = out_console()
    for key, value in values.items():
        console.print(f"{key} = {'none' if value is None else value}", markup=False)
    console.print(f"(file: {paths.config_path()})", style="dim", markup=False)


@app.command("set")
@errors_to_exit
def set_(
    key: Annotated[str, typer.Argument(help="new-per-day, reviews-per-day, desired-retention or exam-date.")],
    value: Annotated[str, typer.Argument(help="The new value ('none' clears exam-date).")],
) -> None:
    """Change one setting.

    Examples:
        certdrill config set new-per-day 30
        certdrill config set exam-date 2027-03-15
        certdrill config set exam-date none
    """
    from certdrill import clock, config, paths
    from certdrill.clock import to_ms
    from certdrill.services.sync_state import setting_changed

    settings = config.set_value(config.load(paths.config_path()), key, value)
    config.save(paths.config_path(), settings)
    setting_changed(key, settings, to_ms(clock.now()))
    shown = config.as_dict(settings)[key.replace("_", "-")]
    out_console().print(f"{key.replace('_', '-')} = {'none' if shown is None else shown}", markup=False)
