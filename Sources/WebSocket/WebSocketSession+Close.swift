extension WebSocketSession {
    /// Handles a complete close frame from the peer (payload in `controlBuffer`): validates it, answers it when we
    /// have not sent a close yet, and ends the session.
    mutating func handleClose(into actions: inout [WebSocketAction]) {
        if state == .closeSent {
            state = .closed
            controlBuffer = []
            let info = WebSocketCloseInfo(
                code: sentCloseCode, initiatedByPeer: false, reason: "close handshake completed")
            actions.append(.closeTransport(info))
            return
        }
        let payload = controlBuffer
        if payload.isEmpty {
            actions.append(.send(WebSocketFrame.encodeClose(code: nil, reason: "")))
            finishPeerClose(code: nil, into: &actions)
            return
        }
        guard payload.count >= 2 else {
            fail(code: CloseCode.protocolError, reason: "protocol error: 1-byte close payload", into: &actions)
            return
        }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard CloseCode.isValidOnWire(code) else {
            fail(code: CloseCode.protocolError, reason: "protocol error: invalid close code \(code)", into: &actions)
            return
        }
        var validator = UTF8Validator()
        let reasonIsValid = payload.withUnsafeBytes { bytes in
            validator.validate(UnsafeRawBufferPointer(rebasing: bytes[2...])) && validator.isAtBoundary
        }
        guard reasonIsValid else {
            fail(code: CloseCode.invalidPayload, reason: "invalid UTF-8 in close reason", into: &actions)
            return
        }
        actions.append(.send(WebSocketFrame.encodeClose(code: code, reason: "")))
        finishPeerClose(code: code, into: &actions)
    }

    /// Ends the session after we answered the peer's close.
    private mutating func finishPeerClose(code: UInt16?, into actions: inout [WebSocketAction]) {
        state = .closed
        messageBuffer = []
        controlBuffer = []
        actions.append(.closeTransport(WebSocketCloseInfo(code: code, initiatedByPeer: true, reason: "peer closed")))
    }
}
