import Logging
import Reactor
import WebSocket

/// The WebSocket phase: feed the session, carry out its actions, hand complete messages to the application.
extension Connection {
    /// Feeds received bytes to the session and carries out what it asks for, in order.
    func receiveWebSocket(_ bytes: UnsafeRawBufferPointer) {
        var actions = table.takeActionScratch()
        session?.receive(bytes, into: &actions)
        syncInputAccounting()
        for action in actions {
            guard phase == .webSocket else { break }
            handle(action)
        }
        table.returnActionScratch(actions)
    }

    /// Carries out one session action.
    func handle(_ action: WebSocketAction) {
        switch action {
        case .message(let kind, let payload):
            table.stats.messagesReceived &+= 1
            // After chatd decided to close, the rest of what the peer sent is not acted on.
            guard acceptsData, let application else { return }
            application.connection(id, received: kind, payload: payload)
        case .send(let bytes):
            queueControl(ByteChunk(bytes))
        case .closeTransport(let info):
            table.log.logger.debug(
                "websocket closing",
                metadata: [
                    "event": "close", "client": "\(peer)", "close_code": "\(info.code.map { "\($0)" } ?? "none")",
                    "reason": "\(info.reason)", "initiator": "\(info.initiatedByPeer ? "peer" : "server")",
                ])
            acceptsData = false
            depart()
            syncInputAccounting()
            closeAfterFlush = true
            if outbound.isEmpty { flush() }
        }
    }

    /// Sends chatd's close frame now (the table calls this at the end of the pass for a requested close): the
    /// connection leaves its application first, then only the rest of the close handshake may be queued.
    func sendClose(code: UInt16, reason: String, announce: Bool, dropBacklog: Bool) {
        guard phase == .webSocket else { return }
        acceptsData = false
        if dropBacklog { outbound.removeUnstarted() }
        depart(announce: announce)
        guard phase == .webSocket else { return }
        guard let frame = session?.initiateClose(code: code, reason: reason) else {
            // The handshake is already under way (the peer's close arrived); a slow consumer cannot wait for it.
            if dropBacklog { abort(reason: reason, detail: nil) }
            return
        }
        syncInputAccounting()
        queueControl(ByteChunk(frame))
        deadline = table.loop.nowMilliseconds &+ table.settings.closeTimeoutMilliseconds
    }
}
