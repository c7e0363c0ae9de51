/// One frame as the client end reads it from the server: unmasked, FIN/opcode, 7-, 16- or 64-bit length.
struct ServerFrame: Equatable {
    /// The FIN bit.
    let fin: Bool
    /// The opcode nibble (1 text, 2 binary, 8 close, 9 ping, 10 pong).
    let opcode: UInt8
    /// True when the MASK bit was set (a server must never set it).
    let masked: Bool
    /// The payload bytes.
    let payload: [UInt8]

    /// Text, binary or continuation: application data.
    var isData: Bool { opcode <= 2 }
    /// A close frame.
    var isClose: Bool { opcode == 8 }
    /// A ping frame.
    var isPing: Bool { opcode == 9 }
    /// The payload as UTF-8 text.
    var text: String { String(decoding: payload, as: UTF8.self) }
    /// The close code of a close frame with a payload.
    var closeCode: UInt16? {
        guard isClose, payload.count >= 2 else { return nil }
        return UInt16(payload[0]) << 8 | UInt16(payload[1])
    }
    /// The close reason of a close frame.
    var closeReason: String { payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : "" }

    /// Parses the frame starting at `offset`; nil while it has not completely arrived.
    static func parse(_ bytes: [UInt8], at offset: Int) -> (frame: ServerFrame, length: Int)? {
        guard let (header, length) = measure(bytes, at: offset) else { return nil }
        let payload = Array(bytes[(offset + header)..<(offset + header + length)])
        let first = bytes[offset]
        let frame = ServerFrame(
            fin: first & 0x80 != 0, opcode: first & 0x0F, masked: bytes[offset + 1] & 0x80 != 0, payload: payload)
        return (frame, header + length)
    }

    /// Header and payload length of the frame starting at `offset`, without copying it; nil while incomplete.
    static func measure(_ bytes: [UInt8], at offset: Int) -> (header: Int, payload: Int)? {
        guard bytes.count - offset >= 2 else { return nil }
        let second = bytes[offset + 1]
        var length = Int(second & 0x7F)
        var header = 2
        if length == 126 {
            guard bytes.count - offset >= 4 else { return nil }
            length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            header = 4
        } else if length == 127 {
            guard bytes.count - offset >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
            header = 10
        }
        if second & 0x80 != 0 { header += 4 }
        guard bytes.count - offset >= header + length else { return nil }
        return (header, length)
    }
}
