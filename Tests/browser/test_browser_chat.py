"""End-to-end: two real headless Chromium sessions chat through the embedded page (speaking chatd.v1).

Alice and Bob join one room, exchange messages, see each other in the member list. Alice's network drops
and returns: her page resumes with ?since= and shows exactly the message she missed. Then the daemon is
restarted (SIGTERM, same port and state directory) while both pages stay open: Alice's page must show
"reconnecting", come back to "connected" by itself and, since the history is durable (same epoch), resume with
?since=&epoch= quietly: no "restarted" notice, nothing shown twice, new messages continue the ids. Last, the
daemon is killed (SIGKILL) while Alice is offline and Bob talks before and after the crash: when her network
returns she gets exactly those two messages. Screenshots of Alice's page (desktop and phone size) are saved to
Tests/integration/.artifacts/screenshots/.

Uses Debian's chromium and chromium-driver only: Selenium gets explicit paths, so Selenium Manager never
downloads a browser or a driver.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from chatd_harness import ARTIFACTS, ChatdProcess
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("CHATD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHATD_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = ARTIFACTS / "screenshots"
WAIT_SECONDS = 15
ROOM = "browser-e2e"
TIME_PATTERN = re.compile(r"^\d{1,2}:\d{2}(\s?[AaPp]\.?[Mm]\.?)?$")

# Never let Selenium Manager reach the network (it is not used anyway: both paths are given explicitly).
os.environ.setdefault("SE_OFFLINE", "true")


def new_browser(width=1100, height=800):
    """A headless Chromium driven by Debian's chromedriver (no downloads), with console logs kept."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            pytest.fail(f"{path} is missing: install Debian's chromium and chromium-driver (.ci/lib.sh)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--lang=en-US",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-extensions",
    ):
        options.add_argument(argument)
    # "performance" carries the DevTools Network events: WebSocket URLs and frames, for the resume checks.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    return driver


def wait_for(driver, condition, what):
    """Waits (at most WAIT_SECONDS) until `condition(driver)` is truthy; fails naming `what`."""
    try:
        return WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1).until(condition)
    except TimeoutException:
        pytest.fail(f"timed out after {WAIT_SECONDS}s waiting for {what}; page status: {status_of(driver)!r}")


def status_of(driver):
    """(data-state, text) of #status."""
    try:
        element = driver.find_element(By.ID, "status")
        return element.get_attribute("data-state"), element.text
    except WebDriverException as error:
        return ("?", str(error))


def is_connected(driver):
    """True when the page says it is connected."""
    state, text = status_of(driver)
    return state == "connected" and "connected" in text


def messages(driver):
    """Chat messages shown on the page as dicts: id, from, text, time."""
    return driver.execute_script(
        """
        return Array.from(document.querySelectorAll('#messages .msg')).map((li) => ({
            id: li.dataset.id,
            from: li.querySelector('.from').textContent,
            text: li.querySelector('.text').textContent,
            time: li.querySelector('time').textContent,
            datetime: li.querySelector('time').getAttribute('datetime'),
        }));
        """
    )


def notices(driver):
    """Texts of the system notices on the page."""
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, "#messages .notice")]


def members(driver):
    """Names in #members (the "(you)" marker stripped)."""
    return [
        element.get_attribute("textContent").replace("(you)", "").strip()
        for element in driver.find_elements(By.CSS_SELECTOR, "#members li")
    ]


def has_message(driver, sender, text):
    """True when a message from `sender` with exactly `text` is shown."""
    return any(m["from"] == sender and m["text"] == text for m in messages(driver))


def open_chat(driver, base_url, name):
    """Opens the page for `name` in ROOM (defaults come from the URL hash) and waits until it is connected."""
    driver.get(f"{base_url}/#room={ROOM}&name={name}")
    wait_for(driver, is_connected, f"{name}'s page to connect")
    assert driver.find_element(By.ID, "name").get_attribute("value") == name
    assert driver.find_element(By.ID, "room").get_attribute("value") == ROOM


def type_text(driver, text):
    """Types `text` into #input like a person: each newline is Shift+Enter (plain Enter would send)."""
    box = driver.find_element(By.ID, "input")
    box.clear()
    for index, line in enumerate(text.split("\n")):
        if index:
            box.send_keys(Keys.SHIFT, Keys.ENTER, Keys.SHIFT)
        box.send_keys(line)
    return box


