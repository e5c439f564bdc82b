"""An Anki field's HTML as the text a reader sees, with the media and links it refers to.

Parsed with the standard library's `html.parser`: entities decode, `<br>` and block elements
break lines, list items keep a `- ` (or `1. ` in an ordered list) marker, a link keeps its URL
(`text (url)`), images and sounds are named (`[image: x.png]`, `[sound: x.mp3]`) and listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "pre", "hr", "ul", "ol", "dl", "dt", "dd", "section"})
_SKIP = frozenset({"script", "style", "head", "title"})
_MEDIA_TAGS = {"img": "image", "audio": "audio", "video": "video", "source": "media", "embed": "media", "object": "media"}
_SOUND = re.compile(r"\[sound:([^\]]+)\]")
_SPACES = re.compile(r"[ \t\r\n\f]+")


@dataclass
class Rendered:
    text: str
    media: list[str] = field(default_factory=list)  # file names, in order of appearance, once each
    links: list[str] = field(default_factory=list)  # http(s) URLs, once each


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []
        self.links: list[str] = []
        self.lists: list[list[int] | None] = []  # per open list: [next number] for <ol>, None for <ul>
        self.skipping = 0
        self.pre = 0
        self.anchor: tuple[str, int] | None = None  # href, where the link text starts in parts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            numbering = self.lists[-1] if self.lists else None
            indent = "  " * max(0, len(self.lists) - 1)
            self._ensure(1)
            if numbering is None:
                self.parts.append(f"{indent}- ")
            else:
                self.parts.append(f"{indent}{numbering[0]}. ")
                numbering[0] += 1
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.anchor = (values.get("href", "").strip(), len(self.parts))
        elif tag in _MEDIA_TAGS and values.get("src"):
            self._media(_MEDIA_TAGS[tag], values["src"].strip())
        if tag in _BLOCKS:
            self._ensure(2 if tag == "p" else 1)
        if tag in ("ul", "ol"):
            self.lists.append([int(values.get("start") or 1) if (values.get("start") or "1").isdigit() else 1] if tag == "ol" else None)
        elif tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr", "source", "embed"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.anchor is not None:
            href, start = self.anchor
            self.anchor = None
            shown = "".join(self.parts[start:]).strip()
            if href.lower().startswith(("http://", "https://", "mailto:")):
                if href.startswith("http") and href not in self.links:
                    self.links.append(href)
                if not shown:
                    self.parts.append(href)
                elif shown != href:
                    self.parts.append(f" ({href})")
        if tag in _BLOCKS or tag == "li":
            self._ensure(2 if tag == "p" else 1)

    def _ensure(self, breaks: int) -> None:
        """End the output with at least `breaks` line breaks (none at the very start)."""
        tail = "".join(self.parts[-3:])
        if not "".join(self.parts).strip():
            return
        have = len(tail) - len(tail.rstrip("\n"))
        self.parts.append("\n" * max(0, breaks - have))

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.pre:
            data = _SPACES.sub(" ", data)
        self.parts.append(_SOUND.sub(lambda m: self._media("sound", m.group(1).strip()), data))

    def _media(self, kind: str, name: str) -> str:
        if name not in self.media:
            self.media.append(name)
        text = f"[{kind}: {name}]"
        if kind != "sound":
            self.parts.append(text)
        return text


def render(html_text: str) -> Rendered:
    reader = _Reader()
    reader.feed(html_text)
    reader.close()
    lines = [line.strip() if not line.startswith(" ") else line.rstrip() for line in "".join(reader.parts).replace("\xa0", " ").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return Rendered(text, reader.media, reader.links)
