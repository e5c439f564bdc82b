"""pydantic models of the YAML files; only the loader uses them (pydantic is slow to import)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from certdrill.bank.items import ItemStatus, ItemType

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Tag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=60)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, str_strip_whitespace=True)


class SourceModel(Strict):
    note: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    quote: Annotated[str, StringConstraints(max_length=1000)] | None = None


class ChoiceModel(Strict):
    """A choice written as a mapping, so that it can say why it is wrong (`why`)."""

    text: Text
    why: Text | None = None


class ItemModel(Strict):
    id: Slug
    type: ItemType
    prompt: Text
    choices: list[Text | ChoiceModel] | None = None
    answer: bool | Annotated[str, StringConstraints(min_length=1)] | list[str] | None = None
    back: Text | None = None
    explanation: Text
    tags: list[Tag] = Field(default_factory=list)
    sources: list[SourceModel] = Field(min_length=1)
    status: ItemStatus = "active"
    previous_ids: list[Slug] = Field(default_factory=list)
    references: list[Url] = Field(default_factory=list)
    checked: date | None = None


class TopicFileModel(Strict):
    topic: Slug
    title: Text
    checked: date | None = None
    items: list[ItemModel] = Field(min_length=1)


class ExamModel(Strict):
    minutes_per_question: Annotated[float, Field(gt=0, le=60)] = 2.0
    weights: dict[Slug, Annotated[float, Field(ge=0, le=1000)]] = Field(default_factory=dict)


class ManifestModel(Strict):
    name: Slug
    title: Text
    description: str = ""
    exam: ExamModel = Field(default_factory=ExamModel)
