"""The README's chatd.v1 examples must match what the server really sends.

README.md marks every protocol example with an HTML comment right before its fenced block:

    <!-- chatd.v1 example: server -->      (a server → client message)
    <!-- chatd.v1 example: client -->      (a client → server message)

and the error code table with `<!-- chatd.v1 error codes -->`. For every server example the test provokes the
same message type from a real daemon and compares the *shape*: the same `type` (and gap `reason`), the same keys
in the same order, the same JSON value types, recursively (array elements are compared with the example's first
element). Client examples are sent verbatim and must be answered as documented. Every documented error code is
triggered and must come back exactly. If the README and the server disagree, these tests fail.
"""

import json
import re
import tomllib

from chatd_harness import REPO_ROOT
from v1client import close_all, recv_json, recv_type, say, send_json, v1_connect, v1_join, room_url
from wsclient import expect_silence, run

README = REPO_ROOT / "README.md"
SERVER_TYPES = {"welcome", "history", "gap", "message", "join", "leave", "rename", "presence", "error", "pong"}
CLIENT_TYPES = {"message", "rename", "who", "ping"}
EXAMPLE = re.compile(r"<!-- chatd\.v1 example: (server|client) -->\s*\n```json\n(.*?)\n```", re.S)
# Small history and text limits so `gap` and `text_too_long` are easy to provoke; a burst big enough for the
# scenario but cheap to exhaust on a fresh connection.
SECTIONS = {"chat": {"history_size": 3, "max_text_bytes": 100, "rate_per_second": 0.01, "rate_burst": 8}}


def readme_examples():
    """[(direction, parsed example, source text)] in README order."""
    text = README.read_text(encoding="utf-8")
    found = []
    for direction, body in EXAMPLE.findall(text):
        example = json.loads(body)
        assert isinstance(example, dict) and isinstance(example.get("type"), str), body
        found.append((direction, example, body))
    return found


def readme_error_codes():
    """The codes listed in the README's error code table, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- chatd.v1 error codes -->")
    codes = []
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if codes:
                break
            continue
        match = re.match(r"\|\s*`([a-z_]+)`\s*\|", line)
        if match:
            codes.append(match.group(1))
    return codes


def json_kind(value):
    """The JSON type name of a decoded value (bool is not a number here)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return "object"


def shape_differences(example, actual, path="$"):
    """Every way `actual` differs in shape from `example` (keys, key order, value types), as readable lines."""
    if json_kind(example) != json_kind(actual):
        return [f"{path}: README has {json_kind(example)} {example!r}, server sent {json_kind(actual)} {actual!r}"]
    if isinstance(example, dict):
        if list(example) != list(actual):
            return [f"{path}: README keys {list(example)}, server keys {list(actual)}"]
        differences = []
        for key in example:
            differences += shape_differences(example[key], actual[key], f"{path}.{key}")
        return differences
    if isinstance(example, list) and example:
        differences = []
        for index, element in enumerate(actual):
            differences += shape_differences(example[0], element, f"{path}[{index}]")
        return differences
    return []


def assert_same_shape(example, actual):
    """Fails with every difference when `actual` does not have the README example's shape."""
    assert actual["type"] == example["type"], (example, actual)
    differences = shape_differences(example, actual)
    assert not differences, "README example and server disagree:\n" + "\n".join(differences) + (
        f"\nREADME: {json.dumps(example)}\nserver: {json.dumps(actual)}"
    )


def discriminator(message):
    """What distinguishes examples of one type: gap reason, else nothing."""
    return (message["type"], message.get("reason") if message["type"] == "gap" else None)


def test_readme_documents_every_message_type():
    examples = readme_examples()
    server = {example["type"] for direction, example, _ in examples if direction == "server"}
    client = {example["type"] for direction, example, _ in examples if direction == "client"}
    assert server == SERVER_TYPES, f"server examples: {sorted(server)}"
    assert client == CLIENT_TYPES, f"client examples: {sorted(client)}"
    reasons = {example.get("reason") for direction, example, _ in examples if example["type"] == "gap"}
    assert reasons == {"expired", "reset"}
    history = next(example for _, example, _ in examples if example["type"] == "history")
    message = next(e for d, e, _ in examples if d == "server" and e["type"] == "message")
    assert history["messages"] and not shape_differences(message, history["messages"][0]), (
        "the history example's entry must have the shape of the message example"
    )


def collect_server_messages(daemon):
    """Provokes every server message type; returns {discriminator: [messages]} and the error codes seen."""
    seen = {}

    def keep(*messages):
        for message in messages:
            seen.setdefault(discriminator(message), []).append(message)

    async def scenario():
        alice = await v1_join(daemon.url, "readme", "alice")
        keep(alice.welcome, alice.history, alice.presence, alice.join)
        for index in range(5):
            await say(alice.ws, f"m{index}")
            message, _ = await recv_type(alice.ws, "message", text=f"m{index}")
            keep(message)
        epoch = alice.welcome["epoch"]
        # history_size 3 keeps ids 3..5: since=1 lost id 2 → gap "expired", then a non-empty history.
        bob = await v1_join(daemon.url, "readme", "bob", since=1, epoch=epoch)
        assert bob.gap is not None, "since=1 with history_size 3 after 5 messages must give a gap"
        keep(bob.welcome, bob.gap, bob.history, bob.presence, bob.join)
        carol = await v1_join(daemon.url, "readme", "carol", since=1, epoch=epoch + "-other")
        assert carol.gap is not None, "a wrong epoch must give a gap"
        keep(carol.gap, carol.history)
        await send_json(bob.ws, {"type": "rename", "name": "bobby"})
        keep((await recv_type(alice.ws, "rename"))[0])
        await send_json(bob.ws, {"type": "who"})
        keep((await recv_type(bob.ws, "presence"))[0])
        await send_json(bob.ws, {"type": "ping"})
        keep((await recv_type(bob.ws, "pong"))[0])
        await send_json(bob.ws, {"type": "no_such_type"})
        keep((await recv_type(bob.ws, "error"))[0])
        await bob.ws.close()
        keep((await recv_type(alice.ws, "leave", name="bobby"))[0])
        await close_all(alice.ws, carol.ws)

    run(scenario())
    return seen


