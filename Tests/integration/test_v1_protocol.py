"""chatd.v1 message types and validation rules over the real `websockets` client.

README "Chat protocol": welcome → (gap) → history → presence → join on joining; message/join/leave/rename/
presence/error/pong from the server; message/rename/who/ping from the client; every error leaves the
connection open.
"""

import asyncio
import time

from v1client import (
    close_all,
    decode,
    recv_json,
    recv_type,
    say,
    send_json,
    v1_connect,
    v1_join,
    room_url,
)
from wsclient import WELCOME, expect_silence, recv, run, ws_connect

MAX_TEXT = 64
CHATD_SECTIONS = {"chat": {"max_text_bytes": MAX_TEXT, "rate_per_second": 1000, "rate_burst": 1000}}
WELCOME_KEYS = ["type", "id", "name", "room", "epoch", "last_id", "limits"]
MESSAGE_KEYS = ["type", "id", "room", "from", "text", "ts", "action"]


def assert_recent_ts(ts):
    """`ts` is an integer millisecond timestamp close to this machine's clock."""
    assert isinstance(ts, int) and not isinstance(ts, bool), f"ts {ts!r} is not an integer"
    assert abs(ts - time.time() * 1000) < 60_000, f"ts {ts} is not the current time in ms"


def test_welcome_fields_and_limits(chatd):
    async def scenario():
        ws = await v1_connect(room_url(chatd.url, "welcome-room", name="alice"))
        welcome = await recv_json(ws)
        assert list(welcome) == WELCOME_KEYS, welcome
        assert welcome["type"] == "welcome"
        assert isinstance(welcome["id"], str) and welcome["id"].isdigit(), welcome["id"]
        assert welcome["name"] == "alice" and welcome["room"] == "welcome-room"
        assert isinstance(welcome["epoch"], str) and welcome["epoch"], welcome["epoch"]
        assert welcome["last_id"] == 0, "a new room has no messages yet"
        assert welcome["limits"] == {
            "max_text_bytes": MAX_TEXT,
            "max_name_length": 32,
            "rate_per_second": 1000,
            "rate_burst": 1000,
        }, welcome["limits"]
        await ws.close()

    run(scenario())


def test_default_limits_in_welcome(chatd_factory):
    daemon = chatd_factory()

    async def scenario():
        member = await v1_join(daemon.url, "defaults", "dee")
        assert member.welcome["limits"] == {
            "max_text_bytes": 4000,
            "max_name_length": 32,
            "rate_per_second": 5,
            "rate_burst": 10,
        }
        await member.ws.close()

    run(scenario())


def test_join_sequence_presence_and_join_events(chatd):
    async def scenario():
        alice = await v1_join(chatd.url, "seq", "alice")
        assert alice.gap is None
        assert alice.history == {"type": "history", "room": "seq", "messages": []}
        assert alice.presence == {"type": "presence", "room": "seq", "members": ["alice"]}
        assert list(alice.join) == ["type", "room", "name", "ts"] and alice.join["room"] == "seq"
        assert_recent_ts(alice.join["ts"])

        bob = await v1_join(chatd.url, "seq", "bob")
        assert bob.presence["members"] == ["alice", "bob"]
        assert bob.welcome["id"] != alice.welcome["id"], "member ids must differ"
        assert bob.welcome["epoch"] == alice.welcome["epoch"]
        event = await recv_json(alice.ws)
        assert event["type"] == "join" and event["name"] == "bob" and event["room"] == "seq", event
        await expect_silence(bob.ws, 0.2)
        await close_all(alice.ws, bob.ws)

    run(scenario())


