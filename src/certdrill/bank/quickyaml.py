"""libyaml's events straight into Python values, for the common bank file.

PyYAML with libyaml still composes nodes, resolves every scalar and constructs every value in
Python: about half of a big bank's cold build. A plain bank file (no anchors, aliases, tags,
duplicate keys, nor anything near the loader's limits) is read here in one pass over libyaml's
events instead, with the lines of its top-level keys and items. Anything else raises `Unusual`,
and the file goes to the full loaders (loader.parse_yaml), whose guards and messages stay the
only ones users see. Plain scalars are resolved by PyYAML's own resolvers and constructors, so
the values are the ones SafeLoader gives (tests compare both on every bank file they have).
"""

from __future__ import annotations

from typing import Any

LINED_DEPTH = 2  # lines kept for ("topic",), ("items", i) and ("items", i, key): what a clean file needs


class Unusual(Exception):
    """Something the quick path leaves to the full loaders."""


def quick_load(text: str, *, max_nodes: int, max_depth: int) -> tuple[object, dict[tuple, int]]:
    """The document's value and the lines of the paths up to LINED_DEPTH deep; `Unusual` for anything else."""
    import yaml

    loader = yaml.CSafeLoader(text)
    try:
        return _walk(loader, max_nodes, max_depth)
    except yaml.YAMLError:
        raise Unusual from None
    finally:
        loader.dispose()


class _Frame:
    __slots__ = ("is_map", "key", "path", "raw", "value")

    def __init__(self, value: Any, path: tuple | None):
        self.value = value
        self.is_map = isinstance(value, dict)
        self.key: object = _NO_KEY
        self.raw: set[str] = set()
        self.path = path


_NO_KEY = object()


def _walk(loader, max_nodes: int, max_depth: int) -> tuple[object, dict[tuple, int]]:
    from yaml import events

    get = loader.get_event
    if type(get()) is not events.StreamStartEvent or type(get()) is not events.DocumentStartEvent:
        raise Unusual
    scalar, map_start, seq_start = events.ScalarEvent, events.MappingStartEvent, events.SequenceStartEvent
    ends = (events.MappingEndEvent, events.SequenceEndEvent)
    plain = _Plain(loader)
    lines: dict[tuple, int] = {}
    stack: list[_Frame] = []
    nodes = 0
    while True:
        event = get()
        kind = type(event)
        if kind in ends:
            value: object = stack.pop().value
            is_scalar = False
        else:
            nodes += 1
            if event.anchor is not None or event.tag is not None or nodes > max_nodes or len(stack) >= max_depth - 1:
                raise Unusual
            line = event.start_mark.line + 1
            parent = stack[-1] if stack else None
            if kind is scalar:
                value = plain(event.value) if event.implicit[0] else event.value
                is_scalar = True
            elif kind is map_start or kind is seq_start:
                path = _child_path(parent)
                if path is not None:
                    lines.setdefault(path, line)
                stack.append(_Frame({} if kind is map_start else [], path))
                continue
            else:
                raise Unusual  # an alias
        if not stack:
            _expect_end(get, events)
            if not lines:
                lines[()] = 1
            return value, lines
        frame = stack[-1]
        if not frame.is_map:
            cast_list = frame.value
            if is_scalar and frame.path is not None and len(frame.path) < LINED_DEPTH:
                lines.setdefault((*frame.path, len(cast_list)), line)
            cast_list.append(value)
        elif frame.key is _NO_KEY:
            if not is_scalar or event.value in frame.raw or value in frame.value:
                raise Unusual  # a complex key, or a duplicate one: the full loader says which
            frame.raw.add(event.value)
            frame.key = value
            if frame.path is not None and len(frame.path) <= LINED_DEPTH:
                lines[(*frame.path, value)] = line
        else:
            frame.value[frame.key] = value
            frame.key = _NO_KEY


def _child_path(parent: _Frame | None) -> tuple | None:
    """The path of a container starting under `parent`, while lines are kept that deep."""
    if parent is None:
        return ()
    if parent.path is None or len(parent.path) >= LINED_DEPTH:
        return None
    return (*parent.path, parent.key if parent.is_map else len(parent.value))


def _expect_end(get, events) -> None:
    if type(get()) is not events.DocumentEndEvent or type(get()) is not events.StreamEndEvent:
        raise Unusual  # more than one document: the full loader's message


class _Plain:
    """A plain scalar as SafeLoader makes it: PyYAML's implicit resolvers pick the tag, its
    constructor the value; short ones (keys, letters, booleans) remembered."""

    def __init__(self, loader):
        import yaml

        self.loader = loader
        self.resolvers = loader.yaml_implicit_resolvers
        self.wild = self.resolvers.get(None, [])
        self.seen: dict[str, object] = {}
        self.node = yaml.ScalarNode
        self.str_tag = "tag:yaml.org,2002:str"
        self.constructed = {"tag:yaml.org,2002:" + t for t in ("bool", "int", "float", "null", "timestamp")}

    def __call__(self, value: str) -> object:
        if len(value) < 24:
            try:
                return self.seen[value]
            except KeyError:
                made = self.seen[value] = self.resolve(value)
                return made
        return self.resolve(value)

    def resolve(self, value: str) -> object:
        for tag, regexp in self.resolvers.get(value[:1], []) + self.wild:
            if regexp.match(value):
                if tag not in self.constructed:
                    raise Unusual  # merge keys and the like
                try:
                    return self.loader.construct_object(self.node(tag, value))
                except Exception:  # noqa: BLE001 - whatever the constructor makes of it, the full loader reports
                    raise Unusual from None
        return value
