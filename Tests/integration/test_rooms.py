"""Chat rooms over real WebSocket clients: lines, names, join/leave notices, isolation, quit.

Line formats (contracts, "Chat behaviour"):
  joiner:     Welcome, NAME! You are in room ROOM with N other(s). Type /quit to leave.
  whole room: * NAME joined ROOM  /  NAME: text  /  * NAME left ROOM
"""

import asyncio

from wsclient import expect_closed, expect_silence, join, recv, recv_line, recv_until, run
from wsraw import OP_TEXT, RawWebSocket

# The large-message test sends 1 MiB of chat text; chatd.v1 limits chat texts to [chat] max_text_bytes
# (default 4000) and rate-limits senders, so this module's daemon raises both.
CHATD_SECTIONS = {"chat": {"max_text_bytes": 1 << 20, "rate_per_second": 1000, "rate_burst": 1000, "history_size": 10}}


def test_two_clients_chat_and_other_room_is_isolated(chatd):
    async def scenario():
        alice, welcome = await join(chatd.url, "/chat/room1", "alice")
        assert welcome["name"] == "alice" and welcome["room"] == "room1" and welcome["others"] == "0"
        assert await recv(alice) == "* alice joined room1"

        bob, welcome = await join(chatd.url, "/chat/room1", "bob")
        assert welcome["name"] == "bob" and welcome["others"] == "1"
        assert await recv(bob) == "* bob joined room1"
        assert await recv(alice) == "* bob joined room1"

        carol, welcome = await join(chatd.url, "/chat/room2", "carol")
        assert welcome["room"] == "room2" and welcome["others"] == "0"
        assert await recv(carol) == "* carol joined room2"

        await alice.send("hello room1")
        assert await recv(alice) == "alice: hello room1"
        assert await recv(bob) == "alice: hello room1"
        await bob.send("hi alice")
        assert await recv(bob) == "bob: hi alice"
        assert await recv(alice) == "bob: hi alice"

        await carol.send("anyone?")
        assert await recv(carol) == "carol: anyone?"
        await expect_silence(alice)
        await expect_silence(bob)
        for ws in (alice, bob, carol):
            await ws.close()

    run(scenario())


def test_duplicate_names_get_suffixes(chatd):
    async def scenario():
        first, welcome1 = await join(chatd.url, "/chat/dupes", "alice")
        second, welcome2 = await join(chatd.url, "/chat/dupes", "alice")
        third, welcome3 = await join(chatd.url, "/chat/dupes", "ALICE")
        assert welcome1["name"] == "alice"
        assert welcome2["name"] == "alice-2"
        assert welcome3["name"].lower() not in ("alice", "alice-2"), welcome3["name"]
        assert welcome3["name"].lower().startswith("alice-")
        await recv_line(first, "* alice-2 joined dupes")
        await second.send("who am i")
        await recv_line(first, "alice-2: who am i")
        for ws in (first, second, third):
            await ws.close()

    run(scenario())


def test_same_name_in_other_room_is_not_suffixed(chatd):
    async def scenario():
        one, welcome1 = await join(chatd.url, "/chat/dupe-a", "zed")
        two, welcome2 = await join(chatd.url, "/chat/dupe-b", "zed")
        assert welcome1["name"] == welcome2["name"] == "zed"
        await one.close()
        await two.close()

    run(scenario())


def test_guest_name_when_none_requested(chatd):
    async def scenario():
        ws, welcome = await join(chatd.url, "/chat/guests")
        assert welcome["name"].startswith("guest-"), welcome["name"]
        await ws.close()

    run(scenario())


def test_control_characters_are_removed_from_names(chatd):
    async def scenario():
        ws, welcome = await join(chatd.url, "/chat/sanitize", "ev%07il%0D%0Aname")
        assert not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in welcome["name"]), repr(welcome["name"])
        assert welcome["name"], "name must not be empty"
        await ws.close()

    run(scenario())


def test_leave_notice_when_a_client_disconnects(chatd):
    async def scenario():
        stay, _ = await join(chatd.url, "/chat/leavers", "stay")
        go, _ = await join(chatd.url, "/chat/leavers", "go")
        await recv_line(stay, "* go joined leavers")
        await go.close()
        await recv_line(stay, "* go left leavers")
        await stay.close()

    run(scenario())


def test_leave_notice_when_tcp_drops_without_close(chatd):
    async def scenario():
        stay, _ = await join(chatd.url, "/chat/droppers", "stay")
        drop, _ = await join(chatd.url, "/chat/droppers", "drop")
        await recv_line(stay, "* drop joined droppers")
        drop.transport.abort()  # no close frame, just a reset
        await recv_line(stay, "* drop left droppers")
        await stay.close()

    run(scenario())


def test_quit_closes_with_1000_and_notifies_others(chatd):
    async def scenario():
        stay, _ = await join(chatd.url, "/chat/quitters", "stay")
        quitter, _ = await join(chatd.url, "/chat/quitters", "quitter")
        slasher, _ = await join(chatd.url, "/chat/quitters", "slasher")
        await recv_line(stay, "* slasher joined quitters")
        await quitter.send("quit")
        drained = await expect_closed(quitter, 1000)
        assert "* quitter left quitters" not in drained
        await recv_line(stay, "* quitter left quitters")
        await slasher.send("/quit")
        await expect_closed(slasher, 1000)
        await recv_line(stay, "* slasher left quitters")
        await stay.close()

    run(scenario())


