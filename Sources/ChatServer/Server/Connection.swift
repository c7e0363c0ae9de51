import Chat
import Logging
import Reactor
import WebSocket

/// One accepted TCP connection: glues its socket to the HTTP parser, then to the WebSocket session,
/// and owns its outbound queue and deadlines. All protocol decisions are made by the sans-I/O types.
final class Connection: EventHandler {
    /// Where a connection is in its life.
    enum Phase {
        /// Reading the HTTP request head.
        case http
        /// Speaking WebSocket (the session holds the protocol state).
        case webSocket
        /// Output finished and FIN sent; waiting for the peer's FIN (or the deadline) before closing.
        case lingering
        /// The descriptor is closed.
        case closed
    }

    /// What an upgraded connection is used for.
    enum Route: Equatable {
        /// Echo every message back (the conformance target).
        case echo
        /// A member of a chat room.
        case chat(room: String)
    }

    // Stored properties are ordered so the object packs tightly (small fields fill the gap after `fd`): every
    // idle connection is one of these.

    let fd: Int32
    var phase = Phase.http
    var isChatMember = false
    var closeAfterFlush = false
    var watchingWritable = false
    /// True while the connection is on the server's end-of-pass flush list.
    var isQueuedForFlush = false
    let id: MemberID
    let peer: String
    unowned let server: Server

    /// The request parser while in the HTTP phase; nil once the head is complete.
    var pendingRequest: PendingRequest?
    var session: WebSocketSession?
    var route: Route?

    /// Pending output. Touched once per delivery, so the dynamic exclusivity check (a runtime call costing more than
    /// the append itself) is off: the reactor is single-threaded and no access to it overlaps another (append and
    /// flush are leaf calls that never reach back into the connection).
    @exclusivity(unchecked) var outbound = OutboundQueue()

    /// The deadline of the current phase (handshake, close reply, linger), or `Int64.max`.
    var deadline: Int64
    var lastHeard: Int64
    var pingSentAt: Int64?

    /// Wraps an accepted socket; the HTTP phase starts with the handshake deadline running.
    init(fd: Int32, id: MemberID, peer: String, server: Server) {
        self.fd = fd
        self.id = id
        self.peer = peer
        self.server = server
        let now = server.loop.nowMilliseconds
        self.deadline = now &+ Int64(server.config.handshakeTimeoutMs)
        self.lastHeard = now
        self.pendingRequest = PendingRequest(
            HTTPRequestParser(
                limits: HTTPParserLimits(
                    maxHeaderBytes: server.config.maxHeaderBytes, maxHeaderCount: server.config.maxHeaderCount)))
    }

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
        let buffer = server.loop.readBuffer
        for _ in 0..<4 {
            guard phase != .closed else { return }
            switch SocketIO.read(fd, into: buffer) {
            case .bytes(let count):
                lastHeard = server.loop.nowMilliseconds
                pingSentAt = nil
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
        server.logger.debug(
            "connection aborted",
            metadata: ["event": "abort", "client": "\(peer)", "reason": "\(reason)", "detail": "\(detail ?? "-")"])
        outbound.removeAll()
        finish()
    }

    /// Closes the descriptor and forgets the connection everywhere.
    func finish() {
        guard phase != .closed else { return }
        leaveChat()
        phase = .closed
        session = nil
        pendingRequest = nil
        outbound.removeAll()
        server.loop.unregister(fd)
        SocketIO.close(fd)
        server.connectionClosed(self)
    }

    /// True while the connection is still an open WebSocket (used by shutdown).
    var isOpenWebSocket: Bool { phase == .webSocket }
}
