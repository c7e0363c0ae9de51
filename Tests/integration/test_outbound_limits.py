"""The soft outbound limit: a member whose queued output stays above [limits] soft_outbound_bytes for longer
than soft_outbound_seconds is closed as a slow consumer (1013), long before the hard max_outbound_bytes; one
that only falls behind for a moment stays connected.
"""

import time

from chatd_harness import MIB
from wsframes import Peer, assert_close_is_last, describe, publish, pump, wait_for_log
from wsraw import OP_CLOSE, OP_TEXT

# The publisher sends far more than the default rate limit allows; a short history keeps a join's replay small.
CHAT = {"rate_per_second": 100000, "rate_burst": 100000, "max_text_bytes": 4000, "history_size": 2}
LINES = 2100  # of 3900 bytes: about 8 MB, twice what the kernel buffers for a stalled reader at most
SIZE = 3900


def soft_limit_sections(seconds):
    return {
        "limits": {"soft_outbound_bytes": 65536, "soft_outbound_seconds": seconds, "max_outbound_bytes": 64 * MIB},
        "timeouts": {"close_seconds": 3},
        "chat": CHAT,
    }


def room(port, name, slow_answers):
    """slow (SO_RCVBUF 4096), pub and obs in plain-text room `name`, each having read every join."""
    peers = {}
    try:
        peers["slow"] = Peer(port, f"/chat/{name}?name=slow", answer=slow_answers, rcvbuf=4096)
        for member in ("pub", "obs"):
            peers[member] = Peer(port, f"/chat/{name}?name={member}")
        line = b"obs: sync"
        for peer in peers.values():
            peer.watch(line)
        peers["obs"].send_text("sync")
        pump(list(peers.values()), lambda: all(peer.seen(line) for peer in peers.values()), 10, "sync line")
    except BaseException:
        for peer in peers.values():
            peer.close()
        raise
    return peers


def test_member_above_soft_limit_too_long_is_closed_as_slow_consumer(chatd_factory):
    """A member that stops reading while ~8 MB are published (far below the 64 MiB hard limit) is closed with
    1013 "slow consumer" once its queue has stayed above 64 KiB for soft_outbound_seconds = 1 (checked about
    every 0.25 s): not earlier than 1 s after the burst began, within about 2.5 s of its end; reading until EOF
    it finds the Close last, and the log records event=slow_consumer."""
    daemon = chatd_factory(sections=soft_limit_sections(1))
    peers = room(daemon.port, "soft", slow_answers=False)
    slow, pub, obs = peers["slow"], peers["pub"], peers["obs"]
    everyone = [slow, pub, obs]
    try:
        mark = len(slow.frames)
        left = b"* slow left soft"
        obs.watch(left)
        slow.paused = True
        started = time.monotonic()
        publish(everyone, pub, "pub", count=LINES, size=SIZE)
        ended = time.monotonic()
        pump(everyone, lambda: obs.seen(left), 5, "'* slow left soft' after the burst")
        left_at = obs.first_time(lambda text: text == "* slow left soft")
        assert left_at - started >= 0.95, f"closed {left_at - started:.2f}s after the burst began, before 1 s"
        assert left_at - ended <= 2.5, f"closed {left_at - ended:.2f}s after the burst ended (8 MB queued)"
        publish(everyone, pub, "pub", count=50, size=SIZE)  # the room goes on after the Close
        assert slow.eof_at is None, "chatd dropped the TCP connection before the stalled member read its Close"
        slow.paused = False
        pump(everyone, lambda: slow.eof_at is not None, 15, "TCP close of the slow consumer")
        frames = slow.pairs(mark)
        assert_close_is_last(frames, 1013, "slow consumer", who="slow")
        assert all(opcode == OP_TEXT for opcode, _ in frames[:-1]), describe(frames[:3])
        assert "event=slow_consumer" in wait_for_log(daemon, "event=slow_consumer")
    finally:
        for peer in everyone:
            peer.close()


def test_member_pausing_shorter_than_soft_seconds_stays_connected(chatd_factory):
    """With soft_outbound_seconds = 5, a member that stops reading for 0.5 s as the same ~8 MB burst begins (so
    megabytes are queued for it meanwhile) and then reads everything is not closed: it gets every line and,
    afterwards, a later message."""
    daemon = chatd_factory(sections=soft_limit_sections(5))
    peers = room(daemon.port, "pause", slow_answers=True)
    slow, pub, obs = peers["slow"], peers["pub"], peers["obs"]
    everyone = [slow, pub, obs]
    try:
        prefix = b"pub: "
        slow.watch(prefix)
        slow.paused = True
        started = time.monotonic()

        def resume_after_half_a_second():
            if slow.paused and time.monotonic() - started >= 0.5:
                slow.paused = False

        sent = publish(everyone, pub, "pub", count=LINES, size=SIZE, tick=resume_after_half_a_second)
        pump(everyone, lambda: time.monotonic() - started >= 0.5, 2, "the end of the pause")
        slow.paused = False
        pump(everyone, lambda: slow.seen(prefix) >= sent, 15, f"all {sent} lines at the paused member")
        later = b"pub: later"
        slow.watch(later)
        pub.send_text("later")
        pump(everyone, lambda: slow.seen(later), 5, "'pub: later' at the paused member")
        assert OP_CLOSE not in [opcode for _, opcode, _ in slow.frames], describe(slow.pairs()[-3:])
        assert "* slow left pause" not in obs.texts(), "the room saw the paused member leave"
        assert slow.eof_at is None
    finally:
        for peer in everyone:
            peer.close()
