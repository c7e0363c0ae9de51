/// Connect rate and idle memory: open many connections, keep them idle, count what failed.
final class ConnectScenario: Scenario {
    var opened = 0
    var failures = 0
    var firstFailure: String?
    var lastOpened: UInt64 = 0
    var handshakeLatency = LatencyHistogram()
    private var running = true

    func opened(_ client: ClientConnection, at now: UInt64) {
        opened += 1
        lastOpened = now
        handshakeLatency.record(now &- client.startedAt)
    }

    func text(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer, at now: UInt64) {}

    func ended(_ client: ClientConnection, reason: EndReason, at now: UInt64) {
        guard running, reason != .local else { return }
        failures += 1
        if firstFailure == nil { firstFailure = "client \(client.index): \(reason)" }
    }

    /// Marks the measured part as over: later ends are the generator's own doing.
    func stopCounting() { running = false }
}