def test_server_examples_match_what_the_server_sends(chatd_factory):
    daemon = chatd_factory(sections=SECTIONS)
    seen = collect_server_messages(daemon)
    failures = []
    for direction, example, _ in readme_examples():
        if direction != "server":
            continue
        key = discriminator(example)
        actual = seen.get(key)
        if not actual:
            failures.append(f"no server message {key} was provoked")
            continue
        for message in actual:
            differences = shape_differences(example, message)
            if differences:
                failures.append(f"{key}: " + "; ".join(differences) + f"\n  server: {json.dumps(message)}")
                break
    assert not failures, "README and server disagree:\n" + "\n".join(failures)


def test_client_examples_are_answered_as_documented(chatd_factory):
    daemon = chatd_factory(sections=SECTIONS)
    examples = [example for direction, example, _ in readme_examples() if direction == "client"]

    async def scenario():
        member = await v1_join(daemon.url, "readme-client", "dave")
        for example in examples:
            await send_json(member.ws, example)
            reply = await recv_json(member.ws)
            kind = example["type"]
            if kind == "message":
                assert reply["type"] == "message" and reply["text"] == example["text"], reply
            elif kind == "rename":
                assert reply["type"] == "rename" and reply["to"] == example["name"], reply
            elif kind == "who":
                assert reply["type"] == "presence" and reply["members"], reply
            elif kind == "ping":
                assert reply["type"] == "pong", reply
            else:
                raise AssertionError(f"no expectation for client example {example!r}")
        await expect_silence(member.ws, 0.3)
        await member.ws.close()

    run(scenario())


async def trigger(daemon, code):
    """Provokes error `code` on a fresh connection; returns the error message the server sent."""
    member = await v1_join(daemon.url, f"err-{code.replace('_', '-')}", "erin")
    ws = member.ws
    other = None
    if code == "bad_json":
        await ws.send("{not json")
    elif code == "unknown_type":
        await send_json(ws, {"type": "dance"})
    elif code == "missing_field":
        await send_json(ws, {"type": "message"})
    elif code == "empty_text":
        await send_json(ws, {"type": "message", "text": "   "})
    elif code == "text_too_long":
        await say(ws, "x" * 101)
    elif code == "invalid_name":
        await send_json(ws, {"type": "rename", "name": "\u0007\u0008"})
    elif code == "name_taken":
        other = await v1_join(daemon.url, f"err-{code.replace('_', '-')}", "frank")
        await send_json(ws, {"type": "rename", "name": "FRANK"})
    elif code == "rate_limited":
        for index in range(9):
            await say(ws, f"r{index}")
    elif code == "binary_unsupported":
        await ws.send(b"\x01\x02")
    else:
        raise AssertionError(f"README documents error code {code!r} that this test cannot trigger")
    error, _ = await recv_type(ws, "error")
    await close_all(ws, *([other.ws] if other else []))
    return error


def test_every_documented_error_code_is_returned(chatd_factory):
    daemon = chatd_factory(sections=SECTIONS)
    codes = readme_error_codes()
    assert set(codes) == {
        "bad_json",
        "unknown_type",
        "missing_field",
        "empty_text",
        "text_too_long",
        "invalid_name",
        "name_taken",
        "rate_limited",
        "binary_unsupported",
    }, codes
    error_example = next(e for d, e, _ in readme_examples() if d == "server" and e["type"] == "error")

    async def scenario():
        wrong = []
        for code in codes:
            error = await trigger(daemon, code)
            differences = shape_differences(error_example, error)
            if error.get("code") != code or differences or not error.get("message"):
                wrong.append(f"{code}: server sent {json.dumps(error)} {'; '.join(differences)}")
        assert not wrong, "documented error codes not returned as documented:\n" + "\n".join(wrong)

    run(scenario())


def test_welcome_example_limits_are_the_defaults(chatd_factory):
    """The welcome example shows the default limits; they must equal a default daemon's and config/chatd.toml."""
    daemon = chatd_factory()
    welcome_example = next(e for d, e, _ in readme_examples() if d == "server" and e["type"] == "welcome")
    shipped = tomllib.loads((REPO_ROOT / "config" / "chatd.toml").read_text(encoding="utf-8"))

    async def scenario():
        ws = await v1_connect(room_url(daemon.url, "defaults", name="dee"))
        welcome = await recv_json(ws)
        await ws.close()
        return welcome

    welcome = run(scenario())
    assert welcome["limits"] == welcome_example["limits"], (welcome["limits"], welcome_example["limits"])
    assert welcome["limits"]["max_name_length"] == shipped["limits"]["max_name_length"]
    for key in ("max_text_bytes", "rate_per_second", "rate_burst"):
        assert welcome["limits"][key] == shipped["chat"][key], key
    readme = README.read_text(encoding="utf-8")
    for key in ("history_size", "max_text_bytes", "rate_per_second", "rate_burst"):
        row = re.search(rf"^\| `\[chat\]` \| `{key}` \| `([^`]*)` \|", readme, re.M)
        assert row, f"README limits table has no [chat] {key} row"
        assert float(row.group(1)) == shipped["chat"][key], (key, row.group(1), shipped["chat"][key])
