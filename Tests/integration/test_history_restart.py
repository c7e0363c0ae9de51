"""Durable room history across restarts (issue 10): SIGKILL or SIGTERM in the middle of a burst, then the same
daemon (config, port, state directory) starts again.

Contract: a message is stored before any member is sent it; after a restart the room keeps its epoch and its ids,
so everything anyone saw is in the history, `?since=ID&epoch=E` returns exactly the stored messages after ID with
no `gap`, and no id is ever handed out twice. (`[history] store = "memory"` keeping the old reset behaviour is
checked in test_v1_history.py.)
"""

import asyncio
import time

import pytest
from chatd_harness import MIB
from v1client import close_all, decode, recv_type, say, v1_join
from websockets.exceptions import ConnectionClosed
from wsclient import run

ROOM = "burst"
PUBLISHERS = 4
PER_PUBLISHER = 500
TOTAL = PUBLISHERS * PER_PUBLISHER
RECEIVERS = 3
# Messages each publisher may have sent without having seen its own echo yet: keeps the burst going while the
# daemon dies, instead of everything already sitting in the kernel's buffers.
WINDOW = 16
# The daemon dies once the first receiver has seen this many messages (well inside the burst).
STOP_AFTER = 600
SECTIONS = {
    # history_size holds the whole burst; max_text_bytes small so the replay fits max_outbound_bytes.
    "chat": {"history_size": 5000, "max_text_bytes": 200, "rate_per_second": 100_000, "rate_burst": 100_000},
    "limits": {"max_outbound_bytes": 64 * MIB},
}


class Connection:
    """A joined chatd.v1 member whose every `message` is recorded by a reader task until the connection ends."""

    def __init__(self, member, label):
        self.member = member
        self.label = label
        self.seen = []
        self.closed = asyncio.Event()
        self.listeners = []
        self.task = asyncio.create_task(self._read())

    async def _read(self):
        try:
            async for frame in self.member.ws:
                message = decode(frame)
                if message["type"] == "message":
                    self.seen.append(message)
                    for listener in self.listeners:
                        listener(message)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()

    @property
    def last_id(self):
        """The highest id this connection saw (None when it saw no message)."""
        return self.seen[-1]["id"] if self.seen else None


