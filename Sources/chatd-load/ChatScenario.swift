/// A chat-like mixed load: many small rooms, a few members of each posting, short-lived members joining and
/// leaving. Steady members (see `ChatLayout`) count every probe of their room exactly once and in order; churners
/// (client indexes from `layout.steadyClients` on) only time their joins (upgrade request to the 101 response: chatd
/// joins the room while answering, and peer servers send no welcome) and say goodbye.
final class ChatScenario: Scenario {
    let layout: ChatLayout
    var histogram = LatencyHistogram()
    /// Probes received by steady members, in total.
    var delivered = 0
    /// Probes that arrived out of order or twice for one member and poster.
    var misordered = 0
    /// Probes that arrived in a room their poster is not in.
    var misrouted = 0
    /// Steady members whose handshake completed.
    var opened = 0
    /// Steady members that ended before the run was over.
    var membersLost = 0
    /// Refused handshakes and failed sockets of steady members while opening.
    var openFailures = 0
    var lastActivity: UInt64 = 0
    var lastDelivery: UInt64 = 0
    var firstFailure: String?
    /// Open posters by global poster number (nil until open).
    var posterClients: [ClientConnection?]
    /// Churners: upgrade request written to the 101 response.
    var joinLatency = LatencyHistogram()
    /// Churners that joined, were asked to leave and left cleanly.
    var churnCycles = 0
    /// Churners that failed to join or ended without being asked to.
    var churnFailures = 0
    /// Churners ended since the command last looked (it opens replacements).
    var churnEnded = 0
    /// Open churners, oldest first (the command closes them when their time is up).
    var churners: [ClientConnection] = []
    private var running = true

    init(layout: ChatLayout) {
        self.layout = layout
        posterClients = [ClientConnection?](repeating: nil, count: layout.totalPosters)
    }

    /// True for the indexes of churners.
    @inline(__always)
    func isChurner(_ index: Int) -> Bool { index >= layout.steadyClients }

    func opened(_ client: ClientConnection, at now: UInt64) {
        if isChurner(client.index) {
            // `received` 1: joined.
            client.received = 1
            joinLatency.record(now &- client.requestSentAt)
            churners.append(client)
            return
        }
        opened += 1
        lastActivity = now
        client.lastSequence = [Int32](repeating: -1, count: layout.posters)
        if let poster = layout.poster(ofMember: client.index) { posterClients[poster] = client }
    }

    @inline(__always)
    func text(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer, at now: UInt64) {
        lastActivity = now
        // Probes a churner sees are not counted: it was not there for all of them.
        if isChurner(client.index) { return }
        guard let probe = ProbePayload.find(run: ProbePayload.currentRun, in: payload) else { return }
        let poster = Int(probe.publisher)
        guard poster < layout.totalPosters, layout.room(ofPoster: poster) == layout.room(ofMember: client.index)
        else {
            misrouted &+= 1
            return
        }
        delivered &+= 1
        lastDelivery = now
        histogram.record(now &- probe.sentAt)
        let place = layout.place(ofPoster: poster)
        let sequence = Int32(truncatingIfNeeded: probe.sequence)
        if sequence != client.lastSequence[place] &+ 1 { misordered &+= 1 }
        client.lastSequence[place] = sequence
        if layout.member(ofPoster: poster) == client.index { client.received &+= 1 }
    }

    func ended(_ client: ClientConnection, reason: EndReason, at now: UInt64) {
        if isChurner(client.index) {
            churnEnded += 1
            if let position = churners.firstIndex(where: { $0 === client }) { churners.remove(at: position) }
            // `received` 2: the command asked it to leave.
            if client.received == 2, reason == .closeFrame(1000) || reason == .endOfStream {
                churnCycles += 1
            } else if reason != .local {
                churnFailures += 1
                if firstFailure == nil { firstFailure = "churner \(client.index): \(reason)" }
            }
            return
        }
        if !client.everOpened {
            openFailures += 1
            if firstFailure == nil { firstFailure = "member \(client.index) during handshake: \(reason)" }
        } else if reason != .local {
            if running { membersLost += 1 }
            if firstFailure == nil { firstFailure = "member \(client.index): \(reason)" }
        }
    }

    /// Marks the measured part as over: later ends are the generator's own doing.
    func stopCounting() { running = false }
}
