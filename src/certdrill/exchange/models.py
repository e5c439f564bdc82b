"""The progress file's contract (docs/progress.schema.json describes the same shape)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from certdrill.clock import FIRST_YEAR, LAST_YEAR, YEARS
from certdrill.schedule.controls import SuspendReason
from certdrill.schedule.review_log import ReviewKind

FORMAT = "certdrill-progress"
VERSION = 2  # 2: undone answers, suspensions and `cram` reviews; a file without any of them is still written as 1
SQLITE_MAX_INT = 2**63 - 1  # what SQLite stores in an INTEGER; larger numbers would fail on insert
# A review's time: a million of them still sum within SQLITE_MAX_INT (stats adds them up in SQL).
MAX_DURATION_MS = 10 * 366 * 86_400_000


def _in_years(moment: datetime) -> datetime:
    """Only times every command can compute with (see clock.FIRST_YEAR): 0001-01-01 or 9999-12-31 would
    be accepted here and then break stats, study or export on every later run."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must be in the years {YEARS}")
    return moment


Instant = Annotated[AwareDatetime, AfterValidator(_in_years)]
Moment = Annotated[datetime, AfterValidator(_in_years)]

ID_CHARS, ID_MAX = "A-Za-z0-9._:-", 200
# Free text (a bank's name, a session id) without control characters: it is shown by stats and export.
NAME_EXCLUDED, NAME_MAX, SESSION_MAX = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069", 500, 200
Id = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX, pattern=f"^[{ID_CHARS}]+$")]
Name = Annotated[str, StringConstraints(max_length=NAME_MAX, pattern=f"^[^{NAME_EXCLUDED}]*$")]


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewModel(Base):
    id: Id
    item_id: Id
    bank: Name = ""
    reviewed_at: Instant
    rating: Annotated[int, Field(ge=1, le=4)]
    answer: list[Annotated[int, Field(ge=0, le=25)]] | None = None
    correct: bool | None = None
    duration_ms: Annotated[int, Field(ge=0, le=MAX_DURATION_MS)] | None = None
    kind: ReviewKind = "study"
    session_id: Annotated[Name, StringConstraints(max_length=SESSION_MAX)] | None = None


def _as_typed_dict(model: type[BaseModel], **narrower: object) -> Any:
    """The model's fields as a TypedDict (extra keys forbidden, defaults left out), some of them
    narrowed: validating into plain dicts is about twice as fast as building model instances, for a
    million reviews. Whatever it accepts, the model accepts too."""
    from typing import NotRequired

    from typing_extensions import TypedDict

    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        annotation = narrower.get(name, annotation)
        fields[name] = annotation if info.is_required() else NotRequired[annotation]
    typed = TypedDict(f"{model.__name__}Fields", fields)  # type: ignore[misc]  # built from the model at run time
    setattr(typed, "__pydantic_config__", ConfigDict(extra="forbid"))  # noqa: B010 - a TypedDict class takes no attribute assignment in the type checker's eyes
    return typed


EXPORTED_TIME = r"^(?:20\d\d|2100)-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"  # how export writes reviewed_at, in the years FIRST_YEAR-LAST_YEAR
# A review as export writes it: reviewed_at in exactly that form, left a string (turned into
# milliseconds without building a datetime); a review in any other form is checked by ReviewModel.
ReviewFields = _as_typed_dict(ReviewModel, reviewed_at=Annotated[str, StringConstraints(pattern=EXPORTED_TIME)])
REVIEW_DEFAULTS = {name: info.default for name, info in ReviewModel.model_fields.items() if not info.is_required()}


class CardModel(Base):
    item_id: Id
    bank: Name = ""
    state: Literal["learning", "review", "relearning"]
    step: Annotated[int, Field(ge=0, le=1000)] | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: Moment
    last_review: Moment | None = None
    reps: Annotated[int, Field(ge=0, le=SQLITE_MAX_INT)] = 0
    lapses: Annotated[int, Field(ge=0, le=SQLITE_MAX_INT)] = 0


class BankRef(Base):
    name: str
    title: str = ""
    items: Annotated[int, Field(ge=0)] = 0


class UndoneModel(ReviewModel):
    """A tombstone: the undone answer as it was logged, and when it was undone. No import or
    merge brings a review with this id back."""

    undone_at: Instant


class SuspensionModel(Base):
    """An item suspended or unsuspended at a time; the latest event per item wins."""

    id: Id
    item_id: Id
    at: Instant
    suspended: bool
    reason: SuspendReason = "manual"
    review_id: Id | None = None  # the answer that made a leech of the item (the event lapses if it is undone)


Device = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]
Count = Annotated[int, Field(ge=0, le=100_000)]


class ExamAnswerModel(Base):
    position: Count
    item_id: Id
    chosen: list[Annotated[int, Field(ge=0, le=25)]] | None = None
    answered_at: Instant | None = None
    flagged: bool = False


class ExamModel(Base):
    """A mock exam (finished or in progress), named on every device by `uid`."""

    uid: Id
    bank: Name
    started_at: Instant
    finished_at: Instant | None = None
    minutes: Annotated[float, Field(gt=0, le=1_000_000)]
    seed: Annotated[int, Field(ge=-SQLITE_MAX_INT, le=SQLITE_MAX_INT)]
    status: Literal["in_progress", "submitted", "abandoned"]
    correct: Count | None = None
    scaled: Annotated[int, Field(ge=0, le=1000)] | None = None
    passed: bool | None = None
    per_topic: dict[Name, dict[Literal["correct", "total"], Count]] = Field(default_factory=dict)
    answers: Annotated[list[ExamAnswerModel], Field(max_length=100_000)]
    prediction: dict[str, JsonValue] | None = None


class SettingModel(Base):
    """One setting's value, when it was changed and on which device: the later (changed_at, device) wins."""

    key: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    value: JsonValue
    changed_at: Instant
    device: Device


class ParametersModel(Base):
    """The FSRS parameters `certdrill optimize` adopted (its record), or null for fsrs's defaults; the later change wins."""

    value: dict[str, JsonValue] | None
    changed_at: Instant
    device: Device


class ProgressFile(Base):
    model_config = ConfigDict(extra="allow")

    format: Literal["certdrill-progress"]
    version: Literal[1, 2]
    exported_at: Moment | None = None
    app_version: str | None = None
    bank: BankRef | None = None
    undone: list[UndoneModel] = Field(default_factory=list)
    suspensions: list[SuspensionModel] = Field(default_factory=list)
    reviews: list[ReviewModel]
    cards: list[CardModel] = Field(default_factory=list)
    exams: list[ExamModel] = Field(default_factory=list)
    settings: list[SettingModel] = Field(default_factory=list)
    parameters: ParametersModel | None = None
