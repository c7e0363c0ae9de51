import Glibc

/// The text every benchmark message carries: a send time, who sent it and its sequence number.
///
/// Layout (ASCII): "~" + 8 hex digits run id + 16 hex digits of CLOCK_MONOTONIC nanoseconds + 8 hex digits
/// publisher index + 8 hex digits sequence number, padded with "x" to the requested size. The run id keeps
/// probes of earlier runs (replayed from a room's history) out of the count. Servers prefix it with "NAME: "
/// in rooms and echo it unchanged, so receivers look for the "~" near the start.
struct ProbePayload {
    /// Bytes before the padding.
    static let minimumSize = 41
    /// How far into a frame's payload the "~" may be found (room servers prefix "NAME: ").
    static let searchWindow = 48

    /// A run id: random per generator process.
    static let currentRun = UInt32(truncatingIfNeeded: MonotonicClock.now() ^ UInt64(getpid()) << 20)

    let sentAt: UInt64
    let publisher: UInt32
    let sequence: UInt32

    /// Writes the payload into `buffer` (exactly `buffer.count` bytes, at least `minimumSize`).
    static func write(
        run: UInt32, sentAt: UInt64, publisher: UInt32, sequence: UInt32, into buffer: UnsafeMutableRawBufferPointer
    ) {
        buffer[0] = UInt8(ascii: "~")
        writeHex(UInt64(run), digits: 8, at: 1, into: buffer)
        writeHex(sentAt, digits: 16, at: 9, into: buffer)
        writeHex(UInt64(publisher), digits: 8, at: 25, into: buffer)
        writeHex(UInt64(sequence), digits: 8, at: 33, into: buffer)
        var index = minimumSize
        while index < buffer.count {
            buffer[index] = UInt8(ascii: "x")
            index += 1
        }
    }

    /// Finds and decodes a probe of run `run` in a text payload; nil for any other text (notices, welcome
    /// lines, probes of other runs).
    @inline(__always)
    static func find(run: UInt32, in payload: UnsafeRawBufferPointer) -> ProbePayload? {
        let limit = min(payload.count, searchWindow)
        var start = 0
        while start < limit && payload[start] != UInt8(ascii: "~") { start += 1 }
        guard start < limit, payload.count - start >= minimumSize else { return nil }
        guard readHex(payload, at: start + 1, digits: 8) == UInt64(run),
            let sentAt = readHex(payload, at: start + 9, digits: 16),
            let publisher = readHex(payload, at: start + 25, digits: 8),
            let sequence = readHex(payload, at: start + 33, digits: 8)
        else { return nil }
        return ProbePayload(
            sentAt: sentAt, publisher: UInt32(truncatingIfNeeded: publisher),
            sequence: UInt32(truncatingIfNeeded: sequence))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func writeHex(
        _ value: UInt64, digits: Int, at offset: Int, into buffer: UnsafeMutableRawBufferPointer
    ) {
        var remaining = value
        var index = offset + digits - 1
        while index >= offset {
            buffer[index] = hexDigits[Int(remaining & 0xF)]
            remaining >>= 4
            index -= 1
        }
    }

    @inline(__always)
    private static func readHex(_ bytes: UnsafeRawBufferPointer, at offset: Int, digits: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in offset..<offset + digits {
            let byte = bytes[index]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }
}
