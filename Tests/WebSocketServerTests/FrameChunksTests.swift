import Reactor
import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// Server frames built straight into shared chunks: the right header for each length class, the payload verbatim.
@Suite struct FrameChunksTests {
    /// A copy of the chunk's bytes, taken while the chunk is certainly alive.
    static func bytes(of chunk: ByteChunk) -> [UInt8] {
        withExtendedLifetime(chunk) { Array(chunk.bytes) }
    }

    @Test(arguments: [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)])
    func headerLengthFollowsThePayloadLength(length: Int, header: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        let chunk = FrameChunks.frame(.binary, bytes: payload)
        let bytes = Self.bytes(of: chunk)
        #expect(bytes.count == header + length)
        let parsed = try #require(ServerFrame.parse(bytes, at: 0))
        #expect(parsed.length == bytes.count)
        #expect(parsed.frame == ServerFrame(fin: true, opcode: 2, masked: false, payload: payload))
    }

    @Test func textFrameCarriesUTF8() {
        let bytes = Self.bytes(of: FrameChunks.text("hé"))
        #expect(bytes == [0x81, 3, 0x68, 0xC3, 0xA9])
    }

    @Test func sixteenBitLengthIsBigEndian() {
        let bytes = Self.bytes(of: FrameChunks.frame(.text, bytes: [UInt8](repeating: 0x61, count: 300)))
        #expect(Array(bytes[0..<4]) == [0x81, 126, 0x01, 0x2C])
    }
}
