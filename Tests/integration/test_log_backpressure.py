"""Logging never blocks the reactor: with its log on a pipe nobody reads, chatd keeps serving every request,
drops the lines that do not fit, and reports how many it dropped once the pipe drains.
"""

import os
import re
import signal
import socket
import subprocess
import threading
import time

from chatd_harness import chatd_binary, free_port, port_accepts, render_config
from wsraw import read_response_head

REQUESTS = 3000
# Every request to a missing page logs its path at debug level: about 1.2 KB of log per request, so the run
# writes several MB, far more than a 64 KiB pipe plus chatd's 1 MiB log buffer.
LONG_PATH = "/no-such-page-" + "x" * 1000


def get(port, path, timeout=2.0):
    """One HTTP/1.1 GET on a fresh connection → status code; raises socket.timeout when there is no answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        response, _ = read_response_head(sock)
        return response.status


def drain(fd, output):
    """Reads a pipe into `output` until EOF (run in a thread)."""
    while True:
        data = os.read(fd, 65536)
        if not data:
            return
        output += data


def test_full_log_pipe_never_stops_serving_and_drops_are_reported(tmp_path):
    """chatd at debug level with stdout and stderr on a pipe the test does not read answers 3,000 /healthz
    requests (plus 3,000 that log a long path) within 2 s each (before: it blocked in write(2) on the full pipe
    and stopped serving everyone); once the pipe is read again a line with event=log_dropped and dropped=N > 0
    says how many lines were lost, and SIGTERM still ends it with status 0."""
    port = free_port()
    config = tmp_path / "chatd.toml"
    config.write_text(render_config(port, {"log": {"level": "debug"}}))
    process = subprocess.Popen(
        [str(chatd_binary()), "--config", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = bytearray()
    reader = threading.Thread(target=drain, args=(process.stdout.fileno(), output), daemon=True)
    status = None
    try:
        deadline = time.monotonic() + 10
        while not port_accepts(port):
            assert process.poll() is None, f"chatd exited with {process.returncode} at start"
            assert time.monotonic() < deadline, "chatd did not listen within 10 s"
            time.sleep(0.05)
        started = time.monotonic()
        for index in range(REQUESTS):
            for path, expected in (("/healthz", 200), (LONG_PATH, 404)):
                try:
                    answer = get(port, path)
                except socket.timeout:
                    raise AssertionError(
                        f"request {index} ({path[:20]}) unanswered for 2 s while nobody reads chatd's log pipe: "
                        "writing the log blocks the event loop"
                    ) from None
                assert answer == expected, f"request {index} ({path[:20]}): status {answer}"
        elapsed = time.monotonic() - started
        assert elapsed < 60, f"{2 * REQUESTS} requests took {elapsed:.1f}s"
        reader.start()
        deadline = time.monotonic() + 5
        while b"event=log_dropped" not in output:  # the report rides on the next line chatd manages to write
            assert time.monotonic() < deadline, f"no event=log_dropped line; log ends with {bytes(output[-400:])!r}"
            assert get(port, "/healthz") == 200
            time.sleep(0.1)
        report = next(line for line in bytes(output).splitlines() if b"event=log_dropped" in line)
        match = re.search(rb"\bdropped=(\d+)", report)
        assert match and int(match.group(1)) > 0, f"no dropped=N > 0 in {report!r}"
    finally:
        if not reader.is_alive() and reader.ident is None:
            reader.start()
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            status = "killed after SIGTERM timeout"
        reader.join(timeout=5)
        process.stdout.close()
    assert status == 0, f"chatd exited with {status} on SIGTERM; log ends with {bytes(output[-400:])!r}"
