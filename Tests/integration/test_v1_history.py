"""History on join and `?since=ID&epoch=E` resume (README "Message ids, epochs and resuming").

Same epoch → exactly the stored messages with id > since (a `gap` with reason `expired` first when some aged
out); different epoch → `gap` with reason `reset`, then the whole stored history. Nothing twice, nothing lost.
With the default (SQLite) store a restart keeps the epoch; `[history] store = "memory"` starts a new one.
"""

import asyncio

from v1client import close_all, plain_join, recv_type, room_url, say, v1_join
from wsclient import expect_closed, expect_silence, recv, run, ws_connect

HISTORY = 20
CHATD_SECTIONS = {"chat": {"history_size": HISTORY, "rate_per_second": 1000, "rate_burst": 1000}}
GENEROUS_RATE = {"rate_per_second": 1000, "rate_burst": 1000}


async def send_and_collect(member, texts):
    """Sends each text and waits for its echo; returns the echoed message objects."""
    echoed = []
    for text in texts:
        await say(member.ws, text)
        message, _ = await recv_type(member.ws, "message", text=text)
        echoed.append(message)
    return echoed


def test_history_on_join_is_the_last_history_size_messages(chatd):
    async def scenario():
        writer = await v1_join(chatd.url, "hist-last", "writer")
        sent = await send_and_collect(writer, [f"n{i}" for i in range(HISTORY + 5)])
        reader = await v1_join(chatd.url, "hist-last", "reader")
        assert reader.gap is None, "no since → no gap"
        assert reader.messages == sent[-HISTORY:], "history must be the stored message objects, oldest first"
        assert [m["id"] for m in reader.messages] == list(range(6, HISTORY + 6))
        assert reader.welcome["last_id"] == HISTORY + 5
        await close_all(writer.ws, reader.ws)

    run(scenario())


def test_since_resume_delivers_exactly_the_missed_messages(chatd):
    async def scenario():
        alice = await v1_join(chatd.url, "resume", "alice")
        epoch = alice.welcome["epoch"]
        seen = await send_and_collect(alice, [f"a{i}" for i in range(10)])
        assert [m["id"] for m in seen] == list(range(1, 11))
        await alice.ws.close()

        bob = await v1_join(chatd.url, "resume", "bob")
        missed = await send_and_collect(bob, [f"b{i}" for i in range(5)])

        back = await v1_join(chatd.url, "resume", "alice", since=seen[-1]["id"], epoch=epoch)
        assert back.gap is None, back.gap
        assert back.welcome["epoch"] == epoch and back.welcome["last_id"] == 15
        assert back.messages == missed, f"expected exactly the 5 missed messages, got {back.messages}"
        ids = [m["id"] for m in seen + back.messages]
        assert ids == sorted(set(ids)) == list(range(1, 16)), "no duplicates, nothing lost"
        await say(bob.ws, "live")
        live, skipped = await recv_type(back.ws, "message")
        assert live["id"] == 16 and live["text"] == "live"
        assert all(m["type"] != "message" for m in skipped)
        await close_all(back.ws, bob.ws)

    run(scenario())


def test_since_at_last_id_gives_empty_history(chatd):
    async def scenario():
        writer = await v1_join(chatd.url, "uptodate", "writer")
        sent = await send_and_collect(writer, ["one", "two"])
        reader = await v1_join(chatd.url, "uptodate", "reader", since=sent[-1]["id"], epoch=writer.welcome["epoch"])
        assert reader.gap is None and reader.messages == []
        await close_all(writer.ws, reader.ws)

    run(scenario())


