import Testing
import WebSocket

/// Frame-level rules of the server session: masking, RSV bits, opcodes, control frames, fragmentation, size limits.
@Suite struct SessionFramingTests {
    /// A fresh open session.
    static func newSession(maxMessageBytes: Int = 1 << 20) -> WebSocketSession {
        WebSocketSession(limits: WebSocketLimits(maxMessageBytes: maxMessageBytes))
    }

    @Test func textAndBinaryMessagesKeepTheirKind() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientText("hi") + TestSupport.clientFrame(.binary, [0, 0xFF, 7]))
        #expect(actions == [.message(.text, Array("hi".utf8)), .message(.binary, [0, 0xFF, 7])])
        #expect(session.state == .open)
    }

    @Test func emptyMessagesAreDelivered() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientFrame(.text, []) + TestSupport.clientFrame(.binary, []))
        #expect(actions == [.message(.text, []), .message(.binary, [])])
    }

    @Test func unmaskedFrameFailsWith1002() {
        var session = Self.newSession()
        let actions = session.receive(WebSocketFrame.encode(opcode: .text, payload: Array("hi".utf8)))
        #expect(TestSupport.failed(actions, with: CloseCode.protocolError))
        #expect(session.state == .closed)
        #expect(TestSupport.closeInfo(actions)?.reason.contains("unmasked") == true)
    }

    @Test func unmaskedFrameFailsAfterOnlyTheFirstTwoBytes() {
        var session = Self.newSession()
        #expect(session.receive([0x81]) == [])
        #expect(TestSupport.failed(session.receive([0x05]), with: CloseCode.protocolError))
    }

    @Test(arguments: [0x40, 0x20, 0x10, 0x70] as [UInt8])
    func reservedBitsFailWith1002(bits: UInt8) {
        var frame = TestSupport.clientText("x")
        frame[0] |= bits
        var session = Self.newSession()
        #expect(TestSupport.failed(session.receive(frame), with: CloseCode.protocolError))
    }

    @Test(arguments: [3, 4, 5, 6, 7, 11, 12, 13, 14, 15] as [UInt8])
    func reservedOpcodesFailWith1002(opcode: UInt8) {
        var frame = TestSupport.clientText("x")
        frame[0] = 0x80 | opcode
        var session = Self.newSession()
        #expect(TestSupport.failed(session.receive(frame), with: CloseCode.protocolError))
    }

    @Test(arguments: [0xC1, 0x83, 0x09, 0x80] as [UInt8])
    func badFirstByteFailsBeforeTheSecondArrives(first: UInt8) {
        // RSV1 set, reserved opcode 3, fragmented ping, continuation without a message.
        var session = Self.newSession()
        #expect(TestSupport.failed(session.receive([first]), with: CloseCode.protocolError))
    }

    @Test func messagesBeforeAnErrorAreStillDelivered() {
        var frame = TestSupport.clientText("bad")
        frame[0] = 0x85
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientText("good") + frame + TestSupport.clientFrame(.ping, []))
        #expect(actions.count == 3)
        #expect(actions.first == .message(.text, Array("good".utf8)))
        #expect(TestSupport.failed(actions, with: CloseCode.protocolError))
    }

    @Test func pingIsAnsweredWithPongCarryingTheSamePayload() {
        var session = Self.newSession()
        let payload: [UInt8] = Array(0..<125)
        let actions = session.receive(TestSupport.clientFrame(.ping, payload))
        #expect(actions == [.send(WebSocketFrame.encode(opcode: .pong, payload: payload))])
    }

    @Test func emptyPingGetsEmptyPong() {
        var session = Self.newSession()
        #expect(session.receive(TestSupport.clientFrame(.ping, [])) == [.send([0x8A, 0x00])])
    }

    @Test func pingSplitIntoSingleBytesIsAnswered() {
        var session = Self.newSession()
        let payload = Array("ping payload".utf8)
        let frame = TestSupport.clientFrame(.ping, payload)
        let actions = TestSupport.feed(&session, chunks: frame.map { [$0] })
        #expect(actions == [.send(WebSocketFrame.encode(opcode: .pong, payload: payload))])
    }

    @Test func pongIsIgnored() {
        var session = Self.newSession()
        #expect(session.receive(TestSupport.clientFrame(.pong, Array("x".utf8))) == [])
        #expect(session.state == .open)
    }

    @Test func controlFrameLongerThan125FailsWith1002() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientFrame(.ping, [UInt8](repeating: 1, count: 126)))
        #expect(TestSupport.failed(actions, with: CloseCode.protocolError))
    }

    @Test func controlFrameTooLongFailsOnTheHeaderAlone() {
        var session = Self.newSession()
        let header = Array(TestSupport.clientFrame(.ping, [UInt8](repeating: 1, count: 126))[..<2])
        #expect(TestSupport.failed(session.receive(header), with: CloseCode.protocolError))
    }

    @Test(arguments: [WebSocketOpcode.ping, .pong, .close])
    func fragmentedControlFrameFailsWith1002(opcode: WebSocketOpcode) {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientFrame(opcode, Array("ab".utf8), fin: false))
        #expect(TestSupport.failed(actions, with: CloseCode.protocolError))
    }

    @Test func fragmentedMessageWithInterleavedPingIsReassembled() {
        var session = Self.newSession()
        let wire =
            TestSupport.clientText("Hel", fin: false) + TestSupport.clientFrame(.ping, Array("p".utf8))
            + TestSupport.clientFrame(.continuation, Array("lo, ".utf8), fin: false)
            + TestSupport.clientFrame(.pong, []) + TestSupport.clientFrame(.continuation, Array("world".utf8))
        let expected: [WebSocketAction] = [
            .send(WebSocketFrame.encode(opcode: .pong, payload: Array("p".utf8))),
            .message(.text, Array("Hello, world".utf8)),
        ]
        #expect(session.receive(wire) == expected)
        // Same result when every byte arrives in its own receive() call.
        var byteByByte = Self.newSession()
        #expect(TestSupport.feed(&byteByByte, chunks: wire.map { [$0] }) == expected)
    }

    @Test func fragmentedBinaryWithEmptyFragments() {
        var session = Self.newSession()
        let wire =
            TestSupport.clientFrame(.binary, [], fin: false)
            + TestSupport.clientFrame(.continuation, [1, 2], fin: false)
            + TestSupport.clientFrame(.continuation, [])
        #expect(session.receive(wire) == [.message(.binary, [1, 2])])
    }

    @Test(arguments: [true, false])
    func continuationWithoutStartFailsWith1002(fin: Bool) {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientFrame(.continuation, Array("x".utf8), fin: fin))
        #expect(TestSupport.failed(actions, with: CloseCode.protocolError))
    }

    @Test func continuationAfterCompletedMessageFailsWith1002() {
        var session = Self.newSession()
        let wire =
            TestSupport.clientText("a", fin: false) + TestSupport.clientFrame(.continuation, Array("b".utf8))
            + TestSupport.clientFrame(.continuation, Array("c".utf8))
        let actions = session.receive(wire)
        #expect(actions.first == .message(.text, Array("ab".utf8)))
        #expect(TestSupport.failed(actions, with: CloseCode.protocolError))
    }

    @Test(arguments: [WebSocketOpcode.text, .binary])
    func newMessageDuringFragmentedMessageFailsWith1002(opcode: WebSocketOpcode) {
        var session = Self.newSession()
        let wire = TestSupport.clientText("a", fin: false) + TestSupport.clientFrame(opcode, Array("b".utf8))
        #expect(TestSupport.failed(session.receive(wire), with: CloseCode.protocolError))
    }

    @Test func frameAnnouncingTooBigMessageFailsWith1009OnTheHeader() {
        var session = Self.newSession(maxMessageBytes: 1000)
        let frame = TestSupport.clientFrame(.binary, [UInt8](repeating: 0, count: 1001))
        // Only the 8-byte header (2 + 2 length + 4 mask) is fed: no payload has arrived yet.
        let actions = session.receive(Array(frame[..<8]))
        #expect(TestSupport.failed(actions, with: CloseCode.messageTooBig))
        #expect(session.state == .closed)
    }

    @Test func messageOfExactlyTheLimitIsAccepted() {
        var session = Self.newSession(maxMessageBytes: 1000)
        let payload = [UInt8](repeating: 9, count: 1000)
        #expect(session.receive(TestSupport.clientFrame(.binary, payload)) == [.message(.binary, payload)])
    }

    @Test func fragmentsAddingUpPastTheLimitFailWith1009() {
        var session = Self.newSession(maxMessageBytes: 1000)
        let first = TestSupport.clientFrame(.binary, [UInt8](repeating: 0, count: 600), fin: false)
        let second = TestSupport.clientFrame(.continuation, [UInt8](repeating: 0, count: 401))
        #expect(session.receive(first) == [])
        #expect(TestSupport.failed(session.receive(Array(second[..<8])), with: CloseCode.messageTooBig))
    }

    @Test func hugeSixtyFourBitLengthFailsWith1009() {
        var session = Self.newSession()
        let header: [UInt8] = [0x82, 0xFF, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 1, 2, 3, 4]
        #expect(TestSupport.failed(session.receive(header), with: CloseCode.messageTooBig))
    }

    @Test func sixtyFourBitLengthWithMostSignificantBitFailsWith1002() {
        var session = Self.newSession()
        let header: [UInt8] = [0x82, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 1, 2, 3, 4]
        #expect(TestSupport.failed(session.receive(header), with: CloseCode.protocolError))
    }

    @Test func inputAfterAFailureIsIgnored() {
        var session = Self.newSession()
        var bad = TestSupport.clientText("x")
        bad[0] |= 0x40
        let actions = session.receive(bad + TestSupport.clientText("after"))
        #expect(actions.count == 2)
        #expect(session.receive(TestSupport.clientText("later")) == [])
        #expect(session.receive(TestSupport.clientFrame(.ping, [])) == [])
        #expect(session.state == .closed)
    }

    @Test func framesWithSevenAndSixteenBitLengthsSplitAtEveryOffset() {
        let messages: [(WebSocketOpcode, [UInt8])] = [
            (.text, Array("a".utf8)), (.binary, [UInt8](repeating: 0xC3, count: 126)), (.text, []),
            (.binary, Array(0..<125)), (.ping, Array("p".utf8)),
            (.text, Array(String(repeating: "é", count: 200).utf8)),
        ]
        let wire = messages.flatMap { TestSupport.clientFrame($0.0, $0.1) }
        var expected: [WebSocketAction] = []
        for (opcode, payload) in messages {
            switch opcode {
            case .ping: expected.append(.send(WebSocketFrame.encode(opcode: .pong, payload: payload)))
            case .text: expected.append(.message(.text, payload))
            default: expected.append(.message(.binary, payload))
            }
        }
        for split in 1..<wire.count {
            var session = Self.newSession()
            let actions = TestSupport.feed(&session, chunks: [Array(wire[..<split]), Array(wire[split...])])
            #expect(actions == expected, "split \(split)")
        }
    }

    @Test func manyFramesInOneChunkAndSplitAnywhere() {
        let messages: [(WebSocketOpcode, [UInt8])] = [
            (.text, Array("one".utf8)), (.binary, [UInt8](repeating: 3, count: 300)),
            (.text, Array(String(repeating: "z", count: 70000).utf8)), (.binary, []),
        ]
        let wire = messages.flatMap { TestSupport.clientFrame($0.0, $0.1) }
        let expected: [WebSocketAction] = messages.map { .message($0.0 == .text ? .text : .binary, $0.1) }
        for split in stride(from: 1, to: wire.count, by: 997) {
            var session = Self.newSession()
            let actions = TestSupport.feed(&session, chunks: [Array(wire[..<split]), Array(wire[split...])])
            #expect(actions == expected, "split \(split)")
        }
    }
}
