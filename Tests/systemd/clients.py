"""chatd.v1 clients for the real-systemd test (the `websockets` asyncio client, a timeout on every await)."""

import asyncio
import json
from urllib.parse import urlencode

from websockets.asyncio.client import connect

TIMEOUT = 10.0


def run(coro, timeout=120.0):
    """Runs a coroutine to completion with an overall deadline."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def open_client(port, room, name, open_timeout=TIMEOUT, **query):
    """Connects to ws://127.0.0.1:PORT/chat/ROOM?name=NAME offering chatd.v1 (no keepalive pings, no proxy); extra
    keyword arguments (since=, epoch=) go into the query string."""
    params = urlencode({"name": name, **{key: value for key, value in query.items() if value is not None}})
    return connect(
        f"ws://127.0.0.1:{port}/chat/{room}?{params}",
        subprotocols=["chatd.v1"],
        open_timeout=open_timeout,
        close_timeout=TIMEOUT,
        ping_interval=None,
        max_queue=None,
        proxy=None,
    )


async def recv_type(ws, kind, timeout=TIMEOUT, **fields):
    """Receives until a JSON message of type `kind` whose given fields match; returns it."""
    seen = []

    async def loop():
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == kind and all(message.get(key) == value for key, value in fields.items()):
                return message
            seen.append(message.get("type"))

    try:
        return await asyncio.wait_for(loop(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"no {kind} {fields or ''} within {timeout}s (saw {seen[-10:]})") from None


async def join(port, room, name, open_timeout=TIMEOUT):
    """Connects and waits for `welcome`; returns (ws, welcome)."""
    ws = await open_client(port, room, name, open_timeout)
    assert ws.subprotocol == "chatd.v1", f"server selected {ws.subprotocol!r}"
    return ws, await recv_type(ws, "welcome")


async def join_sequence(port, room, name, since=None, epoch=None):
    """Connects (resuming with since/epoch when given) and reads the join sequence up to `presence`: returns
    (ws, welcome, gaps, history messages)."""
    ws = await open_client(port, room, name, since=since, epoch=epoch)
    assert ws.subprotocol == "chatd.v1", f"server selected {ws.subprotocol!r}"

    async def next_message():
        return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))

    welcome = await next_message()
    assert welcome["type"] == "welcome", welcome
    gaps = []
    message = await next_message()
    while message["type"] == "gap":
        gaps.append(message)
        message = await next_message()
    assert message["type"] == "history", message
    presence = await next_message()
    assert presence["type"] == "presence", presence
    return ws, welcome, gaps, message["messages"]


async def say_and_hear(ws, text, timeout=TIMEOUT):
    """Sends a chat message and waits for the room's copy of it (the sender gets its own message back)."""
    await ws.send(json.dumps({"type": "message", "text": text}))
    return await recv_type(ws, "message", timeout, text=text)


async def close_code_after(ws, timeout=TIMEOUT):
    """Waits until the server closed the connection; returns the close code it sent (None when it sent none)."""
    await asyncio.wait_for(ws.wait_closed(), timeout)
    return ws.close_code
