/// Incremental, fail-fast UTF-8 validator: reports the first byte that can never be part of valid UTF-8
/// (overlongs, surrogates, > U+10FFFF included), even when sequences are split across chunks.
struct UTF8Validator: Sendable {
    /// Continuation bytes still expected for the current sequence.
    private var pending: UInt8 = 0
    /// Allowed range of the next continuation byte (narrowed after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// Creates a validator at a character boundary.
    init() {}

    /// True when the bytes so far end on a character boundary (required at message end).
    var isAtBoundary: Bool { pending == 0 }

    /// Forgets any partial sequence (start of a new message).
    mutating func reset() {
        pending = 0
        lower = 0x80
        upper = 0xBF
    }

    /// Validates the next chunk; false as soon as an invalid byte is seen (the state is then meaningless).
    mutating func validate(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let count = buffer.count
        var pending = self.pending
        var lower = self.lower
        var upper = self.upper
        var offset = 0
        defer {
            self.pending = pending
            self.lower = lower
            self.upper = upper
        }
        while offset < count {
            if pending == 0 {
                while offset &+ 8 <= count {  // ASCII fast path
                    let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 != 0 { break }
                    offset &+= 8
                }
                guard offset < count else { break }
                let byte = base.load(fromByteOffset: offset, as: UInt8.self)
                offset &+= 1
                switch byte {
                case 0x00...0x7F:
                    continue
                case 0xC2...0xDF:
                    pending = 1
                    lower = 0x80
                    upper = 0xBF
                case 0xE0:
                    pending = 2
                    lower = 0xA0
                    upper = 0xBF
                case 0xED:
                    pending = 2
                    lower = 0x80
                    upper = 0x9F
                case 0xE1...0xEF:
                    pending = 2
                    lower = 0x80
                    upper = 0xBF
                case 0xF0:
                    pending = 3
                    lower = 0x90
                    upper = 0xBF
                case 0xF1...0xF3:
                    pending = 3
                    lower = 0x80
                    upper = 0xBF
                case 0xF4:
                    pending = 3
                    lower = 0x80
                    upper = 0x8F
                default:
                    return false
                }
            } else {
                let byte = base.load(fromByteOffset: offset, as: UInt8.self)
                offset &+= 1
                guard byte >= lower && byte <= upper else { return false }
                pending &-= 1
                lower = 0x80
                upper = 0xBF
            }
        }
        return true
    }
}
