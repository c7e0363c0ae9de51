/// Server-role RFC 6455 state machine. Sans-I/O: feed it the peer's bytes, perform the actions it returns.
/// Validates everything the RFC requires (masking, RSV bits, opcodes, control-frame rules, fragmentation,
/// message size, fail-fast UTF-8, close codes) and runs the close handshake.
public struct WebSocketSession: Sendable {
    /// Where the close handshake stands.
    public enum State: Sendable {
        /// Messages flow both ways.
        case open
        /// We sent a close frame and wait for the peer's; its data frames are discarded.
        case closeSent
        /// The connection is finished; input is ignored.
        case closed
    }

    // Fields are ordered widest first so the struct packs without padding: every open connection carries one.
    //
    // Invariants of the decoder (the loose fields below stand for one state enum, packed for memory):
    // - Between frames `inPayload` is false and `headerBuffer` holds the first bytes of a header split across
    //   receive() calls (empty when none); `frameRemaining`, `frameMask` and `maskPhase` are meaningless.
    // - While `inPayload`, `headerBuffer` is empty, `frameRemaining` > 0 payload bytes of `frameOpcode` are
    //   still to come, and `maskPhase` is the number already read mod 4.
    // - `messageKind` is non-nil exactly while a data message is being assembled (between its first frame and
    //   its final one); `messageBuffer` holds its unmasked bytes so far (only in `.open`; `.closeSent` discards),
    //   and never more than `limits.maxMessageBytes`. Its capacity follows the bytes that arrived, never a
    //   declared length.
    // - `controlBuffer` holds at most 125 bytes: the payload of the control frame being read.
    // - Once `state` is `.closed`, nothing is emitted any more.

    /// The limits this session enforces; a configuration reload may lower them for the frames that follow.
    public var limits: WebSocketLimits
    var frameRemaining: UInt64 = 0
    // Frame header being assembled when it arrives split across receive() calls (no storage until that happens).
    var headerBuffer: [UInt8] = []
    // The message being assembled.
    var messageBuffer: [UInt8] = []
    /// Payload of the control frame being read (at most 125 bytes).
    var controlBuffer: [UInt8] = []
    // The frame whose payload is being read.
    var frameMask = MaskKey(0, 0, 0, 0)
    var utf8 = UTF8Validator()
    /// The code of the close frame we sent, for the final close info.
    var sentCloseCode: UInt16?
    /// Where the close handshake stands.
    public internal(set) var state: State = .open
    var inPayload = false
    var frameOpcode: WebSocketOpcode = .continuation
    var frameFin = false
    /// The kind of the message being assembled (nil = no message in progress).
    var messageKind: WebSocketMessageKind?
    /// Payload bytes of the current frame already read, mod 4 (selects the mask byte).
    var maskPhase: UInt8 = 0

    /// Bytes held for the message being assembled (its buffer's capacity): what a global input budget counts.
    public var bufferedMessageBytes: Int { messageBuffer.capacity }

    /// Creates a session for a freshly upgraded connection.
    public init(limits: WebSocketLimits = WebSocketLimits()) {
        self.limits = limits
    }

    /// Feed bytes from the peer (may be split anywhere). Appends actions in order.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, into actions: inout [WebSocketAction]) {
        let count = bytes.count
        var offset = 0
        while offset < count && state != .closed {
            if inPayload {
                let take = Int(min(UInt64(count &- offset), frameRemaining))
                consumePayload(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset &+ take)]), into: &actions)
                offset &+= take
                continue
            }
            // Fast path: the whole frame header is in this chunk.
            if headerBuffer.isEmpty && count &- offset >= 2 {
                let needed = Self.headerLength(secondByte: bytes[offset &+ 1])
                if count &- offset >= needed {
                    startFrame(
                        header: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset &+ needed)]),
                        available: count &- offset &- needed, into: &actions)
                    offset &+= needed
                    continue
                }
            }
            // Slow path: assemble the header byte by byte, rejecting bad first bytes immediately.
            headerBuffer.append(bytes[offset])
            offset &+= 1
            if headerBuffer.count == 1, let violation = firstByteViolation(headerBuffer[0]) {
                fail(code: CloseCode.protocolError, reason: violation, into: &actions)
                return
            }
            if headerBuffer.count == 2, let violation = headerViolation(headerBuffer[0], headerBuffer[1]) {
                fail(code: CloseCode.protocolError, reason: violation, into: &actions)
                return
            }
            if headerBuffer.count >= 2 && headerBuffer.count == Self.headerLength(secondByte: headerBuffer[1]) {
                let header = headerBuffer
                headerBuffer = []
                let available = count &- offset
                header.withUnsafeBytes { startFrame(header: $0, available: available, into: &actions) }
            }
        }
    }

    /// Convenience for tests and simple callers: feeds `bytes` and returns the resulting actions.
    public mutating func receive(_ bytes: [UInt8]) -> [WebSocketAction] {
        var actions: [WebSocketAction] = []
        bytes.withUnsafeBytes { receive($0, into: &actions) }
        return actions
    }

    /// Begin a server-initiated close (shutdown 1001, policy 1008, ...). Returns the close frame to send, or nil when
    /// a close was already sent/the session is closed. State → .closeSent; when the peer's close arrives, receive()
    /// emits .closeTransport.
    public mutating func initiateClose(code: UInt16, reason: String) -> [UInt8]? {
        guard state == .open else { return nil }
        state = .closeSent
        sentCloseCode = code
        messageBuffer = []  // the rest of any message in progress will be discarded
        return WebSocketFrame.encodeClose(code: code, reason: reason)
    }

    /// Marks the session closed without a handshake (e.g. the transport died or a close timeout fired).
    public mutating func abort() {
        state = .closed
        messageBuffer = []
        controlBuffer = []
    }

    /// Failing the connection (RFC 6455 §7.1.7): send a close frame with `code` unless one was already sent,
    /// then close the transport; all further input is ignored.
    mutating func fail(code: UInt16, reason: String, into actions: inout [WebSocketAction]) {
        var infoCode = sentCloseCode
        if state == .open {
            actions.append(.send(WebSocketFrame.encodeClose(code: code, reason: reason)))
            infoCode = code
        }
        state = .closed
        messageBuffer = []
        controlBuffer = []
        actions.append(.closeTransport(WebSocketCloseInfo(code: infoCode, initiatedByPeer: false, reason: reason)))
    }
}
