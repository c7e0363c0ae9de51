"""Raw-socket HTTP and RFC 6455 helpers for sending what a well-behaved client library never would.

Everything is blocking with a socket timeout (default 5 s), so a silent server fails a test instead of
hanging it.
"""

import base64
import hashlib
import os
import socket
import struct
import time

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TIMEOUT = 5.0

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Response:
    """A parsed HTTP response head plus whatever body bytes arrived."""

    def __init__(self, status, reason, headers, body, raw):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value)
        self.body = body
        self.raw = raw

    def header(self, name):
        """First value of header `name` (case-insensitive) or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def tokens(self, name):
        """Comma-separated, lower-cased tokens of every `name` header."""
        out = []
        for key, value in self.headers:
            if key.lower() == name.lower():
                out.extend(token.strip().lower() for token in value.split(",") if token.strip())
        return out

    def __repr__(self):
        return f"<Response {self.status} {self.reason} {self.headers}>"


def connect(port, timeout=TIMEOUT):
    """A TCP connection to 127.0.0.1:port with a read/write timeout."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def recv_until_closed(sock, limit=1 << 22):
    """Reads until EOF (or `limit` bytes). A reset after some bytes still returns those bytes."""
    chunks = []
    total = 0
    while total < limit:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        chunks.append(data)
        total += len(data)
    return b"".join(chunks)


def parse_response(raw):
    """Parses raw response bytes (head + body) into a Response; raises AssertionError if there is no head."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, f"no complete HTTP response head in {raw[:200]!r}"
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    assert version.startswith("HTTP/1."), f"bad status line {lines[0]!r}"
    code, _, reason = rest.partition(" ")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return Response(int(code), reason, headers, body, raw)


def read_response_head(sock):
    """Reads exactly one response head (up to CRLFCRLF); returns (Response, bytes already read past it)."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(4096)
        if not data:
            raise AssertionError(f"connection closed before a full response head: {buffer!r}")
        buffer += data
        assert len(buffer) < 65536, "response head too large"
    head, _, rest = buffer.partition(b"\r\n\r\n")
    return parse_response(head + b"\r\n\r\n"), rest


def http_exchange(port, request_bytes, timeout=TIMEOUT):
    """Sends raw request bytes and reads the whole response until the server closes the connection.

    Servers answering errors must close (`Connection: close`), so reading to EOF is bounded by the timeout.
    """
    with connect(port, timeout) as sock:
        sock.sendall(request_bytes)
        raw = recv_until_closed(sock)
    return parse_response(raw)


