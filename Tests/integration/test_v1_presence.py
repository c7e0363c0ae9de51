"""Presence under churn, and names: NFKC normalisation, case-insensitive uniqueness, rename rules."""

import asyncio
import random

from v1client import close_all, recv_json, recv_type, send_json, v1_join
from wsclient import expect_silence, run

CHATD_SECTIONS = {"chat": {"rate_per_second": 1000, "rate_burst": 1000}}


def apply_events(members, events):
    """Replays join/leave/rename events on a set of names (as a client keeping a member list would)."""
    members = set(members)
    for event in events:
        if event["type"] == "join":
            assert event["name"] not in members, f"join for a present member: {event}"
            members.add(event["name"])
        elif event["type"] == "leave":
            assert event["name"] in members, f"leave for an absent member: {event}"
            members.remove(event["name"])
        elif event["type"] == "rename":
            members.remove(event["from"])
            members.add(event["to"])
    return members


def test_presence_is_exact_after_concurrent_churn(chatd):
    """30 clients join concurrently; half leave (close or TCP reset) while 10 more join; `who` is exact."""
    room = "churn"

    async def scenario():
        rng = random.Random(7)
        observer = await v1_join(chatd.url, room, "observer")
        first = await asyncio.gather(*(v1_join(chatd.url, room, f"c{i:02d}") for i in range(30)))
        leaving = rng.sample(first, 15)
        staying = [m for m in first if m not in leaving]

        async def leave(member, index):
            await asyncio.sleep(rng.random() * 0.05)
            if index % 2:
                member.ws.transport.abort()
            else:
                await member.ws.close()

        extra = await asyncio.gather(
            *(leave(m, i) for i, m in enumerate(leaving)),
            *(v1_join(chatd.url, room, f"late{i}") for i in range(10)),
        )
        late = [member for member in extra if member is not None]
        live = {"observer"} | {m.name for m in staying} | {m.name for m in late}
        assert len(live) == 26

        expected_members = sorted(live, key=str.lower)
        # Joins and leaves arrive asynchronously; poll `who` until the 15 leaves are processed.
        events = []
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            await send_json(observer.ws, {"type": "who"})
            presence, skipped = await recv_type(observer.ws, "presence")
            events += skipped
            if presence["members"] == expected_members or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
        assert presence["members"] == expected_members, (
            f"who: {presence['members']}\nexpected: {expected_members}"
        )
        # The observer's event stream, replayed on its join presence, ends at the same set.
        assert apply_events(observer.presence["members"], events) == live
        # A new joiner's presence is the same set plus itself.
        newcomer = await v1_join(chatd.url, room, "newcomer")
        assert newcomer.presence["members"] == sorted(live | {"newcomer"}, key=str.lower)
        await close_all(observer.ws, newcomer.ws, *(m.ws for m in staying + late))

    run(scenario(), timeout=90)


def test_nfkc_normalises_fullwidth_and_compatibility_names(chatd):
    async def scenario():
        fullwidth = await v1_join(chatd.url, "nfkc", "ａｌｉｃｅ")
        assert fullwidth.name == "alice", fullwidth.name
        ligature = await v1_join(chatd.url, "nfkc", "ﬁnn")
        assert ligature.name == "finn", ligature.name
        await close_all(fullwidth.ws, ligature.ws)

    run(scenario())


def test_duplicate_names_compare_case_insensitively_after_nfkc(chatd):
    async def scenario():
        alice = await v1_join(chatd.url, "nfkc-dupes", "alice")
        upper = await v1_join(chatd.url, "nfkc-dupes", "ALICE")
        assert upper.name == "ALICE-2", upper.name
        wide = await v1_join(chatd.url, "nfkc-dupes", "Ａｌｉｃｅ")
        assert wide.name.lower() == "alice-3", wide.name
        presence = wide.presence["members"]
        assert sorted(name.lower() for name in presence) == ["alice", "alice-2", "alice-3"], presence
        await close_all(alice.ws, upper.ws, wide.ws)

    run(scenario())


async def expect_error(member, code):
    """The member's next message is error `code`."""
    error = await recv_json(member.ws)
    assert error["type"] == "error" and error["code"] == code, f"expected {code}, got {error}"


def test_rename_to_taken_name_is_name_taken_without_suffix(chatd):
    async def scenario():
        bob = await v1_join(chatd.url, "taken", "bob")
        alice = await v1_join(chatd.url, "taken", "alice")
        await recv_type(bob.ws, "join", name="alice")
        for wanted in ("alice", "ALICE", "ａｌｉｃｅ", " alice "):
            await send_json(bob.ws, {"type": "rename", "name": wanted})
            await expect_error(bob, "name_taken")
        await expect_silence(alice.ws, 0.2)
        await send_json(bob.ws, {"type": "who"})
        presence = await recv_json(bob.ws)
        assert presence["members"] == ["alice", "bob"], "a refused rename changes nothing"
        await close_all(bob.ws, alice.ws)

    run(scenario())


def test_rename_to_invalid_name_is_invalid_name(chatd):
    async def scenario():
        member = await v1_join(chatd.url, "invalid-names", "valid")
        for wanted in ("", "   ", "\u0007\u0000", "\u200b\u200b"):
            await send_json(member.ws, {"type": "rename", "name": wanted})
            await expect_error(member, "invalid_name")
        await send_json(member.ws, {"type": "who"})
        presence = await recv_json(member.ws)
        assert presence["members"] == ["valid"]
        await member.ws.close()

    run(scenario())


def test_rename_is_normalised_and_changing_own_case_is_allowed(chatd):
    async def scenario():
        member = await v1_join(chatd.url, "rename-norm", "robert")
        await send_json(member.ws, {"type": "rename", "name": "ｂｏｂ"})
        event = await recv_json(member.ws)
        assert (event["type"], event["from"], event["to"]) == ("rename", "robert", "bob"), event
        await send_json(member.ws, {"type": "rename", "name": "Bob"})
        event = await recv_json(member.ws)
        assert (event["type"], event["from"], event["to"]) == ("rename", "bob", "Bob"), (
            "renaming to a different case of one's own name is not 'taken'"
        )
        await send_json(member.ws, {"type": "rename", "name": "x" * 33})
        await expect_error(member, "invalid_name")  # a rename is never silently truncated
        await send_json(member.ws, {"type": "rename", "name": "x" * 32})
        event = await recv_json(member.ws)
        assert event["type"] == "rename" and event["to"] == "x" * 32, event
        await member.ws.close()

    run(scenario())


def test_renamed_name_is_free_for_others_and_taken_name_for_joiners(chatd):
    async def scenario():
        first = await v1_join(chatd.url, "name-moves", "first")
        await send_json(first.ws, {"type": "rename", "name": "second"})
        await recv_type(first.ws, "rename")
        joiner = await v1_join(chatd.url, "name-moves", "first")
        assert joiner.name == "first", "the old name is free after a rename"
        other = await v1_join(chatd.url, "name-moves", "Second")
        assert other.name == "Second-2", "the new name is taken"
        await close_all(first.ws, joiner.ws, other.ws)

    run(scenario())


def test_concurrent_joins_with_one_name_get_distinct_names(chatd):
    async def scenario():
        members = await asyncio.gather(*(v1_join(chatd.url, "same-name", "twin") for _ in range(10)))
        names = sorted(m.name for m in members)
        assert names == sorted(["twin"] + [f"twin-{n}" for n in range(2, 11)]), names
        await close_all(*(m.ws for m in members))

    run(scenario())