def test_repeated_reconnects_see_every_message_exactly_once(chatd):
    """A client that reconnects between bursts of other people's messages ends up with each id once."""

    async def scenario():
        talker = await v1_join(chatd.url, "flaky", "talker")
        client = await v1_join(chatd.url, "flaky", "flaky")
        epoch = client.welcome["epoch"]
        received = list(client.messages)
        for round_ in range(6):
            await send_and_collect(talker, [f"r{round_}-{i}" for i in range(3)])
            # read some of them live, then drop the connection
            live_count = round_ % 3
            for _ in range(live_count):
                message, _ = await recv_type(client.ws, "message")
                received.append(message)
            if round_ % 2:
                client.ws.transport.abort()
            else:
                await client.ws.close()
            since = received[-1]["id"] if received else 0
            client = await v1_join(chatd.url, "flaky", "flaky", since=since, epoch=epoch)
            assert client.gap is None, client.gap
            received.extend(client.messages)
        ids = [m["id"] for m in received]
        assert ids == list(range(1, 19)), f"ids seen: {ids}"
        await close_all(talker.ws, client.ws)

    run(scenario())


def test_room_with_history_survives_being_empty(chatd):
    async def scenario():
        first = await v1_join(chatd.url, "sticky", "first")
        sent = await send_and_collect(first, ["kept 1", "kept 2"])
        await first.ws.close()
        await asyncio.sleep(0.2)
        again = await v1_join(chatd.url, "sticky", "again")
        assert again.welcome["epoch"] == first.welcome["epoch"]
        assert again.presence["members"] == ["again"]
        assert again.messages == sent
        await again.ws.close()

    run(scenario())


def test_gap_expired_when_missed_messages_aged_out(chatd_factory):
    daemon = chatd_factory(sections={"chat": {"history_size": 5, **GENEROUS_RATE}})

    async def scenario():
        writer = await v1_join(daemon.url, "aged", "writer")
        epoch = writer.welcome["epoch"]
        sent = await send_and_collect(writer, [f"m{i}" for i in range(12)])
        reader = await v1_join(daemon.url, "aged", "reader", since=2, epoch=epoch)
        assert reader.gap == {"type": "gap", "room": "aged", "after": 2, "before": 8, "reason": "expired"}
        assert reader.messages == sent[7:], [m["id"] for m in reader.messages]
        # since just before the oldest stored id: nothing lost, no gap
        exact = await v1_join(daemon.url, "aged", "exact", since=7, epoch=epoch)
        assert exact.gap is None and [m["id"] for m in exact.messages] == [8, 9, 10, 11, 12]
        plain = await v1_join(daemon.url, "aged", "fresh")
        assert plain.gap is None and [m["id"] for m in plain.messages] == [8, 9, 10, 11, 12]
        await close_all(writer.ws, reader.ws, exact.ws, plain.ws)

    run(scenario())


def test_gap_reset_on_wrong_epoch(chatd_factory):
    daemon = chatd_factory(sections={"chat": {"history_size": 5, **GENEROUS_RATE}})

    async def scenario():
        writer = await v1_join(daemon.url, "epochs", "writer")
        sent = await send_and_collect(writer, [f"m{i}" for i in range(3)])
        reader = await v1_join(daemon.url, "epochs", "reader", since=40, epoch="not-the-epoch")
        assert reader.gap == {"type": "gap", "room": "epochs", "after": 40, "before": 1, "reason": "reset"}
        assert reader.messages == sent, "reset → the whole stored history"
        empty = await v1_join(daemon.url, "epochs-empty", "reader", since=7, epoch="not-the-epoch")
        assert empty.gap == {"type": "gap", "room": "epochs-empty", "after": 7, "before": 1, "reason": "reset"}
        assert empty.messages == []
        await close_all(writer.ws, reader.ws, empty.ws)

    run(scenario())


def test_gap_reset_before_is_oldest_stored_id(chatd_factory):
    daemon = chatd_factory(sections={"chat": {"history_size": 3, **GENEROUS_RATE}})

    async def scenario():
        writer = await v1_join(daemon.url, "reset-old", "writer")
        await send_and_collect(writer, [f"m{i}" for i in range(7)])
        reader = await v1_join(daemon.url, "reset-old", "reader", since=2, epoch="elsewhere-9")
        assert reader.gap is not None and reader.gap["reason"] == "reset"
        assert reader.gap["before"] == 5 and [m["id"] for m in reader.messages] == [5, 6, 7]
        await close_all(writer.ws, reader.ws)

    run(scenario())


