"""Plain-text slash commands and rooms shared by plain-text and chatd.v1 members (README "Plain-text mode")."""

import asyncio

from v1client import close_all, plain_join, recv_json, recv_type, say, send_json, v1_join
from wsclient import expect_closed, expect_silence, recv, recv_line, run

MAX_TEXT = 64
CHATD_SECTIONS = {"chat": {"max_text_bytes": MAX_TEXT, "rate_per_second": 1000, "rate_burst": 1000}}


async def drain(ws, seconds=0.3):
    """Every message that arrives within `seconds`."""
    received = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                received.append(await ws.recv())
    except TimeoutError:
        return received


def test_mixed_room_same_conversation_in_each_format(chatd):
    async def scenario():
        plain, _, _ = await plain_join(chatd.url, "mixed", "pat")
        json_member = await v1_join(chatd.url, "mixed", "jay")
        assert json_member.presence["members"] == ["jay", "pat"]
        await recv_line(plain, "* jay joined mixed")

        await plain.send("hello from plain")
        assert await recv(plain) == "pat: hello from plain"
        message = await recv_json(json_member.ws)
        assert (message["type"], message["from"], message["text"], message["action"]) == (
            "message",
            "pat",
            "hello from plain",
            False,
        )
        await say(json_member.ws, "hello from json")
        assert await recv(plain) == "jay: hello from json"
        echoed = await recv_json(json_member.ws)
        assert echoed["id"] == message["id"] + 1, "one id sequence for both kinds of member"

        await plain.send("/me waves")
        assert await recv(plain) == "* pat waves"
        action = await recv_json(json_member.ws)
        assert (action["type"], action["from"], action["text"], action["action"]) == ("message", "pat", "waves", True)

        await send_json(json_member.ws, {"type": "rename", "name": "jayden"})
        assert await recv(plain) == "* jay is now known as jayden"
        await recv_type(json_member.ws, "rename", to="jayden")
        await plain.send("/nick patricia")
        assert await recv(plain) == "* pat is now known as patricia"
        event = await recv_json(json_member.ws)
        assert (event["type"], event["from"], event["to"]) == ("rename", "pat", "patricia"), event

        await plain.send("/who")
        assert await recv(plain) == "* in mixed: jayden, patricia"
        await expect_silence(json_member.ws, 0.2)

        late = await v1_join(chatd.url, "mixed", "late")
        history = [(m["from"], m["text"], m["action"]) for m in late.messages]
        assert history == [("pat", "hello from plain", False), ("jay", "hello from json", False), ("pat", "waves", True)]
        await late.ws.close()
        await recv_line(plain, "* late left mixed")
        late_plain, _, lines = await plain_join(chatd.url, "mixed", "reader")
        assert lines[:3] == ["pat: hello from plain", "jay: hello from json", "* pat waves"], lines

        await json_member.ws.close()
        await recv_line(plain, "* jayden left mixed")
        await plain.send("/quit")
        await expect_closed(plain, 1000)
        await recv_line(late_plain, "* patricia left mixed")
        await late_plain.close()

    run(scenario())


def test_plain_who_lists_members_sorted(chatd):
    async def scenario():
        members = [await plain_join(chatd.url, "plainwho", name) for name in ("zoe", "Adam", "bea")]
        ws = members[0][0]
        await asyncio.gather(*(drain(other, 0.2) for other, _, _ in members))
        await ws.send("/who")
        assert await recv(ws) == "* in plainwho: Adam, bea, zoe"
        for other, _, _ in members[1:]:
            await expect_silence(other, 0.2)
        await close_all(*(m[0] for m in members))

    run(scenario())


def test_plain_help_lists_every_command_to_the_asker_only(chatd):
    async def scenario():
        asker, _, _ = await plain_join(chatd.url, "plainhelp", "asker")
        other, _, _ = await plain_join(chatd.url, "plainhelp", "other")
        await recv_line(asker, "* other joined plainhelp")
        await asker.send("/help")
        text = "\n".join(await drain(asker, 0.5))
        for command in ("/nick", "/who", "/me", "/quit", "/help"):
            assert command in text, f"{command} missing from /help: {text!r}"
        await expect_silence(other, 0.2)
        await close_all(asker, other)

    run(scenario())


def test_unknown_command(chatd):
    async def scenario():
        ws, _, _ = await plain_join(chatd.url, "plaincmd", "cmd")
        await ws.send("/dance now")
        assert await recv(ws) == "* unknown command /dance; try /help"
        await ws.send("still chatting")
        assert await recv(ws) == "cmd: still chatting"
        await ws.close()

    run(scenario())


def test_plain_nick_errors_and_suffix_free_rename(chatd):
    async def scenario():
        one, _, _ = await plain_join(chatd.url, "plainnick", "one")
        two, _, _ = await plain_join(chatd.url, "plainnick", "two")
        await recv_line(one, "* two joined plainnick")
        await two.send("/nick ONE")
        line = await recv(two)
        assert line.startswith("! name_taken"), line
        await two.send("/nick \u0007")
        line = await recv(two)
        assert line.startswith("! invalid_name"), line
        await expect_silence(one, 0.2)
        await two.send("/nick ｔｗｏ２")
        assert await recv(two) == "* two is now known as two2"
        assert await recv(one) == "* two is now known as two2"
        await close_all(one, two)

    run(scenario())


def test_plain_errors_are_bang_lines_and_keep_the_connection(chatd):
    async def scenario():
        ws, _, _ = await plain_join(chatd.url, "plainerr", "perr")
        await ws.send("x" * (MAX_TEXT + 1))
        line = await recv(ws)
        assert line.startswith("! text_too_long"), line
        await ws.send(b"\x00binary")
        line = await recv(ws)
        assert line.startswith("! binary_unsupported"), line
        await ws.send("x" * MAX_TEXT)
        assert await recv(ws) == "perr: " + "x" * MAX_TEXT
        await ws.close()

    run(scenario())


def test_plain_quit_command_closes_1000(chatd):
    async def scenario():
        stay, _, _ = await plain_join(chatd.url, "plainquit", "stay")
        json_member = await v1_join(chatd.url, "plainquit", "jason")
        quitter, _, _ = await plain_join(chatd.url, "plainquit", "quitter")
        await recv_line(stay, "* quitter joined plainquit")
        await quitter.send("/quit")
        await expect_closed(quitter, 1000)
        await recv_line(stay, "* quitter left plainquit")
        await recv_type(json_member.ws, "leave", name="quitter")
        await close_all(stay, json_member.ws)

    run(scenario())



def test_json_action_flag_is_an_emote_for_everyone(chatd):
    async def scenario():
        plain, _, _ = await plain_join(chatd.url, "jsonaction", "pia")
        member = await v1_join(chatd.url, "jsonaction", "jo")
        await recv_line(plain, "* jo joined jsonaction")
        await send_json(member.ws, {"type": "message", "text": "dances", "action": True})
        message = await recv_json(member.ws)
        assert (message["type"], message["text"], message["action"]) == ("message", "dances", True), message
        assert await recv(plain) == "* jo dances"
        await send_json(member.ws, {"type": "message", "text": "x", "action": "yes"})
        error = await recv_json(member.ws)
        assert error["type"] == "error" and error["code"] == "bad_json", error
        await close_all(plain, member.ws)

    run(scenario())