def test_messages_have_increasing_ids_and_reach_everyone(chatd):
    async def scenario():
        alice = await v1_join(chatd.url, "ids", "alice")
        bob = await v1_join(chatd.url, "ids", "bob")
        await recv_type(alice.ws, "join", name="bob")
        received = {"alice": [], "bob": []}
        for index, sender in enumerate([alice, bob, alice]):
            await say(sender.ws, f"text {index}")
            for member in (alice, bob):
                message = await recv_json(member.ws)
                received[member.name].append(message)
        for member in (alice, bob):
            messages = received[member.name]
            assert [m["id"] for m in messages] == [1, 2, 3], messages
            assert [m["from"] for m in messages] == ["alice", "bob", "alice"]
            assert [m["text"] for m in messages] == ["text 0", "text 1", "text 2"]
            for message in messages:
                assert list(message) == MESSAGE_KEYS, message
                assert message["room"] == "ids" and message["action"] is False
                assert_recent_ts(message["ts"])
        assert received["alice"] == received["bob"], "everyone gets the same message objects"
        late = await v1_join(chatd.url, "ids", "late")
        assert late.welcome["last_id"] == 3
        other = await v1_join(chatd.url, "ids-other", "solo")
        await say(other.ws, "first elsewhere")
        message, _ = await recv_type(other.ws, "message")
        assert message["id"] == 1, "ids are per room"
        await close_all(alice.ws, bob.ws, late.ws, other.ws)

    run(scenario())


def test_text_round_trips_with_escaping(chatd):
    texts = [
        'quote " backslash \\ slash /',
        "line\nbreak\ttab\r",
        "control \u0001\u001f and del \u007f",
        "ünïcödé ✓ 😀 中文",
        "</script><b>html stays text</b>",
    ]

    async def scenario():
        member = await v1_join(chatd.url, "escaping", "esc")
        for text in texts:
            await say(member.ws, text)
            message = await recv_json(member.ws)
            assert message["type"] == "message" and message["text"] == text, (text, message)
        await member.ws.close()

    run(scenario())


def test_leave_event_on_close_and_on_tcp_drop(chatd):
    async def scenario():
        stay = await v1_join(chatd.url, "leavers-v1", "stay")
        polite = await v1_join(chatd.url, "leavers-v1", "polite")
        rude = await v1_join(chatd.url, "leavers-v1", "rude")
        await recv_type(stay.ws, "join", name="rude")
        await polite.ws.close()
        event, _ = await recv_type(stay.ws, "leave", name="polite")
        assert list(event) == ["type", "room", "name", "ts"] and event["room"] == "leavers-v1"
        assert_recent_ts(event["ts"])
        rude.ws.transport.abort()
        await recv_type(stay.ws, "leave", name="rude")
        await send_json(stay.ws, {"type": "who"})
        presence, _ = await recv_type(stay.ws, "presence")
        assert presence["members"] == ["stay"]
        await stay.ws.close()

    run(scenario())


def test_who_returns_presence_sorted_case_insensitively(chatd):
    async def scenario():
        members = [await v1_join(chatd.url, "whoroom", name) for name in ("bob", "Dave", "alice", "Carol")]
        asker = members[0]
        await asyncio.sleep(0.1)
        await send_json(asker.ws, {"type": "who"})
        presence, _ = await recv_type(asker.ws, "presence")
        assert presence == {"type": "presence", "room": "whoroom", "members": ["alice", "bob", "Carol", "Dave"]}
        await close_all(*(m.ws for m in members))

    run(scenario())


def test_ping_gets_pong_with_server_clock(chatd):
    async def scenario():
        member = await v1_join(chatd.url, "pinger", "pinger")
        await send_json(member.ws, {"type": "ping"})
        pong = await recv_json(member.ws)
        assert list(pong) == ["type", "ts"] and pong["type"] == "pong", pong
        assert_recent_ts(pong["ts"])
        await member.ws.close()

    run(scenario())


