"""Environment faults: a home that is a file or lies under one, a name longer than 255 bytes, a home
this user may not enter, a FIFO for the settings, Ctrl-C while the entry point imports, a terminal
that cannot encode every character, a nearly full disk on first use. Each is one clear line naming
the path and what is wrong, a meaningful exit code and nothing written, or (for the encoding) a
replaced rendering; never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from certdrill.store import db as db_module
from certdrill.store.migrations import MIGRATIONS
from support import in_sandbox, integrity, stored_reviews, truefalse_bank

# Every command that opens the data folder, with arguments it can run with.
COMMANDS = {
    "study": ["study", "--bank", "{mini}"],
    "missed": ["missed", "--bank", "{mini}"],
    "exam": ["exam", "--bank", "{mini}", "--count", "2"],
    "cram": ["cram", "--bank", "{mini}"],
    "stats": ["stats", "--bank", "{mini}"],
    "stats --json": ["stats", "--json", "--bank", "{mini}"],
    "export -o -": ["export", "-o", "-", "--bank", "{mini}"],
    "import": ["import", "{progress}"],
    "item": ["item", "ecr-scan", "--bank", "{mini}"],
    "undo": ["undo"],
    "suspend": ["suspend", "ecr-scan", "--bank", "{mini}"],
    "optimize --show": ["optimize", "--show"],
    "config show": ["config", "show"],
    "config set": ["config", "set", "new-per-day", "5"],
    "backup list": ["backup", "list"],
    "backup now": ["backup", "now"],
}


def args_of(name: str, mini: Path, progress: Path) -> list[str]:
    return [part.format(mini=mini, progress=progress) for part in COMMANDS[name]]


@pytest.fixture
def progress_file(tmp_path) -> Path:
    path = tmp_path / "progress.json"
    path.write_text('{"format": "certdrill-progress", "version": 1, "reviews": []}')
    return path


def said(result) -> str:
    """The one error line: `Error: …` on stderr, or under --json the JSON error's file and message."""
    if result.output.startswith('{"error"'):
        error = json.loads(result.output)["error"]
        return f"{error['file']}: {error['message']}"
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def a_file_home(tmp_path: Path) -> tuple[Path, Path, str]:
    (tmp_path / "file").write_text("not a folder\n")
    return tmp_path / "file", tmp_path / "file", "it is a file, not a folder"


def under_a_file(tmp_path: Path) -> tuple[Path, Path, str]:
    (tmp_path / "file").write_text("not a folder\n")
    return tmp_path / "file" / "certdrill", tmp_path / "file", "above it, is a file, not a folder"


def a_name_too_long(tmp_path: Path) -> tuple[Path, Path, str]:
    return tmp_path / ("x" * 256) / "certdrill", tmp_path, "256 bytes long, more than the 255"


def a_long_name_in_utf8(tmp_path: Path) -> tuple[Path, Path, str]:
    return tmp_path / ("é" * 128), tmp_path, "256 bytes long, more than the 255"  # 128 characters, 256 bytes


def a_symlink_loop(tmp_path: Path) -> tuple[Path, Path, str]:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    return tmp_path / "loop" / "certdrill", tmp_path / "loop", "Too many levels of symbolic links"


