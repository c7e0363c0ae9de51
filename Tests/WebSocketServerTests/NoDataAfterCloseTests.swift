import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// "Nothing but the close handshake follows a close frame": a member that never answers chatd's close receives no
/// data frame after it, whatever closed it, while the others keep broadcasting through a careless application that
/// still delivers to every connection it ever saw. The application hears of the departure at once (before the
/// peer answers), announced, except when the whole server stops.
@Suite struct NoDataAfterCloseTests {
    /// Three members of one broadcast: `closing` will be closed and never answers, `sender` keeps broadcasting,
    /// `observer` reads everything.
    private struct Room {
        let harness: TableHarness
        let closing: TestClient
        let sender: TestClient
        let observer: TestClient
        /// Messages the sender broadcast so far.
        var sent = 0

        init(settings: ConnectionSettings = testSettings(), closingSendBuffer: Int32? = nil) throws {
            harness = try TableHarness(settings: settings, appBehaviour: .broadcast)
            harness.app.deliversToDeparted = true
            closing = try harness.open(serverSendBuffer: closingSendBuffer)
            sender = try harness.open()
            observer = try harness.open()
        }

        /// The sender broadcasts `count` numbered messages (padded to `size` bytes), one pass each; the sender and
        /// the observer read after every pass, the closing member does not.
        mutating func broadcast(_ count: Int, size: Int = 0) {
            for _ in 0..<count {
                sender.send(ClientBytes.text(Self.message(sent, size: size)))
                sent += 1
                harness.pass()
                sender.receive()
                observer.receive()
            }
        }

        /// Message `index`: `m<index>` padded with dots to `size` bytes.
        static func message(_ index: Int, size: Int) -> String {
            let text = "m\(index)"
            return text + String(repeating: ".", count: max(0, size - text.count))
        }

        /// The numbers of the messages among `texts`.
        static func numbers(_ texts: [String]) -> [Int] {
            texts.compactMap { Int($0.dropFirst().prefix { $0 != "." }) }
        }

        /// Lets the closing member read (and the server write to it) until its close frame arrived.
        func readClosingUntilClose() -> Bool {
            harness.run(limit: 2000) { closing.receive() >= 0 && !closing.closeFrames.isEmpty }
        }

        /// The checks every path shares: exactly one close frame with `code`, nothing after it, and the others got
        /// every message in order.
        func expectClosed(code: UInt16, reason: String, announce: Bool = true) {
            #expect(closing.closeFrames.map(\.closeCode) == [code])
            #expect(closing.closeFrames.first?.closeReason == reason)
            #expect(closing.framesAfterClose.isEmpty, "data after the close frame: \(closing.framesAfterClose)")
            #expect(
                harness.app.departures.filter { $0.id == closing.id } == [.init(id: closing.id, announce: announce)])
            #expect(Self.numbers(observer.texts) == Array(0..<sent))
            #expect(Self.numbers(sender.texts) == Array(0..<sent))
        }
    }

    @Test func requestedClose() throws {
        var room = try Room()
        room.broadcast(1)
        room.harness.table.requestClose(room.closing.id, code: 4000, reason: "closing")
        room.broadcast(1)  // read in the same pass that sends the close frame
        #expect(room.harness.app.departures == [.init(id: room.closing.id, announce: true)])
        room.broadcast(4)
        room.closing.receive()
        room.expectClosed(code: 4000, reason: "closing")
        #expect(Room.numbers(room.closing.texts) == [0])
    }

    @Test func idleTimeout() throws {
        var room = try Room(settings: testSettings(idleTimeout: 1000, pongTimeout: 500))
        room.broadcast(1)
        let base = room.harness.loop.nowMilliseconds
        room.harness.table.sweep(now: base + 1000)
        room.harness.pass()
        room.sender.send(ClientBytes.frame(.pong, []))
        room.observer.send(ClientBytes.frame(.pong, []))
        room.harness.pass()
        room.harness.table.sweep(now: base + 1500)
        #expect(!room.harness.table.acceptsData(room.closing.id))
        #expect(room.harness.table.acceptsData(room.sender.id) && room.harness.table.acceptsData(room.observer.id))
        room.broadcast(5)
        room.closing.receive()
        room.expectClosed(code: 1001, reason: "idle timeout")
        #expect(room.closing.frames.filter(\.isPing).count == 1)
    }

    @Test func slowConsumerOverTheHardLimit() throws {
        let policy = OutboundPolicy(hardLimitBytes: 64 << 10, softLimitBytes: 64 << 10, softLimitMilliseconds: 0)
        var room = try Room(settings: testSettings(outbound: policy), closingSendBuffer: 4096)
        var sentBeforeClose = 0
        for _ in 0..<100 where room.harness.table.acceptsData(room.closing.id) {
            room.broadcast(1, size: 8192)
            sentBeforeClose = room.sent
        }
        #expect(!room.harness.table.acceptsData(room.closing.id), "never became a slow consumer")
        #expect(room.harness.app.departures == [.init(id: room.closing.id, announce: true)], "departed before reading")
        room.broadcast(5, size: 8192)
        #expect(room.readClosingUntilClose())
        room.expectClosed(code: 1013, reason: "slow consumer")
        let got = Room.numbers(room.closing.texts)
        #expect(got == Array(0..<got.count), "whole frames, in order, no gaps")
        #expect(got.count < sentBeforeClose, "the unsent backlog was dropped, not delivered")
        #expect(room.harness.table.stats.slowConsumers == 1)
    }

    @Test func shutdown() throws {
        var room = try Room()
        room.broadcast(1)
        room.harness.table.beginShutdown()
        room.sender.send(ClientBytes.text(Room.message(99, size: 0)))
        room.harness.app.deliverToAll(FrameChunks.text("m98"))
        room.harness.pass()
        room.harness.app.deliverToAll(FrameChunks.text("m97"))
        room.harness.pass()
        for client in [room.closing, room.sender, room.observer] {
            client.receive()
            #expect(client.texts == ["m0"])
            #expect(client.closeFrames.map(\.closeCode) == [1001])
            #expect(client.closeFrames.first?.closeReason == "server shutting down")
            #expect(client.framesAfterClose.isEmpty)
        }
        #expect(room.harness.app.received.count == 1, "messages arriving after the shutdown began are not acted on")
        #expect(room.harness.app.departures.count == 3)
        #expect(room.harness.app.departures.allSatisfy { !$0.announce }, "nobody is told on shutdown")
    }

    @Test func reloadThatLowersTheOutboundLimit() throws {
        var room = try Room(closingSendBuffer: 4096)
        for _ in 0..<100 where room.harness.table.queuedBytes(of: room.closing.id) < 40_000 {
            room.broadcast(1, size: 8192)
        }
        #expect(room.harness.table.queuedBytes(of: room.closing.id) >= 40_000)
        let lowered = OutboundPolicy(hardLimitBytes: 32 << 10, softLimitBytes: 32 << 10, softLimitMilliseconds: 0)
        room.harness.table.apply(testSettings(outbound: lowered))
        #expect(!room.harness.table.acceptsData(room.closing.id), "over the new limit at once")
        #expect(room.harness.table.acceptsData(room.sender.id), "drained queues are not affected")
        room.broadcast(5, size: 8192)
        #expect(room.harness.app.departures == [.init(id: room.closing.id, announce: true)])
        #expect(room.readClosingUntilClose())
        room.expectClosed(code: 1013, reason: "slow consumer")
    }
}
