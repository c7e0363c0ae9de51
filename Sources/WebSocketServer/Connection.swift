import Reactor
import WebSocket

/// One accepted TCP connection: glues its socket to the HTTP parser, then to the WebSocket session and the
/// application the path chose, and owns its outbound queue and deadlines. Protocol decisions are made by the
/// sans-I/O types; which closes and deliveries happen is decided by the `ConnectionTable`.
final class Connection: EventHandler {
    /// Where a connection is in its life.
    enum Phase: UInt8 {
        /// Reading the HTTP request head.
        case http
        /// Speaking WebSocket (the session holds the protocol state, including a close in progress).
        case webSocket
        /// Output finished and FIN sent; waiting for the peer's FIN (or the deadline) before closing.
        case lingering
        /// The descriptor is closed.
        case closed
    }

    // Stored properties are ordered so the object packs tightly (small fields fill the gap after `fd`): every
    // idle connection is one of these.

    let fd: Int32
    var phase = Phase.http
    /// The single gate for application data: true from the upgrade until chatd requests or sends a close, the
    /// peer's close arrives, or the connection goes away. Nothing but the close handshake follows a close frame.
    /// Read once per delivery; unchecked exclusivity like `outbound`.
    @exclusivity(unchecked) var acceptsData = false
    /// True once chatd decided to close this connection (the close is carried out at the end of the pass).
    var closeRequested = false
    /// True while the application counts this connection as present (opened, departure not yet told).
    var isApplicationMember = false
    var closeAfterFlush = false
    var watchingWritable = false
    /// True while the connection is on the table's end-of-pass flush list (read per delivery; unchecked).
    @exclusivity(unchecked) var isQueuedForFlush = false
    /// The accept generation; with `fd` it makes the connection's id.
    let generation: UInt32
    /// The session's buffered message bytes as last added to the table's input total.
    var accountedInputBytes = 0
    let peer: String
    /// The table that owns this connection and outlives it. `unowned(unsafe)`: touched several times per message,
    /// and a checked unowned reference costs a retain and a release on every access (seen in perf).
    unowned(unsafe) let table: ConnectionTable

    /// The request parser while in the HTTP phase; nil once the head is complete.
    var pendingRequest: PendingRequest?
    var session: WebSocketSession?
    /// The application the upgrade chose; nil before the upgrade and for plain HTTP. Applications outlive every
    /// connection (the router holds them for the server's life), so no reference count is taken per message.
    unowned(unsafe) var application: (any WebSocketApplication)?

    /// Pending output. Touched once per delivery, so the dynamic exclusivity check (a runtime call costing more than
    /// the append itself) is off: the reactor is single-threaded and no access to it overlaps another (append and
    /// flush are leaf calls that never reach back into the connection).
    @exclusivity(unchecked) var outbound = OutboundQueue()

    /// The deadline of the current phase (handshake, close reply, linger), or `Int64.max`.
    var deadline: Int64
    var lastHeard: Int64
    /// When the idle ping went out; `Int64.max` while none is outstanding.
    var pingSentAt = Int64.max
    /// Since when the queue has been above the soft outbound limit; `Int64.max` while it is not.
    var aboveSoftLimitSince = Int64.max

    /// Wraps an accepted socket; the HTTP phase starts with the handshake deadline running.
    init(fd: Int32, generation: UInt32, peer: String, table: ConnectionTable) {
        self.fd = fd
        self.generation = generation
        self.peer = peer
        self.table = table
        let now = table.loop.nowMilliseconds
        self.deadline = now &+ table.settings.handshakeTimeoutMilliseconds
        self.lastHeard = now
        self.pendingRequest = PendingRequest(HTTPRequestParser(limits: table.settings.headerLimits))
    }

    /// The id applications know this connection by.
    var id: ConnectionID { ConnectionID(slot: fd, generation: generation) }

    // MARK: - Readiness

    /// Reads what arrived and writes what the socket now accepts.
    func handleEvents(_ events: ReadinessEvents) {
        if !events.intersection([.readable, .error, .hangup]).isEmpty {
            readAvailable()
        }
        if events.contains(.writable) && phase != .closed {
            flush()
        }
    }

    /// Reads a bounded number of times per pass so one busy peer cannot starve the others.
    func readAvailable() {
        let buffer = table.loop.readBuffer
        for _ in 0..<4 {
            guard phase != .closed else { return }
            switch SocketIO.read(fd, into: buffer) {
            case .bytes(let count):
                lastHeard = table.loop.nowMilliseconds
                pingSentAt = Int64.max
                receive(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                if count < buffer.count { return }
            case .endOfStream:
                peerClosedStream()
                return
            case .wouldBlock:
                return
            case .failed(let code):
                abort(reason: "read failed", detail: SystemCallError("read", code: code).description)
                return
            }
        }
    }

    /// Routes received bytes to whatever currently interprets them.
    func receive(_ bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .http: receiveHTTP(bytes)
        case .webSocket: receiveWebSocket(bytes)
        case .lingering, .closed: break  // discarded: the conversation is over
        }
    }

    /// Drops the connection at once (no close handshake), e.g. a dead or abusive peer.
    func abort(reason: String, detail: String?) {
        guard phase != .closed else { return }
        table.log.logger.debug(
            "connection aborted",
            metadata: ["event": "abort", "client": "\(peer)", "reason": "\(reason)", "detail": "\(detail ?? "-")"])
        outbound.removeAll()
        finish()
    }

    /// Closes the descriptor and forgets the connection everywhere.
    func finish() {
        guard phase != .closed else { return }
        acceptsData = false
        depart()
        phase = .closed
        session = nil
        syncInputAccounting()
        pendingRequest = nil
        outbound.removeAll()
        table.loop.unregister(fd)
        SocketIO.close(fd)
        table.connectionClosed(self)
    }

    /// Tells the application, once, that this connection no longer takes part; others hear of it unless the
    /// server is stopping.
    func depart(announce: Bool = true) {
        guard isApplicationMember else { return }
        isApplicationMember = false
        application?.connectionDeparted(id, announce: announce && !table.isShuttingDown)
    }

    /// Adds the change in the session's buffered message bytes to the table's input total.
    func syncInputAccounting() {
        let held = session?.bufferedMessageBytes ?? 0
        guard held != accountedInputBytes else { return }
        table.bufferedInputBytes &+= held &- accountedInputBytes
        accountedInputBytes = held
    }
}
