"""No data after chatd's Close frame (RFC 6455 5.5.1), on every path where chatd starts the closing handshake.

Each test puts a raw member that never answers the Close into a plain-text room while the others keep
chatting, reads everything chatd sends it, and checks that the Close frame is the last frame, with its code
and reason: shutdown (1001 "server shutting down"), idle timeout (1001 "idle timeout"), /quit (1000 "bye"),
slow consumer (1013 "slow consumer"), and a reload that lowers max_outbound_bytes below what is queued.
A member whose close chatd started leaves its room at once (the others see "* raw left ROOM" right after the
Close, not when the TCP connection finally goes away); on shutdown members leave silently, so shutting down
a room of N members costs O(N) frames, not O(N^2).
"""

import signal

from chatd_harness import MIB, render_config
from wsframes import Peer, assert_close_is_last, describe, publish, pump, pump_for, wait_for_log
from wsraw import OP_CLOSE, OP_PING, OP_TEXT

# Chat members here send more than the default rate limit allows (rate limiting is tested in test_v1_rate.py);
# a short history keeps a join's replay within the small max_outbound_bytes of the slow-consumer tests.
CHAT = {"rate_per_second": 100000, "rate_burst": 100000, "max_text_bytes": 4000, "history_size": 2}


def join_room(port, room, names, never_answer=(), rcvbuf=None):
    """Joins every name to plain-text `room` → {name: Peer}; `never_answer` names answer nothing, ever."""
    peers = {}
    try:
        for name in names:
            silent = name in never_answer
            peers[name] = Peer(port, f"/chat/{room}?name={name}", answer=not silent, rcvbuf=rcvbuf if silent else None)
    except BaseException:
        close_all(peers.values())
        raise
    return peers


def sync(peers, sender, timeout=10.0):
    """`sender` says "sync"; pumps until every peer got that line, so all earlier output has been read."""
    line = f"{sender}: sync".encode()
    for peer in peers.values():
        peer.watch(line)
    peers[sender].send_text("sync")
    pump(list(peers.values()), lambda: all(peer.seen(line) for peer in peers.values()), timeout, "sync line")


def close_all(peers):
    """Closes every peer's socket."""
    for peer in peers:
        peer.close()


def ticking(peers, talker, until, seconds, interval=0.1):
    """`talker` sends a chat line every `interval` seconds while every peer is pumped, until `until()` or
    `seconds` are over."""
    ticks = 0
    while not until() and ticks * interval < seconds:
        talker.send_text(f"tick {ticks}")
        ticks += 1
        pump_for(peers, interval)
    return ticks


def left_lines(peer):
    """Every "* NAME left ROOM" line a peer received."""
    return [text for text in peer.texts() if " left " in text and text.startswith("* ")]


def test_shutdown_close_is_last_frame_and_nobody_sees_left_lines(chatd_factory):
    """On SIGTERM a member that never answers gets the 1001 Close and then nothing (before: five "* mN left"
    lines after it, one per member whose close completed); members leave silently, so nobody sees a left line;
    the daemon exits 0 after the drain time."""
    daemon = chatd_factory(sections={"timeouts": {"shutdown_drain_seconds": 2}, "chat": CHAT})
    names = ["raw", "m1", "m2", "m3", "m4", "m5"]
    peers = join_room(daemon.port, "down", names, never_answer={"raw"})
    try:
        sync(peers, "m5")
        marks = {name: len(peer.frames) for name, peer in peers.items()}
        chatter = peers["m2"]
        daemon.process.send_signal(signal.SIGTERM)
        # m2 keeps chatting until it gets its own Close (a client may send data until then).
        ticking(list(peers.values()), chatter, lambda: chatter.close_time() is not None, seconds=5, interval=0.02)
        pump(list(peers.values()), lambda: all(p.eof_at for p in peers.values()), 8, "TCP close of every member")
        status = daemon.stop()
        for name, peer in peers.items():
            after = peer.pairs(marks[name])
            assert_close_is_last(after, 1001, "server shutting down", who=name)
            assert not left_lines(peer), f"{name} saw left lines on shutdown: {left_lines(peer)}"
        raw_after = peers["raw"].pairs(marks["raw"])
        assert all(opcode == OP_TEXT for opcode, _ in raw_after[:-1]), describe(raw_after)
        assert status == 0, f"chatd exited with {status} on SIGTERM:\n{daemon.log_tail()}"
    finally:
        close_all(peers.values())