async def publish(connection, index, window):
    """Sends PER_PUBLISHER messages `p{index}-{n}`, at most `window` ahead of its own echoes; stops when the
    connection goes away. Returns the texts it sent."""
    sent = []
    credits = asyncio.Semaphore(window)
    own = connection.member.name

    def on_message(message):
        if message["from"] == own:
            credits.release()

    connection.listeners.append(on_message)
    for number in range(PER_PUBLISHER):
        acquire = asyncio.ensure_future(credits.acquire())
        ended = asyncio.ensure_future(connection.closed.wait())
        done, pending = await asyncio.wait({acquire, ended}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if acquire not in done:
            break
        text = f"p{index}-{number:04d}"
        try:
            await say(connection.member.ws, text)
        except ConnectionClosed:
            break
        sent.append(text)
    return sent


async def burst_then_stop(daemon, stop):
    """Joins RECEIVERS receivers and PUBLISHERS publishers, starts the burst, calls `stop()` once the first receiver
    saw STOP_AFTER messages, and waits for every connection to end. Returns (epoch, connections, texts sent)."""
    receivers = [Connection(await v1_join(daemon.url, ROOM, f"r{i}"), f"r{i}") for i in range(RECEIVERS)]
    publishers = [Connection(await v1_join(daemon.url, ROOM, f"p{i}"), f"p{i}") for i in range(PUBLISHERS)]
    connections = receivers + publishers
    epochs = {c.member.welcome["epoch"] for c in connections}
    assert len(epochs) == 1, f"one room, one epoch: {epochs}"
    reached = asyncio.Event()
    receivers[0].listeners.append(lambda _: len(receivers[0].seen) >= STOP_AFTER and reached.set())
    sending = [asyncio.create_task(publish(c, index, WINDOW)) for index, c in enumerate(publishers)]
    await asyncio.wait_for(reached.wait(), 30)
    await stop()
    await asyncio.wait_for(asyncio.gather(*(c.closed.wait() for c in connections)), 15)
    sent = await asyncio.wait_for(asyncio.gather(*sending), 15)
    return epochs.pop(), connections, [text for texts in sent for text in texts]


def check_what_was_seen(connections):
    """Every connection saw strictly increasing ids, and one id is the same message on every connection.
    Returns {id: message}."""
    by_id = {}
    for connection in connections:
        ids = [m["id"] for m in connection.seen]
        assert ids == sorted(set(ids)), f"{connection.label} saw ids out of order or twice: {ids[:50]}..."
        for message in connection.seen:
            first = by_id.setdefault(message["id"], message)
            assert first == message, f"id {message['id']} differs between connections: {first} vs {message}"
    return by_id


def check_continuity(daemon, epoch, connections, sent, seen):
    """After the restart: same epoch, every seen message stored as it was seen, ids 1..last without holes, each
    connection's resume exact and without gap, and the next id larger than any id ever seen."""
    highest_seen = max(seen)

    async def scenario():
        fresh = await v1_join(daemon.url, ROOM, "checker")
        new_epoch = fresh.welcome["epoch"]
        assert new_epoch == epoch, f"epoch changed across the restart: {epoch} -> {new_epoch}"
        assert fresh.gap is None, fresh.gap
        history = fresh.messages
        ids = [m["id"] for m in history]
        last = fresh.welcome["last_id"]
        assert ids == list(range(1, len(ids) + 1)), f"stored ids are not 1..N without holes: {ids[:20]}...{ids[-20:]}"
        assert last == len(ids), f"welcome last_id {last}, history ends at {len(ids)}"
        missing = sorted(set(seen) - set(ids))
        assert not missing, f"{len(missing)} messages seen before the restart are not in the history: {missing[:20]}"
        changed = [(seen[i], history[i - 1]) for i in seen if history[i - 1] != seen[i]]
        assert not changed, f"stored messages differ from what was delivered: {changed[:3]}"
        texts = [m["text"] for m in history]
        assert len(set(texts)) == len(texts), "a message was stored twice"
        assert set(texts) <= set(sent), f"stored texts nobody sent: {sorted(set(texts) - set(sent))[:5]}"
        for index in range(PUBLISHERS):
            mine = [int(t.split("-")[1]) for t in texts if t.startswith(f"p{index}-")]
            assert mine == list(range(len(mine))), f"publisher p{index}'s stored messages are not a prefix: {mine}"

        resumed = []
        for connection in connections:
            since = connection.last_id
            if since is None:
                continue
            back = await v1_join(daemon.url, ROOM, f"{connection.label}-back", since=since, epoch=epoch)
            resumed.append(back)
            assert back.welcome["epoch"] == epoch
            assert back.gap is None, f"{connection.label} resuming since={since}: unexpected {back.gap}"
            assert back.messages == history[since:], (
                f"{connection.label} resuming since={since}: got ids "
                f"{[m['id'] for m in back.messages][:10]}..., expected {ids[since:since + 10]}..."
            )
        assert resumed, "no connection saw anything before the restart"

        await say(fresh.ws, "first after restart")
        message, _ = await recv_type(fresh.ws, "message", text="first after restart")
        assert message["id"] > max(highest_seen, last), (
            f"id {message['id']} after the restart; ids up to {max(highest_seen, last)} were handed out before"
        )
        await close_all(fresh.ws, *(member.ws for member in resumed))
        return len(history), message["id"]

    return run(scenario(), timeout=45)


@pytest.mark.parametrize("how", ["sigkill", "sigterm"])
def test_restart_mid_burst_loses_nothing_anyone_saw(chatd_factory, how):
    """4 publishers and 3 receivers in one room; the daemon is stopped (SIGKILL: like a crash; SIGTERM: graceful)
    while the 2000-message burst is running and started again on the same state directory and port."""
    daemon = chatd_factory(sections=SECTIONS)
    started = time.monotonic()
    status = {}

    async def stop():
        if how == "sigkill":
            status["exit"] = daemon.kill()
        else:
            status["exit"] = await asyncio.to_thread(daemon.stop)

    epoch, connections, sent = run(burst_then_stop(daemon, stop), timeout=45)
    if how == "sigkill":
        assert status["exit"] == -9, status
    else:
        assert status["exit"] == 0, f"exit status {status['exit']} on SIGTERM:\n{daemon.log_tail()}"
    seen = check_what_was_seen(connections)
    assert STOP_AFTER <= max(seen) < TOTAL, (
        f"highest id seen {max(seen)}: the daemon must have stopped in the middle of the {TOTAL}-message burst"
    )
    daemon.start()
    stored, next_id = check_continuity(daemon, epoch, connections, sent, seen)
    print(
        f"\n{how}: {len(sent)} sent, {len(seen)} seen (highest id {max(seen)}), {stored} stored, "
        f"next id {next_id}; {time.monotonic() - started:.1f}s"
    )


def test_repeated_kills_never_reuse_an_id(chatd_factory):
    """SIGKILL right after messages were delivered, three times in a row: each run continues the ids, the epoch
    stays, and the history is every message ever delivered, in order."""
    daemon = chatd_factory(sections=SECTIONS)
    delivered = []
    epoch = None
    for round_ in range(3):

        async def one_round():
            member = await v1_join(daemon.url, ROOM, "writer")
            for number in range(20):
                await say(member.ws, f"round {round_} #{number}")
            got = []
            while len(got) < 20:
                message, _ = await recv_type(member.ws, "message")
                got.append(message)
            return member.welcome, got  # no close: the daemon dies under the open connection

        welcome, got = run(one_round())
        epoch = epoch or welcome["epoch"]
        assert welcome["epoch"] == epoch, f"round {round_}: epoch {welcome['epoch']}, first run had {epoch}"
        assert welcome["last_id"] == len(delivered), f"round {round_}: last_id {welcome['last_id']}"
        delivered.extend(got)
        assert daemon.restart(kill=True) == -9

    async def check():
        fresh = await v1_join(daemon.url, ROOM, "checker")
        assert fresh.welcome["epoch"] == epoch
        assert fresh.messages == delivered, [m["id"] for m in fresh.messages]
        assert [m["id"] for m in delivered] == list(range(1, 61))
        await fresh.ws.close()

    run(check())
