import Chat
import Logging
import Reactor
import WebSocket

/// The WebSocket phase: feed the session, carry out its actions, hand chat text to the chat layer.
extension Connection {
    func receiveWebSocket(_ bytes: UnsafeRawBufferPointer) {
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

    func perform(_ action: WebSocketAction) {
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

    func deliver(_ kind: WebSocketMessageKind, _ payload: [UInt8]) {
        switch route {
        case .echo:
            enqueue(FrameChunks.frame(kind == .text ? .text : .binary, bytes: payload))
        case .chat:
            guard kind == .text else {
                server.perform(server.chat.receiveBinary(from: id))
                return
            }
            let text = String(decoding: payload, as: UTF8.self)
            server.perform(server.chat.receive(text: text, from: id, now: WallClock.milliseconds()))
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

    func leaveChat() {
        guard isChatMember else { return }
        isChatMember = false
        server.perform(server.chat.leave(member: id, now: WallClock.milliseconds()))
    }
}
