/// Churn: short-lived clients that connect, say one thing, see it come back and leave.
final class ChurnScenario: Scenario {
    var cycles = 0
    var failures = 0
    var firstFailure: String?
    var roundTrip = LatencyHistogram()
    var writer: ProbeWriter
    unowned(unsafe) var driver: LoadDriver?

    init(size: Int) { writer = ProbeWriter(size: size) }

    func opened(_ client: ClientConnection, at now: UInt64) {
        guard let driver else { return }
        writer.queue(on: client, publisher: client.index, now: now, driver: driver)
        driver.flush(client)
    }

    func text(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer, at now: UInt64) {
        guard let probe = ProbePayload.find(run: ProbePayload.currentRun, in: payload),
            Int(probe.publisher) == client.index, client.received == 0
        else { return }
        // `received` 1: this client saw its own message and said goodbye.
        client.received = 1
        roundTrip.record(now &- client.startedAt)
        driver?.sendClose(client)
    }

    func ended(_ client: ClientConnection, reason: EndReason, at now: UInt64) {
        if client.received > 0, reason == .closeFrame(1000) || reason == .endOfStream {
            cycles += 1
            return
        }
        if reason == .local { return }
        failures += 1
        if firstFailure == nil { firstFailure = "client \(client.index): \(reason)" }
    }
}
