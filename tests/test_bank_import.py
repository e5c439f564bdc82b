"""`certdrill bank import`: community question lists → bank YAML that the loader accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from certdrill.bank.importers import anki_text_reader, csvfile, markdown
from certdrill.bank.importers.convert import convert, item_id_for
from certdrill.bank.importers.question import Question, html_to_text, letters_to_indices
from certdrill.bank.open import load_bank
from certdrill.errors import InputError
from certdrill.store.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def by_line(converted) -> dict:
    return {c.line: c for c in converted}


def topic_items(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text())["items"]


# parsers


def test_markdown_headings_with_task_list_options():
    questions, skipped = markdown.parse(fixture("headings.md"))
    assert skipped == [1, 5]  # the title and "Table of Contents" have no options
    assert [q.line for q in questions] == [9, 20, 29, 34]
    pull = questions[0]
    assert pull.prompt.startswith("A new ECS service on Fargate cannot pull its image")
    assert pull.options == ["The task role.", "The task execution role.", "The EC2 instance profile.", "The ECS service-linked role."]
    assert pull.marked == [1]
    assert pull.explanation == "The ECS agent pulls the image with the task execution role before the application starts."
    assert questions[1].marked == [0, 2]
    login = questions[3]
    assert login.options[2] == "aws ecr create-repository --force"  # a wrapped option line joins its option
    assert login.explanation.startswith("```bash\n# not a question")  # a heading inside a fence stays text


def test_markdown_numbered_lines_with_lettered_options_and_answer_line():
    questions, _ = markdown.parse(fixture("numbered.md"))
    first, second = questions
    assert (first.line, first.options, first.marked) == (3, ["Amazon EC2", "AWS Fargate", "Amazon EBS", "Amazon S3"], [1])
    assert first.explanation == "Fargate is the serverless compute engine for ECS and EKS."
    assert second.marked == [0, 2] and second.explanation == ""


def test_anki_text_rows_headers_and_html():
    questions = anki_text_reader.parse(fixture("deck.txt"), "deck.txt")
    assert [q.line for q in questions] == [6, 7, 8, 9, 10]
    first = questions[0]
    assert first.prompt == "Which service stores private Docker images for ECS?"
    assert first.options == ["Amazon S3", "Amazon ECR", "Amazon EFS", "AWS CodeCommit"] and first.marked == [1]
    assert first.explanation == "ECR is the registry; ECS pulls images from it."
    assert first.tags == ["AWS::ECR", "DVA-C02"]
    assert questions[1].marked == [0, 1]
    assert (questions[2].options, questions[2].back) == ([], "Amazon CloudWatch Logs")
    assert questions[2].prompt == "What does <awslogs> send container output to?"
    assert questions[3].problems == ["no answer letter found on the back"]
    assert questions[4].marked == [1]  # the back gives the right option's text


def test_anki_text_bad_header_names_its_line():
    with pytest.raises(InputError) as exc:
        anki_text_reader.parse("#separator:tab\n#tags column:last\nfront\tback\n", "x.txt")
    assert str(exc.value) == "x.txt:2: #tags column: 'last' is not a column number (1 is the first)"


def test_csv_with_a_choices_column():
    questions = csvfile.parse(fixture("questions.csv"), "questions.csv")
    assert [q.line for q in questions] == [2, 3, 7, 8, 9, 10, 11]  # a quoted field spans lines 3-6
    assert questions[0].options == ["Amazon EC2", "AWS Fargate", "Amazon EBS"] and questions[0].marked == [1]
    assert questions[1].options == ["EC2", "Fargate", "Lambda", "Lightsail"] and questions[1].marked == [0, 1]
    assert (questions[2].options, questions[2].back) == ([], "true")
    assert questions[4].marked == [1]  # answer given as the choice's text
    assert questions[5].problems == ["the answer matches no choice (give letters, numbers or a choice's text)"]


def test_csv_with_one_column_per_choice_and_numbers():
    first, second = csvfile.parse(fixture("per-choice.csv"), "per-choice.csv")
    assert first.options == ["Amazon ECS", "Amazon EKS", "AWS Batch"] and first.marked == [1]
    assert second.marked == [0, 1]


def test_csv_without_a_prompt_column_is_refused():
    with pytest.raises(InputError) as exc:
        csvfile.parse("q,a\nx,y\n", "bad.csv")
    assert str(exc.value) == "bad.csv:1: the header row needs a prompt (or question) column; found: q, a"


@pytest.mark.parametrize(
    ("text", "indices"),
    [("B", [1]), ("a, c", [0, 2]), ("B and D", [1, 3]), ("AC", [0, 2]), ("(a) (c)", [0, 2]), ("Amazon S3", None), ("", None)],
)
def test_letters(text, indices):
    assert letters_to_indices(text) == indices


def test_html_to_text():
    assert html_to_text("a<br>b&amp;c<div>d</div><b>e</b>&nbsp;f") == "a\nb&c\nd\ne f"


# judging and converting


def test_trusted_items_take_the_bank_shapes():
    questions, _ = markdown.parse(fixture("headings.md"))
    items = [c.data for c in convert(questions, source="headings.md")]
    assert [(i["type"], i.get("answer")) for i in items] == [("single", "b"), ("multi", ["a", "c"]), ("truefalse", True), ("single", "b")]
    assert all("status" not in i for i in items)
    assert items[1]["explanation"] == "No explanation in the source (imported from headings.md:20)."
    assert items[0]["sources"] == [{"note": "headings.md:9"}]


def test_untrusted_items_are_kept_for_review_with_a_reason():
    questions, _ = markdown.parse(fixture("broken.md"))
    converted = by_line(convert(questions, source="broken.md"))
    assert converted[3].reasons == ("no answer marked",)
    assert converted[9].reasons == ("the prompt asks to choose two but 1 is marked",)
    assert converted[15].reasons == ("the prompt asks to choose three but 2 are marked",)
    assert converted[22].reasons == ("empty option b",)
    assert converted[28].reasons == ("same question as line 22",)
    assert converted[33].reasons == ("same question as line 3",)
    assert all(c.data["status"] == "needs-review" for c in converted.values())
    no_key = converted[3].data
    assert no_key["type"] == "flashcard"
    assert no_key["back"] == "Options in the source:\n- a) Amazon S3\n- b) Amazon ECR\n- c) Amazon EBS\n\nMarked right in the source: none"
    empty = converted[22].data
    assert (empty["type"], empty["choices"], empty["answer"]) == ("single", ["syslog", "awslogs"], "b")
    assert converted[28].id == f"{converted[22].id}-2"


def test_ids_are_stable_and_ignore_case_spacing_and_bold():
    assert item_id_for("Which role pulls the image?") == item_id_for("  which ROLE pulls\nthe **image**? ")
    assert item_id_for("Which role pulls the image?") != item_id_for("Which role pushes the image?")
    assert item_id_for("Which role pulls the image?").startswith("which-role-pulls-the-image-")
    assert item_id_for("¿Qué?").startswith("que-") and item_id_for("多少").startswith("q-")


def test_control_characters_never_reach_the_bank():
    [converted] = convert([Question(1, "Pick\x1b]0;owned\x07 one", ["a\x1b[2J", "b"], [0])], source="x.md")
    assert converted.data["prompt"] == "Pick]0;owned one" and converted.data["choices"] == ["a[2J", "b"]


# the command


def test_import_writes_a_bank_the_loader_accepts(cli, tmp_path):
    out = tmp_path / "community"
    result = cli("bank", "import", FIXTURES / "broken.md", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Imported 6 questions from" in result.output and "(6 new, 0 updated, 0 unchanged, 0 removed)" in result.output
    assert "6 need review" in result.output
    assert "broken.md:3: no answer marked (which-service-stores-container-images-" in result.output
    bank = load_bank(out)
    assert bank.name == "community" and len(bank.items) == 6
    assert {i.status for i in bank.items} == {"needs-review"}
    assert cli("bank", "lint", out).exit_code == 0


@pytest.mark.parametrize(
    ("name", "count", "review"),
    [("headings.md", 4, 0), ("numbered.md", 2, 0), ("deck.txt", 5, 1), ("questions.csv", 7, 2), ("per-choice.csv", 2, 0)],
)
def test_every_fixture_imports_and_loads(cli, tmp_path, name, count, review):
    result = cli("bank", "import", FIXTURES / name, "-o", tmp_path / "b", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["items"] == count and len(report["needs_review"]) == review
    assert len(load_bank(tmp_path / "b").items) == count


def test_anki_text_export_round_trips_through_import(cli, mini, tmp_path):
    deck = tmp_path / "mini.txt"
    assert cli("export", "-f", "anki-text", "-o", deck, "--bank", mini).exit_code == 0
    result = cli("bank", "import", deck, "-o", tmp_path / "again", "--topic", "all")
    assert result.exit_code == 0, result.output
    original = json.loads(cli("bank", "list", "--json", "--bank", mini).output)
    imported = json.loads(cli("bank", "list", "--json", "--bank", tmp_path / "again").output)
    fields = ("type", "prompt", "choices", "answer", "back", "explanation", "tags")
    assert [{k: i[k] for k in fields} for i in imported] == [{k: i[k] for k in fields} for i in original]
    assert imported[0]["sources"][1]["note"] == original[0]["sources"][0]["note"]


def test_bad_input_writes_nothing(cli, tmp_path):
    out = tmp_path / "b"
    missing = cli("bank", "import", tmp_path / "nope.md", "-o", out)
    assert missing.exit_code == 2 and "nope.md: no such file" in missing.output
    (tmp_path / "x.json").write_text("{}")
    unknown = cli("bank", "import", tmp_path / "x.json", "-o", out)
    assert unknown.exit_code == 2 and "cannot tell the format" in unknown.output
    (tmp_path / "empty.md").write_text("# Just a title\n\nNo questions here.\n")
    empty = cli("bank", "import", tmp_path / "empty.md", "-o", out)
    assert empty.exit_code == 2 and "no questions found in it as markdown" in empty.output
    bad_topic = cli("bank", "import", FIXTURES / "headings.md", "-o", out, "--topic", "Not A Slug")
    assert bad_topic.exit_code == 2 and "--topic: 'Not A Slug' is not a slug" in bad_topic.output
    assert not out.exists()
    assert "Traceback" not in missing.output + unknown.output + empty.output + bad_topic.output


def test_an_id_clash_with_another_topic_is_reported_and_nothing_written(cli, tmp_path):
    out = tmp_path / "b"
    assert cli("bank", "import", FIXTURES / "headings.md", "-o", out).exit_code == 0
    before = sorted(p.name for p in out.iterdir())
    clash = cli("bank", "import", FIXTURES / "headings.md", "-o", out, "--topic", "copy")
    assert clash.exit_code == 2
    assert "duplicate id 'a-new-ecs-service-on-fargate-c85e7563'" in clash.output
    assert str(out / "copy.yaml") in clash.output and "certdrill-import-" not in clash.output
    assert sorted(p.name for p in out.iterdir()) == before


def test_reimport_updates_in_place_and_keeps_what_a_person_added(cli, tmp_path):
    source = tmp_path / "qs.md"
    source.write_text(fixture("broken.md"))
    out = tmp_path / "b"
    cli("bank", "import", source, "-o", out)
    topic_file = out / "qs.yaml"
    items = topic_items(topic_file)
    ids = [i["id"] for i in items]
    # A person reviews the no-answer item, writes an explanation for another, and adds an item by hand.
    items[0] = {"id": ids[0], "type": "single", "prompt": "Which service stores container images?", "choices": ["Amazon S3", "Amazon ECR", "Amazon EBS"]}
    items[0].update(answer="b", explanation="ECR is the registry.", sources=[{"note": "qs.md:3"}])
    items[3]["explanation"] = "awslogs is the CloudWatch Logs driver."
    items.append({"id": "hand-made", "type": "truefalse", "prompt": "ECR is regional.", "answer": True, "explanation": "Yes.", "sources": [{"note": "me"}]})
    topic_file.write_text(yaml.safe_dump({"topic": "qs", "title": "My title", "items": items}, sort_keys=False))
    # The source drops its last question and fixes the launch-types one.
    text = source.read_text().replace("- [ ] Lightsail", "- [x] Lightsail")
    source.write_text(text[: text.index("### Which service stores container images?\n\n- [ ] Amazon S3\n- [x]")])
    result = cli("bank", "import", source, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["kept_reviewed"] == [ids[0]] and report["removed"] == [ids[5]]
    assert report["new"] == [] and ids[1] in report["updated"]
    after = {i["id"]: i for i in topic_items(topic_file)}
    assert after[ids[0]]["type"] == "single" and "status" not in after[ids[0]]
    assert after[ids[1]]["type"] == "multi" and "status" not in after[ids[1]]  # choose two, two marked now
    assert after[ids[3]]["explanation"] == "awslogs is the CloudWatch Logs driver."
    assert "hand-made" in after and ids[5] not in after
    assert yaml.safe_load(topic_file.read_text())["title"] == "My title"
    load_bank(out)


def test_study_skips_needs_review_unless_asked(cli, tmp_path):
    out = tmp_path / "b"
    cli("bank", "import", FIXTURES / "questions.csv", "-o", out)
    assert "0 due, 5 new." in cli("study", "--bank", out, input="").output
    assert "0 due, 7 new." in cli("study", "--bank", out, "--include-unreviewed", input="").output
    listing = cli("bank", "list", "--bank", out)
    assert "flags" in listing.output and listing.output.count(" review ") == 2


def test_missed_treats_needs_review_like_study(cli, tmp_path, home):
    out = tmp_path / "b"
    cli("bank", "import", FIXTURES / "broken.md", "-o", out)
    # answer the first needs-review item (a flashcard listing options) with "again"
    studied = cli("study", "--bank", out, "--include-unreviewed", "--new", "1", "--new-order", "file", input="\n1\n")
    assert studied.exit_code == 0, studied.output
    assert "No missed items" in cli("missed", "--bank", out).output
    drill = cli("missed", "--bank", out, "--include-unreviewed", input="\n3\n")
    assert "1 missed in the last 7 days" in drill.output


def test_import_then_study_then_import_again_keeps_progress(cli, tmp_path, home):
    out = tmp_path / "bank"
    first = cli("bank", "import", FIXTURES / "headings.md", "-o", out)
    assert first.exit_code == 0, first.output
    ids = [i["id"] for i in topic_items(out / "headings.yaml")]
    session = cli("study", "--bank", out, "--seed", "1", "--new", "2", input="b\nab\nb\n")
    assert session.exit_code == 0, session.output
    assert "0 due, 2 new." in session.output and "Session summary" in session.output
    store = Store.open(home / "progress.sqlite3")
    try:
        studied = store.item_ids_with_progress()
    finally:
        store.close()
    assert len(studied) == 2 and studied <= set(ids)
    again = cli("bank", "import", FIXTURES / "headings.md", "-o", out)
    assert again.exit_code == 0 and "(0 new, 0 updated, 4 unchanged, 0 removed)" in again.output
    assert [i["id"] for i in topic_items(out / "headings.yaml")] == ids
    later = cli("study", "--bank", out, "--new", "10", input="")
    assert "2 new." in later.output  # the two studied items are not new again: their progress is kept
