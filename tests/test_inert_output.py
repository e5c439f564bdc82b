"""Every output is inert by construction: a bank carrying controls does not load, and if one got in
anyway (an older store, a bank built another way) the one console and the one JSON encoder that every
command uses still let nothing through that a terminal would act on."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from certdrill.bank.open import load_bank
from certdrill.errors import BankError
from certdrill.text import CONTROL, inert_json
from certdrill.ui import render
from certdrill.ui.console import make_console
from support import json_of

# In YAML escapes: CSI clear screen, OSC 52 (clipboard write), OSC 0 (window title), DCS, an 8-bit
# CSI and OSC (C1), DEL, bidi overrides and isolates, a carriage return.
HOSTILE = "\\e[2J\\e]52;c;aGk=\\a\\e]0;owned\\e\\\\\\eP1$qm\\e\\\\\\x9b31m\\x9d0;t\\x9c\\x7f\\u202e\\u2066\\r"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MARKUP = "[bold red]loud[/] [link=https://evil.example]click[/link]"
# Every text field of a manifest and a topic file, as YAML paths (what the loader names in its error).
FIELDS = {
    "title": ("bank.yaml", "title", "title"),
    "description": ("bank.yaml", "description", "description"),
    "topic title": ("t.yaml", "title", "title"),
    "prompt": ("t.yaml", "prompt", "x: prompt"),
    "choice": ("t.yaml", "choice", "x: choices[0]"),
    "why": ("t.yaml", "why", "x: choices[1].why"),
    "explanation": ("t.yaml", "explanation", "x: explanation"),
    "reference": ("t.yaml", "reference", "x: references[0]"),
    "note": ("t.yaml", "note", "x: sources[0].note"),
    "quote": ("t.yaml", "quote", "x: sources[0].quote"),
    "back": ("t.yaml", "back", "y: back"),
}


def write_bank(tmp_path, text: dict[str, str], name: str = "b"):
    """A bank whose fields carry `text[field]` (YAML double-quoted escapes allowed), plain otherwise."""
    t = {field: text.get(field, "") for field in FIELDS}
    t["reference"] = t["reference"].replace(" ", "").replace("\\r", "")  # an address has no white space
    folder = tmp_path / name
    folder.mkdir()
    (folder / "bank.yaml").write_text(f'name: b\ntitle: "Title {t["title"]}"\ndescription: "d {t["description"]}"\n')
    (folder / "t.yaml").write_text(
        f'topic: t\ntitle: "Topic {t["topic title"]}"\nitems:\n'
        f'  - id: x\n    type: single\n    prompt: "Pick {t["prompt"]}"\n'
        f'    choices: ["right {t["choice"]}", {{text: "other", why: "why {t["why"]}"}}]\n    answer: a\n    explanation: "Because {t["explanation"]}"\n'
        f'    references: ["https://docs.aws.amazon.com/{t["reference"]}"]\n'
        f'    sources: [{{note: "n {t["note"]}", quote: "q {t["quote"]}"}}]\n'
        f'  - id: y\n    type: flashcard\n    prompt: "Front"\n    back: "Back {t["back"]}"\n    explanation: e\n    sources: [{{note: n}}]\n'
    )
    return folder


def assert_inert(output: str) -> None:
    found = RAW.search(output)
    assert found is None, f"{found.group()!r} reached the output: {output[max(found.start() - 80, 0) : found.end() + 20]!r}"


COMMANDS = [
    ("study", "--seed", "1"),
    ("missed",),
    ("exam", "--count", "2", "--seed", "1"),
    ("stats",),
    ("stats", "--json"),
    ("bank", "list"),
    ("bank", "list", "--json"),
    ("bank", "list", "--jsonl"),
    ("bank", "audit"),
    ("bank", "audit", "--json"),
    ("export", "-o", "-"),
    ("cram", "--count", "2"),
    ("item", "x"),
    ("item", "x", "--json"),
    ("item", "y"),
    ("stats", "--exam-date", "2026-12-01"),
    ("stats", "--json", "--exam-date", "2026-12-01"),
]


def run(cli, command: tuple[str, ...], bank):
    args = [*command[:2], "--bank", bank, *command[2:]] if command[0] == "bank" else [*command, "--bank", bank]
    if command[0] == "bank" and command[1] in ("audit", "lint"):
        args = [*command[:2], bank, *command[2:]]
    return cli(*args, input="a\n2\na\n\nq\n")  # the flashcard shown and rated, the single item answered


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_bank_with_controls_does_not_load_and_says_where_in_one_line_each(cli, tmp_path, command):
    bank = write_bank(tmp_path, dict.fromkeys(FIELDS, HOSTILE))
    result = run(cli, command, bank)
    assert result.exit_code == 2, result.output
    assert_inert(result.output)
    lines = result.output.splitlines()
    if {"--json", "--jsonl"} & set(command):  # one JSON object on stdout, every problem in it
        (error,) = [json.loads(line)["error"] for line in lines]
        lines = [f"{p['file']}:{p['line']}: {p['message']}" for p in error["problems"]]
    for file, _, field in FIELDS.values():
        assert any(re.match(rf"^.*{file}:\d+: {re.escape(field)}: contains control character U\+001B", line) for line in lines), (field, result.output)
    assert all(re.match(r"^\S*(bank|t)\.yaml:\d+: ", line) for line in lines), result.output
    assert "Traceback" not in result.output


def test_lint_of_a_bank_with_controls_names_every_field_and_exits_2(cli, tmp_path):
    result = cli("bank", "lint", write_bank(tmp_path, dict.fromkeys(FIELDS, HOSTILE)))
    assert result.exit_code == 2
    assert_inert(result.output)
    for file, _, field in FIELDS.values():
        assert re.search(rf"{file}:\d+: {re.escape(field)}: contains control character", result.output), field


@settings(max_examples=60, deadline=None)
@given(
    field=st.sampled_from(sorted(FIELDS)),
    control=st.sampled_from(
        ["\\e", "\\x00", "\\x08", "\\x0b", "\\x1f", "\\x7f", "\\x80", "\\x85", "\\x9b", "\\x9f", "\\u2028", "\\u202a", "\\u202e", "\\u2066", "\\u2069", "\\r"]
    ),
    before=st.text(alphabet="abc [];/", max_size=5),
)
def test_any_control_in_any_field_refuses_the_bank_naming_file_line_and_field(tmp_path_factory, field, control, before):
    assume(not (field == "reference" and control == "\\r"))  # write_bank keeps white space out of an address
    tmp_path = tmp_path_factory.mktemp("bank")
    bank = write_bank(tmp_path, {field: before.replace("\\", "") + control})
    file, _, name = FIELDS[field]
    with pytest.raises(BankError) as raised:
        load_bank(bank)
    (line,) = raised.value.lines()
    assert re.match(rf"^.*{file}:\d+: {re.escape(name)}: contains control character U\+[0-9A-F]{{4}}", line), line


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_markup_only_hostility_loads_and_shows_literally(cli, tmp_path, command):
    bank = write_bank(tmp_path, dict.fromkeys(FIELDS, MARKUP))
    result = run(cli, command, bank)
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    if command[0] in ("study", "bank") and "--json" not in command and "audit" not in command:
        assert "[bold red]loud[/]" in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_bank_that_got_in_anyway_is_shown_inert_by_every_command(cli, tmp_path, command, controls_allowed):
    """The second line of defence on its own: the loader's refusal switched off."""
    bank = write_bank(tmp_path, dict.fromkeys(FIELDS, f"{HOSTILE} {MARKUP}"))
    result = run(cli, command, bank)
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    if "--json" in command or command[0] == "export":
        json.loads(result.output)  # still valid JSON: the controls are escapes in it


