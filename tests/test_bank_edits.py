"""Banks change between sessions: progress follows the ids, whatever happens to the text."""

import shutil

import pytest

from certdrill.store.store import Store
from support import stored_cards, stored_reviews


@pytest.fixture
def bank(tmp_path, mini):
    folder = tmp_path / "bank"
    shutil.copytree(mini, folder)
    return folder


def edit(bank, name, old, new):
    path = bank / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def study_pull(cli, bank):
    """Answer roles-pull once (right or wrong does not matter here)."""
    result = cli("study", "--bank", bank, "--item", "roles-pull", input="a\n")
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def before(cli, bank, home):
    """roles-pull answered once: its card as it was then."""
    study_pull(cli, bank)
    return stored_cards(home)["roles-pull"]


def test_an_edited_item_keeps_its_schedule(cli, bank, home, before):
    edit(bank, "roles.yaml", "Which role pulls a private ECR image for a Fargate task?", "Which IAM role lets ECS pull a private image from ECR?")
    edit(bank, "roles.yaml", "      - Service-linked role\n", "      - The ECS service-linked role\n")
    result = cli("study", "--bank", bank, "--new", "0", input="q\n")
    assert "1 due, 0 new" in result.output
    assert stored_cards(home)["roles-pull"] == before


def test_a_removed_item_is_retired_and_resumes_when_it_returns(cli, bank, home, before):
    original = (bank / "roles.yaml").read_text()
    start, end = original.index("  - id: roles-pull"), original.index("  - id: roles-runtime")
    (bank / "roles.yaml").write_text(original[:start] + original[end:])
    studied = cli("study", "--bank", bank, "--new", "0", input="q\n")
    assert "roles-pull" not in studied.output and "Nothing due" in studied.output
    lint = cli("bank", "lint", bank)
    assert lint.exit_code == 0
    assert "warning: id 'roles-pull' has 1 review but is no longer in the bank: it is retired" in lint.output
    assert [r.item_id for r in stored_reviews(home)] == ["roles-pull"]
    (bank / "roles.yaml").write_text(original)
    assert "no longer in the bank" not in cli("bank", "lint", bank).output
    back = cli("study", "--bank", bank, "--new", "0", input="q\n")
    assert "1 due, 0 new" in back.output
    assert stored_cards(home)["roles-pull"] == before


def test_a_renamed_item_carries_its_history_over(cli, bank, home, before):
    edit(bank, "roles.yaml", "  - id: roles-pull\n", "  - id: roles-image-pull\n    previous_ids: [roles-pull]\n")
    assert "no longer in the bank" not in cli("bank", "lint", bank).output
    result = cli("study", "--bank", bank, "--new", "0", input="q\n")
    assert "1 due, 0 new" in result.output
    assert [r.item_id for r in stored_reviews(home)] == ["roles-image-pull"]
    assert stored_cards(home) == {"roles-image-pull": before}
    store = Store.open(home / "progress.sqlite3")
    try:
        assert store.apply_renames({"roles-pull": "roles-image-pull"}) == 0  # done once; again it is a no-op
    finally:
        store.close()
    answered = cli("study", "--bank", bank, "--new", "0", input="a\nq\n")  # the id is shown after the answer (issue 12)
    assert "1 due, 0 new" in answered.output and "roles-image-pull" in answered.output


def test_a_rename_merges_history_logged_under_both_ids(cli, bank, home):
    """Another device kept studying under the old id; after the import both histories count."""
    study_pull(cli, bank)
    edit(bank, "roles.yaml", "  - id: roles-pull\n", "  - id: roles-image-pull\n    previous_ids: [roles-pull]\n")
    cli("study", "--bank", bank, "--item", "roles-image-pull", input="q\n")
    store = Store.open(home / "progress.sqlite3")
    try:
        store.conn.execute("INSERT INTO reviews (id, item_id, bank, reviewed_at, rating) VALUES ('zz-other-device', 'roles-pull', 'mini', 1795600000000, 3)")
    finally:
        store.close()
    cli("study", "--bank", bank, "--new", "0", input="q\n")
    assert sorted(r.item_id for r in stored_reviews(home)) == ["roles-image-pull", "roles-image-pull"]
    assert stored_cards(home)["roles-image-pull"].reps == 2


def test_two_items_cannot_claim_one_old_id(cli, bank):
    edit(bank, "roles.yaml", "  - id: roles-pull\n", "  - id: roles-pull-2\n    previous_ids: [old-id]\n")
    edit(bank, "ecr.yaml", "  - id: ecr-scan\n", "  - id: ecr-scan\n    previous_ids: [old-id]\n")
    result = cli("bank", "lint", bank)
    assert result.exit_code == 2 and "'old-id' is also claimed by" in result.output


def test_lint_warns_only_about_ids_of_this_bank(cli, bank, home, mini):
    study_pull(cli, bank)
    other = cli("bank", "lint")  # the built-in bank has no progress here
    assert other.exit_code == 0 and "no longer in the bank" not in other.output
