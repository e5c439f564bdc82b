"""What travels besides the reviews: mock exams, settings and the adopted FSRS parameters, as JSON
objects (one a line in a device file, lists in a progress file) and checked models.

Settings and parameters are last-writer-wins registers: each value carries the time it was
changed and the device that changed it, and the greater (time, device) wins (see services/sync.py
for the clock rule). Exams join by `store.synced.joined`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict, Field, JsonValue

from certdrill.clock import iso_of_ms, to_ms
from certdrill.exchange.models import Base, ExamModel, ParametersModel, SettingModel
from certdrill.store.synced import ExamAnswer, ExamRecord


@dataclass(frozen=True, order=True)
class Stamp:
    """When a register's value was changed, and where: compared as (time, device)."""

    at: int  # ms since the epoch
    device: str


@dataclass(frozen=True)
class Setting:
    key: str
    value: JsonValue
    stamp: Stamp


@dataclass(frozen=True)
class Parameters:
    record: dict | None  # the optimizer's record (insight.optimize.Record as JSON); None: back to fsrs's defaults
    stamp: Stamp


@dataclass
class Extras:
    """A progress file's or device files' exams, settings and parameters."""

    exams: list[ExamRecord] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    parameters: list[Parameters] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.exams or self.settings or self.parameters)


def exam_json(r: ExamRecord) -> dict:
    def at(ms: int | None) -> str | None:
        return None if ms is None else iso_of_ms(ms)

    answers = [
        {
            "position": a.position,
            "item_id": a.item_id,
            "chosen": None if a.chosen is None else list(a.chosen),
            "answered_at": at(a.answered_at),
            "flagged": a.flagged,
        }
        for a in r.answers
    ]
    return {
        "uid": r.uid,
        "bank": r.bank,
        "started_at": iso_of_ms(r.started_at),
        "finished_at": at(r.finished_at),
        "minutes": r.minutes,
        "seed": r.seed,
        "status": r.status,
        "correct": r.correct,
        "scaled": r.scaled,
        "passed": r.passed,
        "per_topic": r.per_topic,
        "answers": answers,
        "prediction": r.prediction,
    }


def exam_of(m: ExamModel) -> ExamRecord:
    answers = tuple(
        ExamAnswer(a.position, a.item_id, None if a.chosen is None else tuple(a.chosen), None if a.answered_at is None else to_ms(a.answered_at), a.flagged)
        for a in sorted(m.answers, key=lambda a: a.position)
    )
    per_topic = {topic: dict(counts) for topic, counts in m.per_topic.items()}
    finished = None if m.finished_at is None else to_ms(m.finished_at)
    return ExamRecord(
        m.uid, m.bank, to_ms(m.started_at), finished, m.minutes, m.seed, m.status, m.correct, m.scaled, m.passed, per_topic, answers, m.prediction
    )


def setting_json(s: Setting) -> dict:
    return {"key": s.key, "value": s.value, "changed_at": iso_of_ms(s.stamp.at), "device": s.stamp.device}


def setting_of(m: SettingModel) -> Setting:
    return Setting(m.key, m.value, Stamp(to_ms(m.changed_at), m.device))


def parameters_json(p: Parameters) -> dict:
    return {"value": p.record, "changed_at": iso_of_ms(p.stamp.at), "device": p.stamp.device}


def parameters_of(m: ParametersModel) -> Parameters:
    return Parameters(m.value, Stamp(to_ms(m.changed_at), m.device))


class ExtrasModel(Base):
    """The keys of a progress document that carry them; the rest of the document is ProgressFile's."""

    model_config = ConfigDict(extra="ignore")

    exams: list[ExamModel] = Field(default_factory=list)
    settings: list[SettingModel] = Field(default_factory=list)
    parameters: ParametersModel | None = None


def extras_of(data: dict[str, Any]) -> Extras:
    """The exams, settings and parameters of a progress document (a dict as JSON gave it); a
    pydantic ValidationError (`loc` from the document's root) when one is invalid."""
    m = ExtrasModel.model_validate(data)
    return Extras([exam_of(e) for e in m.exams], [setting_of(s) for s in m.settings], [] if m.parameters is None else [parameters_of(m.parameters)])


def extras_json(extras: Extras) -> dict[str, Any]:
    """The keys a progress file carries them under (none that would be empty)."""
    out: dict[str, Any] = {}
    if extras.exams:
        out["exams"] = [exam_json(r) for r in extras.exams]
    if extras.settings:
        out["settings"] = [setting_json(s) for s in extras.settings]
    if extras.parameters:
        out["parameters"] = parameters_json(max(extras.parameters, key=lambda p: p.stamp))
    return out
