"""Reading what chatd sends, frame by frame, on raw sockets: for tests about what comes after a Close.

`FrameParser` splits unmasked server frames (7-, 16- and 64-bit lengths); `read_frames_until_eof` reads one
socket to its end and returns [(opcode, payload)]. `Peer` is a raw chat member driven by `pump`, a small
selector loop over many peers at once: it records every frame with its arrival time, can answer pings and
Close frames like a well-behaved client or never answer anything, and can stop reading (a stalled client).
Every wait is bounded; a silent server fails the test instead of hanging it.
"""

import selectors
import socket
import struct
import time

from wsraw import OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, encode_frame, make_key, read_response_head, upgrade_request

TIMEOUT = 5.0
OPCODE_NAMES = {0x0: "cont", 0x1: "text", 0x2: "binary", 0x8: "close", 0x9: "ping", 0xA: "pong"}


class FrameParser:
    """Splits a byte stream of server frames into (opcode, payload); server frames must be unmasked."""

    def __init__(self, initial=b""):
        self.buffer = bytearray(initial)
        self.offset = 0

    def feed(self, data):
        """Adds bytes and returns every frame now complete, oldest first."""
        if data:
            self.buffer += data
        frames = []
        while True:
            frame = self._take()
            if frame is None:
                break
            frames.append(frame)
        if self.offset > 1 << 20 or self.offset == len(self.buffer):
            del self.buffer[: self.offset]
            self.offset = 0
        return frames

    def pending(self):
        """Bytes of an incomplete frame still waiting for the rest."""
        return len(self.buffer) - self.offset

    def _take(self):
        buffer, start = self.buffer, self.offset
        available = len(buffer) - start
        if available < 2:
            return None
        first, second = buffer[start], buffer[start + 1]
        assert not second & 0x80, "server frames must not be masked"
        assert not first & 0x70, f"server sent RSV bits {(first >> 4) & 7}"
        length, header = second & 0x7F, 2
        if length == 126:
            if available < 4:
                return None
            (length,) = struct.unpack_from("!H", buffer, start + 2)
            header = 4
        elif length == 127:
            if available < 10:
                return None
            (length,) = struct.unpack_from("!Q", buffer, start + 2)
            header = 10
        if available < header + length:
            return None
        payload = bytes(buffer[start + header : start + header + length])
        self.offset = start + header + length
        return first & 0x0F, payload


def read_frames_until_eof(sock, initial=b"", timeout=TIMEOUT):
    """Reads `sock` until the server closes it (EOF or reset) → [(opcode, payload)] of every complete frame.

    `initial` holds bytes already read past the handshake. Fails when the connection stays open (and silent)
    for `timeout` seconds, or when a frame is cut off by the end of the stream.
    """
    parser = FrameParser(initial)
    frames = parser.feed(b"")
    sock.settimeout(timeout)
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            data = b""
        except socket.timeout:
            raise AssertionError(
                f"connection still open after {timeout}s of silence; frames so far: {describe(frames[-5:])}"
            ) from None
        if not data:
            break
        frames += parser.feed(data)
    assert parser.pending() == 0, f"stream ended inside a frame ({parser.pending()} bytes left over)"
    return frames


def close_info(payload):
    """(code, reason) of a Close frame's payload; (None, "") for an empty one."""
    if len(payload) < 2:
        return None, ""
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode("utf-8")


def describe(frames):
    """A short readable form of [(opcode, payload)] for assertion messages."""
    out = []
    for opcode, payload in frames:
        name = OPCODE_NAMES.get(opcode, str(opcode))
        if opcode == OP_CLOSE:
            out.append(f"close{close_info(payload)}")
        elif opcode == OP_TEXT:
            text = payload[:60].decode("utf-8", "replace")
            out.append(f"text({text!r}{'...' if len(payload) > 60 else ''})")
        else:
            out.append(f"{name}({len(payload)} bytes)")
    return "[" + ", ".join(out) + "]"


def assert_close_is_last(frames, code, reason, who="client"):
    """Asserts `frames` contain chatd's Close with `code` and `reason` and that nothing at all follows it."""
    opcodes = [opcode for opcode, _ in frames]
    assert OP_CLOSE in opcodes, f"{who}: no Close frame among {len(frames)} frames; last: {describe(frames[-5:])}"
    index = opcodes.index(OP_CLOSE)
    after = frames[index + 1 :]
    assert not after, (
        f"{who}: {len(after)} frame(s) after chatd's Close {describe([frames[index]])} (RFC 6455 5.5.1): "
        f"{describe(after[:8])}"
    )
    assert close_info(frames[index][1]) == (code, reason), (
        f"{who}: Close {close_info(frames[index][1])}, expected {(code, reason)}"
    )


def wait_for_log(daemon, needle, timeout=TIMEOUT):
    """Waits (bounded) until the daemon's log file contains `needle`; returns the log text."""
    deadline = time.monotonic() + timeout
    while True:
        text = daemon.log_path.read_text(errors="replace")
        if needle in text:
            return text
        if time.monotonic() >= deadline:
            raise AssertionError(f"{needle!r} not logged within {timeout}s:\n{daemon.log_tail()}")
        time.sleep(0.05)


