import Testing
import WebSocket

/// Server frame encoding (7/16/64-bit lengths, masking for client frames, close payloads) and decoding round trips.
@Suite struct FrameEncodingTests {
    @Test(arguments: [(0, 2), (1, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (1 << 24, 10)])
    func headerLengthDependsOnPayloadLength(payloadLength: Int, expected: Int) {
        #expect(WebSocketFrame.headerLength(payloadLength: payloadLength) == expected)
    }

    @Test func writesSevenBitHeader() {
        var buffer = [UInt8](repeating: 0xAA, count: 14)
        let written = buffer.withUnsafeMutableBytes {
            WebSocketFrame.writeHeader(opcode: .text, fin: true, payloadLength: 125, into: $0)
        }
        #expect(written == 2)
        #expect(Array(buffer[..<2]) == [0x81, 125])
    }

    @Test func writesSixteenBitHeader() {
        var buffer = [UInt8](repeating: 0, count: 14)
        let written = buffer.withUnsafeMutableBytes {
            WebSocketFrame.writeHeader(opcode: .binary, fin: false, payloadLength: 0x1234, into: $0)
        }
        #expect(written == 4)
        #expect(Array(buffer[..<4]) == [0x02, 126, 0x12, 0x34])
    }

    @Test func writesSixtyFourBitHeader() {
        var buffer = [UInt8](repeating: 0, count: 14)
        let written = buffer.withUnsafeMutableBytes {
            WebSocketFrame.writeHeader(opcode: .continuation, fin: true, payloadLength: 0x01_0203_0405, into: $0)
        }
        #expect(written == 10)
        #expect(Array(buffer[..<10]) == [0x80, 127, 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05])
    }

    @Test func encodesUnmaskedServerFrame() {
        #expect(
            WebSocketFrame.encode(opcode: .text, payload: Array("Hello".utf8)) == [0x81, 0x05] + Array("Hello".utf8))
        #expect(WebSocketFrame.encode(opcode: .pong, payload: [UInt8]()) == [0x8A, 0x00])
    }

    @Test func encodesMaskedFrameLikeRFCExample() {
        // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
        let frame = WebSocketFrame.encode(
            opcode: .text, payload: Array("Hello".utf8), maskKey: (0x37, 0xFA, 0x21, 0x3D))
        #expect(frame == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    @Test func sessionDecodesRFCMaskedHelloExample() {
        var session = WebSocketSession(limits: WebSocketLimits())
        let actions = session.receive([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        #expect(actions == [.message(.text, Array("Hello".utf8))])
    }

    @Test(arguments: [0, 1, 7, 8, 9, 125, 126, 127, 1000, 65535, 65536, 70001])
    func maskedFramesOfEveryLengthClassRoundTrip(length: Int) {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let frame = TestSupport.clientFrame(.binary, payload)
        #expect(frame.count == WebSocketFrame.headerLength(payloadLength: length) + 4 + length)
        #expect(frame[1] & 0x80 == 0x80)
        var session = WebSocketSession(limits: WebSocketLimits())
        #expect(session.receive(frame) == [.message(.binary, payload)])
    }

    @Test func nonMinimalLengthEncodingIsAccepted() {
        // Length 3 encoded with the 16-bit and the 64-bit forms.
        let key: [UInt8] = [1, 2, 3, 4]
        let masked: [UInt8] = [UInt8(ascii: "a") ^ 1, UInt8(ascii: "b") ^ 2, UInt8(ascii: "c") ^ 3]
        var session = WebSocketSession(limits: WebSocketLimits())
        let sixteen: [UInt8] = [0x81, 0x80 | 126, 0, 3] + key + masked
        let sixtyFour: [UInt8] = [0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 3] + key + masked
        #expect(session.receive(sixteen) == [.message(.text, Array("abc".utf8))])
        #expect(session.receive(sixtyFour) == [.message(.text, Array("abc".utf8))])
    }

    @Test func closeFrameCarriesCodeAndReason() {
        let frame = WebSocketFrame.encodeClose(code: 1001, reason: "bye")
        #expect(frame == [0x88, 5, 0x03, 0xE9] + Array("bye".utf8))
        #expect(WebSocketFrame.encodeClose(code: nil, reason: "ignored") == [0x88, 0])
    }

    @Test func longCloseReasonIsTruncatedAtACharacterBoundary() {
        // 61 two-byte characters = 122 bytes; one more would make 124 > 123.
        let reason = String(repeating: "\u{E9}", count: 70)
        let payload = WebSocketFrame.closePayload(code: 1000, reason: reason)
        #expect(payload.count == 2 + 122)
        #expect(Array(payload[2...]) == Array(String(repeating: "\u{E9}", count: 61).utf8))
        let frame = WebSocketFrame.encodeClose(code: 1000, reason: String(repeating: "x", count: 500))
        #expect(frame.count == 2 + 125)
        #expect(frame[1] == 125)
    }

    @Test func closeCodeValidity() {
        for code: UInt16 in [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
        ] {
            #expect(CloseCode.isValidOnWire(code), "\(code)")
        }
        for code: UInt16 in [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] {
            #expect(!CloseCode.isValidOnWire(code), "\(code)")
        }
        #expect(CloseCode.normal == 1000)
        #expect(CloseCode.goingAway == 1001)
        #expect(CloseCode.protocolError == 1002)
        #expect(CloseCode.unsupportedData == 1003)
        #expect(CloseCode.invalidPayload == 1007)
        #expect(CloseCode.policyViolation == 1008)
        #expect(CloseCode.messageTooBig == 1009)
        #expect(CloseCode.internalError == 1011)
        #expect(CloseCode.tryAgainLater == 1013)
    }
}