def http_get(port, path, headers=None, method="GET"):
    """A simple request with Host and optional extra headers; reads the full response."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return http_exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def make_key(raw_bytes=None):
    """A Sec-WebSocket-Key: base64 of 16 random bytes (or of the given bytes)."""
    return base64.b64encode(raw_bytes if raw_bytes is not None else os.urandom(16)).decode()


def accept_for(key):
    """The Sec-WebSocket-Accept value a server must send for `key`."""
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def upgrade_request(port, path="/echo", key=None, version="13", extra=None, omit=()):
    """Bytes of a WebSocket upgrade request; `omit` drops headers by name, `extra` adds/overrides them."""
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key if key is not None else make_key(),
        "Sec-WebSocket-Version": version,
    }
    headers.update(extra or {})
    for name in omit:
        headers.pop(name, None)
    lines = [f"GET {path} HTTP/1.1"] + [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class RawWebSocket:
    """A hand-driven client WebSocket: the test decides every bit of every frame."""

    def __init__(self, port, path="/echo", timeout=TIMEOUT, extra_headers=None):
        self.sock = connect(port, timeout)
        key = make_key()
        self.sock.sendall(upgrade_request(port, path, key=key, extra=extra_headers))
        self.response, self.buffer = read_response_head(self.sock)
        assert self.response.status == 101, f"upgrade refused: {self.response!r} {self.response.body!r}"
        assert self.response.header("Sec-WebSocket-Accept") == accept_for(key)

    def close_socket(self):
        """Closes the TCP connection (idempotent)."""
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close_socket()
        return False

    def send_raw(self, data):
        """Writes bytes as they are."""
        self.sock.sendall(data)

    def send_frame(self, opcode, payload=b"", fin=True, mask=True, rsv=0, length_override=None):
        """Sends one frame; `mask=False` sends it unmasked, `rsv` sets RSV bits (0-7)."""
        self.sock.sendall(encode_frame(opcode, payload, fin, mask, rsv, length_override))

    def _read_exact(self, count):
        while len(self.buffer) < count:
            data = self.sock.recv(max(65536, count - len(self.buffer)))
            if not data:
                raise EOFError(f"connection closed with {len(self.buffer)} of {count} bytes buffered")
            self.buffer += data
        out, self.buffer = self.buffer[:count], self.buffer[count:]
        return out

    def read_frame(self):
        """Reads one server frame → (fin, opcode, payload). Server frames must be unmasked, RSV clear."""
        b0, b1 = self._read_exact(2)
        fin, rsv, opcode = bool(b0 & 0x80), (b0 >> 4) & 0x7, b0 & 0x0F
        assert not b1 & 0x80, "server frames must not be masked"
        assert rsv == 0, f"server sent RSV bits {rsv}"
        length = b1 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exact(8))
        return fin, opcode, self._read_exact(length)

    def read_message(self):
        """Reads one complete data message (reassembling fragments; answers nothing) → (opcode, payload).

        Control frames are returned immediately as (opcode, payload).
        """
        fin, opcode, payload = self.read_frame()
        if opcode >= 0x8:
            return opcode, payload
        parts = [payload]
        while not fin:
            fin, next_opcode, payload = self.read_frame()
            if next_opcode >= 0x8:
                raise AssertionError(f"control frame {next_opcode} inside a fragmented message (unexpected here)")
            assert next_opcode == OP_CONT, f"expected continuation, got opcode {next_opcode}"
            parts.append(payload)
        return opcode, b"".join(parts)

    def expect_close(self, expected_code):
        """Reads frames until a close frame; asserts its code, then asserts the server closes TCP."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                _, opcode, payload = self.read_frame()
            except EOFError as error:
                raise AssertionError(f"TCP closed without a close frame (expected {expected_code}): {error}") from None
            except ConnectionResetError:
                raise AssertionError(f"connection reset without a close frame (expected {expected_code})") from None
            if opcode != OP_CLOSE:
                continue
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            assert code == expected_code, f"close code {code} (reason {payload[2:]!r}), expected {expected_code}"
            self.expect_tcp_close()
            return payload[2:]
        raise AssertionError(f"no close frame within {TIMEOUT}s")

    def expect_tcp_close(self):
        """Asserts the server closes the TCP connection (EOF or reset) within the timeout."""
        try:
            while True:
                if self.buffer:
                    self.buffer = b""
                data = self.sock.recv(65536)
                if not data:
                    return
        except ConnectionResetError:
            return
        except socket.timeout:
            raise AssertionError("server did not close the TCP connection") from None


def mask_payload(payload, key):
    """XOR-masks `payload` with the 4-byte `key` (fast path via int arithmetic)."""
    if not payload:
        return b""
    repeated = (key * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")


def encode_frame(opcode, payload=b"", fin=True, mask=True, rsv=0, length_override=None):
    """Bytes of one client frame. `length_override` writes a different length than the payload's."""
    length = len(payload) if length_override is None else length_override
    first = (0x80 if fin else 0) | ((rsv & 0x7) << 4) | (opcode & 0x0F)
    mask_bit = 0x80 if mask else 0
    if length < 126:
        header = struct.pack("!BB", first, mask_bit | length)
    elif length < 65536:
        header = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + mask_payload(payload, key)


def close_payload(code, reason=b""):
    """Payload of a close frame with `code` and `reason`."""
    return struct.pack("!H", code) + reason
