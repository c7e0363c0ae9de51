import Logging
import Reactor
import WebSocket

/// Every live connection, by descriptor: adopts accepted sockets, finds the connection an application names,
/// gates and queues application data, and at the end of each pass carries out the closes decided during it and
/// writes each connection's output once. The one place where the outbound policy and the input budget live.
public final class ConnectionTable {
    /// The loop every connection is registered with.
    public let loop: EventLoop
    /// What the connections enforce; replace it with `apply(_:)`.
    public private(set) var settings: ConnectionSettings
    /// Which answer or application each request gets; set once the applications exist.
    public var router: any RequestRouter
    /// The shared logger.
    public let log: ServerLog
    /// Counters for status lines and summaries. Bumped once per message, so no dynamic exclusivity check (the
    /// loop is single-threaded and no access overlaps another).
    @exclusivity(unchecked) public var stats = ConnectionStats()
    /// Live connections.
    public private(set) var count = 0
    /// True once `beginShutdown()` ran: nothing new is accepted, new WebSockets are closed right after the upgrade.
    public private(set) var isShuttingDown = false
    /// Bytes of partly received messages held by all sessions together.
    public internal(set) var bufferedInputBytes = 0

    /// Connections by descriptor number (read per delivery; unchecked exclusivity for the same reason).
    @exclusivity(unchecked) private var slots: [Connection?] = []
    /// `settings.outbound.softLimitBytes`, read once per delivery without going through `settings`.
    @exclusivity(unchecked) private var outboundSoftLimit: Int
    private var generation: UInt32 = 0
    /// Connections with output queued in this pass. Unchecked exclusivity for the same reason as
    /// `Connection.outbound`: appended to once per delivery, never accessed reentrantly.
    @exclusivity(unchecked) private var pendingFlush: [Connection] = []
    /// Closes decided in this pass, carried out at its end.
    private var closeRequests: [CloseRequest] = []
    /// Reused action buffer for WebSocket sessions, so a read does not allocate one.
    private var actionScratch: [WebSocketAction] = []

    /// An empty table serving connections on `loop`.
    public init(
        loop: EventLoop, settings: ConnectionSettings, log: ServerLog, router: any RequestRouter = NotFoundRouter()
    ) {
        self.loop = loop
        self.settings = settings
        self.outboundSoftLimit = settings.outbound.softLimitBytes
        self.router = router
        self.log = log
    }

    // MARK: - Accepting

    /// Takes every pending connection off a listener's backlog (none once the server is stopping).
    public func acceptConnections(from listener: ListeningSocket) {
        while !isShuttingDown {
            switch listener.acceptOne() {
            case .accepted(let accepted):
                _ = adopt(fd: accepted.fd, peer: accepted.peer.description)
            case .empty:
                return
            case .shedForLackOfDescriptors:
                stats.shedConnections &+= 1
                log.limitHit(
                    "fd_exhausted", "out of file descriptors; shedding new connections",
                    metadata: ["connections": "\(count)"], now: loop.nowMilliseconds)
            case .failed(let error):
                log.logger.debug("accept failed", metadata: ["event": "accept_failed", "reason": "\(error)"])
                return
            }
        }
    }

    /// Takes charge of a connected, non-blocking socket (from accept, or a socketpair in tests): its HTTP phase
    /// starts now. Over the connection limit it is answered 503 and closed; nil then, or when it cannot be
    /// registered.
    public func adopt(fd: Int32, peer: String) -> ConnectionID? {
        guard count < settings.maxConnections else {
            stats.shedConnections &+= 1
            SocketIO.writeBestEffort(fd, HTTPReply.error(.serviceUnavailable).bytes)
            SocketIO.close(fd)
            log.limitHit(
                "connection_limit", "connection limit reached; refusing new connections with 503",
                metadata: ["client": "\(peer)", "connections": "\(count)"], now: loop.nowMilliseconds)
            return nil
        }
        generation &+= 1
        let connection = Connection(fd: fd, generation: generation, peer: peer, table: self)
        do {
            try loop.register(fd, interest: .read, handler: connection)
        } catch {
            SocketIO.close(fd)
            return nil
        }
        let index = Int(fd)
        if index >= slots.count {
            slots.append(contentsOf: repeatElement(nil, count: index &+ 1 &- slots.count))
        }
        slots[index] = connection
        count &+= 1
        stats.acceptedConnections &+= 1
        log.logger.debug("connection accepted", metadata: ["event": "connect", "client": "\(peer)"])
        return connection.id
    }

