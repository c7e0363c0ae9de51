"""The daemon keeps serving through hostile input, many clients and silent peers."""

import asyncio
import socket
import time

from wsclient import join, recv, recv_line, recv_until, run, ws_connect
from wsraw import (
    OP_BINARY,
    OP_PING,
    OP_TEXT,
    RawWebSocket,
    connect,
    encode_frame,
    http_get,
    upgrade_request,
)

# The fan-out test sends 50 messages from one member at once: above the default rate limit
# ([chat] rate_burst 10), so this module's daemon allows more (rate limiting is tested in test_v1_rate.py).
CHATD_SECTIONS = {"chat": {"rate_per_second": 1000, "rate_burst": 1000}}


def _swallow(sock):
    """Reads whatever the server answers until it closes (bounded by the socket timeout)."""
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass


def _malformed_battery(port):
    """One connection per kind of abuse; none of them may take the daemon down."""
    requests = [
        b"GARBAGE\r\n\r\n",
        b"\x00\xff" * 500,
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"y" * 20000 + b"\r\n\r\n",
        b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n Folded: header\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header : x\r\n\r\n",
        b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: %%%%\r\nSec-WebSocket-Version: 13\r\n\r\n",
        upgrade_request(port, "/echo")[:40],  # half a handshake, then disconnect
        upgrade_request(port, "/chat/battery") + encode_frame(OP_TEXT, b"x" * 50)[:20],  # half a frame
        upgrade_request(port, "/echo") + encode_frame(OP_TEXT, b"unmasked", mask=False),
        upgrade_request(port, "/echo") + encode_frame(OP_BINARY, b"", length_override=1 << 40),
        upgrade_request(port, "/echo") + encode_frame(OP_TEXT, b"\xed\xa0\x80"),  # UTF-16 surrogate
        upgrade_request(port, "/echo") + encode_frame(5, b"reserved"),
        upgrade_request(port, "/echo") + encode_frame(OP_PING, b"x" * 200),
        upgrade_request(port, "/echo") + bytes([0x81, 0xFF]) + b"\x7f" * 8,
    ]
    for payload in requests:
        with connect(port, timeout=2) as sock:
            try:
                sock.sendall(payload)
            except OSError:
                pass
            _swallow(sock)
    for payload in requests[:4]:  # the same again, but hang up without reading (reset)
        sock = connect(port, timeout=2)
        try:
            sock.sendall(payload)
        except OSError:
            pass
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    for _ in range(50):  # connect-and-vanish storm
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_daemon_survives_malformed_input_and_still_chats(chatd):
    _malformed_battery(chatd.port)
    assert chatd.alive(), chatd.log_tail()
    assert http_get(chatd.port, "/healthz").status == 200

    async def scenario():
        a, _ = await join(chatd.url, "/chat/after-battery", "a")
        b, _ = await join(chatd.url, "/chat/after-battery", "b")
        await recv_line(a, "* b joined after-battery")
        await b.send("still alive")
        await recv_line(a, "b: still alive")
        await recv_line(b, "b: still alive")
        await a.close()
        await b.close()

    run(scenario())


def test_200_clients_in_one_room_all_receive(chatd):
    count = 200

    async def scenario():
        semaphore = asyncio.Semaphore(50)

        async def open_client(index):
            async with semaphore:
                ws, _ = await join(chatd.url, "/chat/crowd", f"c{index}", compression=None)
                return ws

        clients = await asyncio.gather(*(open_client(i) for i in range(count)))
        try:
            await clients[0].send("hello crowd")

            async def wait_for_line(ws):
                await recv_line(ws, "c0: hello crowd", timeout=30)

            await asyncio.gather(*(wait_for_line(ws) for ws in clients))
        finally:
            await asyncio.gather(*(ws.close() for ws in clients), return_exceptions=True)

    run(scenario(), timeout=90)
    assert chatd.alive(), chatd.log_tail()


def test_broadcast_fan_out_of_many_messages(chatd):
    """20 clients, 50 messages each way: everyone sees all 50 in order."""

    async def scenario():
        clients = [(await join(chatd.url, "/chat/fanout", f"f{i}", compression=None))[0] for i in range(20)]
        try:
            for i in range(50):
                await clients[0].send(f"n{i}")
            for ws in clients:
                seen = []
                while len(seen) < 50:
                    message = await recv(ws, timeout=10)
                    if message.startswith("f0: n"):
                        seen.append(message)
                assert seen == [f"f0: n{i}" for i in range(50)]
        finally:
            for ws in clients:
                await ws.close()

    run(scenario(), timeout=60)


def test_silent_connection_hits_handshake_timeout(chatd_factory):
    daemon = chatd_factory(sections={"timeouts": {"handshake_seconds": 1}})
    started = time.monotonic()
    with connect(daemon.port, timeout=6) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\n")  # and never finish the request
        _swallow(sock)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"server kept a stalled handshake open for {elapsed:.1f}s with handshake_seconds = 1"


def test_idle_client_gets_pinged_and_unanswered_ping_closes(chatd_factory):
    daemon = chatd_factory(sections={"timeouts": {"idle_seconds": 1, "pong_seconds": 1, "close_seconds": 1}})
    with RawWebSocket(daemon.port, timeout=6) as ws:
        started = time.monotonic()
        _, opcode, _ = ws.read_frame()
        assert opcode == OP_PING, f"expected a ping after 1 s of silence, got opcode {opcode}"
        assert time.monotonic() - started < 4
        # Never answer: the server must give up on us (close frame and/or TCP close) within a few seconds.
        try:
            while True:
                ws.read_frame()
        except (EOFError, ConnectionResetError):
            pass
        except socket.timeout:
            raise AssertionError("server kept a peer that never answered its ping") from None
        assert time.monotonic() - started < 6


def test_idle_client_that_answers_pings_stays_connected(chatd_factory):
    daemon = chatd_factory(sections={"timeouts": {"idle_seconds": 1, "pong_seconds": 1}})

    async def scenario():
        async with ws_connect(f"{daemon.url}/echo") as ws:  # the library answers pings automatically
            await asyncio.sleep(3.5)
            await ws.send("still connected")
            reply, _ = await recv_until(ws, lambda message: message == "still connected")
            assert reply == "still connected"

    run(scenario())
