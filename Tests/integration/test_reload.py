"""SIGHUP reload outside systemd: live changes apply without dropping clients; a broken file is refused."""

import asyncio
import json
import signal
import time

from chatd_harness import render_config
from wsclient import TIMEOUT, ws_connect


async def welcome_limits(url):
    """Joins a fresh chatd.v1 member and returns its welcome's limits."""
    async with ws_connect(url, subprotocols=["chatd.v1"]) as ws:
        welcome = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert welcome["type"] == "welcome"
        return welcome["limits"]


def wait_for_log(daemon, needle, timeout=5.0):
    """Waits (bounded) until the daemon's log contains `needle`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in daemon.log_path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise AssertionError(f"{needle!r} not logged within {timeout}s:\n{daemon.log_tail()}")


def test_reload_applies_new_limits_and_keeps_clients(chatd_factory):
    daemon = chatd_factory(sections={"chat": {"max_text_bytes": 100}})

    async def scenario():
        assert (await welcome_limits(f"{daemon.url}/chat/reload"))["max_text_bytes"] == 100
        async with ws_connect(f"{daemon.url}/echo") as kept:
            daemon.config_path.write_text(render_config(daemon.port, {"chat": {"max_text_bytes": 222}}))
            daemon.process.send_signal(signal.SIGHUP)
            await asyncio.get_running_loop().run_in_executor(None, wait_for_log, daemon, "configuration reloaded")
            await kept.send("still here")
            assert await asyncio.wait_for(kept.recv(), TIMEOUT) == "still here"
            assert (await welcome_limits(f"{daemon.url}/chat/reload"))["max_text_bytes"] == 222

    asyncio.run(scenario())


def test_broken_config_on_reload_is_refused_and_old_one_stays(chatd_factory):
    daemon = chatd_factory(sections={"chat": {"max_text_bytes": 100}})

    async def scenario():
        daemon.config_path.write_text("[chat]\nmax_text_bytes = \"lots\"\n")
        daemon.process.send_signal(signal.SIGHUP)
        await asyncio.get_running_loop().run_in_executor(None, wait_for_log, daemon, "reload refused")
        log = daemon.log_path.read_text(errors="replace")
        assert "event=config_error" in log and "[chat] max_text_bytes" in log
        assert daemon.alive()
        assert (await welcome_limits(f"{daemon.url}/chat/reload2"))["max_text_bytes"] == 100

    asyncio.run(scenario())


def test_changed_listen_address_is_logged_as_needing_a_restart(chatd_factory):
    daemon = chatd_factory()
    text = render_config(daemon.port).replace(f"127.0.0.1:{daemon.port}", "127.0.0.1:1")
    daemon.config_path.write_text(text)
    daemon.process.send_signal(signal.SIGHUP)
    wait_for_log(daemon, "need a restart")
    assert daemon.alive()