def send_with_enter(driver, text):
    """Types `text` into #input and presses Enter (the page sends on Enter)."""
    type_text(driver, text).send_keys(Keys.ENTER)


def send_with_button(driver, text):
    """Types `text` into #input and clicks #send."""
    type_text(driver, text)
    driver.find_element(By.ID, "send").click()


def wait_for_message(driver, who, sender, text):
    """Waits until `who`'s page shows `sender`: `text`."""
    wait_for(driver, lambda d: has_message(d, sender, text), f"{who} to see {sender}: {text!r}")


def wait_for_members(driver, who, expected):
    """Waits until `who`'s member list is exactly `expected` (any order)."""
    wait_for(driver, lambda d: sorted(members(d)) == sorted(expected), f"{who}'s member list to be {expected}")


def websocket_traffic(driver):
    """(URLs of WebSockets opened, JSON frames received) since the last call, from the DevTools log."""
    urls, frames = [], []
    for entry in driver.get_log("performance"):
        event = json.loads(entry["message"])["message"]
        if event["method"] == "Network.webSocketCreated":
            urls.append(event["params"]["url"])
        elif event["method"] == "Network.webSocketFrameReceived":
            try:
                frames.append(json.loads(event["params"]["response"]["payloadData"]))
            except ValueError:
                pass
    return urls, frames


def set_offline(driver, offline):
    """Switches Chromium's network emulation off/on (fires the page's offline/online events)."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def save_screenshot(driver, file_name):
    """Saves a PNG of the page under SCREENSHOTS and prints its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / file_name
    assert driver.save_screenshot(str(path)), f"could not save {path}"
    assert path.stat().st_size > 10_000, f"{path} is suspiciously small"
    print(f"screenshot: {path}")
    return path


def dump_browser_logs(drivers):
    """Prints each browser's console log and saves a failure screenshot (called when the test fails)."""
    for name, driver in drivers.items():
        try:
            for entry in driver.get_log("browser"):
                print(f"[{name} console] {entry.get('level')} {entry.get('message')}")
            save_screenshot(driver, f"failure-{name}.png")
        except Exception as error:  # best effort only: the test already failed
            print(f"[{name}] could not collect logs: {error}")


def assert_no_duplicates(driver, who):
    """Every message element has a data-id, and no data-id appears twice."""
    ids = [m["id"] for m in messages(driver)]
    assert all(ids), f"{who}: a message without data-id: {ids}"
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{who} shows messages twice: {duplicates} in {ids}"


def assert_names_and_times(driver, who):
    """Every message shows a sender and a local time derived from the server's ts."""
    for message in messages(driver):
        assert message["from"], f"{who}: message without a name: {message}"
        assert TIME_PATTERN.match(message["time"]), f"{who}: message without a readable time: {message}"
        assert message["datetime"].startswith("20"), f"{who}: <time datetime> is not ISO: {message}"


def assert_no_restart_notice(driver, who):
    """No notice says the room restarted or that messages are missing."""
    shown = notices(driver)
    assert not any("restarted" in n or "no longer available" in n or "missing" in n for n in shown), (
        f"{who} shows {shown}"
    )


def assert_quiet_resume(driver, who, epoch, since, missed):
    """The page's WebSockets since the last websocket_traffic() call all asked for ?since=SINCE&epoch=EPOCH (a
    page retrying while the daemon was down opens several); the welcome kept the epoch; no gap arrived; the history
    held exactly the `missed` texts (every history, when a retry got in while the old daemon was draining)."""
    urls, frames = websocket_traffic(driver)
    assert urls and all(f"since={since}&epoch={epoch}" in url for url in urls), f"{who}'s resume URLs: {urls}"
    welcomes = [frame for frame in frames if frame.get("type") == "welcome"]
    assert welcomes and all(frame.get("epoch") == epoch for frame in welcomes), f"{who}'s welcome: {welcomes}"
    gaps = [frame for frame in frames if frame.get("type") == "gap"]
    assert not gaps, f"{who} got a gap on resume: {gaps}"
    history = [[m["text"] for m in frame["messages"]] for frame in frames if frame.get("type") == "history"]
    assert history and all(texts == missed for texts in history), f"{who}: history {history}, expected {missed}"


