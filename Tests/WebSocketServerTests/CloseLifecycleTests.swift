import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// handshake → open → closing → closed, once for every way a WebSocket ends: the peer closes, chatd closes, the
/// peer goes silent, the peer never answers chatd's close, the peer breaks the protocol or just drops the socket.
@Suite struct CloseLifecycleTests {
    @Test func peerCloseIsEchoedAndTCPClosesAfterThePeersFIN() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        let id = client.id
        #expect(harness.app.opened == [id])
        #expect(harness.table.acceptsData(id))

        client.send(ClientBytes.close(1000, "bye"))
        harness.pass()
        client.receive()
        #expect(client.closeFrames.map(\.closeCode) == [1000], "the close is echoed with the peer's code")
        #expect(client.sawEndOfStream, "FIN follows the echoed close at once")
        #expect(harness.app.departures == [.init(id: id, announce: true)])
        #expect(harness.connection(id)?.phase == .lingering, "waits for the peer's FIN before closing")

        client.close()
        #expect(harness.run { !harness.table.contains(id) })
        #expect(harness.table.count == 0)
        #expect(harness.app.departureCount(of: id) == 1)
    }

    @Test func lingeringEndsAtTheCloseTimeoutWhenThePeerSendsNoFIN() throws {
        let harness = try TableHarness(settings: testSettings(closeTimeout: 3000))
        let client = try harness.open()
        client.send(ClientBytes.close(1000))
        harness.pass()
        let lingering = try #require(harness.connection(client.id))
        #expect(lingering.phase == .lingering)

        harness.table.sweep(now: lingering.deadline - 1)
        #expect(harness.table.contains(client.id))
        harness.table.sweep(now: lingering.deadline)
        #expect(!harness.table.contains(client.id))
        #expect(lingering.deadline == harness.loop.nowMilliseconds + 3000)
    }

    @Test func chatdCloseGoesOutAtTheEndOfThePassAndEndsWhenThePeerAnswers() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        let id = client.id

        harness.table.requestClose(id, code: 4000, reason: "go away")
        #expect(!harness.table.acceptsData(id), "the gate closes at the request")
        #expect(harness.app.departures.isEmpty, "the departure is carried out at the end of the pass")
        harness.pass()
        client.receive()
        #expect(client.frames.count == 1)
        #expect(client.closeFrames.first?.closeCode == 4000)
        #expect(client.closeFrames.first?.closeReason == "go away")
        #expect(harness.app.departures == [.init(id: id, announce: true)], "departed before the peer answered")
        #expect(!client.sawEndOfStream, "TCP stays open until the peer's close arrives")

        client.send(ClientBytes.close(4000))
        #expect(harness.run { client.receiveEnd() })
        #expect(client.frames.count == 1, "the peer's answer is not answered again")
        client.close()
        #expect(harness.run { !harness.table.contains(id) })
        #expect(harness.app.departureCount(of: id) == 1)
    }

    @Test func idlePeerIsPingedThenClosedWith1001() throws {
        let harness = try TableHarness(settings: testSettings(idleTimeout: 1000, pongTimeout: 500))
        let client = try harness.open()
        let heard = try #require(harness.connection(client.id)).lastHeard

        harness.table.sweep(now: heard + 999)
        harness.pass()
        client.receive()
        #expect(client.frames.isEmpty, "not idle yet")

        harness.table.sweep(now: heard + 1000)
        harness.pass()
        client.receive()
        #expect(client.frames.map(\.opcode) == [9], "one ping")

        harness.table.sweep(now: heard + 1499)
        #expect(harness.table.acceptsData(client.id), "the pong timeout has not run out")
        harness.table.sweep(now: heard + 1500)
        #expect(!harness.table.acceptsData(client.id))
        harness.pass()
        client.receive()
        #expect(client.frames.last?.closeCode == 1001)
        #expect(client.frames.last?.closeReason == "idle timeout")
        #expect(harness.app.departures == [.init(id: client.id, announce: true)])
    }

    @Test func answeringThePingKeepsThePeer() throws {
        let harness = try TableHarness(settings: testSettings(idleTimeout: 1000, pongTimeout: 500))
        let client = try harness.open()
        let heard = try #require(harness.connection(client.id)).lastHeard
        harness.table.sweep(now: heard + 1000)
        harness.pass()
        client.send(ClientBytes.frame(.pong, []))
        harness.pass()

        harness.table.sweep(now: heard + 1500)
        harness.pass()
        client.receive()
        #expect(harness.table.acceptsData(client.id), "a peer that answered is not closed")
        #expect(client.closeFrames.isEmpty)
        #expect(harness.app.departures.isEmpty)
    }

    @Test func peerThatNeverAnswersTheCloseIsDroppedAtTheCloseTimeout() throws {
        let harness = try TableHarness(settings: testSettings(closeTimeout: 2000))
        let client = try harness.open()
        harness.table.requestClose(client.id, code: 1000, reason: "bye")
        harness.pass()
        let closing = try #require(harness.connection(client.id))
        #expect(closing.deadline == harness.loop.nowMilliseconds + 2000)

        harness.table.sweep(now: closing.deadline - 1)
        #expect(harness.table.contains(client.id))
        harness.table.sweep(now: closing.deadline)
        #expect(!harness.table.contains(client.id))
        client.receive()
        #expect(client.sawEndOfStream)
        #expect(client.closeFrames.count == 1)
        #expect(harness.app.departureCount(of: client.id) == 1, "dropping does not depart a second time")
    }

    @Test func unfinishedRequestIsDroppedAtTheHandshakeTimeout() throws {
        let harness = try TableHarness(settings: testSettings(handshakeTimeout: 2000))
        let client = try harness.connect()
        client.send(Array("GET /app HTTP/1.1\r\nHost: chatd".utf8))
        harness.pass()
        let waiting = try #require(harness.connection(client.id))
        #expect(waiting.phase == .http)

        harness.table.sweep(now: waiting.deadline - 1)
        #expect(harness.table.contains(client.id))
        harness.table.sweep(now: waiting.deadline)
        #expect(!harness.table.contains(client.id))
        client.receive()
        #expect(client.sawEndOfStream)
        #expect(client.received.isEmpty, "no response to a request that never finished")
        #expect(harness.app.opened.isEmpty)
    }

    @Test func protocolErrorClosesWith1002ThenTCP() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        client.send(WebSocketFrame.encode(opcode: .text, payload: Array("unmasked".utf8)))
        #expect(harness.run { client.receiveEnd() })
        #expect(client.closeFrames.map(\.closeCode) == [1002])
        #expect(harness.app.received.isEmpty)
        #expect(harness.app.departures == [.init(id: client.id, announce: true)])
        client.close()
        #expect(harness.run { !harness.table.contains(client.id) })
    }

    @Test func droppedSocketDepartsOnceAndIsLoggedAs1006() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        let id = client.id
        client.close()
        #expect(harness.run { !harness.table.contains(id) })
        #expect(harness.app.departures == [.init(id: id, announce: true)])
        #expect(harness.logs.events("drop").first?.metadata["close_code"] == "1006")
    }

    @Test func everyServerFrameIsUnmasked() throws {
        let harness = try TableHarness(appBehaviour: .echo)
        let client = try harness.open()
        client.send(ClientBytes.text("one") + ClientBytes.frame(.ping, [1, 2]) + ClientBytes.close(1000))
        #expect(harness.run { client.receiveEnd() })
        #expect(client.frames.map(\.opcode) == [1, 10, 8], "echo, pong, close echo")
        #expect(client.frames.allSatisfy { !$0.masked && $0.fin })
        #expect(client.frames[1].payload == [1, 2], "the pong carries the ping's payload")
    }

    @Test func peerCloseArrivingAfterChatdsRequestGetsOneCloseFrameOnly() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        harness.table.requestClose(client.id, code: 4000, reason: "bye")
        client.send(ClientBytes.close(1000))
        #expect(harness.run { client.receiveEnd() })
        #expect(client.closeFrames.map(\.closeCode) == [1000], "the peer's close is answered; no second close frame")
        #expect(harness.app.departureCount(of: client.id) == 1)
    }

    @Test func slowConsumerWhosePeerIsAlreadyClosingIsDroppedAtOnce() throws {
        let policy = OutboundPolicy(hardLimitBytes: 32 << 10, softLimitBytes: 32 << 10, softLimitMilliseconds: 0)
        let harness = try TableHarness(settings: testSettings(outbound: policy))
        let client = try harness.open()
        client.send(ClientBytes.close(1000))
        harness.table.deliver(FrameChunks.text(String(repeating: "z", count: 40_000)), to: client.id)
        #expect(!harness.table.acceptsData(client.id))
        harness.pass()
        #expect(!harness.table.contains(client.id), "a slow consumer cannot wait for the close handshake")
        #expect(client.receiveEnd())
        #expect(client.frames.isEmpty, "its backlog, the echo of its close included, was dropped")
        #expect(harness.app.departureCount(of: client.id) == 1)
    }

    @Test func failedWriteDropsTheConnection() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        let id = client.id
        client.close()
        harness.table.deliver(FrameChunks.text("into the void"), to: id)
        harness.table.endOfPass()
        #expect(!harness.table.contains(id))
        #expect(harness.app.departures == [.init(id: id, announce: true)])
        #expect(harness.logs.events("abort").first?.metadata["reason"] == "write failed")
    }
}
