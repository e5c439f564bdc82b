"""docs/coverage.yaml maps every core point of the notes to items, and docs/coverage.md shows it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from certdrill import paths
from certdrill.bank.open import load_bank
from certdrill.errors import CertdrillError
from certdrill.tools.coverage import CORE_MINIMUM, main, parse_map, problems, render

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "coverage.yaml"
DOC = ROOT / "docs" / "coverage.md"

# Core sections named in the issue, with the number of points each has in its note.
CORE_SECTIONS = {
    ("000_6edf646b5463f0e5.txt", "Exam Question Patterns"): 7,
    ("000_6edf646b5463f0e5.txt", "Common Pitfalls"): 4,
    ("001_dc26a4dcab406153.txt", "Checkpoint Questions"): 5,
    ("002_fa050057739c0e47.txt", "Troubleshooting table"): 6,
    ("002_fa050057739c0e47.txt", "Exam Tip"): 8,
    ("004_2a3a88d39c5f83df.txt", "Key Takeaways"): 5,
}


@pytest.fixture(scope="module")
def bank():
    return load_bank(paths.builtin_bank_dir())


@pytest.fixture(scope="module")
def points():
    return parse_map(MAP)


def test_every_listed_item_exists(points, bank):
    ids = set(bank.by_id())
    missing = [(p.line, i) for p in points for i in p.items if i not in ids]
    assert not missing


def test_every_point_has_an_item_and_core_points_several(points):
    thin = [(p.line, p.point) for p in points if len(set(p.items)) < (CORE_MINIMUM if p.core else 1)]
    assert not thin


def test_every_core_section_of_the_issue_is_listed_in_full(points):
    counts = Counter((p.note, p.section) for p in points if p.core)
    for key, expected in CORE_SECTIONS.items():
        assert counts[key] == expected, key
    assert any(p.section == "Most-missed points" and p.core for p in points)
    assert {p.note for p in points if p.core} == {p.note for p in points}


def test_map_has_no_problems(points, bank):
    assert problems(points, bank) == []


def test_coverage_doc_is_up_to_date(points, bank):
    assert DOC.read_text(encoding="utf-8") == render(points, bank), "run: python -m certdrill.tools.coverage"


def test_check_mode_passes_on_the_repo_and_fails_on_a_stale_doc(tmp_path, capsys):
    assert main(["--check", "--map", str(MAP), "--out", str(DOC)]) == 0
    stale = tmp_path / "coverage.md"
    stale.write_text("old\n", encoding="utf-8")
    assert main(["--check", "--map", str(MAP), "--out", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "old\n"


def test_render_mode_writes_the_doc(tmp_path):
    out = tmp_path / "coverage.md"
    assert main(["--map", str(MAP), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")


def test_problems_name_unknown_ids_thin_core_points_and_unknown_notes(tmp_path, mini):
    data = tmp_path / "map.yaml"
    data.write_text(
        "- note: 004_2a3a88d39c5f83df.txt\n  section: S\n  point: one item only\n  items: [roles-pull]\n"
        "- note: 004_2a3a88d39c5f83df.txt\n  section: S\n  point: a fact\n  core: false\n  items: [no-such-item]\n"
        "- note: 999.txt\n  section: S\n  point: elsewhere\n  core: false\n  items: [roles-pull]\n",
        encoding="utf-8",
    )
    found = problems(parse_map(data), load_bank(mini))
    assert any("line 1" in f and "1 item(s); a core point needs 2" in f for f in found)
    assert any("line 5" in f and "no item 'no-such-item'" in f for f in found)
    assert any("no item cites the note '999.txt'" in f for f in found)
    assert main(["--check", "--map", str(data), "--bank", str(mini), "--out", str(tmp_path / "x.md")]) == 1


def test_a_malformed_entry_is_reported_with_its_line(tmp_path):
    data = tmp_path / "map.yaml"
    data.write_text("- note: n\n  section: s\n  point: p\n  items: [a]\n- note: n\n  section: s\n  pont: typo\n", encoding="utf-8")
    with pytest.raises(CertdrillError) as info:
        parse_map(data)
    assert str(info.value).startswith(f"{data}:5:")
    assert main(["--map", str(data)]) == 2