FAULTS = {
    "home is a file": a_file_home,
    "home under a file": under_a_file,
    "a 256-byte name": a_name_too_long,
    "256 bytes of UTF-8": a_long_name_in_utf8,
    "a loop of symbolic links": a_symlink_loop,
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_home_that_cannot_be_a_folder_is_one_line_naming_it(fault, command, cli, mini, tmp_path, progress_file, monkeypatch):
    (tmp_path / "faults").mkdir()  # the progress file stays out of the watched folder
    home, watched, words = FAULTS[fault](tmp_path / "faults")
    before = snapshot(watched.parent)
    monkeypatch.setenv("CERTDRILL_HOME", str(home))
    result = cli(*args_of(command, mini, progress_file), input="a\n")
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    line = said(result)
    assert words in line and str(home) in line and "Traceback" not in result.output, line
    assert snapshot(watched.parent) == before


@pytest.mark.parametrize("fault", FAULTS)
def test_bank_commands_need_no_home(fault, cli, mini, tmp_path, monkeypatch):
    home, _, _ = FAULTS[fault](tmp_path)
    monkeypatch.setenv("CERTDRILL_HOME", str(home))
    for args in (["bank", "list", "--bank", mini], ["bank", "lint", mini]):
        result = cli(*args)
        assert result.exit_code == 0 and "Error" not in result.output, result.output


@pytest.mark.skipif(sys.platform != "linux", reason="XDG variables are the Linux convention")
@pytest.mark.parametrize("kind", ["data", "config", "cache"])
def test_xdg_dirs_under_a_file_are_named_and_a_broken_cache_is_skipped(kind, cli, mini, tmp_path, monkeypatch):
    monkeypatch.delenv("CERTDRILL_HOME")
    (tmp_path / "file").write_text("not a folder\n")
    for name in ("data", "config", "cache"):
        monkeypatch.setenv(f"XDG_{name.upper()}_HOME", str(tmp_path / ("file" if name == kind else name)))
    result = cli("study", "--bank", mini, input="a\n")
    if kind == "cache":  # the bank cache is only a cache: studying goes on without it
        assert result.exit_code == 0 and "Correct." in result.output, result.output
        return
    assert result.exit_code == 3, result.output
    assert said(result).startswith(f"Error: {tmp_path / 'file' / 'certdrill'}: {tmp_path / 'file'}, above it, is a file"), said(result)


def test_a_fifo_for_the_settings_is_one_line_not_a_hang(cli, mini, home):
    home.mkdir(parents=True)
    os.mkfifo(home / "config.json")
    for args in (["stats", "--bank", mini], ["config", "show"], ["study", "--bank", mini]):
        result = cli(*args, input="a\n")
        assert result.exit_code == 2, result.output
        assert "not a regular file" in said(result) and str(home / "config.json") in said(result)


def test_a_home_this_user_may_not_read_is_one_line(cli, mini, home, progress_file):
    """As root (here) mode 000 stops nothing; `os.access` is what certdrill asks, so it is told no."""
    assert cli("study", "--bank", mini, input="a\n").exit_code == 0
    before = snapshot(home)
    real = os.access
    with pytest.MonkeyPatch.context() as patch:  # not the fixture's undo, which would also drop CERTDRILL_HOME
        patch.setattr("certdrill.paths.os.access", lambda path, mode, **kw: False if Path(path) == home else real(path, mode, **kw))
        for command in COMMANDS:
            result = cli(*args_of(command, mini, progress_file), input="a\n")
            assert result.exit_code == 3, (command, result.output)
            assert "permission denied" in said(result) and str(home) in said(result), (command, said(result))
    assert snapshot(home) == before


def as_nobody() -> list[str] | None:
    """The command prefix that runs a process as an unprivileged user (mode 000 denies only those)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    return None


@pytest.mark.slow
def test_mode_000_for_real(mini, tmp_path, progress_file):
    prefix = as_nobody()
    if prefix is None:
        pytest.skip("needs setpriv to drop root")
    top = Path(tempfile.mkdtemp(prefix="certdrill-mode000-"))  # under /tmp, which anyone may enter, unlike pytest's tmp_path
    try:
        top.chmod(0o755)
        home = top / "home"
        home.mkdir()
        env = {**os.environ, "CERTDRILL_HOME": str(home), "NO_COLOR": "1"}
        subprocess.run([sys.executable, "-m", "certdrill", "study", "--bank", str(mini)], input="a\n", text=True, env=env, capture_output=True, check=True)
        if prefix:  # the folder nobody's own, as a user's home is: mode 000 is what stops them
            for path in (home, *home.rglob("*")):
                os.chown(path, 65534, 65534)
        home.chmod(0o000)
        for command in ("study", "stats", "export -o -", "config show", "backup list", "backup now"):
            done = subprocess.run(
                [*prefix, sys.executable, "-m", "certdrill", *args_of(command, mini, progress_file)],
                input="a\n",
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 3 and "Traceback" not in done.stderr, (command, done.stderr)
            assert done.stderr.startswith(f"Error: {home}: permission denied") and len(done.stderr.splitlines()) == 1, (command, done.stderr)
    finally:
        (top / "home").chmod(0o755)
        shutil.rmtree(top)


def test_ctrl_c_while_the_entry_point_imports_exits_130(tmp_path):
    """`python -m certdrill` imports certdrill.cli before main() and its handler exist."""
    hook = (
        "import runpy, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'certdrill.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['certdrill', 'stats']\n"
        "runpy.run_module('certdrill', run_name='__main__', alter_sys=True)\n"
    )
    env = {**os.environ, "CERTDRILL_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", hook], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 130 and "Traceback" not in done.stderr, done.stderr


TITLE = "Mini — ECR × IAM → Straße “quoted” 日本 😀"


def non_ascii_bank(tmp_path: Path, mini: Path) -> Path:
    bank = shutil.copytree(mini, tmp_path / "bank")
    text = (bank / "bank.yaml").read_text()
    (bank / "bank.yaml").write_text(text.replace("title: Mini test bank", f"title: {TITLE}"))
    return bank


ENCODED = [
    ["study", "--bank", "{bank}"],
    ["exam", "--bank", "{bank}", "--count", "2"],
    ["stats", "--bank", "{bank}"],
    ["item", "ecr-scan", "--bank", "{bank}"],
    ["bank", "list", "--bank", "{bank}"],
    ["bank", "audit", "{bank}"],
    ["exam", "--help"],
    ["stats", "--bank", "{bank}", "--json"],
    ["bank", "list", "--bank", "{bank}", "--jsonl"],
    ["export", "-o", "-", "--bank", "{bank}"],
    ["config", "set", "new-per-day", "nope"],
]


def as_declared_or_utf8(raw: bytes, encoding: str) -> str:
    """click writes UTF-8 where a stream says ASCII (it takes that for a misconfiguration)."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode("utf-8")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_terminal_that_cannot_encode_everything_gets_a_replaced_rendering(encoding, tmp_path, mini):
    bank = non_ascii_bank(tmp_path, mini)
    env = {
        **os.environ,
        "CERTDRILL_HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "PYTHONIOENCODING": encoding,
    }
    for template in ENCODED:
        args = [part.format(bank=bank) for part in template]
        done = subprocess.run([sys.executable, "-m", "certdrill", *args], input=b"a\n\xe9\n\n\n", env=env, capture_output=True, timeout=60)
        assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr, (args, done.stderr.decode("utf-8", "replace"))
        stderr = done.stderr.decode(encoding)  # what the terminal can show, and nothing else
        if args[:2] == ["config", "set"]:
            assert done.returncode == 2 and len(stderr.splitlines()) == 1, stderr
            continue
        assert done.returncode == 0, (args, stderr)
        if "--json" in args or "--jsonl" in args or "-" in args:  # a JSON document: escaped or UTF-8 (JSON's own), never replaced
            text = as_declared_or_utf8(done.stdout, encoding)
            documents = [json.loads(line) for line in text.splitlines()] if "--jsonl" in args else [json.loads(text)]
            assert "--jsonl" in args or documents[0]["bank"]["title"] == TITLE
            continue
        stdout = done.stdout.decode(encoding)
        if args[0] == "stats":  # the title as the terminal can show it: stand-ins for symbols, `?` for the rest
            assert ('Mini -- ECR x IAM -> Stra?e "quoted" ?? ?' if encoding == "ascii" else 'Mini -- ECR × IAM -> Straße "quoted" ?? ?') in stdout, stdout


def capped_first_use(monkeypatch, pages: int) -> None:
    """The first use's migrations run out of room after `pages` pages, as on a nearly full disk."""
    real = db_module._migrate

    def migrate(conn, version, path):
        if conn.execute("PRAGMA database_list").fetchone()[2]:  # the file, not the empty store in memory
            conn.execute(f"PRAGMA max_page_count = {pages}")
        return real(conn, version, path)

    monkeypatch.setattr(db_module, "_migrate", migrate)


@pytest.mark.parametrize("pages", [1, 2, 4, 8, 12, 16])
def test_first_use_on_a_nearly_full_disk_is_all_or_nothing(pages, cli, mini, home):
    with pytest.MonkeyPatch.context() as patch:
        capped_first_use(patch, pages)
        result = cli("study", "--bank", mini, input="a\n")
        assert result.exit_code == 3, result.output
        assert "the disk is full" in said(result) and "rollback" not in result.output
        assert "Question 1" not in result.output
        for args in (["stats", "--bank", mini], ["export", "-o", "-", "--bank", mini], ["item", "ecr-scan", "--bank", mini]):
            assert cli(*args).exit_code == 0, (args, cli(*args).output)  # nothing studied yet, and that reads fine
    conn = sqlite3.connect(home / "progress.sqlite3")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0  # never half-upgraded
    finally:
        conn.close()
    assert cli("study", "--bank", mini, input="a\n").exit_code == 0
    assert len(stored_reviews(home)) == 1


def test_after_a_failed_write_on_a_full_disk_reading_commands_still_work(cli, tmp_path, home, monkeypatch):
    from certdrill.store import connection as store_module

    bank = truefalse_bank(tmp_path / "tf", 100)
    cli("study", "--bank", bank, "--new", "1", input="t\n")
    pages: dict[str, int] = {}
    real = store_module.connect

    def capped(path, **kwargs):
        conn = real(path, **kwargs)
        pages.setdefault("count", conn.execute("PRAGMA page_count").fetchone()[0])
        conn.execute(f"PRAGMA max_page_count = {pages['count'] + 2}")
        return conn

    monkeypatch.setattr(store_module, "connect", capped)
    result = cli("study", "--bank", bank, "--new", "100", input="t\n" * 100)
    assert result.exit_code == 3 and "the disk is full" in said(result)
    graded = result.output.count("Correct.")
    for args in (["stats", "--bank", bank], ["stats", "--json", "--bank", bank], ["item", "tf-000", "--bank", bank]):
        assert cli(*args).exit_code == 0, (args, cli(*args).output)
    exported = cli("export", "-o", "-", "--bank", bank)
    assert exported.exit_code == 0 and len(json.loads(exported.output)["reviews"]) == 1 + graded


@pytest.mark.slow
@pytest.mark.parametrize("free_kb", [0, 16, 48, 96, 128])
def test_first_use_on_a_nearly_full_disk_for_real(free_kb, mini, home, tmp_path):
    seed = tmp_path / "seed"
    seed.mkdir()
    home.mkdir(parents=True)
    commands = [{"args": ["study", "--bank", str(mini)], "input": "a\n"}, {"args": ["stats", "--bank", str(mini)]}, {"args": ["export", "-o", "-"]}]
    out = tmp_path / "after"
    report = in_sandbox(
        {"mount": "full", "home": str(home), "seed": str(seed), "size_kb": 400, "leave_free_kb": free_kb, "commands": commands, "copy_to": str(out)}
    )
    study, stats, export = report["commands"]
    assert study["code"] == 3 and "the disk is full" in study["stderr"] and "rollback" not in study["stderr"], study
    assert [line for line in study["stderr"].splitlines() if line.startswith("Error")] == study["stderr"].splitlines()[-1:]
    assert stats["code"] == 0 and export["code"] == 0, (stats, export)
    assert json.loads(export["stdout"])["reviews"] == []
    if (out / "progress.sqlite3").exists():
        conn = sqlite3.connect(out / "progress.sqlite3")
        try:
            version, tables = conn.execute("PRAGMA user_version").fetchone()[0], conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
        assert (version, tables > 0) in ((0, False), (len(MIGRATIONS), True)), (version, tables)
        assert integrity(out / "progress.sqlite3") == "ok"


@pytest.mark.slow
def test_after_a_failed_write_on_a_full_disk_for_real(tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 300)
    subprocess.run(
        [sys.executable, "-m", "certdrill", "study", "--bank", str(bank), "--new", "1"],
        input="t\n",
        text=True,
        env=dict(os.environ),
        check=True,
        capture_output=True,
    )
    seed = shutil.copytree(home, tmp_path / "seed")
    commands = [
        {"args": ["study", "--bank", str(bank), "--new", "300"], "input": "t\n" * 300},
        {"args": ["stats", "--bank", str(bank)]},
        {"args": ["stats", "--json", "--bank", str(bank)]},
        {"args": ["item", "tf-000", "--bank", str(bank)]},
        {"args": ["export", "-o", "-"]},
    ]
    report = in_sandbox({"mount": "full", "home": str(home), "seed": str(seed), "size_kb": 400, "leave_free_kb": 120, "commands": commands})
    study, *readers, export = report["commands"]
    assert study["code"] == 3 and "the disk is full" in study["stderr"], study
    assert [c["code"] for c in [*readers, export]] == [0, 0, 0, 0], [c["stderr"] for c in [*readers, export]]
    assert len(json.loads(export["stdout"])["reviews"]) == 1 + study["stdout"].count("Correct.")
