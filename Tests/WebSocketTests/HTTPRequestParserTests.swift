import Testing
import WebSocket

/// The incremental HTTP/1.x request-head parser: splitting, leftovers, limits and malformed input.
@Suite struct HTTPRequestParserTests {
    static let sample =
        "GET /chat/room?name=x HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\n"
        + "Connection: keep-alive, Upgrade\r\nX-Empty:\r\nX-Multi: a\r\nx-multi:  b , C \r\n\r\n"

    /// Parses `text` in one call.
    static func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseResult {
        var parser = HTTPRequestParser(limits: limits)
        return Array(text.utf8).withUnsafeBytes { parser.parse($0) }
    }

    /// Feeds `bytes` to `parser` in one call.
    static func feed(_ parser: inout HTTPRequestParser, _ bytes: ArraySlice<UInt8>) -> HTTPParseResult {
        bytes.withUnsafeBytes { parser.parse($0) }
    }

    /// The failure status of a result, or nil when it did not fail.
    static func status(_ result: HTTPParseResult) -> HTTPStatus? {
        if case .failure(let status) = result { return status }
        return nil
    }

    /// Checks every field of the parsed `sample` request.
    static func checkSampleHead(_ head: HTTPRequestHead) {
        #expect(head.method == "GET")
        #expect(head.target == "/chat/room?name=x")
        #expect(head.path == "/chat/room")
        #expect(head.query == "name=x")
        #expect(head.version == "HTTP/1.1")
        #expect(head.headers.entries.count == 6)
        #expect(head.headers["host"] == "localhost:8080")
        #expect(head.headers["X-EMPTY"] == "")
        #expect(head.headers["x-multi"] == "a")
        #expect(head.headers.values("X-Multi") == ["a", "b , C"])
        #expect(head.headers.tokens("x-multi") == ["a", "b", "c"])
        #expect(head.headers.tokens("Connection") == ["keep-alive", "upgrade"])
        #expect(head.headers.contains("UPGRADE"))
        #expect(!head.headers.contains("Origin"))
        #expect(head.headers["Origin"] == nil)
    }

    @Test func parsesCompleteHeadInOneCall() throws {
        let result = Self.parse(Self.sample)
        guard case .complete(let head, let consumed) = result else {
            Issue.record("expected complete, got \(result)")
            return
        }
        #expect(consumed == Self.sample.utf8.count)
        Self.checkSampleHead(head)
    }

    @Test func parsesHeadSplitAtEveryByteOffset() {
        let bytes = Array(Self.sample.utf8)
        for split in 1..<bytes.count {
            var parser = HTTPRequestParser(limits: HTTPParserLimits())
            #expect(Self.feed(&parser, bytes[..<split]) == .needMoreData, "split \(split)")
            let result = Self.feed(&parser, bytes[split...])
            guard case .complete(let head, let consumed) = result else {
                Issue.record("split \(split): \(result)")
                continue
            }
            #expect(consumed == bytes.count - split)
            Self.checkSampleHead(head)
        }
    }

    @Test func parsesHeadFedOneByteAtATime() {
        let bytes = Array(Self.sample.utf8)
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        for index in 0..<(bytes.count - 1) {
            #expect(Self.feed(&parser, bytes[index...index]) == .needMoreData)
        }
        guard case .complete(let head, let consumed) = Self.feed(&parser, bytes[(bytes.count - 1)...]) else {
            Issue.record("expected complete")
            return
        }
        #expect(consumed == 1)
        Self.checkSampleHead(head)
    }

    @Test func leftoverBytesAfterTheHeadAreNotConsumed() {
        let head = Array("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let frame = TestSupport.clientText("hi")
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        // First call carries part of the head, second the rest of the head plus a WebSocket frame.
        #expect(Self.feed(&parser, head[..<10]) == .needMoreData)
        let result = Self.feed(&parser, ArraySlice(head[10...] + frame))
        guard case .complete(_, let consumed) = result else {
            Issue.record("expected complete")
            return
        }
        #expect(consumed == head.count - 10)
    }

    @Test func bareLineFeedsAreAccepted() {
        guard case .complete(let head, let consumed) = Self.parse("GET / HTTP/1.1\nHost: a\n\n") else {
            Issue.record("expected complete")
            return
        }
        #expect(consumed == 24)
        #expect(head.headers["Host"] == "a")
    }

    @Test func leadingEmptyLineIsIgnored() {
        guard case .complete(let head, _) = Self.parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") else {
            Issue.record("expected complete")
            return
        }
        #expect(head.method == "GET")
    }

    @Test func parserIsOneShotAndRefusesBytesAfterTheHead() {
        let text = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: b\r\n\r\n"
        let bytes = Array(text.utf8)
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        guard case .complete(let first, let consumed) = Self.feed(&parser, bytes[...]) else {
            Issue.record("expected first request")
            return
        }
        #expect(first.path == "/a")
        #expect(consumed == bytes.count / 2, "only the first head is consumed; the rest belongs to whoever reads next")
        #expect(Self.feed(&parser, bytes[consumed...]) == .failure(.badRequest))
        #expect(Self.feed(&parser, Array("x".utf8)[...]) == .failure(.badRequest), "the failure is sticky")
    }

