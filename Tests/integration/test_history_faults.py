"""Durable room history when the disk or the database file is not what chatd needs (issue 10).

* The disk fills up while chatd runs: chat goes on, /healthz says `degraded`, the log has history_degraded; space
  comes back: /healthz `ok`, history_recovered, messages are stored again; after a restart a resuming client gets a
  `gap` with reason `unstored` for exactly the messages that could not be stored, and no id is ever reused.
* chatd stops while still degraded: the ids it handed out were never recorded, so the room starts a new epoch
  (README "When the disk fails") and a resuming client gets `reset`.
* chatd refuses to start (exit status 1 within seconds, one stderr line saying what and how to fix it) on a corrupt
  or foreign database file, a store another chatd uses, and a read-only state directory.

The disk-full and read-only cases mount a tmpfs and need root (skipped otherwise, failed when CI=true).
"""

import asyncio
import errno
import os
import sqlite3
import time

import pytest
from chatd_harness import MIB, ChatdProcess
from v1client import close_all, decode, recv_type, room_url, say, v1_connect, v1_join
from wsclient import recv, run

RATE = {"rate_per_second": 100_000, "rate_burst": 100_000}
HISTORY_FILE = "history.sqlite3"
# Start failures: log level info, so stderr holds the error line and not the debug chatter before it.
QUIET = {"log": {"level": "info"}}
START_FAILS_WITHIN = 5.0


# ---- helpers ----


async def join_with_gaps(base, room, name, since=None, epoch=None):
    """Joins over chatd.v1 and consumes the join sequence, allowing any number of `gap` events before `history`.
    Returns (ws, welcome, gaps, history messages)."""
    ws = await v1_connect(room_url(base, room, name=name, since=since, epoch=epoch))
    welcome = decode(await recv(ws))
    assert welcome["type"] == "welcome", welcome
    gaps = []
    while True:
        message = decode(await recv(ws))
        if message["type"] != "gap":
            break
        gaps.append(message)
    assert message["type"] == "history", f"expected history after welcome/gaps, got {message}"
    presence = decode(await recv(ws))
    assert presence["type"] == "presence", presence
    await recv_type(ws, "join", name=welcome["name"])
    return ws, welcome, gaps, message["messages"]


async def say_and_deliver(sender, receiver, text):
    """Sends `text` from `sender` and waits until both `sender` and `receiver` got it; returns the message."""
    await say(sender.ws, text)
    echoed, _ = await recv_type(sender.ws, "message", text=text)
    delivered, _ = await recv_type(receiver.ws, "message", text=text)
    assert echoed == delivered, (echoed, delivered)
    return delivered


def runs_of(ids):
    """Sorted ids → list of (first, last) of consecutive runs."""
    runs = []
    for value in sorted(ids):
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return [tuple(run_) for run_ in runs]


def unstored_gaps(room, since, unstored_runs):
    """The gap events a client resuming at `since` must get for these runs of unstored ids."""
    return [
        {"type": "gap", "room": room, "after": first - 1, "before": last + 1, "reason": "unstored"}
        for first, last in unstored_runs
        if first > since
    ]


