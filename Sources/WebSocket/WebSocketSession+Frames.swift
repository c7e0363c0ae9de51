extension WebSocketSession {
    /// Total header length (2 + extended length + 4-byte mask key) implied by the second header byte.
    static func headerLength(secondByte: UInt8) -> Int {
        switch secondByte & 0x7F {
        case 126: return 2 + 2 + 4
        case 127: return 2 + 8 + 4
        default: return 2 + 4
        }
    }

    /// Checks everything decidable from the first header byte (RSV bits, opcode, FIN, fragmentation state);
    /// returns the failure reason, if any.
    func firstByteViolation(_ first: UInt8) -> String? {
        if first & 0x70 != 0 { return "protocol error: reserved bits set" }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            return "protocol error: reserved opcode \(first & 0x0F)"
        }
        if opcode.isControl {
            if first & 0x80 == 0 { return "protocol error: fragmented control frame" }
        } else if opcode == .continuation {
            if messageKind == nil { return "protocol error: continuation without a message" }
        } else if messageKind != nil {
            return "protocol error: new message inside a fragmented message"
        }
        return nil
    }

    /// Checks everything decidable from the first two header bytes; returns the failure reason, if any.
    func headerViolation(_ first: UInt8, _ second: UInt8) -> String? {
        if let violation = firstByteViolation(first) { return violation }
        if second & 0x80 == 0 { return "protocol error: unmasked frame" }
        if first & 0x08 != 0 && second & 0x7F > 125 { return "protocol error: control frame too long" }
        return nil
    }

    /// Validates a complete frame header and prepares to read its payload. `available` is how many payload bytes
    /// already arrived behind the header: the message buffer grows by what arrives, never by what a header declares.
    mutating func startFrame(header: UnsafeRawBufferPointer, available: Int, into actions: inout [WebSocketAction]) {
        let first = header[0]
        let second = header[1]
        if let violation = headerViolation(first, second) {
            fail(code: CloseCode.protocolError, reason: violation, into: &actions)
            return
        }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else { return }  // excluded by headerViolation
        var length = UInt64(second & 0x7F)
        var maskOffset = 2
        if length == 126 {
            length = UInt64(header[2]) << 8 | UInt64(header[3])
            maskOffset = 4
        } else if length == 127 {
            length = 0
            for index in 2..<10 { length = length << 8 | UInt64(header[index]) }
            maskOffset = 10
            if length & (1 << 63) != 0 {
                fail(code: CloseCode.protocolError, reason: "protocol error: invalid 64-bit length", into: &actions)
                return
            }
        }
        let discarding = state == .closeSent
        if !opcode.isControl && !discarding {
            let room = UInt64(max(0, limits.maxMessageBytes &- messageBuffer.count))
            if length > room {
                fail(code: CloseCode.messageTooBig, reason: "message too big", into: &actions)
                return
            }
        }
        frameOpcode = opcode
        frameFin = first & 0x80 != 0
        frameRemaining = length
        frameMask = MaskKey(
            header[maskOffset], header[maskOffset + 1], header[maskOffset + 2], header[maskOffset + 3])
        maskPhase = 0
        inPayload = true
        switch opcode {
        case .text, .binary:
            messageKind = opcode == .text ? .text : .binary
            utf8.reset()
            if !discarding && available > 0 {
                messageBuffer.reserveCapacity(Int(min(length, UInt64(available))))
            }
        case .continuation:
            break
        case .close, .ping, .pong:
            controlBuffer.removeAll(keepingCapacity: true)
        }
        if length == 0 { finishFrame(into: &actions) }
    }

    /// Unmasks and stores (or discards) the next piece of the current frame's payload; validates text fail-fast.
    mutating func consumePayload(_ chunk: UnsafeRawBufferPointer, into actions: inout [WebSocketAction]) {
        let count = chunk.count
        if frameOpcode.isControl {
            let start = controlBuffer.count
            controlBuffer.append(contentsOf: chunk)
            let mask = frameMask
            let phase = Int(maskPhase)
            controlBuffer.withUnsafeMutableBytes {
                mask.apply(to: UnsafeMutableRawBufferPointer(rebasing: $0[start...]), phase: phase)
            }
        } else if state == .open {
            let start = messageBuffer.count
            messageBuffer.append(contentsOf: chunk)
            let mask = frameMask
            let phase = Int(maskPhase)
            let isText = messageKind == .text
            var validator = utf8
            let valid = messageBuffer.withUnsafeMutableBytes { buffer -> Bool in
                let region = UnsafeMutableRawBufferPointer(rebasing: buffer[start...])
                mask.apply(to: region, phase: phase)
                return !isText || validator.validate(UnsafeRawBufferPointer(region))
            }
            utf8 = validator
            guard valid else {
                fail(code: CloseCode.invalidPayload, reason: "invalid UTF-8 in text message", into: &actions)
                return
            }
        }
        maskPhase = UInt8(truncatingIfNeeded: (Int(maskPhase) &+ count) & 3)
        frameRemaining &-= UInt64(count)
        if frameRemaining == 0 { finishFrame(into: &actions) }
    }

    /// Completes the current frame: delivers a finished message or handles the control frame.
    mutating func finishFrame(into actions: inout [WebSocketAction]) {
        inPayload = false
        switch frameOpcode {
        case .close:
            handleClose(into: &actions)
        case .ping:
            if state == .open {
                actions.append(.send(WebSocketFrame.encode(opcode: .pong, payload: controlBuffer)))
            }
        case .pong:
            break
        case .text, .binary, .continuation:
            guard frameFin, let kind = messageKind else { return }
            messageKind = nil
            guard state == .open else {
                messageBuffer = []
                return
            }
            if kind == .text && !utf8.isAtBoundary {
                fail(code: CloseCode.invalidPayload, reason: "truncated UTF-8 in text message", into: &actions)
                return
            }
            var message: [UInt8] = []
            swap(&message, &messageBuffer)
            actions.append(.message(kind, message))
        }
    }
}