    @Test func targetWithoutQueryHasNilQuery() {
        guard case .complete(let head, _) = Self.parse("GET /healthz HTTP/1.0\r\n\r\n") else {
            Issue.record("expected complete")
            return
        }
        #expect(head.path == "/healthz")
        #expect(head.query == nil)
        #expect(head.version == "HTTP/1.0")
        #expect(head.headers.entries.isEmpty)
    }

    @Test func emptyQueryAndPercentEncodingArePreserved() {
        guard case .complete(let head, _) = Self.parse("GET /chat/a%20b? HTTP/1.1\r\n\r\n") else {
            Issue.record("expected complete")
            return
        }
        #expect(head.path == "/chat/a%20b")
        #expect(head.query == "")
    }

    @Test func absoluteFormTargetYieldsItsPath() {
        guard case .complete(let head, _) = Self.parse("GET http://h:80/chat/x?y=1 HTTP/1.1\r\n\r\n") else {
            Issue.record("expected complete")
            return
        }
        #expect(head.path == "/chat/x")
        #expect(head.query == "y=1")
    }

    @Test func headBiggerThanLimitFailsWith431() {
        let limits = HTTPParserLimits(maxHeaderBytes: 100, maxHeaderCount: 64)
        let text = "GET / HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 200) + "\r\n\r\n"
        #expect(Self.status(Self.parse(text, limits: limits)) == .requestHeaderFieldsTooLarge)
    }

    @Test func limitIsEnforcedWithoutWaitingForTheEndOfTheHead() {
        let limits = HTTPParserLimits(maxHeaderBytes: 64, maxHeaderCount: 64)
        var parser = HTTPRequestParser(limits: limits)
        let bytes = Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100)).utf8)
        #expect(Self.status(Self.feed(&parser, bytes[...])) == .requestHeaderFieldsTooLarge)
    }

    @Test func headExactlyAtLimitIsAccepted() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let limits = HTTPParserLimits(maxHeaderBytes: text.utf8.count, maxHeaderCount: 1)
        guard case .complete = Self.parse(text, limits: limits) else {
            Issue.record("expected complete")
            return
        }
        let smaller = HTTPParserLimits(maxHeaderBytes: text.utf8.count - 1, maxHeaderCount: 1)
        #expect(Self.status(Self.parse(text, limits: smaller)) == .requestHeaderFieldsTooLarge)
    }

    @Test func tooManyHeadersFailWith431() {
        let limits = HTTPParserLimits(maxHeaderBytes: 8192, maxHeaderCount: 3)
        let three = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        guard case .complete = Self.parse(three, limits: limits) else {
            Issue.record("3 headers must pass")
            return
        }
        let four = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"
        #expect(Self.status(Self.parse(four, limits: limits)) == .requestHeaderFieldsTooLarge)
    }

    @Test func overlongRequestTargetFailsWith414Or431() {
        let text = "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n\r\n"
        let status = Self.status(Self.parse(text))
        #expect(status == .uriTooLong || status == .requestHeaderFieldsTooLarge)
    }

    @Test(arguments: [
        "GET /\r\n\r\n",  // two parts
        "GET  / HTTP/1.1\r\n\r\n",  // double space
        "GET / HTTP/1.1 extra\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",  // non-token method
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1.1x\r\n\r\n",
        "GET / FOO/1.1\r\n\r\n",
        "GET /a\u{7F}b HTTP/1.1\r\n\r\n",  // control byte in target
        "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",  // whitespace before colon
        "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
        "GET / HTTP/1.1\r\nBad[Name]: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",  // obsolete line folding
        "GET / HTTP/1.1\r\nHost: a\r\n\tfolded\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\u{01}b\r\n\r\n",  // control byte in value
        "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",  // bare CR in value
        "GET / HTTP/1.1\r\nX: a\r\r\n\r\n",
    ])
    func malformedRequestsFailWith400(text: String) {
        #expect(Self.status(Self.parse(text)) == .badRequest)
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3"])
    func unsupportedVersionsFailWith505(version: String) {
        #expect(Self.status(Self.parse("GET / \(version)\r\nHost: a\r\n\r\n")) == .httpVersionNotSupported)
    }

    @Test func badRequestLineIsRejectedBeforeTheHeadEnds() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let bytes = Array("GET / HTTP/9.9\r\nHost: a\r\n".utf8)
        #expect(Self.status(Self.feed(&parser, bytes[...])) == .httpVersionNotSupported)
    }

    @Test func failureIsSticky() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let bad = Array("GET / HTTP/1.1\r\nBad Header: x\r\n".utf8)
        #expect(Self.status(Self.feed(&parser, bad[...])) == .badRequest)
        let good = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        #expect(Self.status(Self.feed(&parser, good[...])) == .badRequest)
    }

    @Test func headerValuesAreTrimmedAndMayContainNonASCII() {
        guard case .complete(let head, _) = Self.parse("GET / HTTP/1.1\r\nX-Name: \t caf\u{E9} \t\r\n\r\n") else {
            Issue.record("expected complete")
            return
        }
        #expect(head.headers["x-name"] == "caf\u{E9}")
    }
}
