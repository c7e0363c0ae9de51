"""Reading the container's journal as JSON, with bounded waits for entries that are still on their way."""

import json
import time

# systemd's own catalog ids (src/systemd/sd-messages.h): a unit finished starting / a watchdog fired.
SD_UNIT_STARTED = "39f53479d3a045ac8e11786248231fbf"


def now_usec():
    """CLOCK_MONOTONIC in microseconds: the clock of the journal's __MONOTONIC_TIMESTAMP (same kernel)."""
    return int(time.monotonic() * 1_000_000)


def entries(machine, *matches, since=None):
    """Journal entries (dicts) matching journalctl arguments, e.g. entries(m, "-u", "chatd.service")."""
    output = machine.run("journalctl", "-o", "json", "--no-pager", *matches, timeout=30).stdout
    found = [json.loads(line) for line in output.splitlines() if line.strip()]
    if since is not None:
        found = [entry for entry in found if int(entry.get("__MONOTONIC_TIMESTAMP", 0)) >= since]
    return found


def chatd_entries(machine, since=None):
    """Entries chatd itself wrote (not systemd's messages about the unit)."""
    return entries(machine, "_SYSTEMD_UNIT=chatd.service", since=since)


def wait_for(machine, predicate, what, since=None, timeout=15, matches=("-u", "chatd.service")):
    """Polls the journal until an entry satisfies `predicate`; returns it, or fails naming `what`."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        seen = entries(machine, *matches, since=since)
        for entry in seen:
            if predicate(entry):
                return entry
        if time.monotonic() >= deadline:
            tail = "\n".join(f"  {entry.get('PRIORITY')} {entry.get('MESSAGE')}" for entry in seen[-15:])
            raise AssertionError(f"no journal entry for {what} within {timeout}s; last entries:\n{tail}")
        time.sleep(0.2)


def message(entry):
    """An entry's MESSAGE as text (journalctl gives non-UTF-8 messages as byte arrays)."""
    value = entry.get("MESSAGE", "")
    return bytes(value).decode(errors="replace") if isinstance(value, list) else value
