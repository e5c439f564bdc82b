"""Mock exams, settings and the adopted FSRS parameters, as they travel (in a progress file and
through `certdrill sync`): gathered from this machine, and merged in from another."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from certdrill.services import sync_state
from certdrill.services.workspace import load_settings, scheduler_config

if TYPE_CHECKING:
    from certdrill.exchange.records import Extras, Parameters, Stamp
    from certdrill.store.store import Store

PARAMETERS_KEY = "parameters"  # under sync: in meta, the stamped record last adopted or sent


@dataclass(frozen=True)
class ExtrasMerged:
    exams: int = 0  # added or changed
    settings: int = 0
    parameters: bool = False  # another machine's newer parameters were adopted (every card rescheduled)
    refused: int = 0  # records this certdrill cannot take (say, a setting it does not know)


def local_extras(store: Store, now_ms: int, *, keep: bool = True) -> Extras:
    """Every exam in the store, every setting that was changed, and the parameters in use, stamped."""
    from certdrill.exchange.records import Extras
    from certdrill.store.synced import exam_records

    exams = [record for _, record in exam_records(store).values()]
    parameters = local_parameters(store, now_ms, keep=keep)
    return Extras(exams, sync_state.local_settings(now_ms, keep=keep), [] if parameters is None else [parameters])


def local_parameters(store: Store, now_ms: int, *, keep: bool = True) -> Parameters | None:
    """The optimizer's record with its stamp; one that changed since it was last stamped (a new
    fit, a reset) is stamped now, and with `keep` that stamp is kept. None when no fit was ever
    kept or sent."""
    from certdrill.exchange.records import Parameters
    from certdrill.store import synced

    current = store.optimizer_record()
    kept = _kept_parameters(store)
    if kept is None and current is None:
        return None
    if kept is not None and kept[0] == current:
        return Parameters(None if current is None else json.loads(current), kept[1])
    stamp = sync_state.next_stamp(None if kept is None else kept[1], now_ms, sync_state.device_id() if keep else "unsynced")
    if keep:
        synced.keep(store, PARAMETERS_KEY, json.dumps({"record": current, "at": stamp.at, "device": stamp.device}))
    return Parameters(None if current is None else json.loads(current), stamp)


def _kept_parameters(store: Store) -> tuple[str | None, Stamp] | None:
    from certdrill.exchange.records import Stamp
    from certdrill.store import synced

    text = synced.kept(store, PARAMETERS_KEY)
    if text is None:
        return None
    try:
        data = json.loads(text)
        return data["record"], Stamp(int(data["at"]), str(data["device"]))
    except (ValueError, KeyError, TypeError):
        return None


def merge_extras(store: Store, extras: Extras, now_ms: int) -> ExtrasMerged:
    """Exams joined by uid, settings and parameters last-writer-wins; each part idempotent and
    independent of the order the records come in."""
    from certdrill.store.synced import merge_exams

    exams = merge_exams(store, extras.exams) if extras.exams else 0
    settings, refused = sync_state.merge_settings(extras.settings, now_ms) if extras.settings else (0, 0)
    adopted, bad = _merge_parameters(store, extras.parameters, now_ms)
    return ExtrasMerged(exams, settings, adopted, refused + bad)


def _merge_parameters(store: Store, incoming: list[Parameters], now_ms: int) -> tuple[bool, int]:
    from certdrill.errors import StoreError
    from certdrill.insight.optimize import Record
    from certdrill.store import synced

    if not incoming:
        return False, 0
    mine = local_parameters(store, now_ms)
    best = max(incoming, key=lambda p: p.stamp)
    if mine is not None and mine.stamp >= best.stamp:
        return False, 0
    text = None if best.record is None else json.dumps(best.record, separators=(",", ":"))
    config = scheduler_config(load_settings())
    if text is not None:
        try:
            record = Record.from_json(text)
        except StoreError:
            return False, 1
        if not _in_bounds(record.parameters):
            return False, 1
        if record.fitted:
            from dataclasses import replace

            config = replace(config, parameters=record.parameters)
    store.set_optimizer_record(text, config)
    synced.keep(store, PARAMETERS_KEY, json.dumps({"record": store.optimizer_record(), "at": best.stamp.at, "device": best.stamp.device}))
    return True, 0


def _in_bounds(parameters: tuple[float, ...]) -> bool:
    """Parameters fsrs accepts (another machine's record is checked before it reschedules every card)."""
    from certdrill.schedule.scheduler import parameter_bounds

    bounds = parameter_bounds()
    return len(parameters) == len(bounds) and all(low <= w <= high for w, (low, high) in zip(parameters, bounds, strict=True))