def test_rename_is_announced_and_changes_presence(chatd):
    async def scenario():
        bob = await v1_join(chatd.url, "renames", "bob")
        alice = await v1_join(chatd.url, "renames", "alice")
        await recv_type(bob.ws, "join", name="alice")
        await send_json(bob.ws, {"type": "rename", "name": "robert"})
        for member in (bob, alice):
            event = await recv_json(member.ws)
            assert list(event) == ["type", "room", "from", "to", "ts"], event
            assert (event["type"], event["room"], event["from"], event["to"]) == ("rename", "renames", "bob", "robert")
        await say(bob.ws, "new name")
        message, _ = await recv_type(alice.ws, "message")
        assert message["from"] == "robert"
        await send_json(alice.ws, {"type": "who"})
        presence, _ = await recv_type(alice.ws, "presence")
        assert presence["members"] == ["alice", "robert"]
        await bob.ws.close()
        await recv_type(alice.ws, "leave", name="robert")
        await alice.ws.close()

    run(scenario())


async def expect_error(ws, code, quiet=()):
    """The next message is error `code` (or one of a tuple of codes), to the sender only; the connection still
    works afterwards."""
    codes = code if isinstance(code, tuple) else (code,)
    error = await recv_json(ws)
    assert error["type"] == "error" and error["code"] in codes, f"expected error {code}, got {error}"
    assert list(error) == ["type", "code", "message"] and isinstance(error["message"], str) and error["message"]
    for other in quiet:
        await expect_silence(other, 0.1)
    await send_json(ws, {"type": "ping"})
    assert (await recv_json(ws))["type"] == "pong", f"connection unusable after error {code}"
    return error


