import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// The input budget: partly received messages of all connections together may hold `inputBudgetBytes`; past it
/// the connections holding the largest ones are closed with 1013 at the end of the pass and the rest go on. A
/// session holds what arrived, never what a header declares.
@Suite struct InputBudgetTests {
    /// Position-dependent bytes, so a message reassembled in the wrong order cannot match.
    static func payload(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }

    /// The header of a binary frame declaring `declared` bytes and the first `sent` of them, masked.
    static func frameStart(declared: Int, sent: Int) -> [UInt8] {
        ClientBytes.header(.binary, length: declared) + ClientBytes.maskPayload(payload(sent), from: 0)
    }

    /// Payload bytes `offset..<end` of such a frame, masked.
    static func frameRest(from offset: Int, to end: Int) -> [UInt8] {
        ClientBytes.maskPayload(Array(payload(end)[offset...]), from: offset)
    }

    @Test func largestPartialMessagesAreClosedAndTheRestFinish() throws {
        let harness = try TableHarness(settings: testSettings(inputBudget: 60_000))
        let small = try [harness.open(), harness.open()]
        let large = try [harness.open(), harness.open()]
        for client in small { client.send(Self.frameStart(declared: 50_000, sent: 10_000)) }
        harness.pass()
        #expect(harness.table.bufferedInputBytes >= 20_000)
        #expect(harness.table.bufferedInputBytes < 60_000)
        #expect(small.allSatisfy { harness.table.acceptsData($0.id) }, "under the budget nobody is closed")

        for (client, sent) in zip(large, [100_000, 70_000]) {
            let start = Self.frameStart(declared: 500_000, sent: sent)
            #expect(client.send(start) == start.count, "the partial frame must arrive within one pass")
        }
        harness.pass()
        #expect(harness.table.stats.inputBudgetCloses == 2)
        #expect(large.allSatisfy { !harness.table.acceptsData($0.id) })
        #expect(small.allSatisfy { harness.table.acceptsData($0.id) })
        let held = small.compactMap { harness.connection($0.id)?.accountedInputBytes }.reduce(0, +)
        #expect(harness.table.bufferedInputBytes == held, "the closed connections' partial messages are freed")
        #expect(harness.table.bufferedInputBytes <= 60_000)
        for client in large {
            client.receive()
            #expect(client.closeFrames.map(\.closeCode) == [1013])
            #expect(client.closeFrames.first?.closeReason == "input budget exceeded")
        }

        #expect(harness.send(Self.frameRest(from: 100_000, to: 500_000), from: large[0]))
        for client in small { client.send(Self.frameRest(from: 10_000, to: 50_000)) }
        #expect(harness.run { harness.app.received.count == 2 })
        for client in small {
            let message = harness.app.received.first { $0.id == client.id }
            #expect(message?.kind == .binary)
            #expect(message?.payload == Self.payload(50_000))
        }
        #expect(harness.run { harness.table.bufferedInputBytes == 0 }, "everything finished or discarded")
        #expect(harness.app.received.allSatisfy { $0.id != large[0].id }, "a closed sender's message is discarded")
    }

    @Test func declaredLengthReservesNothing() throws {
        let harness = try TableHarness()
        let client = try harness.open("/big")
        client.send(Self.frameStart(declared: 16 << 20, sent: 100))
        harness.pass()
        #expect(harness.table.acceptsData(client.id))
        #expect(harness.table.bufferedInputBytes >= 100)
        #expect(harness.table.bufferedInputBytes < 4096, "a 16 MB header made the session hold 16 MB")

        #expect(harness.send(Self.frameRest(from: 100, to: 200_100), from: client))
        harness.run(limit: 50) { harness.table.bufferedInputBytes >= 200_000 }
        #expect(harness.table.bufferedInputBytes >= 200_000)
        #expect(harness.table.bufferedInputBytes <= 400_000, "holds about what arrived")
        #expect(harness.connection(client.id)?.accountedInputBytes == harness.table.bufferedInputBytes)
    }

    @Test func closeFrameFreesAPartialMessage() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        client.send(Self.frameStart(declared: 100_000, sent: 30_000))
        harness.pass()
        #expect(harness.table.bufferedInputBytes >= 30_000)
        harness.table.requestClose(client.id, code: 1000, reason: "bye")
        harness.pass()
        #expect(harness.table.bufferedInputBytes == 0, "chatd's close discards the message in progress")
        #expect(harness.send(Self.frameRest(from: 30_000, to: 100_000), from: client))
        harness.pass(times: 20)
        #expect(harness.table.bufferedInputBytes == 0, "the rest of it is discarded, not buffered")
        #expect(harness.app.received.isEmpty)
    }

    @Test func loweredBudgetIsEnforcedAtTheNextPass() throws {
        let harness = try TableHarness(settings: testSettings(inputBudget: 1 << 20))
        let small = try harness.open()
        let large = try harness.open()
        small.send(Self.frameStart(declared: 100_000, sent: 10_000))
        large.send(Self.frameStart(declared: 100_000, sent: 40_000))
        harness.pass()
        #expect(harness.table.stats.inputBudgetCloses == 0)
        harness.table.apply(testSettings(inputBudget: 45_000))
        harness.pass()
        #expect(harness.table.stats.inputBudgetCloses == 1)
        #expect(!harness.table.acceptsData(large.id))
        #expect(harness.table.acceptsData(small.id))
    }
}