def test_quitter_does_not_get_its_own_left_line(chatd):
    async def scenario():
        ws, _ = await join(chatd.url, "/chat/solo-quit", "solo")
        assert await recv(ws) == "* solo joined solo-quit"
        await ws.send("/quit")
        drained = await expect_closed(ws, 1000)
        assert drained == [], f"the quitter must not get more lines: {drained!r}"

    run(scenario())


def test_whitespace_only_messages_are_ignored(chatd):
    async def scenario():
        ws, _ = await join(chatd.url, "/chat/blank", "blank")
        assert await recv(ws) == "* blank joined blank"
        await ws.send("   ")
        await ws.send("")
        await ws.send("real text")
        assert await recv(ws) == "blank: real text"
        await ws.close()

    run(scenario())


def test_query_string_is_not_part_of_room_name(chatd):
    async def scenario():
        ws, welcome = await join(chatd.url, "/chat/qroom", "dave")
        assert welcome["room"] == "qroom"
        other, welcome2 = await join(chatd.url, "/qroom", "erin")
        assert welcome2["room"] == "qroom" and welcome2["others"] == "1"
        await ws.close()
        await other.close()

    run(scenario())


def test_root_lobby_and_chat_lobby_are_one_room(chatd_factory):
    daemon = chatd_factory()

    async def scenario():
        root, welcome = await join(daemon.url, "/", "root")
        assert welcome["room"] == "lobby" and welcome["others"] == "0"
        short, welcome = await join(daemon.url, "/lobby", "short")
        assert welcome["room"] == "lobby" and welcome["others"] == "1"
        long, welcome = await join(daemon.url, "/chat/lobby", "long")
        assert welcome["room"] == "lobby" and welcome["others"] == "2"
        await recv_line(root, "* long joined lobby")
        await long.send("one room?")
        for ws in (root, short, long):
            await recv_line(ws, "long: one room?")
        for ws in (root, short, long):
            await ws.close()

    run(scenario())


def test_concurrent_rooms_do_not_leak(chatd):
    async def scenario():
        rooms = [f"par{i}" for i in range(5)]
        clients = {}
        for room in rooms:
            clients[room] = [(await join(chatd.url, f"/chat/{room}", f"u{k}"))[0] for k in range(3)]
        await asyncio.sleep(0.2)
        for room in rooms:
            await clients[room][0].send(f"only for {room}")
        for room in rooms:
            for ws in clients[room]:
                skipped = await recv_line(ws, f"u0: only for {room}")
                assert all(" only for " not in line for line in skipped), skipped
        everyone = [ws for room in rooms for ws in clients[room]]
        await asyncio.gather(*(expect_silence(ws, 0.3) for ws in everyone))
        for ws in everyone:
            await ws.close()

    run(scenario())


def test_plus_and_percent_encoded_names(chatd):
    async def scenario():
        plus, welcome = await join(chatd.url, "/chat/enc", "John+Doe")
        assert welcome["name"] == "John Doe"
        umlaut, welcome = await join(chatd.url, "/chat/enc", "J%C3%B6rg")
        assert welcome["name"] == "Jörg"
        await umlaut.send("grüß dich")
        await recv_line(plus, "Jörg: grüß dich")
        await plus.close()
        await umlaut.close()

    run(scenario())


def test_large_chat_message_reaches_every_member(chatd):
    async def scenario():
        members = [(await join(chatd.url, "/chat/bigmsg", f"b{i}", max_size=None))[0] for i in range(10)]
        text = "ü" * (512 * 1024)  # 1 MiB of UTF-8
        await members[3].send(text)
        for ws in members:
            await recv_line(ws, f"b3: {text}", timeout=15)
        for ws in members:
            await ws.close()

    run(scenario(), timeout=60)


def test_binary_message_in_chat_room_is_refused_and_does_not_break_the_room(chatd):
    """Chat is text only: a binary frame gets an `! binary_unsupported` line; the connection and room go on."""

    async def scenario():
        watcher, _ = await join(chatd.url, "/chat/binary", "watcher")
        sender, _ = await join(chatd.url, "/chat/binary", "sender")
        await recv_line(watcher, "* sender joined binary")
        await recv_line(sender, "* sender joined binary")
        await sender.send(b"\x00\x01binary")
        line = await recv(sender)
        assert line.startswith("! binary_unsupported: "), line
        await sender.send("text after binary")
        await recv_line(sender, "sender: text after binary")
        line, _ = await recv_until(watcher, lambda m: m.startswith("sender: "), timeout=5)
        assert line == "sender: text after binary", line
        await watcher.close()
        await sender.close()

    run(scenario())


def test_invalid_utf8_in_chat_room_closes_1007_and_announces_leave(chatd):
    async def scenario():
        watcher, _ = await join(chatd.url, "/chat/badutf", "watcher")
        with RawWebSocket(chatd.port, "/chat/badutf?name=broken") as raw:
            await recv_line(watcher, "* broken joined badutf")
            raw.send_frame(OP_TEXT, b"\xc3\x28")
            raw.expect_close(1007)
        await recv_line(watcher, "* broken left badutf")
        await watcher.close()

    run(scenario())
