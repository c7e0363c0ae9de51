#!/usr/bin/env python3
"""Room fan-out benchmark: how many chat messages per second chatd delivers to a big room.

Starts nothing itself: point it at a running chatd whose rate limit is lifted, e.g.
`.build/release/chatd --config Tests/benchmarks/chatd-bench.toml` and `--url ws://127.0.0.1:8080/chat/bench`
(with the default limit of 5 messages/s the publisher is closed with 1008 and nothing is measured).
It opens MEMBERS raw WebSocket connections in WORKERS processes (spread over loopback source
addresses 127.0.0.1, 127.0.0.2, ... so no process nears its file limit), waits until the room is
quiet, then one extra member sends MESSAGES messages back to back. Every member counts the bytes
of the broadcast frames it receives; the run ends when each member has all of them (or at the
time limit). It prints delivered messages per second = MEMBERS x MESSAGES / elapsed.

Only stdlib; loopback only; bounded in connections, messages and time.
"""

import argparse
import base64
import multiprocessing
import os
import socket
import sys
import time
import urllib.parse


def handshake(host, port, path, source):
    """Opens one WebSocket connection from `source` and returns the socket (blocking)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed during handshake")
        response += chunk
    if not response.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"handshake refused: {response[:40]!r}")
    return sock


def masked_text_frame(text):
    """A client text frame (masked, as RFC 6455 requires)."""
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def drain_quietly(socks, quiet_seconds=0.5):
    """Reads and discards until nothing arrives for `quiet_seconds` (join notices settle)."""
    import selectors

    selector = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    while True:
        events = selector.select(timeout=quiet_seconds)
        if not events:
            break
        for key, _ in events:
            try:
                key.fileobj.recv(1 << 16)
            except BlockingIOError:
                pass
    selector.close()


def worker(index, args, members, ready, go, results):
    """Holds `members` connections and counts broadcast bytes until each has `expected` bytes."""
    import selectors

    url = urllib.parse.urlparse(args.url)
    source = f"127.0.0.{2 + index}"
    socks = [handshake(url.hostname, url.port, f"{url.path}?name=m{index}-{n}", source) for n in range(members)]
    ready.put(index)
    go.wait()
    drain_quietly(socks)
    ready.put(("quiet", index))
    expected = results.get()  # bytes each member must receive
    counts = {sock.fileno(): 0 for sock in socks}
    selector = selectors.DefaultSelector()
    for sock in socks:
        selector.register(sock, selectors.EVENT_READ)
    done = 0
    deadline = time.monotonic() + args.time_limit
    while done < len(socks) and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            try:
                data = key.fileobj.recv(1 << 18)
            except BlockingIOError:
                continue
            fd = key.fileobj.fileno()
            before = counts[fd]
            counts[fd] += len(data)
            if before < expected <= counts[fd]:
                done += 1
    ready.put(("done", index, done, time.monotonic()))
    for sock in socks:
        sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="ws://127.0.0.1:8080/chat/bench")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--text", default="x" * 48)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    if not args.url.startswith("ws://127.") and "localhost" not in args.url:
        sys.exit("refusing a non-loopback target")
    ready, results = multiprocessing.Queue(), multiprocessing.Queue()
    go = multiprocessing.Event()
    per_worker = [args.members // args.workers + (1 if i < args.members % args.workers else 0) for i in range(args.workers)]
    processes = [
        multiprocessing.Process(target=worker, args=(i, args, n, ready, go, results), daemon=True)
        for i, n in enumerate(per_worker)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=args.time_limit)
        url = urllib.parse.urlparse(args.url)
        sender = handshake(url.hostname, url.port, f"{url.path}?name=sender", "127.0.0.1")
        go.set()
        drain_quietly([sender])
        for _ in processes:
            ready.get(timeout=args.time_limit)
        line = f"sender: {args.text}".encode()
        frame_bytes = 2 + len(line) if len(line) < 126 else 4 + len(line)
        for _ in processes:
            results.put(frame_bytes * args.messages)
        sender.setblocking(True)
        burst = b"".join(masked_text_frame(args.text) for _ in range(args.messages))
        start = time.monotonic()
        sender.sendall(burst)
        finished, complete = [], 0
        for _ in processes:
            _, _, done, at = ready.get(timeout=args.time_limit + 10)
            complete += done
            finished.append(at)
        elapsed = max(finished) - start
        delivered = complete * args.messages
        print(f"room fan-out: {args.members} members, {args.messages} messages, "
              f"{complete}/{args.members} members got all, {elapsed:.3f} s, "
              f"{delivered / elapsed:,.0f} messages delivered/s")
        sender.close()
        return 0 if complete == args.members else 1
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()


if __name__ == "__main__":
    sys.exit(main())