    /// Forgets a connection whose descriptor was just closed.
    func connectionClosed(_ connection: Connection) {
        let index = Int(connection.fd)
        guard index < slots.count, slots[index] === connection else { return }
        slots[index] = nil
        count &-= 1
    }

    // MARK: - Looking up

    /// The live connection with this id; nil once it closed (even when its descriptor was reused).
    func connection(for id: ConnectionID) -> Connection? {
        let index = id.slot
        guard index < slots.count, let connection = slots[index], connection.generation == UInt32(id.rawValue >> 32)
        else { return nil }
        return connection
    }

    /// Every live connection, in descriptor order.
    var connections: some Sequence<Connection> { slots.lazy.compactMap { $0 } }

    /// True while the connection is live.
    public func contains(_ id: ConnectionID) -> Bool { connection(for: id) != nil }

    /// True while the connection takes application data (upgraded, no close decided, sent or received).
    public func acceptsData(_ id: ConnectionID) -> Bool { connection(for: id)?.acceptsData ?? false }

    /// The peer's address, for logs.
    public func peer(of id: ConnectionID) -> String? { connection(for: id)?.peer }

    /// Bytes queued for the connection and not yet written.
    public func queuedBytes(of id: ConnectionID) -> Int { connection(for: id)?.outbound.byteCount ?? 0 }

    // MARK: - Delivering

    /// Queues application data for a connection, written at the end of the pass, and counts it as delivered.
    /// Refused (dropped, not counted) unless the connection takes data: after a close frame nothing but the close
    /// handshake is ever queued.
    public func deliver(_ chunk: ByteChunk, to id: ConnectionID) {
        guard let connection = connection(for: id), connection.acceptsData else { return }
        connection.outbound.append(chunk)
        stats.messagesDelivered &+= 1
        if connection.outbound.byteCount > outboundSoftLimit { checkOutboundLimits(connection) }
        scheduleFlush(connection)
    }

    /// Starts the soft-limit clock of a queue above the soft limit, and marks a slow consumer for closing.
    func checkOutboundLimits(_ connection: Connection, now: Int64? = nil) {
        let queued = connection.outbound.byteCount
        let now = now ?? loop.nowMilliseconds
        if queued > settings.outbound.softLimitBytes && connection.aboveSoftLimitSince == Int64.max {
            connection.aboveSoftLimitSince = now
        }
        guard
            let reason = settings.outbound.violation(
                queued: queued, aboveSoftSince: connection.aboveSoftLimitSince, now: now)
        else { return }
        stats.slowConsumers &+= 1
        let message =
            reason == .hardLimit
            ? "slow consumer disconnected (outbound queue over max_outbound_bytes)"
            : "slow consumer disconnected (outbound queue over soft_outbound_bytes for soft_outbound_seconds)"
        log.limitHit(
            "slow_consumer", message, metadata: ["client": "\(connection.peer)", "queued": "\(queued)"], now: now)
        requestClose(connection, code: CloseCode.tryAgainLater, reason: "slow consumer", dropBacklog: true)
    }

    /// Puts a connection on the end-of-pass flush list (once per pass).
    func scheduleFlush(_ connection: Connection) {
        guard !connection.isQueuedForFlush else { return }
        connection.isQueuedForFlush = true
        pendingFlush.append(connection)
    }

    // MARK: - Closing

    /// Asks for chatd's close of a connection with `code` and `reason`. From now on it takes no data; at the end
    /// of the pass it leaves its application (others are told when `announce`) and gets the close frame.
    public func requestClose(_ id: ConnectionID, code: UInt16, reason: String, announce: Bool = true) {
        guard let connection = connection(for: id) else { return }
        requestClose(connection, code: code, reason: reason, announce: announce)
    }

    /// `requestClose` for a connection in hand; `dropBacklog` frees a slow consumer's unsent frames.
    func requestClose(
        _ connection: Connection, code: UInt16, reason: String, announce: Bool = true, dropBacklog: Bool = false
    ) {
        guard connection.phase == .webSocket, !connection.closeRequested else { return }
        connection.closeRequested = true
        connection.acceptsData = false
        closeRequests.append(
            CloseRequest(
                connection: connection, code: code, reason: reason, announce: announce, dropBacklog: dropBacklog))
    }