def test_shutdown_of_500_members_sends_each_exactly_one_frame(chatd_factory):
    """500 members in one room, every tenth never answering: after SIGTERM each member receives exactly one
    frame, the 1001 Close (no left lines: shutdown costs O(N) frames, not O(N^2)), and the daemon exits 0."""
    daemon = chatd_factory(sections={"timeouts": {"shutdown_drain_seconds": 2}, "chat": CHAT})
    names = [f"m{index}" for index in range(500)]
    peers = join_room(daemon.port, "crowd", names, never_answer={name for name in names[::10]})
    try:
        sync(peers, names[-1], timeout=20)
        marks = {name: len(peer.frames) for name, peer in peers.items()}
        daemon.process.send_signal(signal.SIGTERM)
        pump(list(peers.values()), lambda: all(p.eof_at for p in peers.values()), 10, "TCP close of every member")
        status = daemon.stop()
        counts = {name: len(peer.frames) - marks[name] for name, peer in peers.items()}
        wrong = {name: count for name, count in counts.items() if count != 1}
        assert not wrong, (
            f"{len(wrong)} of 500 members did not get exactly one frame after SIGTERM "
            f"(total {sum(counts.values())} frames; e.g. {sorted(wrong.items())[:5]}; "
            f"m499 got {describe(peers['m499'].pairs(marks['m499'])[:4])})"
        )
        for name, peer in peers.items():
            assert_close_is_last(peer.pairs(marks[name]), 1001, "server shutting down", who=name)
        assert status == 0, f"chatd exited with {status} on SIGTERM:\n{daemon.log_tail()}"
    finally:
        close_all(peers.values())


def test_idle_timeout_close_is_last_frame_and_member_leaves_at_once(chatd_factory):
    """A member that never sends anything is pinged, then closed with 1001 "idle timeout"; while another member
    keeps chatting it gets no data frame after that Close, the room sees it leave right away, and chatd drops the
    TCP connection after close_seconds."""
    daemon = chatd_factory(
        sections={
            "timeouts": {"idle_seconds": 0.5, "pong_seconds": 0.5, "close_seconds": 3},
            "chat": CHAT,
        }
    )
    peers = join_room(daemon.port, "idle", ["raw", "talker"], never_answer={"raw"})
    raw, talker = peers["raw"], peers["talker"]
    try:
        ticking([raw, talker], talker, lambda: raw.eof_at is not None, seconds=10)
        assert raw.eof_at is not None, "chatd kept the silent member's TCP connection for 10 s"
        frames = raw.pairs()
        assert_close_is_last(frames, 1001, "idle timeout", who="raw")
        opcodes = [opcode for opcode, _ in frames]
        assert OP_PING in opcodes[: opcodes.index(OP_CLOSE)], f"no ping before the idle close: {describe(frames[-5:])}"
        closed_at = raw.close_time()
        held = raw.eof_at - closed_at
        assert 2.5 <= held <= 4.5, f"TCP closed {held:.2f}s after the Close frame, expected close_seconds = 3"
        left_at = talker.first_time(lambda text: text == "* raw left idle")
        assert left_at is not None, f"the room never saw the idle member leave; talker got {talker.texts()[-5:]}"
        assert left_at - closed_at < 1.0, (
            f"'* raw left idle' came {left_at - closed_at:.2f}s after the Close, not at once "
            f"(TCP closed after {held:.2f}s)"
        )
    finally:
        close_all(peers.values())


def test_quit_close_is_last_frame_and_member_leaves_at_once(chatd_factory):
    """A member that sends /quit and never answers chatd's 1000 "bye" Close gets nothing after it while the
    others keep chatting, and the room sees it leave at once."""
    daemon = chatd_factory(sections={"timeouts": {"close_seconds": 2}, "chat": CHAT})
    peers = join_room(daemon.port, "quit", ["raw", "talker"], never_answer={"raw"})
    raw, talker = peers["raw"], peers["talker"]
    try:
        sync(peers, "talker")
        mark = len(raw.frames)
        raw.send_text("/quit")
        ticking([raw, talker], talker, lambda: raw.eof_at is not None, seconds=8)
        assert raw.eof_at is not None, "chatd kept the quitting member's TCP connection for 8 s"
        assert_close_is_last(raw.pairs(mark), 1000, "bye", who="raw")
        closed_at = raw.close_time()
        left_at = talker.first_time(lambda text: text == "* raw left quit")
        assert left_at is not None, f"the room never saw the member quit; talker got {talker.texts()[-5:]}"
        assert left_at - closed_at < 1.0, f"'* raw left quit' came {left_at - closed_at:.2f}s after the Close"
    finally:
        close_all(peers.values())


