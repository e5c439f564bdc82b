"""Community Markdown read with markdown-it-py: entities, breaks, images, inline options."""

from __future__ import annotations

from pathlib import Path

from certdrill.bank.importers import markdown
from certdrill.bank.importers.convert import convert

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def questions(name: str) -> dict:
    parsed, _ = markdown.parse((FIXTURES / name).read_text(encoding="utf-8"))
    return {q.line: q for q in parsed}


def test_entities_and_br_decode():
    q = questions("html-and-images.md")[3]
    assert q.prompt == "Which service stores images & artifacts for ECS?\nPick the registry."
    assert q.options[1] == "Amazon ECR — the registry" and q.marked == [1]
    assert q.cautions == []


def test_options_that_are_images_are_named_and_need_review():
    q = questions("html-and-images.md")[9]
    assert q.options == ["[image: images/q2-a.png]", "[image: images/q2-b.png]", "[image: images/q2-c.png]"]
    assert q.cautions == ["options a, b, c are images: images/q2-a.png, images/q2-b.png, images/q2-c.png"]
    [item] = convert([q], source="x.md")
    assert item.data["status"] == "needs-review" and item.data["type"] == "single" and item.data["answer"] == "b"
    assert "images/q2-b.png" in item.reasons[0]


def test_an_exhibit_image_is_named_and_needs_review():
    q = questions("html-and-images.md")[15]
    assert q.cautions == ["refers to an exhibit image: exhibits/task-definition.png"]
    assert "[image: exhibits/task-definition.png]" in q.prompt and q.marked == [1]
    text_only, _ = markdown.parse("### Refer to the exhibit. Which port is open?\n\n- [x] 80\n- [ ] 22\n")
    assert text_only[0].cautions == ["refers to an exhibit that is not in the source"]


def test_option_a_on_the_question_line_is_read():
    q = questions("html-and-images.md")
    assert (q[22].prompt, q[22].options, q[22].marked) == (
        "Which AWS service runs containers without servers?",
        ["Amazon EC2", "AWS Fargate", "Amazon EBS"],
        [1],
    )
    assert (q[28].options, q[28].marked) == (["EC2", "Fargate", "Lambda", "Lightsail"], [0, 1])  # every option on the line
    assert q[28].explanation == "See the launch types page (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_types.html)."


def test_a_numbered_line_right_after_a_paragraph_still_starts_a_question():
    q = questions("html-and-images.md")
    assert q[31].prompt == "Which port does the ECS agent introspection API use?" and q[31].marked == [0]


def test_indented_options_are_options_not_code():
    q = questions("html-and-images.md")[37]
    assert (q.options, q.marked) == (["syslog", "awslogs"], [1])


def test_a_line_that_merely_says_a_is_not_an_option():
    parsed, skipped = markdown.parse("### Why is plan A. cheaper than B?\n\nNo options here.\n")
    assert parsed == [] and skipped == [1]


def test_fenced_markdown_is_text():
    parsed, _ = markdown.parse("### Which file?\n\n```yaml\n- [x] not an option\n### nor a question\n```\n\n- [x] Dockerfile\n- [ ] Makefile\n")
    [q] = parsed
    assert q.prompt == "Which file?\n\n```yaml\n- [x] not an option\n### nor a question\n```" and q.options == ["Dockerfile", "Makefile"]
