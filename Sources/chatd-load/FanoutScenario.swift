/// Room fan-out: members listen, publishers send probes, every member must receive every probe.
///
/// Client indexes: members 0..<members, publishers members..<members+publishers, stalled readers after
/// them. Publishers are members too (servers send a message to its sender as well).
final class FanoutScenario: Scenario {
    let members: Int
    let publishers: Int
    let stalled: Int
    var histogram = LatencyHistogram()
    /// Probes received by readers, in total.
    var delivered = 0
    /// Probes a stalled reader found when it finally read (not part of the measurement).
    var stalledProbes = 0
    /// Probes that arrived out of order or twice for one reader and publisher.
    var misordered = 0
    /// Clients whose handshake completed.
    var opened = 0
    /// Readers (not stalled) that ended before the run was over.
    var readersLost = 0
    /// Close codes of stalled readers the server closed.
    var stalledEnds: [EndReason] = []
    /// Refused handshakes and failed sockets while opening.
    var openFailures = 0
    var lastActivity: UInt64 = 0
    var lastDelivery: UInt64 = 0
    var firstFailure: String?
    var publisherClients: [ClientConnection] = []
    var stalledClients: [ClientConnection] = []
    unowned(unsafe) var driver: LoadDriver?
    private var running = true

    init(members: Int, publishers: Int, stalled: Int) {
        self.members = members
        self.publishers = publishers
        self.stalled = stalled
    }

    /// True for indexes of stalled readers.
    func isStalled(_ index: Int) -> Bool { index >= members + publishers }

    func opened(_ client: ClientConnection, at now: UInt64) {
        opened += 1
        lastActivity = now
        client.lastSequence = [Int32](repeating: -1, count: publishers)
        if isStalled(client.index) {
            stalledClients.append(client)
            driver?.stopReading(client)
        } else if client.index >= members {
            publisherClients.append(client)
        }
    }

    @inline(__always)
    func text(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer, at now: UInt64) {
        lastActivity = now
        guard let probe = ProbePayload.find(run: ProbePayload.currentRun, in: payload) else { return }
        let publisher = Int(probe.publisher)
        guard publisher < publishers else { return }
        if isStalled(client.index) {
            stalledProbes &+= 1
            return
        }
        delivered &+= 1
        lastDelivery = now
        histogram.record(now &- probe.sentAt)
        let sequence = Int32(truncatingIfNeeded: probe.sequence)
        if sequence != client.lastSequence[publisher] &+ 1 { misordered &+= 1 }
        client.lastSequence[publisher] = sequence
        if client.index - members == publisher { client.received &+= 1 }
    }

    func ended(_ client: ClientConnection, reason: EndReason, at now: UInt64) {
        if !client.everOpened {
            openFailures += 1
            if firstFailure == nil { firstFailure = "client \(client.index) during handshake: \(reason)" }
            return
        }
        if isStalled(client.index) {
            stalledEnds.append(reason)
        } else if reason != .local {
            if running { readersLost += 1 }
            if firstFailure == nil { firstFailure = "client \(client.index): \(reason)" }
        }
    }

    /// Marks the measured part as over: later ends are the generator's own doing.
    func stopCounting() { running = false }
}