def stop_daemon(daemon):
    """Stops a daemon and checks that it had been alive and exited 0 on SIGTERM."""
    was_alive = daemon.alive()
    status = daemon.stop()
    assert was_alive, f"chatd {daemon.name} died during the test (status {status}):\n{daemon.log_tail()}"
    assert status == 0, f"chatd {daemon.name} exited with {status} on SIGTERM:\n{daemon.log_tail()}"


def test_two_browsers_chat_and_survive_a_daemon_restart(tmp_path):
    """Alice and Bob chat in Chromium, the daemon restarts on the same port, and both carry on."""
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()
    daemons = []
    drivers = {}
    passed = False
    try:
        daemon = ChatdProcess(tmp_path, "browser-chat")
        daemons.append(daemon)
        daemon.start()
        base_url = f"http://127.0.0.1:{daemon.port}"

        drivers["alice"] = new_browser()
        drivers["bob"] = new_browser()
        alice, bob = drivers["alice"], drivers["bob"]
        open_chat(alice, base_url, "alice")
        open_chat(bob, base_url, "bob")

        # Presence: each sees both names in the member list.
        wait_for_members(alice, "alice", ["alice", "bob"])
        wait_for_members(bob, "bob", ["alice", "bob"])
        wait_for(alice, lambda d: any("bob joined" in n for n in notices(d)), "alice to see 'bob joined'")

        # Both send (Enter and the Send button); both see both, with names and times.
        send_with_enter(alice, "Hello from Alice 👋")
        send_with_button(bob, "Hi Alice, Bob here.\nSecond line.")
        for who, driver in drivers.items():
            wait_for_message(driver, who, "alice", "Hello from Alice 👋")
            wait_for_message(driver, who, "bob", "Hi Alice, Bob here.\nSecond line.")
            assert_names_and_times(driver, who)

        # Safe rendering: markup from another member is shown as text and never becomes elements.
        hostile = '<img src=x onerror="document.title=\'pwned\'"><b>not bold</b>'
        send_with_enter(bob, hostile)
        wait_for_message(alice, "alice", "bob", hostile)
        assert not alice.find_elements(By.CSS_SELECTOR, "#messages img, #messages b")
        assert alice.title != "pwned"

        # Alice's network drops (Chromium's offline emulation): the page closes its socket, waits, and on
        # "online" resumes with ?since=&epoch= — she gets exactly what she missed, nothing twice.
        websocket_traffic(alice)  # drop what was logged so far
        set_offline(alice, True)
        wait_for(alice, lambda d: status_of(d)[0] == "offline", "alice's page to show offline")
        wait_for_members(bob, "bob", ["bob"])
        send_with_enter(bob, "Did you miss this one?")
        wait_for_message(bob, "bob", "bob", "Did you miss this one?")
        set_offline(alice, False)
        wait_for(alice, is_connected, "alice's page to resume after the network came back")
        wait_for_message(alice, "alice", "bob", "Did you miss this one?")
        wait_for_members(alice, "alice", ["alice", "bob"])
        assert_no_duplicates(alice, "alice")
        assert len(messages(alice)) == 4, f"alice after resuming: {messages(alice)}"
        # The page itself asked for exactly what it missed (the dedupe safety net must not be what saves it).
        urls, frames = websocket_traffic(alice)
        epoch = messages(alice)[0]["id"].rsplit(":", 1)[0]
        assert len(urls) == 1 and f"since=3&epoch={epoch}" in urls[0], f"resume URL: {urls}"
        history = [frame for frame in frames if frame.get("type") == "history"]
        assert [m["text"] for m in history[0]["messages"]] == ["Did you miss this one?"], history
        assert_no_restart_notice(alice, "alice")

        # Restart the daemon (SIGTERM, same port and state directory) while both pages stay open.
        websocket_traffic(alice)  # drop what was logged so far
        stop_daemon(daemon)
        wait_for(
            alice,
            lambda d: status_of(d)[0] == "reconnecting" and "reconnecting" in status_of(d)[1],
            "alice's page to show reconnecting",
        )
        print(f"alice while the daemon is down: {status_of(alice)}")
        daemon.start()
        for who, driver in drivers.items():
            wait_for(driver, is_connected, f"{who}'s page to reconnect")
        wait_for_members(alice, "alice", ["alice", "bob"])
        wait_for_members(bob, "bob", ["alice", "bob"])
        # Durable history: the room keeps its epoch, so the page resumes where it was, quietly.
        assert_quiet_resume(alice, "alice", epoch, since=4, missed=[])
        for who, driver in drivers.items():
            assert_no_restart_notice(driver, who)
            assert_no_duplicates(driver, who)
            assert len(messages(driver)) == 4, f"{who} after the restart: {messages(driver)}"

        # After the restart both can still talk, the ids continue, and nothing is shown twice.
        send_with_enter(bob, "Back after the restart?")
        send_with_enter(alice, "Yes, still here.")
        for who, driver in drivers.items():
            wait_for_message(driver, who, "bob", "Back after the restart?")
            wait_for_message(driver, who, "alice", "Yes, still here.")
            assert_names_and_times(driver, who)
            assert_no_duplicates(driver, who)
        alice_texts = [m["text"] for m in messages(alice)]
        assert alice_texts.count("Hello from Alice 👋") == 1, alice_texts
        assert len(alice_texts) == 6, f"alice should show exactly 6 messages, got {alice_texts}"
        assert [m["id"] for m in messages(alice)] == [f"{epoch}:{n}" for n in range(1, 7)], messages(alice)

        # A crash while Alice is offline: Bob talks before the SIGKILL and after the new daemon is up; when her
        # network returns she gets exactly those two, with no restart notice.
        websocket_traffic(alice)
        set_offline(alice, True)
        wait_for(alice, lambda d: status_of(d)[0] == "offline", "alice's page to show offline")
        wait_for_members(bob, "bob", ["bob"])
        send_with_enter(bob, "Sent before the crash")
        wait_for_message(bob, "bob", "bob", "Sent before the crash")
        daemon.kill()
        wait_for(bob, lambda d: status_of(d)[0] == "reconnecting", "bob's page to show reconnecting")
        daemon.start()
        wait_for(bob, is_connected, "bob's page to reconnect after the crash")
        send_with_enter(bob, "Sent after the crash")
        wait_for_message(bob, "bob", "bob", "Sent after the crash")
        set_offline(alice, False)
        wait_for(alice, is_connected, "alice's page to resume after the crash")
        wait_for_message(alice, "alice", "bob", "Sent before the crash")
        wait_for_message(alice, "alice", "bob", "Sent after the crash")
        wait_for_members(alice, "alice", ["alice", "bob"])
        assert_quiet_resume(alice, "alice", epoch, since=6, missed=["Sent before the crash", "Sent after the crash"])
        for who, driver in drivers.items():
            assert_no_restart_notice(driver, who)
            assert_no_duplicates(driver, who)
            assert [m["id"] for m in messages(driver)] == [f"{epoch}:{n}" for n in range(1, 9)], messages(driver)

        # Screenshots of Alice's page: desktop, then phone-sized.
        save_screenshot(alice, "chat-desktop.png")
        alice.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 800, "deviceScaleFactor": 1, "mobile": True},
        )
        wait_for(alice, lambda d: d.execute_script("return window.innerWidth") == 390, "the phone-sized viewport")
        toggle = alice.find_element(By.ID, "members-toggle")
        assert toggle.is_displayed(), "the member list toggle should show on a phone-sized screen"
        assert "2" in toggle.text
        assert alice.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        ), "the page scrolls sideways on a phone-sized screen"
        save_screenshot(alice, "chat-phone.png")
        toggle.click()
        wait_for(alice, lambda d: d.find_element(By.ID, "members").is_displayed(), "the member panel to open")
        save_screenshot(alice, "chat-phone-members.png")
        passed = True
    finally:
        try:
            if not passed:
                dump_browser_logs(drivers)
                for daemon in daemons:
                    print(f"--- {daemon.name} log tail ---\n{daemon.log_tail()}")
        finally:
            for driver in drivers.values():
                try:
                    driver.quit()
                except Exception as error:
                    print(f"driver.quit failed: {error}")
            for daemon in daemons:
                if daemon.returncode is None:
                    if passed:
                        stop_daemon(daemon)
                    else:
                        daemon.stop()