def test_restart_keeps_the_epoch_and_resume_continues(chatd_factory):
    """The default store (SQLite in the daemon's state directory): a restart keeps the room's epoch and ids, so a
    client resuming with the old since/epoch misses nothing and gets no gap (test_history_restart.py goes further:
    SIGKILL mid-burst, many clients)."""
    daemon = chatd_factory(sections={"chat": GENEROUS_RATE})

    async def before():
        member = await v1_join(daemon.url, "restart", "stayer")
        sent = await send_and_collect(member, ["before restart 1", "before restart 2"])
        await member.ws.close()
        return member.welcome["epoch"], sent

    epoch, sent = run(before())
    assert daemon.restart() == 0, daemon.log_tail()

    async def after():
        member = await v1_join(daemon.url, "restart", "stayer", since=sent[-1]["id"], epoch=epoch)
        assert member.welcome["epoch"] == epoch, "a restart must keep the room's epoch with a durable store"
        assert member.welcome["last_id"] == sent[-1]["id"]
        assert member.gap is None, member.gap
        assert member.messages == []
        fresh = await v1_join(daemon.url, "restart", "fresh")
        assert fresh.gap is None and fresh.messages == sent, "the stored messages, exactly as first sent"
        await say(member.ws, "after restart")
        message, _ = await recv_type(member.ws, "message")
        assert message["id"] > sent[-1]["id"], f"id {message['id']} reused after the restart"
        await close_all(member.ws, fresh.ws)

    run(after())


def test_memory_store_restart_starts_a_new_epoch_and_resume_reports_reset(chatd_factory):
    """`[history] store = "memory"` keeps the old behaviour: nothing survives a restart, the epoch changes."""
    daemon = chatd_factory(sections={"chat": GENEROUS_RATE, "history": {"store": "memory"}})

    async def before():
        member = await v1_join(daemon.url, "restart", "stayer")
        sent = await send_and_collect(member, ["before restart"])
        await member.ws.close()
        return member.welcome["epoch"], sent[-1]["id"]

    epoch, last = run(before())
    assert daemon.restart() == 0, daemon.log_tail()

    async def after():
        member = await v1_join(daemon.url, "restart", "stayer", since=last, epoch=epoch)
        assert member.welcome["epoch"] != epoch, "a restarted server must not reuse the epoch"
        assert member.gap == {"type": "gap", "room": "restart", "after": last, "before": 1, "reason": "reset"}
        assert member.messages == []
        await say(member.ws, "after restart")
        message, _ = await recv_type(member.ws, "message")
        assert message["id"] == 1
        await member.ws.close()

    run(after())
    assert not list(daemon.state_dir.iterdir()), "the memory store must write nothing to the state directory"


def test_evicted_empty_room_comes_back_with_a_new_epoch(chatd_factory):
    """Memory store, max_rooms 2: an empty room with history is evicted to make space (its history is gone);
    occupied rooms never are."""
    daemon = chatd_factory(sections={"limits": {"max_rooms": 2}, "chat": GENEROUS_RATE, "history": {"store": "memory"}})

    async def scenario():
        old = await v1_join(daemon.url, "old", "o")
        await send_and_collect(old, ["old 1"])
        await old.ws.close()
        await asyncio.sleep(0.1)
        busy = await v1_join(daemon.url, "busy", "b")  # room 2 of 2
        newer = await v1_join(daemon.url, "newer", "n")  # needs a slot: the empty room "old" is evicted
        async with ws_connect(room_url(daemon.url, "third", name="t"), subprotocols=["chatd.v1"]) as third:
            await expect_closed(third, 1013)  # both rooms occupied: refused
        await newer.ws.close()
        await asyncio.sleep(0.1)
        again = await v1_join(daemon.url, "old", "o", since=1, epoch=old.welcome["epoch"])
        assert again.welcome["epoch"] != old.welcome["epoch"], "an evicted room starts a new epoch"
        assert again.gap is not None and again.gap["reason"] == "reset", again.gap
        assert again.messages == [] and again.welcome["last_id"] == 0
        await close_all(busy.ws, again.ws)

    run(scenario())


