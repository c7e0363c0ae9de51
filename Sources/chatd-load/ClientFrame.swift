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

    /// Appends one masked frame with `payload` to `out`: header, key, then the payload copied in bulk and
    /// masked a word at a time in place.
    @inline(__always)
    static func append(opcode: UInt8, payload: UnsafeRawBufferPointer, mask: UInt32, to out: inout [UInt8]) {
        let length = payload.count
        out.append(0x80 | opcode)
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
        // The key goes on the wire in network order; as a little-endian word it masks 4 bytes at once.
        let key = mask.bigEndian
        withUnsafeBytes(of: key) { out.append(contentsOf: $0) }
        let start = out.count
        out.append(contentsOf: payload)
        out.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            let body = base + start
            var index = 0
            while index + 4 <= length {
                let word = body.loadUnaligned(fromByteOffset: index, as: UInt32.self) ^ key
                body.storeBytes(of: word, toByteOffset: index, as: UInt32.self)
                index += 4
            }
            withUnsafeBytes(of: key) { keyBytes in
                while index < length {
                    body.storeBytes(
                        of: body.load(fromByteOffset: index, as: UInt8.self) ^ keyBytes[index & 3],
                        toByteOffset: index, as: UInt8.self)
                    index += 1
                }
            }
        }
    }

    /// Appends a close frame carrying `code` (1000 for a normal goodbye).
    static func appendClose(code: UInt16, mask: UInt32, to out: inout [UInt8]) {
        let body: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        body.withUnsafeBytes { append(opcode: close, payload: $0, mask: mask, to: &out) }
    }
}
