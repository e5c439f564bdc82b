"""Hypothesis writes banks and progress files, valid, nearly valid and hostile; the CLI must never
show a traceback, must answer bad input with exit code 2 and `file:line: message`, and must then
have written nothing at all."""

import json
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import ITEM, fresh_home

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

VALID_TOPIC = (
    ITEM
    + """\
  - id: t-two
    type: flashcard
    prompt: Front
    back: Back
    explanation: Why.
    sources: [{note: n.txt, quote: q}]
"""
)

VALID_PROGRESS = """\
{
  "format": "certdrill-progress",
  "version": 1,
  "reviews": [
    {"id": "r1", "item_id": "t-one", "bank": "b", "reviewed_at": "2026-11-20T09:00:00Z", "rating": 3, "answer": [1], "correct": true, "duration_ms": 1200, "kind": "study", "session_id": "s"},
    {"id": "r2", "item_id": "t-two", "reviewed_at": "2026-11-21T09:00:00.500Z", "rating": 1}
  ],
  "cards": []
}
"""

# Characters that matter to YAML and JSON syntax, to terminals, and to decoders.
SYNTAX = ":-[]{}&*!|>'\"#%@,?\\\n \t"
NASTY = "\x00\x1b\x07\x9b\u202e\ufeff\u2028é"
chunks = st.text(alphabet=st.sampled_from(list(SYNTAX + NASTY + "abtrue0123")), max_size=12)


@st.composite
def mutated(draw, text: str):
    """A valid document with a few random insertions, deletions or replacements."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert":
            text = text[:at] + draw(chunks) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            piece = draw(chunks)
            text = text[:at] + piece + text[at + len(piece) :]
    return text


def paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from paths(child, (*prefix, key))


@st.composite
def one_value_changed(draw, document: dict, new_values):
    """A valid document with one value (at any depth) replaced by something else, or removed."""
    doc = json.loads(json.dumps(document))
    path = draw(st.sampled_from(list(paths(doc))[1:]))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(new_values)
    return doc


ITEM_KEYS = ["id", "type", "prompt", "choices", "answer", "back", "explanation", "tags", "sources", "status", "previous_ids", "note", "quote", "extra"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["single", "multi", "a", "b", "t-one"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(ITEM_KEYS), inner, max_size=5), max_leaves=20)
items = st.dictionaries(st.sampled_from(ITEM_KEYS), values, max_size=10)
structured_topics = st.fixed_dictionaries({}, optional={"topic": values, "title": values, "items": st.lists(items, max_size=4) | values})

bank_files = st.one_of(
    mutated(VALID_TOPIC),
    one_value_changed(yaml.safe_load(VALID_TOPIC), values).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    structured_topics.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.binary(max_size=200),
)


def files_in(home: Path) -> list[str]:
    return sorted(str(p) for p in home.rglob("*")) if home.exists() else []


def assert_no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def assert_bad_input_reported(result, name: str) -> None:
    """Exit 2, and each problem as file:line: message naming the file."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and all(re.match(rf"^(Error: )?.*{re.escape(name)}:\d+: \S", line) for line in lines), result.output


@FUZZ
@given(content=bank_files)
def test_fuzzed_banks(cli, content):
    with fresh_home() as home, tempfile.TemporaryDirectory() as folder:
        bank = Path(folder) / "bank"
        bank.mkdir()
        (bank / "t.yaml").write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        lint = cli("bank", "lint", bank)
        assert_no_traceback(lint)
        assert lint.exit_code in (0, 1, 2), lint.output
        if lint.exit_code == 2:
            assert_bad_input_reported(lint, "t.yaml")
        study = cli("study", "--bank", bank, "--new", "1", input="a\n\n3\n")
        assert_no_traceback(study)
        assert (study.exit_code == 2) == (lint.exit_code == 2), study.output
        if study.exit_code == 2:
            assert_bad_input_reported(study, "t.yaml")
            assert files_in(home) == []
        else:
            assert study.exit_code == 0, study.output


progress_reviews = st.dictionaries(
    st.sampled_from(["id", "item_id", "bank", "reviewed_at", "rating", "answer", "correct", "duration_ms", "kind", "session_id", "x"]),
    st.one_of(scalars, st.sampled_from(["2026-11-20T09:00:00Z", "2026-11-20", "r1", "study"]), st.lists(st.integers(-3, 30), max_size=3)),
    max_size=11,
)
structured_progress = st.fixed_dictionaries(
    {},
    optional={
        "format": st.sampled_from(["certdrill-progress", "other", ""]) | scalars,
        "version": st.sampled_from([0, 1, 2, 99, -1, True, "1"]) | scalars,
        "reviews": st.lists(progress_reviews, max_size=4) | values,
        "cards": st.lists(st.dictionaries(st.sampled_from(["item_id", "state", "due"]), scalars, max_size=3), max_size=2) | values,
    },
)
progress_files = st.one_of(
    mutated(VALID_PROGRESS),
    one_value_changed(json.loads(VALID_PROGRESS), values | st.sampled_from(["2026-13-01T00:00:00Z", "2026-11-20T09:00:00", "r1", -1, 5, 2**63])).map(
        lambda d: json.dumps(d, indent=1, ensure_ascii=False)
    ),
    structured_progress.map(lambda d: json.dumps(d, indent=1, ensure_ascii=False)),
    st.binary(max_size=200),
)


@FUZZ
@given(content=progress_files)
def test_fuzzed_progress_files(cli, content):
    with fresh_home() as home, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "progress.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        result = cli("import", path)
        assert_no_traceback(result)
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert_bad_input_reported(result, "progress.json")
            assert files_in(home) == []
