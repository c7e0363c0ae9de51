"""Configured limits enforced end to end: connections, rooms, members, names, slow consumers."""

import asyncio
import socket
import time

from chatd_harness import port_accepts
from wsclient import expect_closed, join, recv, recv_until, run, ws_connect
from wsraw import OP_CLOSE, RawWebSocket, connect, http_exchange, http_get, read_response_head, upgrade_request


def test_connections_over_max_get_503(chatd_factory):
    daemon = chatd_factory(sections={"limits": {"max_connections": 3}})

    async def scenario():
        clients = [await ws_connect(f"{daemon.url}/echo") for _ in range(3)]
        response = http_get(daemon.port, "/healthz")
        assert response.status == 503, f"4th connection got {response.status}"
        assert "close" in response.tokens("Connection")
        await clients[0].close()
        deadline = time.monotonic() + 5
        while http_get(daemon.port, "/healthz").status != 200:  # a slot frees up once the close completes
            assert time.monotonic() < deadline, "slot not released after a client left"
            await asyncio.sleep(0.05)
        for ws in clients[1:]:
            await ws.close()

    run(scenario())


def test_full_room_refuses_with_1013(chatd_factory):
    daemon = chatd_factory(sections={"limits": {"max_members_per_room": 2}})

    async def scenario():
        a, _ = await join(daemon.url, "/chat/small", "a")
        b, _ = await join(daemon.url, "/chat/small", "b")
        async with ws_connect(f"{daemon.url}/chat/small?name=c") as c:
            await expect_closed(c, 1013)
        other, welcome = await join(daemon.url, "/chat/elsewhere", "c")
        assert welcome["room"] == "elsewhere"
        for ws in (a, b, other):
            await ws.close()

    run(scenario())


def test_too_many_rooms_refuses_with_1013(chatd_factory):
    daemon = chatd_factory(sections={"limits": {"max_rooms": 1}})

    async def scenario():
        a, _ = await join(daemon.url, "/chat/first", "a")
        async with ws_connect(f"{daemon.url}/chat/second?name=b") as b:
            await expect_closed(b, 1013)
        await a.close()
        # The only room is gone once empty, so another one may be created now.
        deadline = time.monotonic() + 5
        while True:
            ws = await ws_connect(f"{daemon.url}/chat/second?name=b")
            first = await recv(ws)
            if first.startswith("Welcome, "):
                await ws.close()
                return
            await ws.close()
            assert time.monotonic() < deadline, "empty room was not deleted"
            await asyncio.sleep(0.1)

    run(scenario())


def test_long_names_are_truncated_to_max_name_length(chatd):
    async def scenario():
        ws, welcome = await join(chatd.url, "/chat/longname", "n" * 100)
        assert welcome["name"] == "n" * 32
        await ws.close()

    run(scenario())


def test_percent_encoded_room_name_is_decoded(chatd):
    async def scenario():
        ws, welcome = await join(chatd.url, "/chat/r%2Dx", "pct")
        assert welcome["room"] == "r-x"
        await ws.close()

    run(scenario())


def test_invalid_room_names_are_404(chatd):
    for path in ("/chat/bad%20room", "/chat/" + "a" * 65, "/chat/", "/chat/a/b", "/chat/caf%C3%A9"):
        response = http_exchange(chatd.port, upgrade_request(chatd.port, path))
        assert response.status == 404, f"{path}: {response.status}"


def test_head_request_has_no_body(chatd):
    with connect(chatd.port) as sock:
        sock.sendall(f"HEAD / HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\n\r\n".encode())
        response, rest = read_response_head(sock)
        sock.settimeout(1)
        try:
            while True:
                data = sock.recv(4096)
                if not data:
                    break
                rest += data
        except socket.timeout:
            pass
    assert response.status == 200
    assert rest == b"", f"HEAD response carried {len(rest)} body bytes"


def test_slow_consumer_is_disconnected_and_room_keeps_working(chatd_factory):
    """A member that never reads must be dropped once its queue passes max_outbound_bytes."""
    daemon = chatd_factory(
        sections={
            "limits": {"max_message_bytes": 8192, "max_outbound_bytes": 65536},
            # The flood must not be stopped by the sender's rate limit first.
            "chat": {"rate_per_second": 100000, "rate_burst": 100000, "history_size": 2},
        }
    )
    slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.settimeout(5)
    try:
        slow.connect(("127.0.0.1", daemon.port))
        slow.sendall(upgrade_request(daemon.port, "/chat/flood?name=slow"))
        response, after_head = read_response_head(slow)
        assert response.status == 101

        async def scenario():
            fast, _ = await join(daemon.url, "/chat/flood", "fast", compression=None)
            line = "x" * 4000
            sent = 0
            left = False
            deadline = time.monotonic() + 20
            while not left and sent < 20000:  # at most 80 MB, bounded in time as well
                assert time.monotonic() < deadline, f"slow consumer still connected after {sent} messages"
                await fast.send(line)
                sent += 1
                # Lock-step: read up to our own echo so the fast member never becomes slow itself.
                _, skipped = await recv_until(fast, lambda m: m == f"fast: {line}", timeout=10)
                left = "* slow left flood" in skipped
            if not left:
                await recv_until(fast, lambda m: m == "* slow left flood", timeout=5)
                left = True
            assert left, "slow consumer never disconnected"
            await fast.send("after the flood")
            await recv_until(fast, lambda m: m == "fast: after the flood", timeout=10)
            await fast.close()

        run(scenario(), timeout=60)
        # Reading again, the slow member finds well-formed frames (a half-written one completed) and then
        # the close frame that says why: 1013, try again later.
        frames = frames_until_close(slow, rest=after_head, limit=40000)
        assert frames[-1][0] == 0x8, f"no close frame after {len(frames)} frames"
        assert frames[-1][1][:2] == (1013).to_bytes(2, "big"), frames[-1]
        assert all(opcode == 0x1 for opcode, _ in frames[:-1])
    finally:
        slow.close()
    assert port_accepts(daemon.port)


def frames_until_close(sock, rest, limit):
    """Reads server frames from a raw socket until a close frame (or EOF) → [(opcode, payload)]."""
    buffer = bytearray(rest)
    frames = []
    while len(frames) < limit:
        frame = take_frame(buffer)
        if frame is not None:
            frames.append(frame)
            if frame[0] == 0x8:
                return frames
            continue
        data = sock.recv(65536)
        if not data:
            return frames
        buffer += data
    return frames


def take_frame(buffer):
    """Removes one complete unmasked frame from the front of `buffer` → (opcode, payload), or None."""
    if len(buffer) < 2:
        return None
    length, header = buffer[1] & 0x7F, 2
    if length == 126:
        if len(buffer) < 4:
            return None
        length, header = int.from_bytes(buffer[2:4], "big"), 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        length, header = int.from_bytes(buffer[2:10], "big"), 10
    if len(buffer) < header + length:
        return None
    frame = (buffer[0] & 0x0F, bytes(buffer[header : header + length]))
    del buffer[: header + length]
    return frame


def test_server_close_frame_for_refused_join_is_well_formed(chatd_factory):
    daemon = chatd_factory(sections={"limits": {"max_members_per_room": 1}})

    async def scenario():
        member, _ = await join(daemon.url, "/chat/one", "a")
        with RawWebSocket(daemon.port, "/chat/one?name=b") as raw:
            _, opcode, payload = raw.read_frame()
            assert opcode == OP_CLOSE
            assert payload[:2] == (1013).to_bytes(2, "big")
            payload[2:].decode("utf-8")  # the reason must be valid UTF-8
        await member.close()

    run(scenario())
