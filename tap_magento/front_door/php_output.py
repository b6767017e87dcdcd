"""PHP's own messages printed before a store's JSON, when ``display_errors`` is on.

A store in developer mode (or a production one misconfigured) prints each notice, warning or
deprecation where it happens, which for a REST request is before the JSON, under the JSON's
``Content-Type``. With ``html_errors`` on (PHP's default outside the command line)::

    <br />
    <b>Deprecated</b>:  Creation of dynamic property ... in <b>/var/www/html/app/code/Vendor/
    Module/Model/Foo.php</b> on line <b>41</b><br />

and without it ``Deprecated: ... in /var/www/.../Foo.php on line 41`` on a line of its own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from typing_extensions import override

_KIND = rb"(?:PHP )?(?P<kind>[A-Z][A-Za-z ]{2,40}?)"
_HTML = re.compile(
    rb"\s*<br\s*/?>\s*<b>" + _KIND + rb"</b>:\s*(?P<message>.*?) in <b>(?P<file>[^<]+)</b> "
    rb"on line <b>(?P<line>\d+)</b>(?:<br\s*/?>)?",
    re.DOTALL,
)
_TEXT = re.compile(
    rb"\s*" + _KIND + rb":\s+(?P<message>[^\n]*?) in (?P<file>\S+) on line (?P<line>\d+)[^\S\n]*\n?"
)
MAX_MESSAGES = 1000  # a body is not searched further than this many messages


@dataclass(frozen=True)
class PhpMessage:
    """One message PHP printed: ``Deprecated``, what it says, and where."""

    kind: str
    message: str
    file: str
    line: int

    @override
    def __str__(self) -> str:
        return f"{self.kind}: {self.message} in {self.file} on line {self.line}"


def split_php_output(content: bytes) -> tuple[list[PhpMessage], bytes]:
    """The PHP messages a body starts with, and the rest of it (from its first non-space)."""
    found: list[PhpMessage] = []
    position = 0
    while len(found) < MAX_MESSAGES:
        match = _HTML.match(content, position) or _TEXT.match(content, position)
        if match is None:
            break
        found.append(_message(match))
        position = match.end()
    rest = content[position:] if found else content
    return found, rest.lstrip()


def _message(match: re.Match[bytes]) -> PhpMessage:
    def text(group: str) -> str:
        decoded = match.group(group).decode("utf-8", errors="replace")
        return " ".join(html.unescape(re.sub(r"<[^>]+>", "", decoded)).split())

    return PhpMessage(text("kind"), text("message"), text("file"), int(match.group("line")))
