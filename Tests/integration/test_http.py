"""Plain HTTP on the chat port: page, health check and correct error responses."""

import time

from wsraw import connect, http_exchange, http_get, parse_response, recv_until_closed, upgrade_request


def assert_closes(response):
    """Every error response must announce `Connection: close`."""
    assert "close" in response.tokens("Connection"), f"no Connection: close in {response.headers}"


def test_healthz_returns_ok(chatd):
    response = http_get(chatd.port, "/healthz")
    assert response.status == 200
    assert response.body.strip() == b"ok"
    assert response.header("Content-Length") == str(len(response.body))


def test_root_serves_the_chat_page(chatd):
    response = http_get(chatd.port, "/")
    assert response.status == 200
    assert (response.header("Content-Type") or "").startswith("text/html")
    assert b"<html" in response.body.lower()
    assert b"WebSocket" in response.body, "the chat page must open a WebSocket"
    assert int(response.header("Content-Length")) == len(response.body)


def test_unknown_path_is_404(chatd):
    response = http_get(chatd.port, "/a/b/c")
    assert response.status == 404
    assert_closes(response)


def test_post_is_405(chatd):
    request = f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\nContent-Length: 0\r\n\r\n"
    response = http_exchange(chatd.port, request.encode())
    assert response.status == 405
    assert_closes(response)


def test_oversized_header_block_is_431(chatd):
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\nX-Filler: {'a' * 9000}\r\n\r\n"
    response = http_exchange(chatd.port, request.encode())
    assert response.status == 431
    assert_closes(response)


def test_too_many_headers_is_431(chatd):
    headers = "".join(f"X-H{i}: v\r\n" for i in range(100))
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\n{headers}\r\n"
    assert len(request) < 8192, "must trip the header count, not the size limit"
    response = http_exchange(chatd.port, request.encode())
    assert response.status == 431
    assert_closes(response)


def test_garbage_request_line_is_400(chatd):
    response = http_exchange(chatd.port, b"GARBAGE\r\n\r\n")
    assert response.status == 400
    assert_closes(response)


def test_binary_garbage_is_400(chatd):
    tls_client_hello = b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(200))
    response = http_exchange(chatd.port, tls_client_hello + b"\r\n\r\n")
    assert response.status == 400
    assert_closes(response)


def test_request_split_into_single_bytes_is_served(chatd):
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\n\r\n".encode()
    with connect(chatd.port) as sock:
        for byte in request:
            sock.sendall(bytes([byte]))
            time.sleep(0.001)
        response = parse_response(recv_until_closed(sock))
    assert response.status == 200
    assert response.body.strip() == b"ok"


def test_unsupported_http_version_is_505(chatd):
    response = http_exchange(chatd.port, f"GET / HTTP/2.0\r\nHost: 127.0.0.1:{chatd.port}\r\n\r\n".encode())
    assert response.status == 505
    assert_closes(response)


def test_obsolete_line_folding_is_400(chatd):
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\nX-Long: first\r\n second\r\n\r\n"
    response = http_exchange(chatd.port, request.encode())
    assert response.status == 400
    assert_closes(response)


def test_whitespace_before_colon_is_400(chatd):
    request = f"GET / HTTP/1.1\r\nHost : 127.0.0.1:{chatd.port}\r\n\r\n"
    response = http_exchange(chatd.port, request.encode())
    assert response.status == 400


def test_header_name_that_is_not_a_token_is_400(chatd):
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\nBad(Name): x\r\n\r\n"
    response = http_exchange(chatd.port, request.encode())
    assert response.status == 400


def test_overlong_request_target_is_414_or_431(chatd):
    request = f"GET /{'a' * 9000} HTTP/1.1\r\nHost: 127.0.0.1:{chatd.port}\r\n\r\n"
    response = http_exchange(chatd.port, request.encode())
    assert response.status in (414, 431)
    assert_closes(response)


def test_upgrade_without_host_is_400(chatd):
    response = http_exchange(chatd.port, upgrade_request(chatd.port, omit=("Host",)))
    assert response.status == 400