def test_evicted_room_comes_back_from_the_durable_store(chatd_factory):
    """Default (SQLite) store, max_rooms 2: an evicted empty room leaves memory but not the store; when it is
    needed again it comes back with its epoch, its history and its ids (none reused)."""
    daemon = chatd_factory(sections={"limits": {"max_rooms": 2}, "chat": GENEROUS_RATE})

    async def scenario():
        old = await v1_join(daemon.url, "old", "o")
        kept = await send_and_collect(old, ["old 1", "old 2"])
        await old.ws.close()
        await asyncio.sleep(0.1)
        busy = await v1_join(daemon.url, "busy", "b")  # room 2 of 2
        newer = await v1_join(daemon.url, "newer", "n")  # needs a slot: the empty room "old" is evicted
        await newer.ws.close()
        await asyncio.sleep(0.1)
        again = await v1_join(daemon.url, "old", "o", since=1, epoch=old.welcome["epoch"])
        assert again.welcome["epoch"] == old.welcome["epoch"], "the durable store keeps an evicted room's epoch"
        assert again.welcome["last_id"] == 2
        assert again.gap is None, again.gap
        assert again.messages == kept[1:], again.messages
        await say(again.ws, "old 3")
        message, _ = await recv_type(again.ws, "message", text="old 3")
        assert message["id"] == 3, f"id {message['id']} after an eviction (ids must continue)"
        await close_all(busy.ws, again.ws)

    run(scenario())


def test_plain_text_joiner_gets_history_lines(chatd):
    async def scenario():
        writer = await v1_join(chatd.url, "plainhist", "writer")
        await send_and_collect(writer, ["first line", "second line"])
        ws, welcome, lines = await plain_join(chatd.url, "plainhist", "reader")
        assert lines == ["writer: first line", "writer: second line", "* reader joined plainhist"], lines
        await expect_silence(ws, 0.2)
        await close_all(writer.ws, ws)

    run(scenario())


def test_history_is_per_room(chatd):
    async def scenario():
        a = await v1_join(chatd.url, "per-room-a", "a")
        await send_and_collect(a, ["only in a"])
        b = await v1_join(chatd.url, "per-room-b", "b")
        assert b.messages == [] and b.welcome["last_id"] == 0
        await close_all(a.ws, b.ws)

    run(scenario())


def test_unparsable_since_is_ignored(chatd):
    """`since` that is not a non-negative integer counts as absent: the normal history, no gap."""

    async def scenario():
        writer = await v1_join(chatd.url, "bad-since", "writer")
        sent = await send_and_collect(writer, ["one"])
        for since in ("abc", "-1", "1.5", "99999999999999999999999999"):
            member = await v1_join(chatd.url, "bad-since", "reader", since=since, epoch=writer.welcome["epoch"])
            assert member.gap is None and member.messages == sent, (since, member.gap, member.messages)
            await member.ws.close()
        await writer.ws.close()

    run(scenario())


def test_plain_text_resume_gets_a_gap_notice_line(chatd_factory):
    daemon = chatd_factory(sections={"chat": {"history_size": 5, **GENEROUS_RATE}})

    async def scenario():
        writer = await v1_join(daemon.url, "plain-gap", "writer")
        await send_and_collect(writer, [f"m{i}" for i in range(1, 13)])
        url = room_url(daemon.url, "plain-gap", name="reader", since=2, epoch=writer.welcome["epoch"])
        async with ws_connect(url) as ws:
            lines = [await recv(ws) for _ in range(8)]
        assert lines[0].startswith("Welcome, reader!"), lines
        assert lines[1:] == [
            "* messages #3 to #7 are no longer available",
            "writer: m8",
            "writer: m9",
            "writer: m10",
            "writer: m11",
            "writer: m12",
            "* reader joined plain-gap",
        ], lines
        await writer.ws.close()

    run(scenario())