    /// Stops accepting and asks every open WebSocket to close with 1001; members leave silently. Connections
    /// still in their HTTP request may finish it (and are then closed the same way right after the upgrade).
    public func beginShutdown() {
        isShuttingDown = true
        for connection in connections where connection.acceptsData {
            requestClose(connection, code: CloseCode.goingAway, reason: "server shutting down", announce: false)
        }
    }

    /// Drops every connection at once (the shutdown drain time is over).
    public func abortAll(reason: String) {
        for connection in connections {
            connection.abort(reason: reason, detail: nil)
        }
    }

    // MARK: - The end of a pass and the sweep

    /// Carries out the pass's closes (and those they cause), enforces the input budget, then writes every
    /// connection with output once. Runs until nothing is left, so a close or abort during the writes is not
    /// left waiting for a later pass.
    public func endOfPass() {
        carryOutCloseRequests()
        if bufferedInputBytes > settings.inputBudgetBytes { enforceInputBudget() }
        while !closeRequests.isEmpty || !pendingFlush.isEmpty {
            carryOutCloseRequests()
            flushPending()
        }
    }

    /// Every requested close, in order; closes requested while carrying them out (a leave that trips another
    /// slow consumer) join the same list, so nothing nests.
    private func carryOutCloseRequests() {
        var index = 0
        while index < closeRequests.count {
            let request = closeRequests[index]
            index &+= 1
            request.connection.sendClose(
                code: request.code, reason: request.reason, announce: request.announce,
                dropBacklog: request.dropBacklog)
        }
        closeRequests.removeAll(keepingCapacity: true)
    }

    /// Writes every connection on the flush list once.
    private func flushPending() {
        guard !pendingFlush.isEmpty else { return }
        let batch = pendingFlush
        pendingFlush.removeAll(keepingCapacity: true)
        for connection in batch {
            connection.isQueuedForFlush = false
            connection.flush()
        }
    }

    /// Over the budget: the connections holding the largest partial messages are closed with 1013 until the rest
    /// fits.
    private func enforceInputBudget() {
        var holders = connections.filter { $0.accountedInputBytes > 0 && !$0.closeRequested }
        holders.sort { $0.accountedInputBytes > $1.accountedInputBytes }
        var total = bufferedInputBytes
        for connection in holders {
            guard total > settings.inputBudgetBytes else { break }
            total &-= connection.accountedInputBytes
            stats.inputBudgetCloses &+= 1
            log.limitHit(
                "input_budget",
                "input budget exceeded (max_buffered_input_bytes); closing the largest partial messages",
                metadata: [
                    "client": "\(connection.peer)", "buffered": "\(connection.accountedInputBytes)",
                    "total": "\(bufferedInputBytes)",
                ], now: loop.nowMilliseconds)
            requestClose(connection, code: CloseCode.tryAgainLater, reason: "input budget exceeded")
        }
    }

    /// Called by the sweep timer: every connection's deadlines and soft outbound limit.
    public func sweep(now: Int64) {
        for connection in connections {
            connection.checkDeadlines(now: now)
        }
    }

    // MARK: - Settings

    /// Puts new settings in force: new connections get them all; open WebSockets get the new message limit for the
    /// frames that follow and are held to the new outbound limits at once; deadlines already running keep theirs.
    public func apply(_ fresh: ConnectionSettings) {
        settings = fresh
        outboundSoftLimit = fresh.outbound.softLimitBytes
        for connection in connections where connection.phase == .webSocket {
            if let application = connection.application {
                connection.session?.limits.maxMessageBytes = application.maxMessageBytes
            }
            if connection.acceptsData && connection.outbound.byteCount > fresh.outbound.softLimitBytes {
                checkOutboundLimits(connection)
            }
        }
    }

    // MARK: - Scratch

    /// The reusable action buffer, emptied, so a read does not allocate one.
    func takeActionScratch() -> [WebSocketAction] {
        var actions: [WebSocketAction] = []
        swap(&actions, &actionScratch)
        actions.removeAll(keepingCapacity: true)
        return actions
    }

    /// Hands the action buffer back for the next read.
    func returnActionScratch(_ actions: [WebSocketAction]) {
        actionScratch = actions
        actionScratch.removeAll(keepingCapacity: true)  // frees the payloads now, not at the next read
    }
}
