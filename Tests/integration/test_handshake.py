"""RFC 6455 §4 opening handshake: accepted and rejected upgrades."""

import pytest
from websockets.exceptions import InvalidStatus
from wsclient import recv, run, ws_connect
from wsraw import accept_for, connect, http_exchange, make_key, read_response_head, upgrade_request


def test_valid_upgrade_without_origin_is_101(chatd):
    key = make_key()
    with connect(chatd.port) as sock:
        sock.sendall(upgrade_request(chatd.port, "/echo", key=key))
        response, _ = read_response_head(sock)
    assert response.status == 101
    assert "websocket" in response.tokens("Upgrade")
    assert "upgrade" in response.tokens("Connection")
    assert response.header("Sec-WebSocket-Accept") == accept_for(key)
    assert response.header("Sec-WebSocket-Protocol") is None
    assert response.header("Sec-WebSocket-Extensions") is None


def test_missing_key_is_400(chatd):
    response = http_exchange(chatd.port, upgrade_request(chatd.port, omit=("Sec-WebSocket-Key",)))
    assert response.status == 400
    assert "close" in response.tokens("Connection")


@pytest.mark.parametrize("key", [make_key(b"12345678"), make_key(b"x" * 17), "not base64!!", ""])
def test_key_not_16_bytes_is_400(chatd, key):
    response = http_exchange(chatd.port, upgrade_request(chatd.port, key=key))
    assert response.status == 400


def test_version_8_is_426_with_supported_version(chatd):
    response = http_exchange(chatd.port, upgrade_request(chatd.port, version="8"))
    assert response.status == 426
    assert response.header("Sec-WebSocket-Version") == "13"
    assert "close" in response.tokens("Connection")


def test_missing_upgrade_connection_token_is_400(chatd):
    response = http_exchange(chatd.port, upgrade_request(chatd.port, "/echo", extra={"Connection": "keep-alive"}))
    assert response.status == 400


def test_upgrade_over_http_1_0_is_rejected(chatd):
    request = upgrade_request(chatd.port).replace(b"HTTP/1.1", b"HTTP/1.0", 1)
    response = http_exchange(chatd.port, request)
    assert response.status == 400


def test_foreign_origin_is_403(chatd):
    response = http_exchange(chatd.port, upgrade_request(chatd.port, extra={"Origin": "http://evil.example"}))
    assert response.status == 403
    assert "close" in response.tokens("Connection")


def test_foreign_origin_rejected_for_real_client(chatd):
    async def scenario():
        with pytest.raises(InvalidStatus) as info:
            async with ws_connect(f"{chatd.url}/echo", origin="http://evil.example"):
                pass
        assert info.value.response.status_code == 403

    run(scenario())


def test_same_host_origin_is_101(chatd):
    async def scenario():
        async with ws_connect(f"{chatd.url}/echo", origin=f"http://127.0.0.1:{chatd.port}") as ws:
            await ws.send("same-origin")
            assert await recv(ws) == "same-origin"

    run(scenario())


def test_configured_origin_is_101(chatd):
    response_key = make_key()
    with connect(chatd.port) as sock:
        sock.sendall(upgrade_request(chatd.port, key=response_key, extra={"Origin": "https://chat.example.com"}))
        response, _ = read_response_head(sock)
    assert response.status == 101


def test_subprotocol_chatd_v1_is_selected(chatd):
    async def scenario():
        async with ws_connect(f"{chatd.url}/echo", subprotocols=["other.v9", "chatd.v1"]) as ws:
            assert ws.subprotocol == "chatd.v1"

    run(scenario())


def test_no_subprotocol_offered_none_selected(chatd):
    async def scenario():
        async with ws_connect(f"{chatd.url}/echo") as ws:
            assert ws.subprotocol is None

    run(scenario())


def test_unknown_subprotocol_only_gets_none(chatd):
    key = make_key()
    with connect(chatd.port) as sock:
        sock.sendall(upgrade_request(chatd.port, key=key, extra={"Sec-WebSocket-Protocol": "mqtt"}))
        response, _ = read_response_head(sock)
    assert response.status == 101
    assert response.header("Sec-WebSocket-Protocol") is None


def test_compression_offer_is_declined(chatd):
    """The real client offers permessage-deflate by default; chatd has no extensions and must not accept it."""

    async def scenario():
        async with ws_connect(f"{chatd.url}/echo", compression="deflate") as ws:
            assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
            await ws.send("x" * 1000)
            assert await recv(ws) == "x" * 1000

    run(scenario())


def test_unknown_room_path_upgrade_is_404(chatd):
    response = http_exchange(chatd.port, upgrade_request(chatd.port, "/a/b/c"))
    assert response.status == 404


def test_browser_style_connection_header_is_accepted(chatd):
    """Firefox sends `Connection: keep-alive, Upgrade`; header names and tokens are case-insensitive."""
    key = make_key()
    extra = {"Connection": "keep-alive, Upgrade", "Upgrade": "WebSocket"}
    with connect(chatd.port) as sock:
        request = upgrade_request(chatd.port, key=key, extra=extra).replace(b"Sec-WebSocket-Key", b"sec-websocket-key")
        sock.sendall(request)
        response, _ = read_response_head(sock)
    assert response.status == 101
    assert response.header("Sec-WebSocket-Accept") == accept_for(key)
