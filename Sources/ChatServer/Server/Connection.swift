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

    let fd: Int32
    let id: MemberID
    let peer: String
    unowned let server: Server

    private(set) var phase = Phase.http
    private var parser: HTTPRequestParser?
    private var session: WebSocketSession?
    private(set) var route: Route?
    private var isChatMember = false

    private var outbound = OutboundQueue()
    private var closeAfterFlush = false
    private var watchingWritable = false
    /// True while the connection is on the server's end-of-pass flush list.
    var isQueuedForFlush = false

    /// The deadline of the current phase (handshake, close reply, linger), or `Int64.max`.
    private var deadline: Int64
    private var lastHeard: Int64
    private var pingSentAt: Int64?

    /// Wraps an accepted socket; the HTTP phase starts with the handshake deadline running.
    init(fd: Int32, id: MemberID, peer: String, server: Server) {
        self.fd = fd
        self.id = id
        self.peer = peer
        self.server = server
        let now = server.loop.nowMilliseconds
        self.deadline = now &+ Int64(server.config.handshakeTimeoutMs)
        self.lastHeard = now
        self.parser = HTTPRequestParser(
            limits: HTTPParserLimits(
                maxHeaderBytes: server.config.maxHeaderBytes, maxHeaderCount: server.config.maxHeaderCount))
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
    private func readAvailable() {
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
    private func receive(_ bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .http: receiveHTTP(bytes)
        case .webSocket: receiveWebSocket(bytes)
        case .lingering, .closed: break  // discarded: the conversation is over
        }
    }

    // MARK: - HTTP phase

    private func receiveHTTP(_ bytes: UnsafeRawBufferPointer) {
        guard let result = parser?.parse(bytes) else { return }
        switch result {
        case .needMoreData:
            return
        case .failure(let status):
            parser = nil
            respondAndClose(HTTPRoutes.error(status), path: nil)
        case .complete(let head, let consumed):
            parser = nil
            let leftover = UnsafeRawBufferPointer(rebasing: bytes[min(consumed, bytes.count)...])
            handleRequest(head, leftover: leftover)
        }
    }

    private func handleRequest(_ head: HTTPRequestHead, leftover: UnsafeRawBufferPointer) {
        guard WebSocketHandshake.isUpgradeRequest(head) else {
            respondAndClose(HTTPRoutes.respond(to: head), path: head.path)
            return
        }
        let requestedRoute: Route
        if head.path == "/echo" {
            requestedRoute = .echo
        } else if let room = RoomPath.roomName(forPath: head.path) {
            requestedRoute = .chat(room: room)
        } else {
            respondAndClose(HTTPRoutes.error(.notFound), path: head.path)
            return
        }
        switch WebSocketHandshake.evaluate(head, policy: server.handshakePolicy) {
        case .reject(let status, let response):
            respondAndClose((status, response), path: head.path)
        case .accept(let response, let subprotocol):
            enqueue(ByteChunk(response))
            session = WebSocketSession(limits: WebSocketLimits(maxMessageBytes: server.config.maxMessageBytes))
            phase = .webSocket
            deadline = Int64.max
            route = requestedRoute
            server.logger.debug(
                "websocket opened",
                metadata: [
                    "event": "open", "client": "\(peer)", "path": "\(head.path)",
                    "subprotocol": "\(subprotocol ?? "none")",
                ])
            if case .chat(let room) = requestedRoute {
                joinRoom(room, query: head.query)
            }
            if !leftover.isEmpty && phase == .webSocket {
                receiveWebSocket(leftover)
            }
        }
    }

    private func joinRoom(_ room: String, query: String?) {
        do {
            let actions = try server.chat.join(
                member: id, room: room, requestedName: RoomPath.requestedName(fromQuery: query))
            isChatMember = true
            server.perform(actions)
        } catch {
            let reason = error == .roomFull ? "room is full" : "too many rooms"
            server.logger.notice(
                "chat join refused",
                metadata: [
                    "event": "join_refused", "client": "\(peer)", "room": "\(room)",
                    "reason": "\(reason)",
                ])
            initiateClose(code: CloseCode.tryAgainLater, reason: reason)
        }
    }

    private func respondAndClose(_ response: (status: HTTPStatus, bytes: [UInt8]), path: String?) {
        server.logger.debug(
            "http response",
            metadata: [
                "event": "http", "client": "\(peer)", "status": "\(response.status.code)", "path": "\(path ?? "-")",
            ])
        enqueue(ByteChunk(response.bytes))
        closeAfterFlush = true
    }

    // MARK: - WebSocket phase

    private func receiveWebSocket(_ bytes: UnsafeRawBufferPointer) {
        server.actionScratch.removeAll(keepingCapacity: true)
        session?.receive(bytes, into: &server.actionScratch)
        let actions = server.actionScratch
        server.actionScratch = []
        for action in actions {
            guard phase == .webSocket else { break }
            perform(action)
        }
        server.actionScratch = actions
    }

    private func perform(_ action: WebSocketAction) {
        switch action {
        case .message(let kind, let payload):
            server.stats.messagesReceived &+= 1
            deliver(kind, payload)
        case .send(let bytes):
            enqueue(ByteChunk(bytes))
        case .closeTransport(let info):
            server.logger.debug(
                "websocket closing",
                metadata: [
                    "event": "close", "client": "\(peer)", "close_code": "\(info.code.map { "\($0)" } ?? "none")",
                    "reason": "\(info.reason)", "initiator": "\(info.initiatedByPeer ? "peer" : "server")",
                ])
            leaveChat()
            closeAfterFlush = true
            if outbound.isEmpty { flush() }
        }
    }

    private func deliver(_ kind: WebSocketMessageKind, _ payload: [UInt8]) {
        switch route {
        case .echo:
            enqueue(FrameChunks.frame(kind == .text ? .text : .binary, bytes: payload))
        case .chat:
            guard kind == .text else {
                initiateClose(code: CloseCode.unsupportedData, reason: "chat rooms take text messages only")
                return
            }
            server.perform(server.chat.receive(text: String(decoding: payload, as: UTF8.self), from: id))
        case nil:
            break
        }
    }

    /// Starts a server-side close handshake (shutdown, quit, idle); the close reply deadline starts now.
    func initiateClose(code: UInt16, reason: String) {
        guard phase == .webSocket, let frame = session?.initiateClose(code: code, reason: reason) else { return }
        enqueue(ByteChunk(frame))
        deadline = server.loop.nowMilliseconds &+ Int64(server.config.closeTimeoutMs)
    }

    private func leaveChat() {
        guard isChatMember else { return }
        isChatMember = false
        server.perform(server.chat.leave(member: id))
    }

    // MARK: - Output

    /// Queues bytes; they are written at the end of the loop pass (corked), once per connection.
    func enqueue(_ chunk: ByteChunk) {
        guard phase != .closed && phase != .lingering else { return }
        outbound.append(chunk)
        if outbound.byteCount > server.outboundLimit {
            server.logger.warning(
                "slow consumer disconnected",
                metadata: ["event": "slow_consumer", "client": "\(peer)", "queued": "\(outbound.byteCount)"])
            abort(reason: "slow consumer", detail: nil)
            return
        }
        server.scheduleFlush(self)
    }

    /// Writes queued output; watches for writability only while something is left over.
    func flush() {
        guard phase != .closed else { return }
        switch outbound.flush(to: fd) {
        case .drained:
            if watchingWritable {
                watchingWritable = false
                server.loop.modify(fd, interest: .read)
            }
            if closeAfterFlush && phase != .lingering { startLingering() }
        case .wouldBlock:
            if !watchingWritable {
                watchingWritable = true
                server.loop.modify(fd, interest: [.read, .write])
            }
        case .failed(let code):
            abort(reason: "write failed", detail: SystemCallError("writev", code: code).description)
        }
    }

    /// Sends FIN and waits briefly for the peer's, so the last frame is not lost to a reset.
    private func startLingering() {
        phase = .lingering
        session = nil
        SocketIO.shutdownWrite(fd)
        deadline = server.loop.nowMilliseconds &+ Int64(server.config.closeTimeoutMs)
    }

    private func peerClosedStream() {
        switch phase {
        case .webSocket:
            server.logger.debug(
                "connection dropped", metadata: ["event": "drop", "client": "\(peer)", "close_code": "1006"])
        default:
            break
        }
        finish()
    }

    // MARK: - Timers and teardown

    /// Called by the sweep timer: enforces handshake, idle, close and linger deadlines.
    func checkDeadlines(now: Int64) {
        switch phase {
        case .http:
            if now >= deadline { abort(reason: "handshake timeout", detail: nil) }
        case .webSocket:
            if now >= deadline {
                abort(reason: "close timeout", detail: nil)
            } else if deadline == Int64.max {
                checkIdle(now: now)
            }
        case .lingering:
            if now >= deadline { finish() }
        case .closed:
            break
        }
    }

    private func checkIdle(now: Int64) {
        if let sentAt = pingSentAt {
            if now &- sentAt >= Int64(server.config.pongTimeoutMs) {
                initiateClose(code: CloseCode.goingAway, reason: "idle timeout")
            }
        } else if now &- lastHeard >= Int64(server.config.idleTimeoutMs) {
            pingSentAt = now
            enqueue(FrameChunks.frame(.ping, bytes: []))
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
    private func finish() {
        guard phase != .closed else { return }
        leaveChat()
        phase = .closed
        session = nil
        parser = nil
        outbound.removeAll()
        server.loop.unregister(fd)
        SocketIO.close(fd)
        server.connectionClosed(self)
    }

    /// True while the connection is still an open WebSocket (used by shutdown).
    var isOpenWebSocket: Bool { phase == .webSocket }
}
