import Logging
import Reactor
import WebSocket

/// The HTTP phase: parse the request head, answer plain HTTP, or upgrade to WebSocket for the routed application.
extension Connection {
    /// Feeds the request parser; a complete head is answered or upgraded.
    func receiveHTTP(_ bytes: UnsafeRawBufferPointer) {
        guard let result = pendingRequest?.parser.parse(bytes) else { return }
        switch result {
        case .needMoreData:
            return
        case .failure(let status):
            pendingRequest = nil
            respondAndClose(HTTPReply.error(status), path: nil)
        case .complete(let head, let consumed):
            pendingRequest = nil
            let leftover = UnsafeRawBufferPointer(rebasing: bytes[min(consumed, bytes.count)...])
            handleRequest(head, leftover: leftover)
        }
    }

    /// Answers a plain request, or runs the handshake and hands the connection to the routed application.
    func handleRequest(_ head: HTTPRequestHead, leftover: UnsafeRawBufferPointer) {
        guard WebSocketHandshake.isUpgradeRequest(head) else {
            respondAndClose(table.router.response(to: head), path: head.path)
            return
        }
        guard let application = table.router.application(forUpgrade: head) else {
            respondAndClose(HTTPReply.error(.notFound), path: head.path)
            return
        }
        switch WebSocketHandshake.evaluate(head, policy: table.settings.handshakePolicy) {
        case .reject(let status, let response):
            respondAndClose(HTTPReply(status: status, bytes: response), path: head.path)
        case .accept(let response, let subprotocol):
            queueControl(ByteChunk(response))
            open(application, request: head, subprotocol: subprotocol)
            if !leftover.isEmpty && phase == .webSocket {
                receiveWebSocket(leftover)
            }
        }
    }

    /// Switches to the WebSocket phase under `application`'s message limit and tells the application. An upgrade
    /// that finishes while the server is stopping (its handshake was in flight at the stop signal) is still served
    /// (a chat member gets its welcome and history) and then closed with 1001 at the end of the pass, so a client
    /// caught by a restart learns where it stands and resumes on the next process.
    private func open(_ application: any WebSocketApplication, request head: HTTPRequestHead, subprotocol: String?) {
        session = WebSocketSession(limits: WebSocketLimits(maxMessageBytes: application.maxMessageBytes))
        phase = .webSocket
        deadline = Int64.max
        self.application = application
        acceptsData = true
        table.log.logger.debug(
            "websocket opened",
            metadata: [
                "event": "open", "client": "\(peer)", "path": "\(head.path)",
                "subprotocol": "\(subprotocol ?? "none")",
            ])
        isApplicationMember = true
        application.connectionOpened(id, request: head, subprotocol: subprotocol)
        if table.isShuttingDown {
            table.requestClose(self, code: CloseCode.goingAway, reason: "server shutting down", announce: false)
        }
    }

    /// Queues a complete response and closes once it is written.
    func respondAndClose(_ reply: HTTPReply, path: String?) {
        table.log.logger.debug(
            "http response",
            metadata: [
                "event": "http", "client": "\(peer)", "status": "\(reply.status.code)", "path": "\(path ?? "-")",
            ])
        queueControl(ByteChunk(reply.bytes))
        closeAfterFlush = true
    }
}
