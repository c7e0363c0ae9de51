"""The /echo endpoint: every message comes back unchanged, with its type."""

import asyncio
import os

import pytest
from chatd_harness import MIB, ChatdProcess
from websockets.exceptions import ConnectionClosed
from wsclient import expect_closed, recv, run, ws_connect
from wsraw import OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT, RawWebSocket, close_payload, encode_frame


def test_text_stays_text(chatd):
    async def scenario():
        async with ws_connect(f"{chatd.url}/echo") as ws:
            await ws.send("héllo wörld ✓ 🎉")
            reply = await recv(ws)
            assert isinstance(reply, str)
            assert reply == "héllo wörld ✓ 🎉"

    run(scenario())


def test_binary_stays_binary(chatd):
    async def scenario():
        payload = bytes(range(256)) * 4
        async with ws_connect(f"{chatd.url}/echo") as ws:
            await ws.send(payload)
            reply = await recv(ws)
            assert isinstance(reply, bytes)
            assert reply == payload

    run(scenario())


def test_empty_messages(chatd):
    async def scenario():
        async with ws_connect(f"{chatd.url}/echo") as ws:
            await ws.send("")
            assert await recv(ws) == ""
            await ws.send(b"")
            assert await recv(ws) == b""

    run(scenario())


def test_many_messages_keep_order(chatd):
    async def scenario():
        async with ws_connect(f"{chatd.url}/echo") as ws:
            for i in range(200):
                await ws.send(f"message {i}")
            for i in range(200):
                assert await recv(ws) == f"message {i}"

    run(scenario())


def test_fragmented_text_is_reassembled(chatd):
    with RawWebSocket(chatd.port) as ws:
        text = "Grüße, ☃!".encode()
        # Split inside the multi-byte "ü" and "☃" so UTF-8 must be validated across fragments.
        ws.send_frame(OP_TEXT, text[:3], fin=False)
        ws.send_frame(OP_CONT, text[3:11], fin=False)
        ws.send_frame(OP_CONT, text[11:], fin=True)
        assert ws.read_message() == (OP_TEXT, text)


def test_fragmented_binary_with_interleaved_ping(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_BINARY, b"\x00\x01", fin=False)
        ws.send_frame(OP_PING, b"mid-message")
        ws.send_frame(OP_CONT, b"\x02\x03", fin=True)
        assert ws.read_message() == (OP_PONG, b"mid-message")
        assert ws.read_message() == (OP_BINARY, b"\x00\x01\x02\x03")


def test_ping_gets_pong_with_same_payload(chatd):
    with RawWebSocket(chatd.port) as ws:
        payload = os.urandom(125)
        ws.send_frame(OP_PING, payload)
        assert ws.read_message() == (OP_PONG, payload)
        ws.send_frame(OP_PING, b"")
        assert ws.read_message() == (OP_PONG, b"")


def test_unsolicited_pong_is_ignored(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_PONG, b"nobody asked")
        ws.send_frame(OP_TEXT, b"still here")
        assert ws.read_message() == (OP_TEXT, b"still here")


def test_client_ping_via_library(chatd):
    async def scenario():
        async with ws_connect(f"{chatd.url}/echo") as ws:
            pong_waiter = await ws.ping(b"lib-ping")
            latency = await asyncio.wait_for(pong_waiter, 5)
            assert latency >= 0

    run(scenario())


def test_16_mib_round_trip(chatd):
    async def scenario():
        payload = os.urandom(16 * MIB)
        async with ws_connect(f"{chatd.url}/echo", max_size=None, compression=None) as ws:
            await ws.send(payload)
            reply = await recv(ws, timeout=30)
            assert len(reply) == len(payload)
            assert reply == payload
            text = "é" * (8 * MIB)  # 16 MiB of two-byte UTF-8
            await ws.send(text)
            assert await recv(ws, timeout=30) == text

    run(scenario(), timeout=90)


@pytest.fixture(scope="module")
def small_limit_chatd(tmp_path_factory):
    """A daemon with a 1000-byte message limit, to probe the boundary exactly."""
    daemon = ChatdProcess(tmp_path_factory.mktemp("small"), "echo-small-limit", {"limits": {"max_message_bytes": 1000}})
    daemon.start()
    try:
        yield daemon
    finally:
        alive = daemon.alive()
        status = daemon.stop()
        assert alive and status == 0, f"small-limit chatd: alive={alive} status={status}\n{daemon.log_tail()}"


def test_message_at_limit_is_echoed(small_limit_chatd):
    async def scenario():
        async with ws_connect(f"{small_limit_chatd.url}/echo", compression=None) as ws:
            await ws.send(b"a" * 1000)
            assert await recv(ws) == b"a" * 1000

    run(scenario())


def test_message_over_limit_closes_1009(small_limit_chatd):
    async def scenario():
        async with ws_connect(f"{small_limit_chatd.url}/echo", compression=None) as ws:
            await ws.send("a" * 1001)
            await expect_closed(ws, 1009)

    run(scenario())


def test_fragmented_message_over_limit_closes_1009(small_limit_chatd):
    with RawWebSocket(small_limit_chatd.port) as ws:
        for index in range(3):
            ws.send_frame(OP_BINARY if index == 0 else OP_CONT, b"b" * 400, fin=False)
        ws.expect_close(1009)


def test_oversized_frame_header_closes_1009_before_payload(small_limit_chatd):
    """The 1009 must come as soon as the header announces too much, not after 2 GiB arrive."""
    with RawWebSocket(small_limit_chatd.port) as ws:
        ws.send_frame(OP_BINARY, b"", length_override=1 << 31)  # header only, no payload
        ws.expect_close(1009)


def test_close_handshake_via_library(chatd):
    async def scenario():
        ws = await ws_connect(f"{chatd.url}/echo")
        await ws.close(1000, "bye")
        assert ws.close_code == 1000
        try:
            await ws.recv()
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1000

    run(scenario())


def test_server_close_reply_has_no_data_after_it(chatd):
    with RawWebSocket(chatd.port) as ws:
        # One write, so the server reads both frames together; the text frame after the close must be ignored.
        ws.send_raw(encode_frame(OP_CLOSE, close_payload(1000, b"done")) + encode_frame(OP_TEXT, b"after close"))
        ws.expect_close(1000)
