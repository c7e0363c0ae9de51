/// A frame's 4-byte masking key, applied (XOR) 8 bytes at a time: unmasking is the receive hot path.
struct MaskKey: Sendable, Equatable {
    /// The key bytes in wire order.
    private let bytes: (UInt8, UInt8, UInt8, UInt8)

    /// Creates a key from its wire bytes.
    init(_ byte0: UInt8, _ byte1: UInt8, _ byte2: UInt8, _ byte3: UInt8) {
        bytes = (byte0, byte1, byte2, byte3)
    }

    /// Equality by key bytes.
    static func == (lhs: MaskKey, rhs: MaskKey) -> Bool {
        lhs.bytes == rhs.bytes
    }

    /// The key byte used for payload offset `index` (mod 4).
    func byte(at index: Int) -> UInt8 {
        switch index & 3 {
        case 0: return bytes.0
        case 1: return bytes.1
        case 2: return bytes.2
        default: return bytes.3
        }
    }

    /// XORs `buffer` in place, where buffer[0] is payload byte number `phase` (mod 4) of the frame.
    func apply(to buffer: UnsafeMutableRawBufferPointer, phase: Int) {
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        var word: UInt64 = 0
        withUnsafeMutableBytes(of: &word) { wordBytes in
            for index in 0..<8 { wordBytes[index] = byte(at: phase &+ index) }
        }
        var offset = 0
        while offset &+ 32 <= count {
            let first = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let second = base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
            let third = base.loadUnaligned(fromByteOffset: offset &+ 16, as: UInt64.self)
            let fourth = base.loadUnaligned(fromByteOffset: offset &+ 24, as: UInt64.self)
            base.storeBytes(of: first ^ word, toByteOffset: offset, as: UInt64.self)
            base.storeBytes(of: second ^ word, toByteOffset: offset &+ 8, as: UInt64.self)
            base.storeBytes(of: third ^ word, toByteOffset: offset &+ 16, as: UInt64.self)
            base.storeBytes(of: fourth ^ word, toByteOffset: offset &+ 24, as: UInt64.self)
            offset &+= 32
        }
        while offset &+ 8 <= count {
            let value = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            base.storeBytes(of: value ^ word, toByteOffset: offset, as: UInt64.self)
            offset &+= 8
        }
        while offset < count {
            let value = base.load(fromByteOffset: offset, as: UInt8.self)
            base.storeBytes(of: value ^ byte(at: phase &+ offset), toByteOffset: offset, as: UInt8.self)
            offset &+= 1
        }
    }
}
