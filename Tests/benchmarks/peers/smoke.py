#!/usr/bin/env python3
"""Smoke check for one peer server (issue 5): echo text + binary, a two-member room broadcast,
and optionally a rough echo throughput (N connections, T seconds, one Python process: the
client, not the server, is the bottleneck, so the number only shows the route works).

Usage: smoke.py PORT [--throughput N SECONDS]   (server already running on 127.0.0.1:PORT)
"""

import asyncio
import sys
import time

from websockets.asyncio.client import connect


async def check(port):
    base = f"ws://127.0.0.1:{port}"
    async with connect(f"{base}/echo", compression=None) as ws:
        await ws.send("hello")
        assert (got := await ws.recv()) == "hello", got
        await ws.send(b"\x00\x01\xff")
        assert (got := await ws.recv()) == b"\x00\x01\xff", got
    async with connect(f"{base}/chat/smoke?name=alice", compression=None) as a, \
               connect(f"{base}/chat/smoke?name=bob", compression=None) as b:
        await asyncio.sleep(0.1)  # let both joins land before the first broadcast
        await a.send("hi bob")
        for ws in (a, b):
            assert (got := await asyncio.wait_for(ws.recv(), 2)) == "alice: hi bob", got
        await b.send("hi alice")
        for ws in (a, b):
            assert (got := await asyncio.wait_for(ws.recv(), 2)) == "bob: hi alice", got
    print("smoke ok: echo text, echo binary, 2-member room broadcast")


async def throughput(port, conns, seconds):
    payload = "x" * 64
    counts = [0] * conns
    deadline = time.monotonic() + seconds

    async def one(i):
        async with connect(f"ws://127.0.0.1:{port}/echo", compression=None) as ws:
            window = 8  # keep a few messages in flight per connection
            for _ in range(window):
                await ws.send(payload)
            while time.monotonic() < deadline:
                await ws.recv()
                counts[i] += 1
                await ws.send(payload)
            for _ in range(window):
                await ws.recv()

    start = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(conns)))
    rate = sum(counts) / (time.monotonic() - start)
    print(f"echo: {conns} conns, {seconds}s, 64-byte text: {rate:,.0f} msg/s (python client bound)")


if __name__ == "__main__":
    port = int(sys.argv[1])
    asyncio.run(check(port))
    if len(sys.argv) >= 5 and sys.argv[2] == "--throughput":
        asyncio.run(throughput(port, int(sys.argv[3]), float(sys.argv[4])))
