import Testing

@testable import chatd_load

/// Server frames (unmasked) as bytes: FIN + opcode, then the RFC 6455 length encoding.
private func serverFrame(_ opcode: UInt8, _ payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x80 | opcode]
    if payload.count < 126 {
        out.append(UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
        out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        out.append(127)
        for shift in stride(from: 56, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: payload.count >> shift))
        }
    }
    return out + payload
}

/// Feeds `stream` to a scanner in pieces of the given sizes and collects (opcode, payload).
private func scan(_ stream: [UInt8], pieces: [Int]) throws -> [(UInt8, [UInt8])] {
    var scanner = ServerFrameScanner()
    var frames: [(UInt8, [UInt8])] = []
    var offset = 0
    var pieceIndex = 0
    while offset < stream.count {
        let size = min(pieces[pieceIndex % pieces.count], stream.count - offset)
        pieceIndex += 1
        try stream[offset..<offset + size].withUnsafeBytes { bytes in
            try scanner.scan(bytes) { opcode, _, payload in frames.append((opcode, Array(payload))) }
        }
        offset += size
    }
    return frames
}

@Test func framesSplitAtEveryPossibleBoundaryAreReassembled() throws {
    let payloads: [[UInt8]] = [
        Array("hello".utf8), [UInt8](repeating: 7, count: 300), [], [UInt8](repeating: 1, count: 70_000),
    ]
    let stream = payloads.flatMap { serverFrame(0x1, $0) } + serverFrame(0x8, [0x03, 0xF5])
    for piece in [1, 2, 3, 7, 125, 4096, stream.count] {
        let frames = try scan(stream, pieces: [piece])
        #expect(frames.map(\.1) == payloads + [[0x03, 0xF5]], "piece size \(piece)")
        #expect(frames.last?.0 == 0x8)
    }
}

@Test func maskedServerFramesAreRejected() {
    var scanner = ServerFrameScanner()
    let bytes: [UInt8] = [0x81, 0x81, 1, 2, 3, 4, 0x41]
    #expect(throws: ServerFrameScanner.Failure.masked) {
        try bytes.withUnsafeBytes { try scanner.scan($0) { _, _, _ in } }
    }
}

@Test func absurdLengthsAreRejectedWithoutAllocating() {
    var scanner = ServerFrameScanner()
    let bytes: [UInt8] = [0x82, 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    #expect(throws: ServerFrameScanner.Failure.oversized) {
        try bytes.withUnsafeBytes { try scanner.scan($0) { _, _, _ in } }
    }
}
