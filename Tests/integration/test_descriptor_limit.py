"""Running out of file descriptors: chatd sheds connections instead of spinning, then recovers."""

import resource
import socket
import time

from chatd_harness import ChatdProcess


def cpu_ticks(pid):
    """User + system CPU time of `pid` in clock ticks."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_descriptor_exhaustion_neither_spins_nor_wedges(tmp_path):
    with ChatdProcess(tmp_path, "fd-limit") as daemon:
        pid = daemon.process.pid
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (40, 40))
        held = []
        try:
            for _ in range(80):  # twice the limit: the kernel backlog holds the rest
                held.append(socket.create_connection(("127.0.0.1", daemon.port), timeout=5))
            time.sleep(0.5)
            before = cpu_ticks(pid)
            time.sleep(2.0)
            used = cpu_ticks(pid) - before
            assert used < 50, f"chatd used {used} ticks in 2 s while out of descriptors (spinning?)"
            assert daemon.alive()
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.5)
        deadline = time.monotonic() + 10
        status = b""
        while time.monotonic() < deadline:
            with socket.create_connection(("127.0.0.1", daemon.port), timeout=5) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                status = sock.recv(64).split(b"\r\n")[0]
            if status == b"HTTP/1.1 200 OK":
                break
            time.sleep(0.2)
        assert status == b"HTTP/1.1 200 OK"
        assert "out of file descriptors" in open(daemon.log_path).read()
        assert daemon.stop() == 0
