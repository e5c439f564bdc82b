"""Topic files as YAML a person can review: file key order, multi-line text as blocks, short lists inline."""

from __future__ import annotations

import yaml


class _Inline(list):
    """A list written in flow style: tags: [ecs, iam]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent list items under their key, as the bank files do


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _inline(dumper: yaml.SafeDumper, value: _Inline):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Inline, _inline)


def dump_topic(topic: str, title: str, items: list[dict], *, header: str = "") -> str:
    """The topic file's text; `header` becomes comment lines at the top."""
    shaped = [{k: _Inline(v) if k in ("tags", "previous_ids") or (k == "answer" and isinstance(v, list)) else v for k, v in item.items()} for item in items]
    body = yaml.dump({"topic": topic, "title": title, "items": shaped}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + body


def dump_manifest(name: str, title: str, description: str) -> str:
    return yaml.dump({"name": name, "title": title, "description": description}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
