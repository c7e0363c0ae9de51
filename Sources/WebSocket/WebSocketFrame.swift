/// Encodes RFC 6455 frames: unmasked server frames for the hot path, masked client frames for tests/benchmarks.
public enum WebSocketFrame {
    /// Largest payload a close frame's reason may have (125 minus the 2-byte code).
    public static let maxCloseReasonBytes = 123

    /// Header length for an unmasked server frame with this payload length (2, 4 or 10).
    public static func headerLength(payloadLength: Int) -> Int {
        if payloadLength <= 125 { return 2 }
        if payloadLength <= 0xFFFF { return 4 }
        return 10
    }

    /// Writes an unmasked header into `buffer` (at least headerLength bytes), returns bytes written.
    public static func writeHeader(
        opcode: WebSocketOpcode, fin: Bool, payloadLength: Int, into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        precondition(payloadLength >= 0, "negative payload length")
        let length = headerLength(payloadLength: payloadLength)
        precondition(buffer.count >= length, "header buffer too small")
        buffer[0] = (fin ? 0x80 : 0) | opcode.rawValue
        switch length {
        case 2:
            buffer[1] = UInt8(payloadLength)
        case 4:
            buffer[1] = 126
            buffer[2] = UInt8(truncatingIfNeeded: payloadLength >> 8)
            buffer[3] = UInt8(truncatingIfNeeded: payloadLength)
        default:
            buffer[1] = 127
            let value = UInt64(payloadLength)
            for index in 0..<8 {
                buffer[2 + index] = UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64(index)))
            }
        }
        return length
    }

    /// Complete frame as bytes. `maskKey` non-nil → masked (client role, used by tests/benchmarks).
    public static func encode(
        opcode: WebSocketOpcode, payload: some Collection<UInt8>, fin: Bool = true,
        maskKey: (UInt8, UInt8, UInt8, UInt8)? = nil
    ) -> [UInt8] {
        let payloadLength = payload.count
        let headerLength = headerLength(payloadLength: payloadLength)
        let maskLength = maskKey == nil ? 0 : 4
        var frame = [UInt8](repeating: 0, count: headerLength + maskLength)
        frame.reserveCapacity(headerLength + maskLength + payloadLength)
        _ = frame.withUnsafeMutableBytes {
            writeHeader(opcode: opcode, fin: fin, payloadLength: payloadLength, into: $0)
        }
        frame.append(contentsOf: payload)
        if let maskKey {
            frame[1] |= 0x80
            let keyStart = headerLength
            frame[keyStart] = maskKey.0
            frame[keyStart + 1] = maskKey.1
            frame[keyStart + 2] = maskKey.2
            frame[keyStart + 3] = maskKey.3
            let key = MaskKey(maskKey.0, maskKey.1, maskKey.2, maskKey.3)
            frame.withUnsafeMutableBytes { bytes in
                key.apply(to: UnsafeMutableRawBufferPointer(rebasing: bytes[(keyStart + 4)...]), phase: 0)
            }
        }
        return frame
    }

    /// Close frame payload+frame helper. `code` nil → empty payload (a reason needs a code, so it is dropped).
    /// The reason is truncated at a character boundary to fit in 123 bytes.
    public static func encodeClose(code: UInt16?, reason: String) -> [UInt8] {
        encode(opcode: .close, payload: closePayload(code: code, reason: reason))
    }

    /// The payload of a close frame: big-endian code followed by the (truncated) UTF-8 reason.
    public static func closePayload(code: UInt16?, reason: String) -> [UInt8] {
        guard let code else { return [] }
        var payload: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var reasonBytes = 0
        for scalar in reason.unicodeScalars {
            let scalarBytes = UTF8.width(scalar)
            guard reasonBytes + scalarBytes <= maxCloseReasonBytes else { break }
            reasonBytes += scalarBytes
            if let encoded = UTF8.encode(scalar) { payload.append(contentsOf: encoded) }
        }
        return payload
    }
}
