/// Echo: every connection sends probes and must get each back, in order.
final class EchoScenario: Scenario {
    var histogram = LatencyHistogram()
    var received = 0
    var misordered = 0
    var openClients: [ClientConnection] = []
    var failures = 0
    var firstFailure: String?
    var lastReceipt: UInt64 = 0
    private var running = true

    func opened(_ client: ClientConnection, at now: UInt64) {
        openClients.append(client)
    }

    @inline(__always)
    func text(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer, at now: UInt64) {
        guard let probe = ProbePayload.find(run: ProbePayload.currentRun, in: payload) else { return }
        histogram.record(now &- probe.sentAt)
        received &+= 1
        lastReceipt = now
        if Int(probe.sequence) != client.received || Int(probe.publisher) != client.index { misordered &+= 1 }
        client.received &+= 1
    }

    func ended(_ client: ClientConnection, reason: EndReason, at now: UInt64) {
        guard running, reason != .local else { return }
        failures += 1
        if firstFailure == nil { firstFailure = "client \(client.index): \(reason)" }
    }

    /// Marks the measured part as over: later ends are the generator's own doing.
    func stopCounting() { running = false }
}
