"""Per-connection rate limit (token bucket `[chat] rate_per_second` / `rate_burst`).

Over the limit → error `rate_limited` (the message is dropped, the connection stays open); more than
`rate_burst` refused messages in a row → close 1008 "rate limit exceeded".
"""

import asyncio

from v1client import close_all, decode, plain_join, recv_json, recv_type, say, send_json, v1_join
from websockets.exceptions import ConnectionClosed
from wsclient import expect_closed, expect_silence, recv, run

BURST = 3
RATE = {"chat": {"rate_per_second": 2, "rate_burst": BURST}}


async def flood_until_closed(ws, send, limit=50):
    """Keeps sending until the server closes with 1008; returns the frames received before the close."""
    for index in range(limit):
        try:
            await send(f"flood {index}")
        except ConnectionClosed:
            break
    drained = await expect_closed(ws, 1008)
    return drained


def test_burst_plus_one_is_rate_limited_and_connection_stays_open(chatd_factory):
    daemon = chatd_factory(sections=RATE)

    async def scenario():
        member = await v1_join(daemon.url, "rate", "fast")
        watcher = await v1_join(daemon.url, "rate", "watcher")
        await recv_type(member.ws, "join", name="watcher")
        for index in range(BURST + 1):
            await say(member.ws, f"m{index}")
        replies = [await recv_json(member.ws) for _ in range(BURST + 1)]
        assert [r["type"] for r in replies] == ["message"] * BURST + ["error"], replies
        assert replies[-1]["code"] == "rate_limited" and replies[-1]["message"], replies[-1]
        seen = [(await recv_json(watcher.ws))["text"] for _ in range(BURST)]
        assert seen == [f"m{i}" for i in range(BURST)], "the refused message is dropped"
        await expect_silence(watcher.ws, 0.2)
        # tokens come back at rate_per_second
        await asyncio.sleep(1.1)
        await say(member.ws, "after refill")
        message = await recv_json(member.ws)
        assert message["type"] == "message" and message["text"] == "after refill", message
        await close_all(member.ws, watcher.ws)

    run(scenario())


def test_persistent_flooding_closes_1008_and_room_goes_on(chatd_factory):
    daemon = chatd_factory(sections=RATE)

    async def scenario():
        flooder = await v1_join(daemon.url, "flood-v1", "flooder")
        bystander = await v1_join(daemon.url, "flood-v1", "bystander")
        await recv_type(flooder.ws, "join", name="bystander")
        drained = await flood_until_closed(flooder.ws, lambda text: say(flooder.ws, text))
        replies = [decode(frame) for frame in drained]
        assert [r["type"] for r in replies].count("message") == BURST, replies
        errors = [r for r in replies if r["type"] == "error"]
        assert errors and all(e["code"] == "rate_limited" for e in errors), errors
        assert len(errors) <= BURST + 1, f"closed only after {len(errors)} refused messages"
        assert flooder.ws.close_reason == "rate limit exceeded", flooder.ws.close_reason
        await recv_type(bystander.ws, "leave", name="flooder")
        await say(bystander.ws, "calm again")
        message, _ = await recv_type(bystander.ws, "message", text="calm again")
        assert message["from"] == "bystander"
        await bystander.ws.close()

    run(scenario())


def test_rename_and_who_cost_tokens(chatd_factory):
    daemon = chatd_factory(sections=RATE)

    async def scenario():
        member = await v1_join(daemon.url, "rate-cost", "costly")
        await send_json(member.ws, {"type": "who"})
        await send_json(member.ws, {"type": "rename", "name": "renamed"})
        await send_json(member.ws, {"type": "who"})
        await send_json(member.ws, {"type": "who"})
        replies = [await recv_json(member.ws) for _ in range(4)]
        assert [r["type"] for r in replies] == ["presence", "rename", "presence", "error"], replies
        assert replies[-1]["code"] == "rate_limited"
        await member.ws.close()

    run(scenario())


def test_rate_limits_are_per_connection(chatd_factory):
    daemon = chatd_factory(sections=RATE)

    async def scenario():
        one = await v1_join(daemon.url, "rate-per-conn", "one")
        two = await v1_join(daemon.url, "rate-per-conn", "two")
        await recv_type(one.ws, "join", name="two")
        for member in (one, two):
            for index in range(BURST):
                await say(member.ws, f"{member.name} {index}")
        texts = []
        for _ in range(2 * BURST):
            message = await recv_json(one.ws)
            assert message["type"] == "message", message
            texts.append(message["text"])
        assert len(texts) == 2 * BURST
        await close_all(one.ws, two.ws)

    run(scenario())


def test_plain_text_rate_limit_lines_and_1008(chatd_factory):
    daemon = chatd_factory(sections=RATE)

    async def scenario():
        ws, welcome, _ = await plain_join(daemon.url, "rate-plain", "plain")
        for index in range(BURST + 1):
            await ws.send(f"p{index}")
        lines = [await recv(ws) for _ in range(BURST + 1)]
        assert lines[:BURST] == [f"plain: p{i}" for i in range(BURST)], lines
        assert lines[BURST].startswith("! rate_limited: "), lines[BURST]
        drained = await flood_until_closed(ws, ws.send)
        assert all(line.startswith("! rate_limited") for line in drained), drained
        assert ws.close_reason == "rate limit exceeded", ws.close_reason

    run(scenario())
