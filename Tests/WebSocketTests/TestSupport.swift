import WebSocket

/// Shared helpers for building client frames and driving sessions in memory.
enum TestSupport {
    /// A fixed, non-trivial masking key for client frames.
    static let maskKey: (UInt8, UInt8, UInt8, UInt8) = (0x37, 0xFA, 0x21, 0x3D)

    /// A masked client frame, as a browser would send it.
    static func clientFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        WebSocketFrame.encode(opcode: opcode, payload: payload, fin: fin, maskKey: maskKey)
    }

    /// A masked client text frame.
    static func clientText(_ text: String, fin: Bool = true) -> [UInt8] {
        clientFrame(.text, Array(text.utf8), fin: fin)
    }

    /// A masked client close frame with a raw payload.
    static func clientClose(payload: [UInt8]) -> [UInt8] {
        clientFrame(.close, payload)
    }

    /// A masked client close frame with a code and reason.
    static func clientClose(code: UInt16, reason: String = "") -> [UInt8] {
        clientFrame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    /// The unmasked server close frame with exactly this code and no reason.
    static func serverClose(code: UInt16) -> [UInt8] {
        WebSocketFrame.encodeClose(code: code, reason: "")
    }

    /// Feeds `chunks` one receive() call at a time and returns all actions.
    static func feed(_ session: inout WebSocketSession, chunks: [[UInt8]]) -> [WebSocketAction] {
        var actions: [WebSocketAction] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { session.receive($0, into: &actions) }
        }
        return actions
    }

    /// The close code carried by the first `.send` action whose bytes are a close frame, if any.
    static func sentCloseCode(_ actions: [WebSocketAction]) -> UInt16? {
        for action in actions {
            guard case .send(let bytes) = action, bytes.count >= 4, bytes[0] == 0x88 else { continue }
            return UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        }
        return nil
    }

    /// The close-transport info, if the actions end the connection.
    static func closeInfo(_ actions: [WebSocketAction]) -> WebSocketCloseInfo? {
        for action in actions {
            if case .closeTransport(let info) = action { return info }
        }
        return nil
    }

    /// True when the actions fail the connection with `code`: a close frame with that code, then closeTransport.
    static func failed(_ actions: [WebSocketAction], with code: UInt16) -> Bool {
        guard actions.count >= 2, case .closeTransport(let info) = actions[actions.count - 1],
            case .send(let bytes) = actions[actions.count - 2]
        else { return false }
        return bytes.count >= 4 && bytes[0] == 0x88 && UInt16(bytes[2]) << 8 | UInt16(bytes[3]) == code
            && info.code == code && !info.initiatedByPeer
    }

    /// Parses a request head in one call, for handshake tests.
    static func head(_ text: String) -> HTTPRequestHead? {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { parser.parse($0) }
        if case .complete(let head, _) = result { return head }
        return nil
    }
}
