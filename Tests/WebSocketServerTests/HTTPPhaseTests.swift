import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// The HTTP phase of a connection: plain requests get one response and a close, broken or unroutable ones the right
/// error, upgrades reach the routed application, and whatever follows the head in the same read is not lost.
@Suite struct HTTPPhaseTests {
    /// Sends `request` on a fresh connection and returns the client once the server closed its side.
    private func exchange(_ request: [UInt8], harness: TableHarness) throws -> TestClient {
        let client = try harness.connect()
        client.send(request)
        try #require(harness.run { client.receiveEnd() }, "the server never finished its response")
        return client
    }

    @Test func plainRequestGetsTheRoutersResponseThenTheConnectionCloses() throws {
        let harness = try TableHarness()
        let client = try exchange(ClientBytes.get("/plain"), harness: harness)
        #expect(client.receivedText.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(client.receivedText.hasSuffix("\r\n\r\n" + TestRouter.plainBody))
        #expect(harness.app.opened.isEmpty)
        #expect(harness.connection(client.id)?.phase == .lingering)
        client.close()
        #expect(harness.run { harness.table.count == 0 })
    }

    @Test func malformedRequestGets400() throws {
        let harness = try TableHarness()
        let client = try exchange(Array("NONSENSE\r\n\r\n".utf8), harness: harness)
        #expect(client.receivedText.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
    }

    @Test func unknownPathGets404ForUpgradesAndPlainRequests() throws {
        let harness = try TableHarness()
        let upgrade = try exchange(ClientBytes.upgrade("/nowhere"), harness: harness)
        let plain = try exchange(ClientBytes.get("/nowhere"), harness: harness)
        #expect(upgrade.receivedText.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(plain.receivedText.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(harness.app.opened.isEmpty && harness.big.opened.isEmpty)
    }

    @Test func rejectedHandshakeGetsItsStatusAndNeverOpens() throws {
        let harness = try TableHarness()
        var oldVersion = ClientBytes.upgrade("/app")
        oldVersion = Array(
            String(decoding: oldVersion, as: UTF8.self).replacing("Version: 13", with: "Version: 8").utf8)
        let wrongVersion = try exchange(oldVersion, harness: harness)
        let foreign = try exchange(
            ClientBytes.upgrade("/app", extraHeaders: ["Origin: https://elsewhere.example"]), harness: harness)
        #expect(wrongVersion.receivedText.hasPrefix("HTTP/1.1 426 "))
        #expect(foreign.receivedText.hasPrefix("HTTP/1.1 403 "))
        #expect(harness.app.opened.isEmpty)
    }

    @Test func oversizedHeadGets431() throws {
        let harness = try TableHarness(settings: testSettings(headerLimits: HTTPParserLimits(maxHeaderBytes: 256)))
        let padding = String(repeating: "x", count: 300)
        let client = try exchange(
            ClientBytes.upgrade("/app", extraHeaders: ["X-Padding: \(padding)"]), harness: harness)
        #expect(client.receivedText.hasPrefix("HTTP/1.1 431 "))
    }

    @Test func upgradeOpensTheRoutedApplicationWithItsSubprotocol() throws {
        let harness = try TableHarness()
        let client = try harness.open("/app", subprotocol: "chatd.v1")
        let other = try harness.open("/big")
        #expect(harness.app.opened == [client.id])
        #expect(harness.app.subprotocols == ["chatd.v1"])
        #expect(harness.big.opened == [other.id])
        #expect(harness.big.subprotocols == [nil])
        let head = try #require(client.responseHead)
        #expect(head.contains("Sec-WebSocket-Protocol: chatd.v1\r\n"))
        #expect(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
    }

    @Test func frameSentWithTheUpgradeRequestIsNotLost() throws {
        let harness = try TableHarness()
        let client = try harness.connect()
        client.send(ClientBytes.upgrade("/app") + ClientBytes.text("first") + ClientBytes.text("second"))
        harness.pass()
        #expect(harness.app.texts(from: client.id) == ["first", "second"], "handled in the same pass as the head")
    }

    @Test func requestArrivingOneByteAPassStillUpgrades() throws {
        let harness = try TableHarness()
        let client = try harness.connect()
        for byte in ClientBytes.upgrade("/app") {
            client.send([byte])
            harness.pass()
        }
        client.receive()
        #expect(client.isUpgraded)
        #expect(harness.app.opened == [client.id])
    }

    @Test func connectionOverTheLimitGets503AndIsNotAdopted() throws {
        let harness = try TableHarness(settings: testSettings(maxConnections: 1))
        let first = try harness.connect()
        let pair = try TableHarness.socketPair()
        let refused = TestClient(fd: pair.client, id: TestClient.refused)
        #expect(harness.table.adopt(fd: pair.server, peer: "one too many") == nil)
        #expect(refused.receiveEnd())
        #expect(refused.receivedText.hasPrefix("HTTP/1.1 503 "))
        #expect(harness.table.count == 1)
        #expect(harness.table.contains(first.id))
        #expect(harness.table.stats.shedConnections == 1)
        #expect(harness.table.stats.acceptedConnections == 1)
        #expect(harness.logs.events("connection_limit").count == 1)
    }

    /// A handshake in flight at the stop signal is served, then closed: the application sees it open and depart
    /// (silently), and the 1001 Close is the last frame (a restart's client learns where it stands, then resumes).
    @Test func upgradeFinishedDuringShutdownIsOpenedThenClosedWith1001() throws {
        let harness = try TableHarness()
        let client = try harness.connect()
        harness.table.beginShutdown()
        client.send(ClientBytes.upgrade("/app"))
        harness.pass()
        client.receive()
        #expect(client.isUpgraded)
        #expect(client.frames.last?.closeCode == 1001)
        #expect(client.frames.last?.closeReason == "server shutting down")
        #expect(client.frames.filter { $0.closeCode != nil }.count == 1)
        #expect(harness.app.opened.count == 1)
        #expect(harness.app.departures.map(\.announce) == [false], "opened, then departed silently, once")
    }

    @Test func pipelinedSecondRequestGetsNoSecondResponse() throws {
        let harness = try TableHarness()
        let client = try exchange(ClientBytes.get("/plain") + ClientBytes.get("/plain"), harness: harness)
        #expect(client.receivedText.ranges(of: "HTTP/1.1 ").count == 1, "one response per connection")
    }
}
