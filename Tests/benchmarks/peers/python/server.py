#!/usr/bin/env python3
"""Peer server for the chatd benchmark (issue 5): Python `websockets` (PyPI), asyncio, one process.

  /echo        echoes every message back, text stays text, binary stays binary
  /chat/ROOM   every text message from a member is broadcast to all members of ROOM
               (sender included) as "NAME: text", NAME from the ?name= query

Usage: .venv-tests/bin/python server.py PORT  (127.0.0.1 only; prints "ready" once listening).
Written for websockets >= 13 (the new asyncio implementation, `websockets.asyncio.server`).
"""

import asyncio
import sys
import urllib.parse

from websockets.asyncio.server import broadcast, serve

rooms = {}  # room name -> set of connections


async def handler(ws):
    url = urllib.parse.urlsplit(ws.request.path)
    if url.path == "/echo":
        async for message in ws:  # str stays text, bytes stay binary
            await ws.send(message)
        return
    room_name = url.path[len("/chat/"):] if url.path.startswith("/chat/") else url.path
    name = urllib.parse.parse_qs(url.query).get("name", ["anonymous"])[0]
    room = rooms.setdefault(room_name, set())
    room.add(ws)
    try:
        async for message in ws:
            if isinstance(message, str):
                # websockets.broadcast encodes the text once and writes it to every open
                # member without awaiting (library's recommended fan-out). No backpressure:
                # a slow member's write buffer just grows, nothing is dropped.
                broadcast(room, f"{name}: {message}")
    finally:
        room.discard(ws)
        if not room:
            rooms.pop(room_name, None)


async def main(port):
    # compression=None: plain frames, like the other peers; no ping timeouts in a benchmark.
    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None, max_size=None):
        print("ready", flush=True)
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: server.py PORT")
    try:
        asyncio.run(main(int(sys.argv[1])))
    except KeyboardInterrupt:
        pass
