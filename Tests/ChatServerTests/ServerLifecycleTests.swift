import Glibc
import Reactor
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// The daemon's life around the connections: a stop closes everyone with 1001 and ends the loop once they all
/// answered (or when the drain time is over), a second stop ends it at once, and the sweep drives deadlines,
/// `STATUS=` figures and the minute summary.
@Suite struct ServerLifecycleTests {
    /// Stops the loop when its timer fires: the bound on `loop.run()` in these tests.
    final class SafetyStop: EventHandler {
        /// True once it had to stop the loop.
        private(set) var fired = false
        private unowned let loop: EventLoop

        /// A stop for `loop`.
        init(loop: EventLoop) { self.loop = loop }

        func handleEvents(_ events: ReadinessEvents) {
            fired = true
            loop.stop()
        }
    }

    /// Runs the server's loop until it stops by itself; false when a two-second safety timer had to stop it.
    static func runUntilItStops(_ harness: ServerHarness) throws -> Bool {
        let loop = harness.server.loop
        let timer = try PeriodicTimer(intervalMilliseconds: 2000)
        let safety = SafetyStop(loop: loop)
        try loop.register(timer.fd, interest: .read, handler: safety)
        loop.run()
        loop.unregister(timer.fd)
        return !safety.fired
    }

    @Test func stopEndsTheLoopOnceEveryClientAnsweredTheClose() throws {
        let harness = try ServerHarness(config: chatConfig(shutdownDrainMs: 600_000))
        let clients = try [harness.join("r", as: "ann"), harness.join("r", as: "bob"), harness.open("/echo")]
        harness.lifecycle.beginShutdown(signal: "SIGTERM")
        #expect(harness.lifecycle.shutdownDeadline == harness.server.loop.nowMilliseconds + 600_000)
        harness.pass()
        for client in clients {
            client.receive()
            #expect(client.closeFrames.map(\.closeCode) == [1001])
            client.send(ClientBytes.close(1001))
            client.close()
        }
        #expect(try Self.runUntilItStops(harness), "the loop did not stop after the last connection closed")
        #expect(harness.connections.count == 0)
        #expect(harness.logs.events("stopping").first?.metadata["signal"] == "SIGTERM")
    }

    /// A handshake that finishes during the drain is served (welcome and history, so a client caught by a restart
    /// knows where it stands) and closed with 1001 in the same pass; it leaves the room again silently.
    @Test func newConnectionsDuringTheDrainAreClosedRightAfterTheUpgrade() throws {
        let harness = try ServerHarness()
        let waiting = try harness.connect()
        harness.lifecycle.beginShutdown(signal: "SIGINT")
        waiting.send(ClientBytes.upgrade("/chat/r?name=late"))
        harness.pass()
        waiting.receive()
        #expect(waiting.isUpgraded)
        #expect(waiting.frames.last?.closeCode == 1001, "the Close is the last frame")
        #expect(waiting.frames.filter { $0.closeCode != nil }.count == 1)
        #expect(waiting.texts.first?.hasPrefix("Welcome, late!") == true, "served before the close")
        #expect(harness.server.chat.service.memberCount == 0)
    }

    @Test func drainTimeDropsWhoeverDidNotAnswer() throws {
        let harness = try ServerHarness(config: chatConfig(shutdownDrainMs: 3000))
        let silent = try harness.join("r", as: "ann")
        harness.lifecycle.beginShutdown(signal: "SIGTERM")
        harness.pass()
        let deadline = try #require(harness.lifecycle.shutdownDeadline)
        harness.lifecycle.sweep(now: deadline - 1)
        #expect(harness.connections.count == 1)
        harness.lifecycle.sweep(now: deadline)
        #expect(harness.connections.count == 0)
        #expect(silent.receiveEnd())
        #expect(harness.logs.events("drain_timeout").first?.metadata["connections"] == "1")
    }

    @Test func secondStopExitsAtOnce() throws {
        let harness = try ServerHarness()
        let member = try harness.join("r", as: "ann")
        harness.lifecycle.beginShutdown(signal: "SIGTERM")
        let deadline = harness.lifecycle.shutdownDeadline
        harness.lifecycle.beginShutdown(signal: "SIGTERM")
        #expect(harness.logs.events("stop_forced").count == 1)
        #expect(harness.lifecycle.shutdownDeadline == deadline)
        #expect(harness.logs.events("stopping").count == 1)
        #expect(harness.connections.contains(member.id), "a forced stop ends the loop, it does not drop anyone")
    }

    @Test func sweepReportsTheDeliveryRateAndTheMinuteSummary() throws {
        let harness = try ServerHarness()
        let echo = try harness.open("/echo")
        let member = try harness.join("r", as: "ann")
        // Far ahead of the real clock, so the sweep timer's own sweeps (at the real time) report nothing.
        let base = harness.server.loop.nowMilliseconds + 1_000_000
        harness.lifecycle.sweep(now: base)
        #expect(harness.logs.events("summary").count == 1, "connections were accepted in the last minute")
        for index in 0..<100 { echo.send(ClientBytes.text("\(index)")) }
        #expect(harness.run { echo.receive() >= 0 && echo.texts.count == 100 })
        harness.lifecycle.sweep(now: base + 5000)
        let line = harness.lifecycle.statusLine(rate: nil)
        #expect(line.hasPrefix("2 connections, 1 rooms, 20 messages/s delivered"))
        #expect(harness.lifecycle.statusLine(rate: 7).hasPrefix("2 connections, 1 rooms, 7 messages/s delivered"))
        harness.lifecycle.sweep(now: base + 30_000)
        #expect(harness.logs.events("summary").count == 1, "at most one summary a minute")
        #expect(harness.connections.acceptsData(member.id), "pinged, but the pong timeout has not run out")
    }

    @Test func sweepEnforcesConnectionDeadlines() throws {
        let harness = try ServerHarness()
        let client = try harness.connect()
        let base = harness.server.loop.nowMilliseconds
        harness.lifecycle.sweep(now: base + 600_000)
        #expect(harness.connections.count == 0, "the handshake timeout ran out")
        #expect(client.receiveEnd())
    }
}
