"""Helpers around the real `websockets` client (asyncio API) with a timeout on every await."""

import asyncio
import re

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

TIMEOUT = 5.0
WELCOME = re.compile(
    r"^Welcome, (?P<name>.+)! You are in room (?P<room>\S+) with (?P<others>\d+) other(?:s|\(s\))?\. "
    r"Type /quit to leave\.$"
)


def run(coro, timeout=60.0):
    """Runs a coroutine to completion with an overall deadline."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def ws_connect(url, **options):
    """`websockets` connect with test-friendly defaults: no proxy, no keepalive pings, short timeouts.

    max_queue=None: with the default (16) the library stops reading the socket once 16 messages are unread,
    so a client that closes with unread chat lines would never see the server's close reply.
    """
    options.setdefault("max_queue", None)
    options.setdefault("proxy", None)
    options.setdefault("ping_interval", None)
    options.setdefault("open_timeout", TIMEOUT)
    options.setdefault("close_timeout", TIMEOUT)
    return connect(url, **options)


async def recv(ws, timeout=TIMEOUT):
    """Next message, failing the test after `timeout` seconds."""
    return await asyncio.wait_for(ws.recv(), timeout)


async def recv_until(ws, predicate, timeout=TIMEOUT, what="message", transform=lambda message: message):
    """Receives until `predicate(message)`; returns (match, messages skipped before it).

    `transform` is applied to each received message first (e.g. JSON decoding)."""
    skipped = []

    async def loop():
        while True:
            message = transform(await ws.recv())
            if predicate(message):
                return message
            skipped.append(message)

    try:
        return await asyncio.wait_for(loop(), timeout), skipped
    except asyncio.TimeoutError:
        raise AssertionError(f"no {what} within {timeout}s; got {skipped[-10:]!r}") from None


async def recv_line(ws, line, timeout=TIMEOUT):
    """Receives until the exact text `line` arrives; returns the messages before it."""
    _, skipped = await recv_until(ws, lambda message: message == line, timeout, what=repr(line))
    return skipped


async def expect_silence(ws, seconds=0.5):
    """Asserts nothing arrives for `seconds`."""
    try:
        message = await asyncio.wait_for(ws.recv(), seconds)
    except asyncio.TimeoutError:
        return
    raise AssertionError(f"unexpected message {message!r}")


async def expect_closed(ws, code, timeout=TIMEOUT):
    """Drains messages until the server closes; asserts the close code the server sent.

    Returns the messages that arrived before the close.
    """
    drained = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                drained.append(await ws.recv())
    except ConnectionClosed as closed:
        received = closed.rcvd.code if closed.rcvd is not None else None
        assert received == code, f"server closed with {received} ({closed!r}), expected {code}"
        return drained
    except TimeoutError:
        raise AssertionError(f"server did not close within {timeout}s (expected {code})") from None


async def join(url, room_path, name=None, **options):
    """Connects to a chat room and consumes the welcome line; returns (ws, welcome match)."""
    target = f"{url}{room_path}" + (f"?name={name}" if name is not None else "")
    ws = await ws_connect(target, **options)
    welcome = await recv(ws)
    match = WELCOME.match(welcome)
    assert match, f"first message is not the welcome line: {welcome!r}"
    return ws, match