def fill_file_system(path):
    """Writes zeros to `path` until the file system is full (ENOSPC); returns the bytes written."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for chunk in (64 * 1024, 4096, 512, 1):
            block = bytes(chunk)
            while True:
                try:
                    count = os.write(fd, block)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
                written += count
                if count < chunk:
                    break
        os.fsync(fd)
    finally:
        os.close(fd)
    return written


def assert_start_refused(daemon, *needles):
    """Runs `daemon` expecting it to refuse to start: exit status 1 within START_FAILS_WITHIN seconds, no crash,
    and one stderr line containing every needle. Returns that line."""
    started = time.monotonic()
    result = daemon.run_until_exit(timeout=15)
    took = time.monotonic() - started
    stderr = result.stderr.strip()
    assert result.returncode == 1, f"exit status {result.returncode} (expected 1); stderr:\n{stderr}"
    assert took < START_FAILS_WITHIN, f"took {took:.1f}s to give up (expected < {START_FAILS_WITHIN}s)"
    assert "Fatal error" not in stderr and "Stack dump" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if all(needle in line for needle in needles)]
    assert lines, f"no stderr line with all of {needles}; stderr:\n{stderr}"
    assert len(stderr.splitlines()) <= 3, f"expected one clear error line, got:\n{stderr}"
    print(f"\nrefused in {took:.2f}s: {lines[0]}")
    return lines[0]


# ---- disk full ----


def test_disk_full_degrades_then_recovers_and_reports_unstored_ids(tmpfs, chatd_factory):
    """State directory on a 2 MiB tmpfs that a filler file fills up: messages keep flowing, the store degrades and
    recovers, and after a restart the lost ids come back as `unstored` gaps (room `full`: messages stored again after
    recovery; room `tail`: nothing after the lost ones, so only chatd's own record says they existed)."""
    state = tmpfs("state", size="2m")
    sections = {
        "chat": {"history_size": 1000, "max_text_bytes": 2000, **RATE},
        "limits": {"max_outbound_bytes": 64 * MIB},
    }
    daemon = chatd_factory(sections=sections, state_dir=state)
    filler = state / "filler"
    text = "x" * 1500
    seen = {"full": [], "tail": []}

    async def before_restart():
        sender = await v1_join(daemon.url, "full", "sender")
        receiver = await v1_join(daemon.url, "full", "receiver")
        tail_sender = await v1_join(daemon.url, "tail", "sender")
        tail_receiver = await v1_join(daemon.url, "tail", "receiver")
        epochs = {"full": sender.welcome["epoch"], "tail": tail_sender.welcome["epoch"]}
        for number in range(5):
            seen["full"].append(await say_and_deliver(sender, receiver, f"stored {number}"))
        for number in range(2):
            seen["tail"].append(await say_and_deliver(tail_sender, tail_receiver, f"tail stored {number}"))
        assert (await asyncio.to_thread(daemon.healthz))[1].startswith("ok")

        filled = await asyncio.to_thread(fill_file_system, filler)
        print(f"\nfiller: {filled} bytes")
        # Chat goes on while the store cannot write; send until /healthz notices (bounded).
        degraded_after = None
        for number in range(300):
            seen["full"].append(await say_and_deliver(sender, receiver, f"full {number} {text}"))
            status, body = await asyncio.to_thread(daemon.healthz)
            assert status == 200, (status, body)
            if body.startswith("degraded"):
                degraded_after = number + 1
                break
        assert degraded_after, f"/healthz never said degraded with the disk full: {body!r}\n{daemon.log_tail()}"
        print(f"degraded after {degraded_after} messages on a full disk: {body.strip()!r}")
        await asyncio.to_thread(daemon.wait_for_event, "history_degraded")
        for number in range(10):
            seen["full"].append(await say_and_deliver(sender, receiver, f"while degraded {number}"))
        for number in range(5):
            seen["tail"].append(await say_and_deliver(tail_sender, tail_receiver, f"tail while degraded {number}"))
        status, body = await asyncio.to_thread(daemon.healthz)
        assert status == 200 and body.startswith("degraded"), (status, body)

        # Space comes back: recovery without any new message, within a few seconds.
        filler.unlink()
        freed = time.monotonic()
        await asyncio.to_thread(daemon.wait_for_health, "ok", 5.0)
        print(f"healthy again {time.monotonic() - freed:.2f}s after the filler was deleted")
        await asyncio.to_thread(daemon.wait_for_event, "history_recovered", 5.0)
        for number in range(5):
            seen["full"].append(await say_and_deliver(sender, receiver, f"after recovery {number}"))
        assert (await asyncio.to_thread(daemon.healthz))[1].startswith("ok")
        await close_all(sender.ws, receiver.ws, tail_sender.ws, tail_receiver.ws)
        return epochs

    epochs = run(before_restart(), timeout=50)
    assert daemon.restart() == 0, daemon.log_tail()
    unstored_logged = daemon.log_events("history_unstored", all_runs=True)
    assert daemon.healthz()[1].startswith("ok")

    async def after_restart():
        stored = {}
        for room in ("full", "tail"):
            ws, welcome, gaps, history = await join_with_gaps(daemon.url, room, "checker")
            assert welcome["epoch"] == epochs[room], f"{room}: epoch changed across the restart"
            assert gaps == [], gaps
            highest = seen[room][-1]["id"]
            assert welcome["last_id"] >= highest, (
                f"{room}: last_id {welcome['last_id']} after the restart, but ids up to {highest} were delivered"
            )
            by_id = {m["id"]: m for m in seen[room]}
            for message in history:
                assert by_id.get(message["id"]) == message, f"{room}: stored {message} was never delivered as such"
            stored[room] = {m["id"] for m in history}
            await ws.close()

        lost = {room: sorted({m["id"] for m in seen[room]} - stored[room]) for room in seen}
        print(f"unstored ids: { {room: runs_of(ids) for room, ids in lost.items()} }")
        assert lost["full"] and lost["tail"], f"nothing was lost with the disk full: {lost}"
        assert {1, 2, 3, 4, 5} <= stored["full"] and {1, 2} <= stored["tail"], "messages from before the disk filled up"
        recovered = [m["id"] for m in seen["full"] if m["text"].startswith("after recovery")]
        assert set(recovered) <= stored["full"], f"messages after the recovery were not stored: {recovered}"

        # Independent checks from here on: every difference is reported, not just the first.
        problems = []
        # The log names exactly the lost ids (room, first_id, last_id).
        logged = {"full": set(), "tail": set()}
        for fields in unstored_logged:
            assert fields.get("room") in logged, f"history_unstored for an unexpected room: {fields}"
            logged[fields["room"]] |= set(range(int(fields["first_id"]), int(fields["last_id"]) + 1))
        for room in logged:
            if logged[room] != set(lost[room]):
                problems.append(
                    f"{room}: history_unstored lines name ids {runs_of(logged[room])}, lost were {runs_of(lost[room])}"
                )
        if problems:
            problems.append(f"history_unstored lines: {unstored_logged}")

        # Resuming from before the lost ids: an `unstored` gap for each run, then exactly the stored messages.
        resumed = []
        for room, since in (("full", lost["full"][0] - 1), ("full", 2), ("tail", lost["tail"][0] - 1), ("tail", 1)):
            ws, welcome, gaps, history = await join_with_gaps(
                daemon.url, room, f"back{since}", since=since, epoch=epochs[room]
            )
            resumed.append(ws)
            expected = unstored_gaps(room, since, runs_of(lost[room]))
            if gaps != expected:
                problems.append(f"{room} since={since}: gaps {gaps}, expected {expected}")
            history_ids = [m["id"] for m in history]
            if history_ids != sorted(i for i in stored[room] if i > since):
                problems.append(f"{room} since={since}: history ids {history_ids}")

        # No id is handed out twice, also where nothing was stored after the lost ones.
        for room in ("full", "tail"):
            ws = resumed[0] if room == "full" else resumed[2]
            await say(ws, f"{room} after restart")
            message, _ = await recv_type(ws, "message", text=f"{room} after restart")
            assert message["id"] > seen[room][-1]["id"], (
                f"{room}: id {message['id']} after the restart; ids up to {seen[room][-1]['id']} were delivered"
            )
        await close_all(*resumed)
        assert not problems, "\n".join(problems)

    run(after_restart(), timeout=40)


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_stopped_while_degraded_the_room_starts_a_new_epoch(tmpfs, chatd_factory, how):
    """chatd stops (SIGTERM or SIGKILL) while the disk is still full, so the ids it handed out since could not be
    recorded: after the next start the room has a new epoch (README "When the disk fails"), a client resuming with
    the old epoch gets `reset` and the stored messages, and nothing it saw comes back under an id it already has
    in that epoch."""
    state = tmpfs("state", size="2m")
    daemon = chatd_factory(sections={"chat": RATE}, state_dir=state)
    filler = state / "filler"

    async def before():
        sender = await v1_join(daemon.url, "stopped", "sender")
        receiver = await v1_join(daemon.url, "stopped", "receiver")
        stored = [await say_and_deliver(sender, receiver, f"stored {n}") for n in range(3)]
        await asyncio.to_thread(fill_file_system, filler)
        lost = [await say_and_deliver(sender, receiver, f"while degraded {n}") for n in range(4)]
        await asyncio.to_thread(daemon.wait_for_health, "degraded", 5.0)
        await close_all(sender.ws, receiver.ws)
        return sender.welcome["epoch"], stored, lost

    epoch, stored, lost = run(before(), timeout=40)
    if how == "sigkill":
        assert daemon.kill() == -9
    else:
        assert daemon.stop() == 0, daemon.log_tail()
    filler.unlink()
    daemon.start()
    daemon.wait_for_health("ok", 5.0)

    async def after():
        since = lost[-1]["id"]
        ws, welcome, gaps, history = await join_with_gaps(daemon.url, "stopped", "back", since=since, epoch=epoch)
        assert welcome["epoch"] != epoch, "ids were handed out but not recorded: the epoch must change"
        assert history == stored, f"history {history}, expected the stored messages {stored}"
        reset = {"type": "gap", "room": "stopped", "after": since, "before": stored[0]["id"], "reason": "reset"}
        assert gaps == [reset], gaps
        await say(ws, "after the restart")
        message, _ = await recv_type(ws, "message", text="after the restart")
        again = await v1_join(daemon.url, "stopped", "again", since=message["id"], epoch=welcome["epoch"])
        assert again.gap is None and again.messages == [], (again.gap, again.messages)
        await close_all(ws, again.ws)

    run(after(), timeout=40)


# ---- refusing to start ----


def test_corrupt_database_file_is_refused_and_left_alone(tmp_path):
    """Garbage where the database should be: exit 1, one line naming the file, what is wrong and the `mv`."""
    daemon = ChatdProcess(tmp_path, "corrupt", QUIET)
    database = daemon.state_dir / HISTORY_FILE
    garbage = (b"this is not an SQLite database, just some bytes \x00\xff\x10" * 1500)[:65536]
    database.write_bytes(garbage)
    assert_start_refused(daemon, str(database), "corrupt or not a database", f"mv {database} {database}.broken")
    assert database.read_bytes() == garbage, "chatd changed the file it refused"


def test_damaged_chatd_database_is_refused(tmp_path):
    """A real chatd database whose first page (the schema) was overwritten: refused like garbage."""
    daemon = ChatdProcess(tmp_path, "damaged", QUIET)
    daemon.start()

    async def write_some():
        member = await v1_join(daemon.url, "damaged", "writer")
        for number in range(5):
            await say(member.ws, f"m{number}")
            await recv_type(member.ws, "message", text=f"m{number}")
        await member.ws.close()

    try:
        run(write_some())
    finally:
        assert daemon.stop() == 0, daemon.log_tail()
    database = daemon.state_dir / HISTORY_FILE
    assert database.is_file(), f"no {database} after a run with the default store"
    for suffix in ("-wal", "-shm"):  # a clean stop should have folded these in; they must not mask the damage
        (daemon.state_dir / (HISTORY_FILE + suffix)).unlink(missing_ok=True)
    data = bytearray(database.read_bytes())
    assert data[:16] == b"SQLite format 3\x00"
    data[100:4096] = (b"\xde\xad\xbe\xef" * 1024)[: 4096 - 100]
    database.write_bytes(bytes(data))
    assert_start_refused(daemon, str(database), "corrupt or not a database", f"mv {database} {database}.broken")
    assert database.read_bytes() == bytes(data), "chatd changed the file it refused"


def test_foreign_sqlite_database_is_refused_and_left_alone(tmp_path):
    """An SQLite file that some other program wrote: exit 1, "not a chatd history database", file untouched."""
    daemon = ChatdProcess(tmp_path, "foreign", QUIET)
    database = daemon.state_dir / HISTORY_FILE
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        connection.execute("INSERT INTO notes (body) VALUES ('buy milk')")
    connection.close()
    before = database.read_bytes()
    assert_start_refused(daemon, str(database), "not a chatd history database")
    assert database.read_bytes() == before, "chatd changed the foreign database"
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT body FROM notes").fetchall() == [("buy milk",)]
    connection.close()


def test_store_in_use_by_another_chatd_is_refused_and_the_first_keeps_serving(chatd_factory, tmp_path):
    """A second chatd on the same --state-dir (its own port) exits 1; the first one never notices."""
    first = chatd_factory(sections={"chat": RATE})

    async def chat(name, texts):
        member = await v1_join(first.url, "shared", name)
        got = []
        for text in texts:
            await say(member.ws, text)
            got.append((await recv_type(member.ws, "message", text=text))[0])
        return member, got

    async def before():
        member, got = await chat("first", ["before the second chatd"])
        await member.ws.close()
        return got

    kept = run(before())
    second = ChatdProcess(tmp_path, "second", QUIET, state_dir=first.state_dir)
    assert second.port != first.port
    assert_start_refused(second, "in use by another chatd process")
    assert first.alive(), first.log_tail()
    status, body = first.healthz()
    assert status == 200 and body.startswith("ok"), (status, body)

    async def after():
        member, got = await chat("still", ["after the second chatd"])
        fresh = await v1_join(first.url, "shared", "fresh")
        assert fresh.messages == kept + got, "the refused chatd disturbed the store"
        await close_all(member.ws, fresh.ws)

    run(after())


def test_read_only_state_directory_is_refused(tmpfs, tmp_path):
    """The state directory is on a read-only file system (root ignores permission bits, so a ro tmpfs): exit 1,
    "not writable", naming the directory."""
    read_only = tmpfs("read-only", size="1m", read_only=True)
    daemon = ChatdProcess(tmp_path, "read-only", QUIET, state_dir=read_only)
    assert_start_refused(daemon, "not writable", str(read_only))
