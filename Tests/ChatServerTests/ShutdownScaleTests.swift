import Glibc
import Reactor
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// Stopping a 5,000-member room costs O(N): every member gets exactly one frame, the 1001 close, and nobody is told
/// that anybody left (which would be N²/2 deliveries). Serialized: it raises the process's descriptor limit.
@Suite(.serialized) struct ShutdownScaleTests {
    static let memberCount = 5000
    static let batchSize = 500

    /// Raises the soft RLIMIT_NOFILE to the hard limit; false when the hard limit is too low for the test.
    static func raiseDescriptorLimit(to needed: rlim_t) -> Bool {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0, limit.rlim_max >= needed else { return false }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            guard setrlimit(resource, &limit) == 0 else { return false }
        }
        return true
    }

    @Test func shutdownOfAFiveThousandMemberRoom() throws {
        guard Self.raiseDescriptorLimit(to: 11_000) else {
            print("ShutdownScaleTests: RLIMIT_NOFILE hard limit below 11000; the 5000-member shutdown was not run")
            return
        }
        let harness = try ServerHarness()
        harness.server.log.logger.logLevel = .info
        var members: [TestClient] = []
        members.reserveCapacity(Self.memberCount)
        for batch in 0..<(Self.memberCount / Self.batchSize) {
            let fresh = try (0..<Self.batchSize).map { _ in try harness.connect() }
            for (index, client) in fresh.enumerated() {
                client.send(ClientBytes.upgrade("/chat/big?name=m\(batch * Self.batchSize + index)"))
            }
            members += fresh
            let joined = harness.run(limit: 200) { harness.server.chat.service.memberCount == members.count }
            try #require(joined, "only \(harness.server.chat.service.memberCount) of \(members.count) joined")
            for client in members { client.discardReceived() }
        }
        #expect(harness.connections.count == Self.memberCount)
        #expect(harness.server.chat.service.roomCount == 1)
        #expect(members.allSatisfy { $0.isUpgraded })

        let delivered = harness.connections.stats.messagesDelivered
        let started = SocketIO.monotonicMilliseconds()
        harness.lifecycle.beginShutdown(signal: "test")
        harness.pass()
        let elapsed = SocketIO.monotonicMilliseconds() - started
        print("ShutdownScaleTests: shutdown pass for \(Self.memberCount) members took \(elapsed) ms")

        #expect(harness.connections.stats.messagesDelivered == delivered, "no delivery at all: members leave silently")
        #expect(harness.server.chat.service.memberCount == 0)
        for client in members { client.receive() }
        let closeFrame = ServerFrame(
            fin: true, opcode: 8, masked: false, payload: [0x03, 0xE9] + Array("server shutting down".utf8))
        let wrong = members.filter { $0.frames != [closeFrame] || $0.unparsedByteCount != 0 }
        #expect(wrong.isEmpty, "\(wrong.count) members did not get exactly the one 1001 close frame")
        #expect(harness.connections.count == Self.memberCount, "the closes wait for the members' answers")
        #expect(elapsed < 5000, "a shutdown pass of \(elapsed) ms is far off O(N)")
    }
}
