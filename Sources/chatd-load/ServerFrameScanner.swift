/// Splits the unmasked frames a server sends into (opcode, payload) pairs, across reads.
///
/// The common case parses straight out of the loop's read buffer; only a frame cut by the end of a
/// read is copied into `carry` and completed by the next read.
struct ServerFrameScanner {
    /// The bytes of an incomplete frame left over from the previous read.
    private var carry: [UInt8] = []
    /// Frames bigger than this are a protocol error for a benchmark client.
    static let maximumPayload = 64 << 20

    /// What a scan found wrong.
    enum Failure: Error { case oversized, masked }

    /// Feeds one read's bytes; calls `frame(opcode, fin, payload)` for every complete frame.
    @inline(__always)
    mutating func scan(
        _ bytes: UnsafeRawBufferPointer, _ frame: (UInt8, Bool, UnsafeRawBufferPointer) -> Void
    ) throws(Failure) {
        if carry.isEmpty {
            let used = try Self.parse(bytes, frame)
            if used < bytes.count { carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...])) }
            return
        }
        carry.append(contentsOf: bytes)
        var used = 0
        var failure: Failure?
        carry.withUnsafeBytes { whole in
            do { used = try Self.parse(whole, frame) } catch { failure = error as? Failure ?? .oversized }
        }
        if let failure { throw failure }
        // Keeps the buffer's capacity: a connection that is often cut mid-frame allocates once.
        carry.removeSubrange(0..<used)
    }

    /// Parses complete frames from the start of `bytes`; returns how many bytes they took.
    @inline(__always)
    private static func parse(
        _ bytes: UnsafeRawBufferPointer, _ frame: (UInt8, Bool, UnsafeRawBufferPointer) -> Void
    ) throws(Failure) -> Int {
        var offset = 0
        let count = bytes.count
        while count - offset >= 2 {
            let first = bytes[offset]
            let second = bytes[offset + 1]
            if second & 0x80 != 0 { throw .masked }
            var header = 2
            var length = Int(second & 0x7F)
            if length == 126 {
                guard count - offset >= 4 else { break }
                length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                header = 4
            } else if length == 127 {
                guard count - offset >= 10 else { break }
                var wide: UInt64 = 0
                for index in 2..<10 { wide = wide << 8 | UInt64(bytes[offset + index]) }
                guard wide <= UInt64(maximumPayload) else { throw .oversized }
                length = Int(wide)
                header = 10
            }
            guard count - offset - header >= length else { break }
            let start = offset + header
            frame(first & 0x0F, first & 0x80 != 0, UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]))
            offset = start + length
        }
        return offset
    }
}
