import Chat
import Logging
import Reactor
import WebSocket

/// The HTTP phase: parse the request head, answer plain HTTP, or upgrade to WebSocket and route.
extension Connection {
    func receiveHTTP(_ bytes: UnsafeRawBufferPointer) {
        guard let result = pendingRequest?.parser.parse(bytes) else { return }
        switch result {
        case .needMoreData:
            return
        case .failure(let status):
            pendingRequest = nil
            respondAndClose(HTTPRoutes.error(status), path: nil)
        case .complete(let head, let consumed):
            pendingRequest = nil
            let leftover = UnsafeRawBufferPointer(rebasing: bytes[min(consumed, bytes.count)...])
            handleRequest(head, leftover: leftover)
        }
    }

    func handleRequest(_ head: HTTPRequestHead, leftover: UnsafeRawBufferPointer) {
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
                joinRoom(room, query: head.query, chatProtocol: subprotocol == "chatd.v1" ? .json : .plainText)
            }
            if !leftover.isEmpty && phase == .webSocket {
                receiveWebSocket(leftover)
            }
            if server.isShuttingDown {
                initiateClose(code: CloseCode.goingAway, reason: "server shutting down")
            }
        }
    }

    /// Joins the room named by the path; `?name=`, `?since=` and `?epoch=` come from the query string.
    func joinRoom(_ room: String, query: String?, chatProtocol: ChatProtocol) {
        let request = JoinRequest(
            room: room,
            requestedName: RoomPath.queryValue("name", in: query),
            chatProtocol: chatProtocol,
            since: RoomPath.queryValue("since", in: query).flatMap { UInt64($0) },
            epoch: RoomPath.queryValue("epoch", in: query))
        do {
            let actions = try server.chat.join(member: id, request: request, now: WallClock.milliseconds())
            isChatMember = true
            server.perform(actions)
        } catch {
            let reason = error == .roomFull ? "room is full" : "too many rooms"
            server.logLimitHit(
                "join_refused", "chat join refused: \(reason)", metadata: ["client": "\(peer)", "room": "\(room)"])
            initiateClose(code: CloseCode.tryAgainLater, reason: reason)
        }
    }

    func respondAndClose(_ response: (status: HTTPStatus, bytes: [UInt8]), path: String?) {
        server.logger.debug(
            "http response",
            metadata: [
                "event": "http", "client": "\(peer)", "status": "\(response.status.code)", "path": "\(path ?? "-")",
            ])
        enqueue(ByteChunk(response.bytes))
        closeAfterFlush = true
    }
}
