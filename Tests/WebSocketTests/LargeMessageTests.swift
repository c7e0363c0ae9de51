import Testing
import WebSocket

/// Large messages: correct reassembly of multi-megabyte payloads delivered in socket-sized chunks.
@Suite struct LargeMessageTests {
    @Test func sixteenMebibyteMaskedBinaryMessageIn64KiBChunks() {
        let size = 16 << 20
        var payload = [UInt8](repeating: 0, count: size)
        var state: UInt32 = 0x1234_5678
        for index in payload.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            payload[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
        let frame = WebSocketFrame.encode(opcode: .binary, payload: payload, maskKey: (0xA1, 0x02, 0xF3, 0x44))
        #expect(frame.count == 10 + 4 + size)
        var session = WebSocketSession(limits: WebSocketLimits(maxMessageBytes: size))
        var actions: [WebSocketAction] = []
        frame.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + 65536)
                session.receive(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &actions)
                #expect(end == bytes.count || actions.isEmpty)
                offset = end
            }
        }
        #expect(actions.count == 1)
        guard case .message(let kind, let received) = actions.first else {
            Issue.record("expected a message")
            return
        }
        #expect(kind == .binary)
        #expect(received.count == size)
        #expect(received == payload)
    }

    @Test func fourMebibyteTextMessageInSmallFragmentsWithOddChunking() {
        let text = Array(String(repeating: "BAsd7&jh23κ€", count: 4 << 20 / 16).utf8)
        var wire: [UInt8] = []
        var offset = 0
        var isFirst = true
        while offset < text.count {
            let end = min(text.count, offset + 4093)
            wire += TestSupport.clientFrame(
                isFirst ? .text : .continuation, Array(text[offset..<end]), fin: end == text.count)
            isFirst = false
            offset = end
        }
        var session = WebSocketSession(limits: WebSocketLimits(maxMessageBytes: 8 << 20))
        var actions: [WebSocketAction] = []
        wire.withUnsafeBytes { bytes in
            var position = 0
            while position < bytes.count {
                let end = min(bytes.count, position + 65_521)
                session.receive(UnsafeRawBufferPointer(rebasing: bytes[position..<end]), into: &actions)
                position = end
            }
        }
        #expect(actions == [.message(.text, text)])
    }
}