def test_stats_json_and_export_escape_what_an_older_store_holds(cli, tmp_path, home, mini):
    """A review logged under a bank name with controls (before progress files were checked for them)."""
    assert cli("study", "--bank", mini, "--new", "1", "--seed", "0", input="a\n3\n").exit_code == 0
    name = "b\x9b31m\x7f\u202e\x1b]0;x\x07"
    with sqlite3.connect(home / "progress.sqlite3") as db:
        db.execute("UPDATE reviews SET bank = ?", (name,))
    exported = cli("export", "-o", "-", "--bank", mini)
    assert exported.exit_code == 0, exported.output
    assert_inert(exported.output)
    assert json.loads(exported.output)["reviews"][0]["bank"] == name  # the data intact, only escaped
    report = cli("stats", "--json", "--bank", mini)
    assert_inert(report.output)
    json_of(report)


def test_a_progress_file_with_controls_in_a_name_is_refused(cli, tmp_path):
    review = {"id": "r1", "item_id": "ecr-scan", "bank": "b\x9b31m", "reviewed_at": "2026-11-20T09:00:00.000Z", "rating": 3}
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "certdrill-progress", "version": 1, "reviews": [review]}, ensure_ascii=False))
    result = cli("import", path)
    assert result.exit_code == 2 and "p.json:1: reviews[0].bank: contains a control character" in result.output, result.output
    assert_inert(result.output)


printable_and_controls = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=printable_and_controls, markup=st.booleans())
def test_the_console_drops_controls_from_any_text(text, markup):
    """Whatever string or Text any command prints, the console lets no control through (bar Rich's own styles)."""
    from rich.text import Text

    console = make_console()
    console.file = io.StringIO()
    console.print(Text(text, style="bold"), text if markup else Text(text), markup=markup)
    assert_inert(console.file.getvalue())


@settings(max_examples=200, deadline=None)
@given(text=printable_and_controls)
def test_safe_drops_every_control_character(text):
    assert CONTROL.search(render.safe(text).plain) is None
    assert CONTROL.search(render.prose(text).plain) is None


