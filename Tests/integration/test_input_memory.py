"""Input costs memory only for bytes that arrived, each route has its own message limit, and the input that
all connections hold in partial messages together is bounded by one global budget.
"""

import os
import resource
import socket
import time

from chatd_harness import MIB
from wsframes import close_info, describe
from wsraw import (
    OP_BINARY,
    OP_CLOSE,
    OP_TEXT,
    RawWebSocket,
    encode_frame,
    http_get,
    read_response_head,
    upgrade_request,
)

# The module daemon (conftest's `chatd`): chat texts of at most 1000 bytes, so a chat member's message limit is
# min(max_message_bytes, 6 * 1000 + 1024) = 7024 bytes while /echo allows max_message_bytes (1 MiB).
CHATD_SECTIONS = {"limits": {"max_message_bytes": 1048576}, "chat": {"max_text_bytes": 1000}}


def memory(pid):
    """(VmRSS, VmSize) of a process in bytes, from /proc/PID/status."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmSize"):
                fields[key] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmSize"]


def cpu_ticks(pid):
    """User plus system CPU clock ticks a process used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_until_idle(pid, timeout=10.0):
    """Waits (bounded) until the process uses no CPU for 0.3 s."""
    deadline = time.monotonic() + timeout
    last = cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = cpu_ticks(pid)
        if now == last:
            return
        last = now
    raise AssertionError(f"chatd still busy after {timeout}s")


def open_partial_messages(port, count, declared, sent):
    """`count` /echo connections, each upgraded and then sending a binary frame header that declares `declared`
    payload bytes followed by only `sent` of them, all in one write (no round trip per connection)."""
    request = upgrade_request(port, "/echo")
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sockets.append(sock)
            sock.sendall(request + encode_frame(OP_BINARY, b"p" * sent, length_override=declared))
        for sock in sockets:
            response, rest = read_response_head(sock)
            assert response.status == 101, f"upgrade refused: {response!r}"
            assert rest == b"", f"chatd answered a partial message: {rest[:40]!r}"
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def test_partial_huge_messages_cost_memory_by_bytes_received(chatd_factory):
    """3,000 /echo connections each declare a 16 MiB message and send 100 bytes of it: chatd's address space
    grows by less than 64 KiB and its resident memory by less than 8 KiB per connection (before: the whole
    declared size was reserved up front, 16 MiB each, 48 GB of address space)."""
    count = 3000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # chatd inherits it too
    sockets = []
    try:
        assert hard >= count + 200, f"RLIMIT_NOFILE hard limit {hard} is too low for {count} connections"
        daemon = chatd_factory(sections={"limits": {"max_message_bytes": 16842752, "max_connections": 10000}})
        pid = daemon.process.pid
        for sock in open_partial_messages(daemon.port, 20, 16 * MIB, 100):  # warm up, then measure from idle
            sock.close()
        wait_until_idle(pid)
        rss_before, size_before = memory(pid)
        started = time.monotonic()
        sockets = open_partial_messages(daemon.port, count, 16 * MIB, 100)
        opened = time.monotonic() - started
        wait_until_idle(pid)
        rss_after, size_after = memory(pid)
        rss_each = (rss_after - rss_before) / count
        size_each = (size_after - size_before) / count
        print(
            f"{count} partial 16 MiB messages opened in {opened:.1f}s: VmRSS +{rss_each:.0f} B and "
            f"VmSize +{size_each:.0f} B per connection (VmRSS {rss_before >> 20} -> {rss_after >> 20} MiB, "
            f"VmSize {size_before >> 20} -> {size_after >> 20} MiB)"
        )
        assert daemon.alive(), daemon.log_tail()
        assert http_get(daemon.port, "/healthz").status == 200
        assert size_each < 64 * 1024, f"VmSize grew by {size_each / 1024:.0f} KiB per connection (limit 64 KiB)"
        assert rss_each < 8 * 1024, f"VmRSS grew by {rss_each / 1024:.1f} KiB per connection (limit 8 KiB)"
    finally:
        for sock in sockets:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def frames_until_close(ws, timeout=3.0):
    """Reads server frames until a Close frame → (close code, reason, frames before it); fails when none comes
    within `timeout` seconds."""
    ws.sock.settimeout(timeout)
    frames = []
    try:
        while True:
            _, opcode, payload = ws.read_frame()
            if opcode == OP_CLOSE:
                code, reason = close_info(payload)
                return code, reason, frames
            frames.append((opcode, payload))
    except socket.timeout:
        raise AssertionError(f"no Close frame within {timeout}s; got {describe(frames)}") from None


