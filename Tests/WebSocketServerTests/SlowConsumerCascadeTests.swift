import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// One broadcast that trips a hundred (and a thousand) slow consumers at once: each is closed with 1013, the closes and the leave
/// broadcasts they cause are carried out one after the other at the end of the pass (never nested inside the
/// broadcast), and the members that do read keep getting every message in order.
@Suite struct SlowConsumerCascadeTests {
    static let hardLimit = 64 << 10
    @Test(arguments: [100, 1000]) func slowMembersInOneBroadcast(slowCount: Int) throws {
        let policy = OutboundPolicy(
            hardLimitBytes: Self.hardLimit, softLimitBytes: Self.hardLimit, softLimitMilliseconds: 0)
        let harness = try TableHarness(settings: testSettings(outbound: policy), appBehaviour: .broadcast)
        harness.app.announcesDepartures = true
        let slow = try (0..<slowCount).map { _ in try harness.open(serverSendBuffer: 4096) }
        // Each slow queue must hold more than the healthy members' room for the leave lines (about 40 bytes each)
        // before the big broadcast, so that the big frame overflows every slow queue but no healthy one.
        let filled = max(8192, slowCount * 40)
        let sender = try harness.open()
        let observers = try [harness.open(), harness.open()]
        let healthy = [sender] + observers
        var sent = 0
        func broadcast(size: Int) {
            let text = "m\(sent) "
            sender.send(ClientBytes.text(text + String(repeating: ".", count: max(0, size - text.count))))
            sent += 1
            harness.run(limit: 50) { harness.app.received.count == sent }
            for client in healthy { client.receive() }
        }

        // Fill the slow members' sockets until each has more than `filled` bytes waiting in its own queue.
        for _ in 0..<400 where slow.contains(where: { harness.table.queuedBytes(of: $0.id) <= filled }) {
            broadcast(size: 1000)
        }
        #expect(slow.allSatisfy { harness.table.queuedBytes(of: $0.id) > filled }, "the slow sockets never filled")
        #expect(slow.allSatisfy { harness.table.acceptsData($0.id) }, "nobody may trip before the big broadcast")
        #expect(harness.app.departures.isEmpty)

        // A frame `filled` bytes under the hard limit: overflows every slow queue; in an empty one it leaves room for
        // the leave lines that join it before the end of the pass writes it.
        broadcast(size: Self.hardLimit - filled)
        #expect(harness.table.stats.slowConsumers == UInt64(slowCount))
        #expect(harness.app.departures.count == slowCount)
        #expect(harness.app.departures.allSatisfy { $0.announce })
        #expect(Set(harness.app.departures.map(\.id)) == Set(slow.map(\.id)))
        #expect(harness.app.maxDepth == 1, "a close or a leave ran inside another callback")
        #expect(healthy.allSatisfy { harness.table.acceptsData($0.id) })

        for _ in 0..<3 { broadcast(size: 10) }
        let expected = Array(0..<sent)
        for client in healthy {
            #expect(client.texts.filter { $0.hasPrefix("m") }.compactMap(Self.number) == expected)
            #expect(client.texts.filter { $0.hasPrefix("left ") }.count == slowCount)
        }

        let allClosed = harness.run(limit: 2000) {
            for client in slow { client.receive() }
            return slow.allSatisfy { !$0.closeFrames.isEmpty }
        }
        #expect(allClosed)
        for client in slow {
            #expect(client.closeFrames.map(\.closeCode) == [1013])
            #expect(client.closeFrames.first?.closeReason == "slow consumer")
            #expect(client.framesAfterClose.isEmpty)
            #expect(!client.texts.contains { $0.hasPrefix("left ") }, "no leave line after a member's own close")
        }
    }

    /// The number in `m<number> ...`.
    static func number(_ text: String) -> Int? {
        Int(text.dropFirst().prefix { $0 != " " })
    }
}