@settings(max_examples=200, deadline=None)
@given(
    value=st.recursive(
        printable_and_controls | st.integers() | st.none(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(printable_and_controls, inner, max_size=3),
        max_leaves=8,
    )
)
def test_inert_json_escapes_every_control_and_keeps_the_value(value):
    encoded = inert_json(value, indent=1)
    assert RAW.search(encoded.replace("\n", "")) is None
    assert json.loads(encoded) == value


def _reply(prompt: bytes, turn: int) -> str:
    """What a learner types at this prompt: every item answered (the single one wrong once, then
    taken back with u and answered right), the exam answered and submitted; q once enough is seen."""
    if turn >= 12:
        return "q"
    for key, reply in (
        (b"Enter: show", ""),
        (b"How well", "1"),
        (b"Your answer", "b" if turn < 3 else "a"),
        (b"Enter: next", "u" if turn < 3 else ""),
        (b"Answer or key", "a" if turn < 2 else "s"),
        (b"y/n", "y"),
    ):
        if key in prompt:
            return reply
    return "q"


def pty_bytes(args, home, *, allow_controls: bool) -> bytes:
    """Everything a real pseudo-terminal received from one command, as raw bytes."""
    import pexpect

    from support import certdrill_argv, env_for

    child = pexpect.spawn(sys.executable, certdrill_argv(args, allow_controls=allow_controls), env=env_for(home), timeout=20, dimensions=(40, 120))
    seen = b""
    try:
        for turn in range(16):
            if child.expect([pexpect.EOF, rb"> (\x1b\[0m)?$"]) == 0:
                break
            seen += child.before + child.after
            child.sendline(_reply(seen.rsplit(b"\n", 1)[-1], turn))
        else:
            child.expect(pexpect.EOF)
        return seen + child.before
    finally:
        child.close(force=True)


@pytest.mark.slow
@pytest.mark.parametrize("allow_controls", [False, True], ids=["refused", "got in anyway"])
def test_a_real_terminal_gets_no_escape_from_a_hostile_bank_by_any_command(tmp_path, home, allow_controls):
    bank = write_bank(tmp_path, dict.fromkeys(FIELDS, f"{HOSTILE} {MARKUP}"))
    for command in COMMANDS:
        args = [*command[:2], "--bank", bank, *command[2:]] if command[0] == "bank" else [*command, "--bank", bank]
        if command[0] == "bank" and command[1] == "audit":
            args = [*command[:2], bank, *command[2:]]
        raw = pty_bytes(args, home, allow_controls=allow_controls)
        rich_own = re.sub(rb"\x1b\[[0-9;]*m", b"", raw)  # bold and dim, which Rich keeps under NO_COLOR
        text = rich_own.decode("utf-8").replace("\r\n", "\n")
        assert b"Traceback" not in raw, (command, raw[-800:])
        assert_inert(text)
        if not allow_controls:
            assert "contains control character U+001B" in text, (command, text)
        elif shown := {
            "study --seed 1": "Pick [2J]52;c;aGk=]0;owned\\P1$qm\\31m0;t",
            "exam --count 2 --seed 1": "Mock exam 1 on Title [2J]52",
            "stats": "Title [2J]52",
        }.get(" ".join(command)):
            assert shown in text, text


def test_undo_suspend_leech_item_and_cram_show_a_hostile_bank_inert(cli, tmp_path, home, controls_allowed):
    """The commands and session lines issue 13 added (undo, u, suspend, leech notices, item, cram,
    missed --leeches, stats' leeches) over a bank that got in with controls in every field."""
    from datetime import UTC, datetime, timedelta

    from certdrill.schedule.review_log import Review
    from certdrill.store.store import Store

    bank = write_bank(tmp_path, dict.fromkeys(FIELDS, f"{HOSTILE} {MARKUP}"))
    assert cli("config", "set", "leech-lapses", "1").exit_code == 0
    learned = datetime(2026, 10, 1, 9, tzinfo=UTC)
    store = Store.open(home / "progress.sqlite3")
    try:  # x learned: its next wrong answer is a lapse, and so a leech
        store.merge_reviews([Review(f"x-{n}", "x", "b", learned + timedelta(days=3 * n), 3, (0,), True, 1000, "study", "s") for n in range(2)])
    finally:
        store.close()
    # x wrong (a leech), taken back with u, wrong again; then the flashcard shown and rated
    session = cli("study", "--bank", bank, "--item", "x", "--item", "y", input="b\nu\nb\n\n1\nq\n")
    assert session.exit_code == 0, session.output
    assert "Leech: x" in session.output and "Undone: your answer to x" in session.output, session.output
    runs = [
        ("item", "x", "--bank", bank),
        ("item", "x", "--json", "--bank", bank),
        ("stats", "--bank", bank),
        ("stats", "--json", "--bank", bank),
        ("missed", "--leeches", "--bank", bank),
        ("unsuspend", "x", "--bank", bank),
        ("suspend", "x", "--json", "--bank", bank),
        ("unsuspend", "x", "--json", "--bank", bank),
        ("cram", "--bank", bank),
        ("undo",),
        ("undo", "--json"),
    ]
    for args in runs:
        result = cli(*args, input="a\n\nq\n")
        assert result.exit_code == 0, (args, result.output)
        assert_inert(result.output)
        if "--json" in args:
            json.loads(result.output)
    assert_inert(session.output)
