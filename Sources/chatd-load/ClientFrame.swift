/// Builds the masked frames a client must send (RFC 6455 section 5.3).
enum ClientFrame {
    /// Opcodes the generator sends.
    static let text: UInt8 = 0x1
    static let close: UInt8 = 0x8
    static let pong: UInt8 = 0xA

    /// Header bytes (including the 4-byte mask key) for a payload of `length` bytes.
    static func headerLength(payload length: Int) -> Int {
        length < 126 ? 6 : (length <= 0xFFFF ? 8 : 14)
    }

    /// Appends one masked frame with `payload` to `out`.
    static func append(opcode: UInt8, payload: UnsafeRawBufferPointer, mask: UInt32, to out: inout [UInt8]) {
        out.append(0x80 | opcode)
        let length = payload.count
        if length < 126 {
            out.append(0x80 | UInt8(length))
        } else if length <= 0xFFFF {
            out.append(0x80 | 126)
            out.append(UInt8(length >> 8))
            out.append(UInt8(length & 0xFF))
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift)))
            }
        }
        let key: [UInt8] = [UInt8(mask >> 24), UInt8(mask >> 16 & 0xFF), UInt8(mask >> 8 & 0xFF), UInt8(mask & 0xFF)]
        out.append(contentsOf: key)
        for index in 0..<length { out.append(payload[index] ^ key[index & 3]) }
    }

    /// Appends a close frame carrying `code` (1000 for a normal goodbye).
    static func appendClose(code: UInt16, mask: UInt32, to out: inout [UInt8]) {
        let body: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        body.withUnsafeBytes { append(opcode: close, payload: $0, mask: mask, to: &out) }
    }
}