class Peer:
    """A raw WebSocket client for `pump`: records every frame as (arrival time, opcode, payload).

    `answer=True` behaves like a library client (pong to every ping, Close reply to a Close); `answer=False`
    never sends anything by itself. `rcvbuf` sets SO_RCVBUF before connecting (so the kernel buffers little
    for a client that stops reading); `paused = True` stops reading the socket.
    """

    def __init__(self, port, path, answer=True, rcvbuf=None, timeout=TIMEOUT):
        self.path = path
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf is not None:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.settimeout(timeout)
            self.sock.connect(("127.0.0.1", port))
            self.sock.sendall(upgrade_request(port, path, key=make_key()))
            response, rest = read_response_head(self.sock)
            assert response.status == 101, f"{path}: upgrade refused: {response!r}"
            self.sock.setblocking(False)
        except BaseException:
            self.sock.close()
            raise
        self.parser = FrameParser(rest)
        self.frames = []
        self.eof_at = None
        self.out = bytearray()
        self.paused = False
        self.sent_close = False
        self.watched = {}
        self._record(self.parser.feed(b""), time.monotonic())

    def __repr__(self):
        return f"<Peer {self.path}>"

    def fileno(self):
        return self.sock.fileno()

    def watch(self, prefix):
        """Starts counting text frames that begin with `prefix` (bytes); see `seen`."""
        self.watched.setdefault(prefix, 0)

    def seen(self, prefix):
        """How many text frames starting with a watched `prefix` arrived so far."""
        return self.watched[prefix]

    def send_text(self, text):
        """Queues a masked text frame; `pump` writes it."""
        self.out += encode_frame(OP_TEXT, text.encode() if isinstance(text, str) else text)

    def pairs(self, since=0):
        """[(opcode, payload)] of the frames from index `since` on."""
        return [(opcode, payload) for _, opcode, payload in self.frames[since:]]

    def texts(self):
        """Every text frame's payload decoded, in order."""
        return [payload.decode("utf-8", "replace") for _, opcode, payload in self.frames if opcode == OP_TEXT]

    def first_time(self, predicate):
        """Arrival time of the first text frame whose decoded text satisfies `predicate`, or None."""
        for at, opcode, payload in self.frames:
            if opcode == OP_TEXT and predicate(payload.decode("utf-8", "replace")):
                return at
        return None

    def close_time(self):
        """Arrival time of the first Close frame, or None."""
        return next((at for at, opcode, _ in self.frames if opcode == OP_CLOSE), None)

    def close(self):
        """Closes the socket (idempotent)."""
        try:
            self.sock.close()
        except OSError:
            pass

    def _record(self, frames, now):
        for opcode, payload in frames:
            self.frames.append((now, opcode, payload))
            if opcode == OP_TEXT:
                for prefix in self.watched:
                    if payload.startswith(prefix):
                        self.watched[prefix] += 1
            elif self.answer and opcode == OP_PING and not self.sent_close:
                self.out += encode_frame(OP_PONG, payload)
            elif self.answer and opcode == OP_CLOSE and not self.sent_close:
                self.out += encode_frame(OP_CLOSE, payload[:2])
                self.sent_close = True

    def _read(self):
        now = time.monotonic()
        for _ in range(16):
            try:
                data = self.sock.recv(262144)
            except BlockingIOError:
                return
            except ConnectionResetError:
                data = b""
            if not data:
                self.eof_at = now
                assert self.parser.pending() == 0, f"{self}: stream ended inside a frame"
                return
            self._record(self.parser.feed(data), now)

    def _write(self):
        try:
            written = self.sock.send(self.out)
        except BlockingIOError:
            return
        except (BrokenPipeError, ConnectionResetError):
            self.out.clear()
            return
        del self.out[:written]


def pump(peers, until, timeout=TIMEOUT, what="condition"):
    """Reads and writes every peer until `until()` is true; fails after `timeout` seconds."""
    _loop(peers, until, timeout, what, must_finish=True)


def pump_for(peers, seconds):
    """Reads and writes every peer for `seconds`."""
    _loop(peers, lambda: False, seconds, None, must_finish=False)


def _loop(peers, until, timeout, what, must_finish):
    deadline = time.monotonic() + timeout
    registered = {}
    with selectors.DefaultSelector() as selector:
        while not until():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if must_finish:
                    raise AssertionError(f"no {what} within {timeout}s")
                return
            for peer in peers:
                mask = 0
                if peer.eof_at is None:
                    mask = (0 if peer.paused else selectors.EVENT_READ) | (selectors.EVENT_WRITE if peer.out else 0)
                current = registered.get(peer, 0)
                if mask == current:
                    continue
                if current and mask:
                    selector.modify(peer, mask)
                elif mask:
                    selector.register(peer, mask)
                else:
                    selector.unregister(peer)
                registered[peer] = mask
            if not any(registered.values()):
                time.sleep(min(remaining, 0.01))
                continue
            for key, events in selector.select(min(remaining, 0.05)):
                peer = key.fileobj
                if events & selectors.EVENT_WRITE:
                    peer._write()
                if events & selectors.EVENT_READ:
                    peer._read()


def publish(peers, publisher, name, count, size, window=32, stop=None, tick=None, timeout=60.0):
    """`publisher` (named `name` in its room) sends up to `count` chat lines of `size` bytes, keeping at most
    `window` of them in flight (sent but not yet echoed back to it), while `pump` serves every peer.

    Stops early once `stop()` is true; calls `tick()` between sends. Waits for the last echo; returns how many
    lines were sent.
    """
    prefix = f"{name}: ".encode()
    publisher.watch(prefix)
    base = publisher.seen(prefix)
    filler = "x" * max(0, size - 8)
    sent = 0
    deadline = time.monotonic() + timeout
    while sent < count and not (stop and stop()):
        if tick:
            tick()
        pump(
            peers,
            lambda: publisher.seen(prefix) - base > sent - window,
            max(0.1, deadline - time.monotonic()),
            f"echo of line {sent - window} from {name}",
        )
        publisher.send_text(f"{sent:07d} {filler}")
        sent += 1
    pump(peers, lambda: publisher.seen(prefix) - base >= sent, max(0.1, deadline - time.monotonic()), "last echo")
    return sent
