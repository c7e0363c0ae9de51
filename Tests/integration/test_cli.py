"""The chatd command line and process lifecycle: config checking, flags, signals, start-up errors."""

import asyncio
import os
import re
import signal
import socket
import subprocess
import time

import pytest
from chatd_harness import SHIPPED_CONFIG, ChatdProcess, chatd_binary, free_port, port_accepts
from websockets.exceptions import ConnectionClosed
from wsclient import expect_closed, join, recv, run, ws_connect
from wsraw import OP_CLOSE, RawWebSocket, http_get, parse_response, recv_until_closed


def run_chatd(*args, timeout=10):
    """Runs chatd to completion (for flags that exit straight away)."""
    return subprocess.run(
        [str(chatd_binary()), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def assert_one_clear_error(result):
    """Exit status 1 with a short message, not a crash, usage dump or backtrace."""
    assert result.returncode == 1, f"exit {result.returncode}, stderr: {result.stderr!r}"
    assert result.stderr.strip(), "error must be reported on stderr"
    assert "Fatal error" not in result.stderr and "Stack dump" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3, f"expected one clear error line, got:\n{result.stderr}"


def test_check_config_accepts_shipped_config():
    result = run_chatd("--config", str(SHIPPED_CONFIG), "--check-config")
    assert result.returncode == 0, result.stderr
    assert "config OK" in result.stdout
    assert str(SHIPPED_CONFIG.name) in result.stdout


def test_bad_value_names_file_key_and_line(tmp_path):
    config = tmp_path / "bad-value.toml"
    config.write_text('# a comment\n[server]\nlisten = ["127.0.0.1:18080"]\n\n[limits]\nmax_message_bytes = "abc"\n')
    result = run_chatd("--config", str(config), "--check-config")
    assert_one_clear_error(result)
    assert "bad-value.toml" in result.stderr
    assert "max_message_bytes" in result.stderr
    assert re.search(r":6\b", result.stderr), f"line 6 not named: {result.stderr!r}"


def test_out_of_range_value_is_rejected(tmp_path):
    config = tmp_path / "range.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:0"]\n')
    result = run_chatd("--config", str(config), "--check-config")
    assert_one_clear_error(result)
    assert "listen" in result.stderr


def test_unknown_key_is_rejected(tmp_path):
    config = tmp_path / "typo.toml"
    config.write_text("[limits]\nmax_mesage_bytes = 10\n")
    result = run_chatd("--config", str(config), "--check-config")
    assert_one_clear_error(result)
    assert "max_mesage_bytes" in result.stderr


def test_toml_syntax_error_is_one_line(tmp_path):
    config = tmp_path / "syntax.toml"
    config.write_text("[limits\nmax_message_bytes = = 3\n")
    result = run_chatd("--config", str(config), "--check-config")
    assert_one_clear_error(result)
    assert "syntax.toml" in result.stderr


def test_missing_config_file_is_an_error(tmp_path):
    result = run_chatd("--config", str(tmp_path / "nope.toml"), "--check-config")
    assert_one_clear_error(result)
    assert "nope.toml" in result.stderr


def test_version():
    result = run_chatd("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"chatd \d+\.\d+\.\d+\s*", result.stdout), result.stdout


def test_listen_flag_overrides_config(chatd_factory):
    flag_port = free_port()
    daemon = chatd_factory(extra_args=("--listen", f"127.0.0.1:{flag_port}"), wait_port=flag_port)
    assert http_get(flag_port, "/healthz").status == 200
    assert not port_accepts(daemon.port), "the config file's listener must be replaced by --listen"


def test_repeated_listen_flags_serve_all(chatd_factory):
    first, second = free_port(), free_port()
    chatd_factory(extra_args=("--listen", f"127.0.0.1:{first}", "--listen", f"127.0.0.1:{second}"), wait_port=first)
    deadline = time.monotonic() + 5
    while not port_accepts(second) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert http_get(first, "/healthz").status == 200
    assert http_get(second, "/healthz").status == 200


def test_port_in_use_exits_1_with_message(tmp_path):
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = run_chatd("--listen", f"127.0.0.1:{port}", timeout=10)
    assert_one_clear_error(result)
    assert str(port) in result.stderr or "in use" in result.stderr.lower(), result.stderr


def test_sigterm_closes_every_client_with_1001_and_exits_0(chatd_factory):
    daemon = chatd_factory()

    async def scenario():
        echo_clients = [await ws_connect(f"{daemon.url}/echo") for _ in range(5)]
        chat_clients = [(await join(daemon.url, "/chat/shutdown", f"s{i}"))[0] for i in range(5)]
        for ws in echo_clients:
            await ws.send("ping")
            assert await recv(ws) == "ping"
        started = time.monotonic()
        daemon.process.send_signal(signal.SIGTERM)
        codes = []
        for ws in echo_clients + chat_clients:
            try:
                async with asyncio.timeout(5):
                    while True:
                        await ws.recv()
            except ConnectionClosed as closed:
                codes.append(closed.rcvd.code if closed.rcvd else None)
            except TimeoutError:
                codes.append("no close within 5 s")
        return codes, started

    codes, started = run(scenario())
    assert codes == [1001] * 10, codes
    status = daemon.process.wait(timeout=10)
    elapsed = time.monotonic() - started
    daemon.stop()
    assert status == 0, f"exit status {status}\n{daemon.log_tail()}"
    assert elapsed < 4, f"took {elapsed:.1f}s to exit although every client answered the close"


def test_sigterm_with_unresponsive_client_still_exits_promptly(chatd_factory):
    daemon = chatd_factory(sections={"timeouts": {"shutdown_drain_seconds": 1}})
    with RawWebSocket(daemon.port) as ws:
        started = time.monotonic()
        daemon.process.send_signal(signal.SIGTERM)
        _, opcode, payload = ws.read_frame()
        assert opcode == OP_CLOSE and payload[:2] == (1001).to_bytes(2, "big"), (opcode, payload)
        # Never answer the close: the drain period bounds the shutdown.
        status = daemon.process.wait(timeout=10)
        elapsed = time.monotonic() - started
    daemon.stop()
    assert status == 0, f"exit status {status}\n{daemon.log_tail()}"
    assert elapsed < 4, f"shutdown took {elapsed:.1f}s with shutdown_drain_seconds = 1"


def test_sigint_also_exits_0(chatd_factory):
    daemon = chatd_factory()
    daemon.process.send_signal(signal.SIGINT)
    status = daemon.process.wait(timeout=10)
    daemon.stop()
    assert status == 0, f"exit status {status}\n{daemon.log_tail()}"


def test_sighup_reload_keeps_serving(chatd_factory):
    daemon = chatd_factory()

    async def scenario():
        async with ws_connect(f"{daemon.url}/echo") as ws:
            daemon.process.send_signal(signal.SIGHUP)
            await asyncio.sleep(0.5)
            await ws.send("after reload")
            assert await recv(ws) == "after reload"

    run(scenario())
    assert daemon.alive(), daemon.log_tail()
    assert http_get(daemon.port, "/healthz").status == 200


def test_bad_flag_values_are_rejected():
    for args in (("--max-message-bytes", "abc"), ("--max-message-bytes", "0"), ("--log-level", "loud")):
        result = run_chatd(*args, "--check-config")
        assert_one_clear_error(result)


def test_flags_apply_on_top_of_the_file(chatd_factory):
    daemon = chatd_factory(extra_args=("--max-message-bytes", "100"))

    async def scenario():
        async with ws_connect(f"{daemon.url}/echo", compression=None) as ws:
            await ws.send("a" * 100)
            assert await recv(ws) == "a" * 100
            await ws.send("a" * 101)
            await expect_closed(ws, 1009)

    run(scenario())


def test_stderr_log_lines_have_timestamp_level_and_metadata(chatd_factory):
    daemon = chatd_factory()
    http_get(daemon.port, "/healthz")
    daemon.stop()
    lines = daemon.log_path.read_text(errors="replace").splitlines()
    levels = "trace|debug|info|notice|warning|error|critical"
    pattern = re.compile(rf"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z ({levels})\s+\S")
    assert lines, "chatd logged nothing"
    assert all(pattern.match(line) for line in lines), "\n".join(line for line in lines if not pattern.match(line))
    assert any("event=" in line for line in lines)


def test_ipv6_loopback_listener(tmp_path):
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
            port = probe.getsockname()[1]
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    daemon = ChatdProcess(tmp_path, "ipv6", extra_args=("--listen", f"[::1]:{port}"))
    daemon.start(wait_port=lambda: port_accepts(port, host="::1"))
    try:
        with socket.create_connection(("::1", port), timeout=5) as sock:
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: [::1]:{port}\r\n\r\n".encode())
            response = parse_response(recv_until_closed(sock))
        assert response.status == 200
    finally:
        status = daemon.stop()
    assert status == 0, daemon.log_tail()


def run_chatd_with_env(*args, env_changes, timeout=10):
    """Runs chatd to completion with some environment variables set (a value of None removes one)."""
    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [str(chatd_binary()), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env
    )


def test_check_config_prints_where_history_goes(tmp_path):
    unit_like = {"STATE_DIRECTORY": str(tmp_path / "unit"), "XDG_STATE_HOME": str(tmp_path / "xdg")}
    result = run_chatd_with_env("--config", str(SHIPPED_CONFIG), "--check-config", env_changes=unit_like)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"history: sqlite at {tmp_path}/unit/history.sqlite3 (sync normal)"
    flag = run_chatd_with_env(
        "--check-config", "--state-dir", str(tmp_path / "flag"), "--config", str(SHIPPED_CONFIG), env_changes=unit_like
    )
    assert flag.returncode == 0, flag.stderr
    assert f"history: sqlite at {tmp_path}/flag/history.sqlite3 (sync normal)" in flag.stdout
    assert not (tmp_path / "flag").exists(), "--check-config must not create the state directory"
    xdg = run_chatd_with_env("--check-config", env_changes={**unit_like, "STATE_DIRECTORY": None})
    assert f"history: sqlite at {tmp_path}/xdg/chatd/history.sqlite3 (sync normal)" in xdg.stdout


def test_check_config_names_the_memory_store_and_an_explicit_path(tmp_path):
    memory = tmp_path / "memory.toml"
    memory.write_text('[history]\nstore = "memory"\n')
    result = run_chatd("--config", str(memory), "--check-config")
    assert result.returncode == 0, result.stderr
    assert "history: memory (not kept across restarts)" in result.stdout
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('[history]\npath = "rooms/chat.db"\nsync = "full"\n')
    result = run_chatd("--config", str(explicit), "--check-config", "--state-dir", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    assert f"history: sqlite at {tmp_path}/s/rooms/chat.db (sync full)" in result.stdout


def test_bad_history_value_names_file_key_and_line(tmp_path):
    config = tmp_path / "bad-history.toml"
    config.write_text('[log]\nlevel = "info"\n\n[history]\nsync = "sometimes"\n')
    result = run_chatd("--config", str(config), "--check-config")
    assert_one_clear_error(result)
    assert "bad-history.toml:5: [history] sync:" in result.stderr, result.stderr
    assert '"normal" or "full"' in result.stderr


def test_empty_state_dir_flag_is_one_clear_error():
    result = run_chatd("--state-dir", "", "--check-config")
    assert_one_clear_error(result)
    assert "--state-dir" in result.stderr
