"""Any interleaving of device files merges to the same store: 2-5 simulated devices study, undo,
suspend items, take and resume mock exams and change settings in random order, and sync in random orders, each through its
own copy of the shared folder; a simulated sync tool copies files between the copies at random
moments, often only part of a file (a copy in flight), and sometimes leaves a conflicted copy
instead. Once the tool has caught up and each device syncs twice, all hold the same log, the same
cards (a replay of the union, undone answers left out), the same suspended items and the same
exam history and settings."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdrill import config
from certdrill.schedule.controls import Suspension
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import Rating, SchedulerConfig
from certdrill.services import sync_state
from certdrill.services.sync import sync
from certdrill.store import exams
from certdrill.store.store import Store
from certdrill.store.synced import exam_records

pytestmark = pytest.mark.slow
T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)

action = st.one_of(
    st.tuples(st.just("study"), st.sampled_from("abcd"), st.integers(1, 4)),
    st.tuples(
        st.just("undo"),
    ),
    st.tuples(st.just("suspend"), st.sampled_from("abcd"), st.booleans()),
    st.tuples(st.just("exam_start"), st.integers(0, 2**31)),
    st.tuples(st.just("exam_answer"), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("exam_finish"), st.integers(0, 3)),
    st.tuples(st.just("setting"), st.sampled_from(["new-per-day", "reviews-per-day"]), st.integers(1, 99)),
    st.tuples(
        st.just("sync"),
    ),
    st.tuples(
        st.just("sync"),
    ),
    st.tuples(
        st.just("sync"),
    ),
    st.tuples(st.just("copy"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("copy"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("copy"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("conflicted_copy"), st.integers(0, 4)),
)


class World:
    def __init__(self, root: Path, devices: int, monkeypatch):
        self.root, self.monkeypatch = root, monkeypatch
        self.views = [root / f"view{n}" for n in range(devices)]  # each machine's copy of the shared folder
        for view in self.views:
            view.mkdir()
        self.homes = [root / f"home{n}" for n in range(devices)]
        self.clock = 0
        self.logged: list[Review] = []
        self.undone: set[str] = set()

    def on(self, device: int) -> Store:
        self.monkeypatch.setenv("CERTDRILL_HOME", str(self.homes[device]))
        self.homes[device].mkdir(exist_ok=True)
        return Store.open(self.homes[device] / "progress.sqlite3")

    def now(self, skew: int = 0) -> datetime:
        self.clock += 1
        return T0 + timedelta(minutes=self.clock, seconds=skew)

    def act(self, device: int, step: tuple, data) -> None:
        kind = step[0]
        if kind in ("copy", "conflicted_copy"):
            return self.tool(device, step, data)
        now = self.now(skew=device * 7)  # every device's clock a little off
        if kind == "sync":
            self.monkeypatch.setenv("CERTDRILL_HOME", str(self.homes[device]))
            sync(self.views[device], now=now)
            return
        if kind == "setting":
            self.monkeypatch.setenv("CERTDRILL_HOME", str(self.homes[device]))
            path = self.homes[device] / "config.json"
            self.homes[device].mkdir(exist_ok=True)
            settings_ = config.set_value(config.load(path), step[1], str(step[2]))
            config.save(path, settings_)
            sync_state.setting_changed(step[1], settings_, int(now.timestamp() * 1000))
            return
        store = self.on(device)
        try:
            self.store_act(store, device, step, now)
        finally:
            store.close()

    def store_act(self, store: Store, device: int, step: tuple, now: datetime) -> None:
        kind = step[0]
        if kind == "study":
            review = Review(f"{device}-{self.clock:05d}", step[1], "mini", now, Rating(step[2]), None, None, 1000, "study", None)
            self.logged.append(review)
            store.merge_reviews([review])
        elif kind == "undo":
            last = store.last_answer()
            if last is not None:
                store.undo(last.id, now, SchedulerConfig())
                self.undone.add(last.id)
        elif kind == "suspend":
            store.add_suspensions([Suspension(f"s{device}-{self.clock:05d}", step[1], now, step[2])])
        elif kind == "exam_start":
            exams.start(store, bank="mini", started_at=now, minutes=10, seed=step[1], item_ids=["a", "b", "c"])
        else:
            running = sorted(exams.in_progress(store), key=lambda e: e.id)
            if not running:
                return
            exam = running[step[1] % len(running)]
            if kind == "exam_answer":
                item = "abc"[step[2]]
                exams.save_answer(store, exam.id, exams.SavedAnswer(step[2], item, (step[2] % 3,), now, False))
            else:
                exams.finish(store, exam.id, status=exams.SUBMITTED, finished_at=now, result=None, reviews=[])

    def owner_files(self, owner: int) -> list[Path]:
        """The files device `owner` wrote, in its own copy of the folder."""
        folder = self.views[owner] / "certdrill"
        device = self.device_id(owner)
        if device is None or not (folder / device).is_dir():
            return []
        return sorted(p for p in (folder / device).iterdir() if p.is_file())

    def device_id(self, device: int) -> str | None:
        path = self.homes[device] / "device-id"
        return path.read_text().strip() if path.exists() else None

    def tool(self, dst: int, step: tuple, data) -> None:
        """The sync tool brings one of another device's files to `dst`'s copy: whole, or only a part
        of it so far (a copy in flight), or as a conflicted copy beside it."""
        src = step[1] % len(self.views)
        files = self.owner_files(src)
        if src == dst or not files:
            return
        source = data.draw(st.sampled_from(files))
        target = self.views[dst] / source.relative_to(self.views[src])
        target.parent.mkdir(parents=True, exist_ok=True)
        whole = source.read_bytes()
        if step[0] == "conflicted_copy":
            target = target.with_name(f"{source.name.split('.')[0]} (conflicted copy {self.clock}).jsonl")
            target.write_bytes(whole[: data.draw(st.integers(0, len(whole)))])
            return
        whole_copy = step[2]
        target.write_bytes(whole if whole_copy else whole[: data.draw(st.integers(0, len(whole)))])

    def catch_up(self) -> None:
        """The tool has copied everything: every other copy holds each device's files as it wrote
        them (and no longer the files it compacted away); conflicted copies stay."""
        for owner in range(len(self.views)):
            device = self.device_id(owner)
            if device is None:
                continue
            mine = {p.name: p.read_bytes() for p in self.owner_files(owner)}
            for view in self.views:
                if view == self.views[owner]:
                    continue
                folder = view / "certdrill" / device
                folder.mkdir(parents=True, exist_ok=True)
                for p in folder.iterdir():
                    if p.name not in mine and "conflicted" not in p.name:
                        p.unlink()
                for name, content in mine.items():
                    (folder / name).write_bytes(content)

    def state(self, device: int):
        store = self.on(device)
        try:
            history = sorted((uid, record) for uid, (_, record) in exam_records(store).items())
            values = config.as_dict(config.load(self.homes[device] / "config.json"))
            values.pop("sync-dir")
            log = [(r.id, r.item_id, r.reviewed_at, r.rating) for r in store.reviews()]
            return log, store.cards(), history, values, sorted(store.suspended().items()), sorted(t.review_id for t in store.tombstones())
        finally:
            store.close()


@given(st.integers(2, 5), st.lists(st.tuples(st.integers(0, 4), action), min_size=1, max_size=40), st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_interleaving_of_device_files_merges_to_the_same_store(monkeypatch, devices, steps, data):
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder), devices, monkeypatch)
        for device, step in steps:
            world.act(device % devices, step, data)
        order = data.draw(st.permutations(range(devices)))
        for _ in range(2):
            for device in order:
                world.catch_up()
                world.act(device, ("sync",), data)
        states = [world.state(d) for d in range(devices)]
        assert all(s == states[0] for s in states[1:])
        with tempfile.TemporaryDirectory() as scratch:  # the cards are a replay of the union of every device's answers
            union = Store.open(Path(scratch) / "p.sqlite3")
            union.merge_reviews([r for r in world.logged if r.id not in world.undone])
            assert states[0][1] == union.cards()
            assert states[0][0] == [(r.id, r.item_id, r.reviewed_at, r.rating) for r in union.reviews()]
            union.close()
