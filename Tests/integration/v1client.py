"""Helpers for `chatd.v1` (JSON) chat clients built on the real `websockets` client.

Join sequence (README "Chat protocol"): welcome → (gap) → history → presence, to the joiner only, then the
room-wide join event, which the joiner gets too.
"""

import asyncio
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from wsclient import TIMEOUT, WELCOME, recv, recv_until, ws_connect

SUBPROTOCOL = "chatd.v1"


def room_url(base, room, **query):
    """`base` + `/chat/ROOM` with the given query parameters (None values are left out)."""
    params = {key: value for key, value in query.items() if value is not None}
    return f"{base}/chat/{room}" + (f"?{urlencode(params)}" if params else "")


def encode(message):
    """A client frame: compact JSON text."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def decode(frame):
    """Parses one server frame; it must be a text frame holding a JSON object with a string `type`."""
    assert isinstance(frame, str), f"expected a text frame, got {frame!r}"
    try:
        message = json.loads(frame)
    except ValueError as error:
        raise AssertionError(f"server sent invalid JSON {frame!r}: {error}") from None
    assert isinstance(message, dict), f"server sent a non-object {frame!r}"
    assert isinstance(message.get("type"), str), f"server message without a string type: {frame!r}"
    return message


async def v1_connect(url, **options):
    """Opens a connection offering chatd.v1 and asserts the server selected it."""
    ws = await ws_connect(url, subprotocols=[SUBPROTOCOL], **options)
    assert ws.subprotocol == SUBPROTOCOL, f"server selected {ws.subprotocol!r}, expected {SUBPROTOCOL}"
    return ws


async def recv_json(ws, timeout=TIMEOUT):
    """Next server message as a dict (keys in wire order)."""
    return decode(await recv(ws, timeout))


async def recv_json_until(ws, predicate, timeout=TIMEOUT, what="message"):
    """Receives JSON messages until `predicate(message)`; returns (match, messages skipped before it)."""
    return await recv_until(ws, predicate, timeout, what, transform=decode)


async def recv_type(ws, kind, timeout=TIMEOUT, **fields):
    """Receives until a message of type `kind` whose given fields match; returns (match, skipped)."""

    def matches(message):
        return message["type"] == kind and all(message.get(key) == value for key, value in fields.items())

    return await recv_json_until(ws, matches, timeout, what=f"{kind} {fields or ''}")


async def send_json(ws, message):
    """Sends one JSON object as a text frame."""
    await ws.send(encode(message))


async def say(ws, text):
    """Sends a chat message."""
    await send_json(ws, {"type": "message", "text": text})


@dataclass
class Member:
    """A joined chatd.v1 member and everything its join sequence delivered."""

    ws: object
    welcome: dict
    history: dict
    presence: dict
    join: dict
    gap: dict | None = None
    raw: list = field(default_factory=list)

    @property
    def name(self):
        """The name the server gave this member."""
        return self.welcome["name"]

    @property
    def messages(self):
        """The history messages delivered on join."""
        return self.history["messages"]


async def v1_join(base, room, name=None, since=None, epoch=None, **options):
    """Joins `room` over chatd.v1 and consumes the whole join sequence, asserting its order."""
    ws = await v1_connect(room_url(base, room, name=name, since=since, epoch=epoch), **options)
    raw = [await recv(ws)]
    welcome = decode(raw[-1])
    assert welcome["type"] == "welcome", f"first message is not welcome: {raw[-1]!r}"
    raw.append(await recv(ws))
    gap = None
    second = decode(raw[-1])
    if second["type"] == "gap":
        gap = second
        raw.append(await recv(ws))
        second = decode(raw[-1])
    assert second["type"] == "history", f"expected history after welcome/gap, got {raw[-1]!r}"
    raw.append(await recv(ws))
    presence = decode(raw[-1])
    assert presence["type"] == "presence", f"expected presence after history, got {raw[-1]!r}"
    raw.append(await recv(ws))
    joined = decode(raw[-1])
    assert joined["type"] == "join" and joined["name"] == welcome["name"], (
        f"expected the joiner's own join event, got {raw[-1]!r}"
    )
    return Member(ws, welcome, second, presence, joined, gap, raw)


async def plain_join(base, room, name=None, **options):
    """Joins as a plain-text client; returns (ws, welcome match, lines up to and including its own join line)."""
    ws = await ws_connect(room_url(base, room, name=name), **options)
    first = await recv(ws)
    match = WELCOME.match(first)
    assert match, f"first message is not the welcome line: {first!r}"
    own = f"* {match['name']} joined {match['room']}"
    lines = []
    while True:
        line = await recv(ws)
        lines.append(line)
        if line == own:
            return ws, match, lines


async def close_all(*sockets):
    """Closes every connection, ignoring ones that are already gone."""
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
