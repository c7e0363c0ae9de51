"""RFC 6455 §5/§7 framing rules, driven frame by frame over a raw socket against /echo."""

import struct
import time

import pytest
from wsraw import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_TEXT,
    RawWebSocket,
    close_payload,
    connect,
    encode_frame,
    make_key,
    read_response_head,
    upgrade_request,
)


def test_unmasked_frame_closes_1002(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_TEXT, b"no mask", mask=False)
        ws.expect_close(1002)


@pytest.mark.parametrize("opcode", [3, 7, 11, 15])
def test_reserved_opcode_closes_1002(chatd, opcode):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(opcode, b"reserved")
        ws.expect_close(1002)


@pytest.mark.parametrize("rsv", [1, 2, 4])
def test_rsv_bits_close_1002(chatd, rsv):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_TEXT, b"rsv", rsv=rsv)
        ws.expect_close(1002)


def test_invalid_utf8_text_closes_1007(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_TEXT, b"valid then \xff invalid")
        ws.expect_close(1007)


def test_invalid_utf8_fails_fast_mid_frame(chatd):
    """The invalid byte must fail the connection before the rest of the frame arrives."""
    with RawWebSocket(chatd.port) as ws:
        frame = encode_frame(OP_TEXT, b"ok \xc0\xaf" + b"x" * 200)
        ws.send_raw(frame[: 2 + 2 + 4 + 10])  # header (126 form), mask key, first 10 payload bytes
        ws.expect_close(1007)


def test_truncated_utf8_at_message_end_closes_1007(chatd):
    with RawWebSocket(chatd.port) as ws:
        euro = "€".encode()
        ws.send_frame(OP_TEXT, b"price " + euro[:1], fin=False)
        ws.send_frame(OP_CONT, euro[1:2], fin=True)  # the sequence never completes
        ws.expect_close(1007)


def test_continuation_without_start_closes_1002(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_CONT, b"orphan", fin=True)
        ws.expect_close(1002)


def test_new_message_inside_fragmented_message_closes_1002(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_TEXT, b"first", fin=False)
        ws.send_frame(OP_BINARY, b"second", fin=True)
        ws.expect_close(1002)


def test_oversized_control_frame_closes_1002(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_PING, b"p" * 126)
        ws.expect_close(1002)


def test_fragmented_control_frame_closes_1002(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_PING, b"frag", fin=False)
        ws.expect_close(1002)


def test_64_bit_length_with_msb_set_closes_1002(chatd):
    with RawWebSocket(chatd.port) as ws:
        header = struct.pack("!BBQ", 0x80 | OP_BINARY, 0x80 | 127, 1 << 63)
        ws.send_raw(header + b"\x01\x02\x03\x04")
        ws.expect_close(1002)


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 2999, 5000])
def test_close_with_invalid_code_closes_1002(chatd, code):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_CLOSE, close_payload(code))
        ws.expect_close(1002)


def test_close_with_one_byte_payload_closes_1002(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_CLOSE, b"\x03")
        ws.expect_close(1002)


def test_close_with_invalid_utf8_reason_closes_1007(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_CLOSE, close_payload(1000, b"bad \xff reason"))
        ws.expect_close(1007)


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1011, 3000, 4999])
def test_valid_close_code_is_echoed_and_tcp_closed(chatd, code):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_CLOSE, close_payload(code, b"bye"))
        ws.expect_close(code)


def test_empty_close_gets_close_reply(chatd):
    with RawWebSocket(chatd.port) as ws:
        ws.send_frame(OP_CLOSE, b"")
        _, opcode, payload = ws.read_frame()
        assert opcode == OP_CLOSE
        assert payload in (b"", close_payload(1000)), f"unexpected close payload {payload!r}"
        ws.expect_tcp_close()


def test_frame_split_byte_by_byte_is_echoed(chatd):
    with RawWebSocket(chatd.port) as ws:
        frame = encode_frame(OP_TEXT, "split ✓".encode())
        for index in range(len(frame)):
            ws.send_raw(frame[index : index + 1])
            time.sleep(0.002)
        assert ws.read_message() == (OP_TEXT, "split ✓".encode())


def test_frames_pipelined_with_handshake_are_processed(chatd):
    """Frames sent in the same write as the upgrade request must not be lost."""
    with connect(chatd.port) as sock:
        sock.sendall(upgrade_request(chatd.port, key=make_key()) + encode_frame(OP_TEXT, b"pipelined"))
        response, rest = read_response_head(sock)
        assert response.status == 101
        while len(rest) < 2 + len(b"pipelined"):
            data = sock.recv(4096)
            assert data, "closed before the echo"
            rest += data
        assert rest[:2] == bytes([0x80 | OP_TEXT, len(b"pipelined")])
        assert rest[2:11] == b"pipelined"
