"""Bad flags get one line, exit code 2, and nothing written; --item asks exactly the items named."""

import pytest

from support import stored_reviews


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["study", "--new", "-1"], "--new: -1 is out of range (0 to 10000)"),
        (["study", "--reviews", "100001"], "--reviews: 100001 is out of range"),
        (["study", "--retention", "0.5"], "--retention: 0.5 is out of range (0.7 to 0.99)"),
        (["study", "--retention", "nan"], "--retention: nan is out of range"),
        (["study", "--new", "lots"], "Invalid value for '--new'"),
        (["study", "--new", "99999999999999999999999"], "--new: 99999999999999999999999 is out of range"),
        (["study", "--topic", "nope"], "--topic: unknown topic 'nope'; known: ecr, roles"),
        (["study", "--item", "nope"], "--item: unknown item id 'nope' in mini (certdrill bank list shows the ids)"),
        (["study", "--item", "ecr-scna"], "--item: unknown item id 'ecr-scna' in mini; did you mean ecr-scan"),
        (["study", "--topic", "roles", "--item", "ecr-scan"], "--item: unknown item id 'ecr-scan' in the chosen topics"),
        (["study", "--bogus"], "No such option: --bogus"),
        (["missed", "--days", "0"], "--days: 0 is out of range (1 to 3650)"),
        (["missed", "--limit", "0"], "--limit: 0 is out of range"),
        (["missed", "--topic", "nope"], "--topic: unknown topic 'nope'"),
        (["bank", "list", "--topic", "nope"], "--topic: unknown topic 'nope'"),
        (["export", "-o", "x.json", "--format", "csv"], "--format: unknown format 'csv'"),
        (["config", "set", "new-per-day", "20000"], "new-per-day: '20000' is not valid"),
        (["backup", "restore", "nope"], "no backup named 'nope'"),
    ],
)
def test_bad_flags_get_one_line(cli, mini, home, args, words):
    if args[0] in ("study", "missed") or args[:2] == ["bank", "list"]:
        args = [*args, "--bank", mini]
    result = cli(*args, input="a\n")
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and words in lines[0], result.output
    assert not home.exists() or not any(home.rglob("*.sqlite3"))


def test_item_asks_exactly_the_items_named_in_order(cli, mini, home):
    result = cli("study", "--bank", mini, "--item", "roles-secrets-tf", "--item", "ecr-public-tf", input="f\nf\n")
    assert result.exit_code == 0, result.output
    assert "Mini test bank: 2 chosen items." in result.output
    assert [r.item_id for r in stored_reviews(home)] == ["roles-secrets-tf", "ecr-public-tf"]


def test_item_accepts_an_old_id_from_previous_ids(cli, tmp_path, home):
    bank = tmp_path / "b"
    bank.mkdir()
    (bank / "t.yaml").write_text(
        "topic: t\ntitle: T\nitems:\n  - id: new-id\n    previous_ids: [old-id]\n    type: truefalse\n"
        "    prompt: p\n    answer: true\n    explanation: e\n    sources: [{note: n}]\n"
    )
    result = cli("study", "--bank", bank, "--item", "old-id", input="t\n")
    assert result.exit_code == 0, result.output
    assert [r.item_id for r in stored_reviews(home)] == ["new-id"]