def test_chat_message_over_route_limit_closes_1009(chatd):
    """An 8000-byte text frame is more than a chat message can be (6 * max_text_bytes + 1024 = 7024), so the
    chat member is closed with 1009 although max_message_bytes is 1 MiB."""
    with RawWebSocket(chatd.port, "/chat/routes?name=big") as ws:
        ws.read_frame()  # the welcome line
        ws.send_frame(OP_TEXT, b"a" * 8000)
        code, _, frames = frames_until_close(ws)
        assert code == 1009, f"Close {code} after {describe(frames)}, expected 1009"


def test_echo_route_allows_up_to_max_message_bytes(chatd):
    """The same 8000-byte frame sent to /echo comes back unchanged: /echo's limit is max_message_bytes."""
    with RawWebSocket(chatd.port, "/echo") as ws:
        payload = b"a" * 8000
        ws.send_frame(OP_TEXT, payload)
        assert ws.read_message() == (OP_TEXT, payload)
        big = os.urandom(1048576)
        ws.send_frame(OP_BINARY, big)
        assert ws.read_message() == (OP_BINARY, big)


def test_chat_frame_header_over_route_limit_closes_1009_before_payload(chatd):
    """A chat member whose frame header declares 1 MiB is closed with 1009 at once, before any payload byte
    arrives (the declared size is within max_message_bytes but above the chat route's limit)."""
    with RawWebSocket(chatd.port, "/chat/routes?name=header") as ws:
        ws.read_frame()  # the welcome line
        ws.send_frame(OP_TEXT, b"", length_override=1048576)  # header only
        code, _, frames = frames_until_close(ws, timeout=2.0)
        assert code == 1009, f"Close {code} after {describe(frames)}, expected 1009"


def test_chat_text_just_over_max_text_bytes_is_an_error_line(chatd):
    """A 1001-byte text fits the chat route's message limit, so it gets the ordinary `! text_too_long` error
    line and the member stays connected and can chat."""
    with RawWebSocket(chatd.port, "/chat/routes?name=short") as ws:
        ws.read_frame()  # the welcome line
        ws.send_frame(OP_TEXT, b"a" * 1001)
        opcode, payload = ws.read_message()
        while opcode == OP_TEXT and payload.startswith(b"* "):  # join lines of other tests' members
            opcode, payload = ws.read_message()
        assert opcode == OP_TEXT and payload.startswith(b"! text_too_long"), describe([(opcode, payload)])
        ws.send_frame(OP_TEXT, b"still here")
        assert ws.read_message() == (OP_TEXT, b"short: still here")


def test_input_budget_closes_largest_partial_messages_with_1013(chatd_factory):
    """8 /echo connections hold partial 250,000-byte messages of 130,000 to 200,000 bytes (1.32 MB together)
    under a 1 MiB global input budget: chatd closes the ones holding the largest partial messages with 1013
    "input budget exceeded" until the total fits, and every survivor can finish its message and gets its echo."""
    daemon = chatd_factory(sections={"limits": {"max_message_bytes": 262144, "max_buffered_input_bytes": 1048576}})
    size = 250_000
    clients = []
    try:
        for index in range(8):
            ws = RawWebSocket(daemon.port, "/echo")
            payload = os.urandom(size)
            frame = encode_frame(OP_BINARY, payload)
            cut = len(frame) - size + 130_000 + 10_000 * index
            clients.append((ws, payload, frame, cut))
            try:
                ws.send_raw(frame[:cut])
            except OSError:
                pass  # closed while sending: the Close frame is checked below
            time.sleep(0.05)  # let chatd read it all, so the order of arrival is the order of sending
        time.sleep(0.5)
        closed, survivors = [], []
        for client in clients:
            ws = client[0]
            ws.sock.settimeout(0.2)  # a Close frame would be here already
            try:
                _, opcode, data = ws.read_frame()
            except socket.timeout:
                survivors.append(client)
                continue
            except (EOFError, ConnectionResetError) as error:
                raise AssertionError(f"connection dropped without a Close frame: {error!r}") from None
            assert opcode == OP_CLOSE, f"unexpected frame {describe([(opcode, data)])} on a partial message"
            closed.append((client[3], close_info(data)))
        assert closed, "no connection was closed although 1.32 MB of partial messages exceed the 1 MiB budget"
        assert all(info == (1013, "input budget exceeded") for _, info in closed), closed
        assert len(survivors) >= 3, f"only {len(survivors)} of 8 survived: {closed}"
        for ws, payload, frame, cut in sorted(survivors, key=lambda client: -client[3]):
            ws.sock.settimeout(5)
            ws.send_raw(frame[cut:])
            opcode, echoed = ws.read_message()
            assert (opcode, len(echoed)) == (OP_BINARY, size) and echoed == payload, "echo differs"
    finally:
        for client in clients:
            client[0].close_socket()