def stalled_room(daemon, room):
    """raw (SO_RCVBUF 4096, never answers, then stops reading), pub and obs in `room`, synced."""
    peers = join_room(daemon.port, room, ["raw", "pub", "obs"], never_answer={"raw"}, rcvbuf=4096)
    try:
        sync(peers, "obs")
    except BaseException:
        close_all(peers.values())
        raise
    peers["raw"].paused = True
    return peers


def test_slow_consumer_close_is_last_frame_and_member_leaves_at_once(chatd_factory):
    """A member that stops reading is closed as a slow consumer once max_outbound_bytes is queued for it: the
    room sees it leave while its TCP connection is still open, the publisher keeps chatting, and reading
    everything until EOF the member finds data frames, then the 1013 "slow consumer" Close, then nothing."""
    daemon = chatd_factory(
        sections={
            "limits": {"max_message_bytes": 65536, "max_outbound_bytes": 262144},
            "timeouts": {"close_seconds": 3},
            "chat": CHAT,
        }
    )
    peers = stalled_room(daemon, "slow")
    raw, pub, obs = peers["raw"], peers["pub"], peers["obs"]
    everyone = [raw, pub, obs]
    try:
        mark = len(raw.frames)
        left = b"* raw left slow"
        obs.watch(left)
        sent = publish(everyone, pub, "pub", count=4000, size=3900, stop=lambda: obs.seen(left))
        assert obs.seen(left), f"the stalled member was not dropped after {sent} lines of 3900 bytes"
        publish(everyone, pub, "pub", count=100, size=3900)  # the room goes on after the Close
        assert raw.eof_at is None, "chatd dropped the TCP connection before the stalled member read its Close"
        raw.paused = False
        pump(everyone, lambda: raw.eof_at is not None, 10, "TCP close of the slow consumer")
        frames = raw.pairs(mark)
        assert_close_is_last(frames, 1013, "slow consumer", who="raw")
        assert all(opcode == OP_TEXT for opcode, _ in frames[:-1]), describe(frames[:3])
        assert len(frames) > 1, "no data frame arrived before the Close"
    finally:
        close_all(peers.values())


def test_reload_lowering_outbound_limit_closes_stalled_member_with_close_last(chatd_factory):
    """With max_outbound_bytes 64 MiB a stalled member has megabytes queued; a reload that lowers the limit to
    64 KiB closes it as a slow consumer: reading until EOF it finds the 1013 Close last, and the other members
    keep chatting unaffected."""
    sections = {
        "limits": {"max_outbound_bytes": 64 * MIB},
        "timeouts": {"close_seconds": 3},
        "chat": CHAT,
    }
    daemon = chatd_factory(sections=sections)
    peers = stalled_room(daemon, "lower")
    raw, pub, obs = peers["raw"], peers["pub"], peers["obs"]
    everyone = [raw, pub, obs]
    try:
        mark = len(raw.frames)
        left = b"* raw left lower"
        obs.watch(left)
        publish(everyone, pub, "pub", count=4200, size=3900)  # 16 MB: far more than the kernel buffers
        assert not obs.seen(left), "the stalled member was dropped before the reload"
        lowered = dict(sections, limits={"max_outbound_bytes": 65536, "max_message_bytes": 65536})
        daemon.config_path.write_text(render_config(daemon.port, lowered))
        daemon.process.send_signal(signal.SIGHUP)
        wait_for_log(daemon, "configuration reloaded")
        line = b"obs: after the reload"
        pub.watch(line)
        obs.watch(line)
        for _ in range(20):
            obs.send_text("after the reload")
        pump(everyone, lambda: pub.seen(line) == 20 and obs.seen(line) == 20, 10, "20 lines after the reload")
        pump(everyone, lambda: obs.seen(left), 5, "'* raw left lower'")
        assert raw.eof_at is None, "chatd dropped the TCP connection before the stalled member read its Close"
        raw.paused = False
        pump(everyone, lambda: raw.eof_at is not None, 15, "TCP close of the slow consumer")
        frames = raw.pairs(mark)
        assert_close_is_last(frames, 1013, "slow consumer", who="raw")
        assert pub.eof_at is None and obs.eof_at is None, "the other members were disconnected"
    finally:
        close_all(peers.values())