def test_invalid_input_gets_documented_error_codes_and_stays_open(chatd):
    cases = [
        ("{not json", "bad_json"),
        ("", "bad_json"),
        ("[1,2,3]", "bad_json"),
        ('"just a string"', "bad_json"),
        ("42", "bad_json"),
        ('{"type":"message","text":"x"} trailing', "bad_json"),
        ('{"type":5}', "bad_json"),
        ('{"type":"message","text":5}', "bad_json"),
        ('{"type":"message","text":null}', ("bad_json", "missing_field")),  # null: wrong type or absent
        ('{"type":"rename","name":["x"]}', "bad_json"),
        ('{"type":"dance"}', "unknown_type"),
        ('{"type":"MESSAGE","text":"x"}', "unknown_type"),
        ('{"text":"no type"}', "missing_field"),
        ('{"type":"message"}', "missing_field"),
        ('{"type":"rename"}', "missing_field"),
        ('{"type":"message","text":""}', "empty_text"),
        ('{"type":"message","text":" \\t\\n "}', "empty_text"),
        ('{"type":"message","text":"' + "x" * (MAX_TEXT + 1) + '"}', "text_too_long"),
        ('{"type":"message","text":"' + "é" * (MAX_TEXT // 2 + 1) + '"}', "text_too_long"),
    ]

    async def scenario():
        member = await v1_join(chatd.url, "errors", "erin")
        watcher = await v1_join(chatd.url, "errors", "watcher")
        await recv_type(member.ws, "join", name="watcher")
        wrong = []
        for frame, code in cases:
            await member.ws.send(frame)
            try:
                await expect_error(member.ws, code, quiet=[watcher.ws])
            except AssertionError as error:
                wrong.append(f"{frame[:60]!r}: {error}")
        assert not wrong, "\n".join(wrong)
        await close_all(member.ws, watcher.ws)

    run(scenario())


def test_text_limit_counts_utf8_bytes_and_exact_limit_is_accepted(chatd):
    async def scenario():
        member = await v1_join(chatd.url, "textlimit", "tl")
        for text in ("x" * MAX_TEXT, "é" * (MAX_TEXT // 2)):
            await say(member.ws, text)
            message = await recv_json(member.ws)
            assert message["type"] == "message" and message["text"] == text, message
        await say(member.ws, "€" * (MAX_TEXT // 3 + 1))  # 3 bytes each: just over the limit
        await expect_error(member.ws, "text_too_long")
        await member.ws.close()

    run(scenario())


def test_unknown_keys_are_ignored(chatd):
    async def scenario():
        member = await v1_join(chatd.url, "extras", "ext")
        await member.ws.send('{"id":99,"type":"message","extra":{"nested":[1,{"a":null}]},"text":"ok","z":true}')
        message = await recv_json(member.ws)
        assert message["type"] == "message" and message["text"] == "ok" and message["id"] == 1, message
        await member.ws.send('{"type":"who","members":["spoof"]}')
        presence = await recv_json(member.ws)
        assert presence["type"] == "presence" and presence["members"] == ["ext"], presence
        await member.ws.close()

    run(scenario())


def test_binary_frame_gets_binary_unsupported_and_stays_open(chatd):
    async def scenario():
        member = await v1_join(chatd.url, "binary-v1", "bin")
        watcher = await v1_join(chatd.url, "binary-v1", "watcher")
        await recv_type(member.ws, "join", name="watcher")
        await member.ws.send(b"\x00\x01\x02")
        await expect_error(member.ws, "binary_unsupported", quiet=[watcher.ws])
        await say(member.ws, "still here")
        message, _ = await recv_type(watcher.ws, "message")
        assert message["text"] == "still here" and message["id"] == 1, "binary frames are not messages"
        await close_all(member.ws, watcher.ws)

    run(scenario())


def test_every_server_frame_is_one_json_object(chatd):
    """Raw frames: each server frame parses on its own as one JSON object with a type."""

    async def scenario():
        a = await v1_join(chatd.url, "frames-v1", "a")
        b = await v1_join(chatd.url, "frames-v1", "b")
        for raw in a.raw + b.raw:
            decode(raw)
        await say(a.ws, "x")
        for ws in (a.ws, b.ws):
            decode(await recv(ws))
        await close_all(a.ws, b.ws)

    run(scenario())


def test_hostile_json_never_breaks_the_connection(chatd):
    """Deep nesting, duplicate keys, lone surrogates and huge numbers: answered, never a crash.

    Each frame stays within what a chat request can be (6 x max_text_bytes + 1024 = 1408 bytes here); bigger
    frames are closed with 1009 before they are buffered (test_input_memory.py).
    """
    deep = '{"type":"who","x":' + "[" * 600 + "]" * 600 + "}"
    cases = [
        (deep, ("presence", "bad_json")),
        ('{"type":"message","text":"a","text":"b"}', ("bad_json",)),
        ('{"type":"message","text":"\\ud800"}', ("message", "bad_json")),
        ('{"type":"who","n":1e999999,"m":-0.0e-400}', ("presence", "bad_json")),
        ('{"type":"message","text":"\\u0000nul"}', ("message",)),
        ("{" * 1400, ("bad_json",)),
    ]

    async def scenario():
        member = await v1_join(chatd.url, "hostile-json", "h")
        for frame, allowed in cases:
            await member.ws.send(frame)
            reply = await recv_json(member.ws)
            outcome = reply["code"] if reply["type"] == "error" else reply["type"]
            assert outcome in allowed, f"{frame[:50]!r}: got {reply}"
            await send_json(member.ws, {"type": "ping"})
            assert (await recv_json(member.ws))["type"] == "pong"
        await member.ws.close()

    run(scenario())
    assert chatd.alive(), chatd.log_tail()


def test_chat_room_speaks_json_only_when_chatd_v1_is_selected(chatd):
    async def scenario():
        async with ws_connect(room_url(chatd.url, "negotiate", name="p"), subprotocols=["other.v9"]) as other:
            assert other.subprotocol is None
            assert WELCOME.match(await recv(other)), "without chatd.v1 the room speaks plain text"
        async with ws_connect(room_url(chatd.url, "negotiate", name="j"), subprotocols=["x", "chatd.v1"]) as json_ws:
            assert json_ws.subprotocol == "chatd.v1"
            assert decode(await recv(json_ws))["type"] == "welcome"

    run(scenario())
