import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// Connection ids: descriptor slot plus accept generation, so an id kept after its connection closed never reaches
/// another connection on the same slot.
@Suite struct ConnectionIDTests {
    @Test func rawValueIsGenerationHighAndSlotLow() {
        let id = ConnectionID(slot: 12, generation: 3)
        #expect(id.rawValue == 3 << 32 | 12)
        #expect(id.slot == 12)
        #expect(id.description == "fd 12 #3")
        #expect(ConnectionID(rawValue: id.rawValue) == id)
        #expect(ConnectionID(slot: 12, generation: 4) != id)
        #expect(ConnectionID(slot: 13, generation: 3) != id)
    }

    @Test func everyAdoptionGetsANewGeneration() throws {
        let harness = try TableHarness()
        let first = try harness.connect()
        let second = try harness.connect()
        #expect(second.id.rawValue >> 32 == (first.id.rawValue >> 32) + 1)
        #expect(first.id.slot != second.id.slot)
    }

    @Test func staleIDOnALiveSlotReachesNothing() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        let stale = ConnectionID(slot: Int32(client.id.slot), generation: UInt32(client.id.rawValue >> 32) &- 1)
        #expect(!harness.table.contains(stale))
        #expect(!harness.table.acceptsData(stale))
        #expect(harness.table.peer(of: stale) == nil)
        #expect(harness.table.queuedBytes(of: stale) == 0)

        harness.table.deliver(FrameChunks.text("for someone else"), to: stale)
        harness.table.requestClose(stale, code: 1000, reason: "not you")
        #expect(harness.table.queuedBytes(of: client.id) == 0)
        harness.pass()
        client.receive()
        #expect(client.frames.isEmpty)
        #expect(harness.table.acceptsData(client.id))
        #expect(harness.table.peer(of: client.id) != nil)
    }

    @Test func idOfAClosedConnectionReachesNothing() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        let id = client.id
        client.close()
        #expect(harness.run { !harness.table.contains(id) })
        harness.table.deliver(FrameChunks.text("late"), to: id)
        harness.table.requestClose(id, code: 1000, reason: "late")
        harness.pass()
        #expect(harness.table.count == 0)
        #expect(harness.app.departureCount(of: id) == 1)
    }
}
