/// History on join: one chatd.v1 client at a time joins a room; the time from its upgrade request to the
/// `history` event is the join latency, recorded as cold (the room's first join) or warm.
final class JoinScenario: Scenario {
    var cold = LatencyHistogram()
    var warm = LatencyHistogram()
    /// Whether the current join is its room's first (set by the command before opening it).
    var currentIsCold = true
    /// History events that carried no message, per kind.
    var emptyCold = 0
    var emptyWarm = 0
    /// Messages in all history events.
    var historyMessages = 0
    /// Bytes of all history events.
    var historyBytes = 0
    /// Joins that ended before their history arrived.
    var failures = 0
    var firstFailure: String?

    func opened(_ client: ClientConnection, at now: UInt64) {}

    func text(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer, at now: UInt64) {
        // `received` 1: the history arrived.
        guard client.received == 0, HistoryEvent.isHistory(payload) else { return }
        client.received = 1
        let latency = now &- client.requestSentAt
        let messages = HistoryEvent.messageCount(payload)
        historyMessages += messages
        historyBytes += payload.count
        if currentIsCold {
            cold.record(latency)
            if messages == 0 { emptyCold += 1 }
        } else {
            warm.record(latency)
            if messages == 0 { emptyWarm += 1 }
        }
    }

    func ended(_ client: ClientConnection, reason: EndReason, at now: UInt64) {
        // `received` 2: the command asked it to leave after its history.
        guard client.received == 0 else { return }
        failures += 1
        if firstFailure == nil { firstFailure = "join \(client.index): \(reason) before its history" }
    }
}
