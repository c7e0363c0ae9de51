import Testing
import WebSocket

/// Incremental, fail-fast UTF-8 validation of text messages.
@Suite struct SessionUTF8Tests {
    /// Mixed 1-, 2-, 3- and 4-byte characters.
    static let multiByte = Array(
        "Aκόσμε€𝄞\u{10FFFF}\u{7F}\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFD}\u{FFFF}\u{10000}z".utf8)

    /// A fresh open session.
    static func newSession() -> WebSocketSession {
        WebSocketSession(limits: WebSocketLimits())
    }

    @Test func validMultiByteTextSplitAcrossReceiveCallsAtEveryOffset() {
        let frame = TestSupport.clientFrame(.text, Self.multiByte)
        for split in 1..<frame.count {
            var session = Self.newSession()
            let actions = TestSupport.feed(&session, chunks: [Array(frame[..<split]), Array(frame[split...])])
            #expect(actions == [.message(.text, Self.multiByte)], "split \(split)")
        }
    }

    @Test func validMultiByteTextFedOneByteAtATime() {
        var session = Self.newSession()
        let actions = TestSupport.feed(&session, chunks: TestSupport.clientFrame(.text, Self.multiByte).map { [$0] })
        #expect(actions == [.message(.text, Self.multiByte)])
    }

    @Test func validMultiByteTextSplitAcrossFramesAtEveryOffset() {
        for split in 0...Self.multiByte.count {
            let wire =
                TestSupport.clientFrame(.text, Array(Self.multiByte[..<split]), fin: false)
                + TestSupport.clientFrame(.continuation, Array(Self.multiByte[split...]))
            var session = Self.newSession()
            #expect(session.receive(wire) == [.message(.text, Self.multiByte)], "split \(split)")
        }
    }

    @Test func validTextSplitIntoOneByteFramesWithPingsBetween() {
        var wire = TestSupport.clientFrame(.text, [Self.multiByte[0]], fin: false)
        for byte in Self.multiByte.dropFirst() {
            wire += TestSupport.clientFrame(.ping, [byte])
            wire += TestSupport.clientFrame(.continuation, [byte], fin: false)
        }
        wire += TestSupport.clientFrame(.continuation, [])
        var session = Self.newSession()
        let actions = session.receive(wire)
        #expect(actions.last == .message(.text, Self.multiByte))
        #expect(actions.count == Self.multiByte.count)
    }

    @Test func invalidByteFailsBeforeTheFrameCompletes() {
        // The header announces 100 bytes but only the first, invalid bytes have arrived.
        let payload = [0xCE, 0xBA, 0xFF] + [UInt8](repeating: 0x61, count: 97)
        let frame = TestSupport.clientFrame(.text, payload)
        #expect(frame.count == 2 + 4 + 100)
        var session = Self.newSession()
        #expect(session.receive(Array(frame[..<6])) == [])
        #expect(session.receive(Array(frame[6..<8])) == [])  // "κ" is fine so far
        let actions = session.receive(Array(frame[8..<9]))  // 0xFF can never appear in UTF-8
        #expect(TestSupport.failed(actions, with: CloseCode.invalidPayload))
        #expect(session.state == .closed)
        #expect(session.receive(Array(frame[9...])) == [])
    }

    @Test(
        arguments: [
            [0xF4, 0x90],  // > U+10FFFF detectable at the second byte
            [0xED, 0xA0],  // surrogate detectable at the second byte
            [0xE0, 0x80],  // overlong 3-byte
            [0xF0, 0x80],  // overlong 4-byte
            [0xC0],  // overlong 2-byte lead
            [0xC1],
            [0xF5],
            [0x80],  // lone continuation
            [0xCE, 0x41],  // missing continuation
        ] as [[UInt8]])
    func invalidPrefixFailsFastInAnUnfinishedFrame(prefix: [UInt8]) {
        let payload = [0x61, 0x62] + prefix + [UInt8](repeating: 0x80, count: 50)
        let frame = TestSupport.clientFrame(.text, payload)
        var session = Self.newSession()
        let actions = session.receive(Array(frame[..<(6 + 2 + prefix.count)]))
        #expect(TestSupport.failed(actions, with: CloseCode.invalidPayload), "\(prefix)")
    }

    @Test func invalidSecondFragmentFailsBeforeTheThirdArrives() {
        // Autobahn 6.4.1 style: valid fragment, invalid fragment, (never sent) final fragment.
        var session = Self.newSession()
        #expect(session.receive(TestSupport.clientFrame(.text, Array("κόσμε".utf8), fin: false)) == [])
        let actions = session.receive(TestSupport.clientFrame(.continuation, [0xF4, 0x90, 0x80, 0x80], fin: false))
        #expect(TestSupport.failed(actions, with: CloseCode.invalidPayload))
    }

    @Test(
        arguments: [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0x80],
            [0xF0, 0x8F, 0xBF, 0xBF],  // overlongs
            [0xED, 0xA0, 0x80], [0xED, 0xAD, 0xBF], [0xED, 0xBF, 0xBF],
            [0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80],  // surrogates and a surrogate pair
            [0xF4, 0x90, 0x80, 0x80], [0xF7, 0xBF, 0xBF, 0xBF], [0xF8, 0x88, 0x80, 0x80, 0x80],  // > U+10FFFF
            [0xFE], [0xFF], [0xBF], [0xC2, 0xC2],
        ] as [[UInt8]])
    func invalidSequencesFailWith1007(bytes: [UInt8]) {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientFrame(.text, Array("ok ".utf8) + bytes + Array(" ok".utf8)))
        #expect(TestSupport.failed(actions, with: CloseCode.invalidPayload), "\(bytes)")
    }

    @Test(arguments: [[0xCE], [0xE2, 0x82], [0xF0, 0x9D, 0x84], [0xF4, 0x8F, 0xBF]] as [[UInt8]])
    func truncatedSequenceAtMessageEndFailsWith1007(tail: [UInt8]) {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientFrame(.text, Array("abc".utf8) + tail))
        #expect(TestSupport.failed(actions, with: CloseCode.invalidPayload), "\(tail)")
    }

    @Test func truncatedSequenceAtEndOfFragmentedMessageFailsWith1007() {
        var session = Self.newSession()
        let wire =
            TestSupport.clientFrame(.text, [0x61, 0xE2], fin: false)
            + TestSupport.clientFrame(.continuation, [0x82], fin: false) + TestSupport.clientFrame(.continuation, [])
        #expect(TestSupport.failed(session.receive(wire), with: CloseCode.invalidPayload))
    }

    @Test(
        arguments: [
            [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0x00], [0x7F],
        ] as [[UInt8]])
    func boundaryCodePointsAreValid(bytes: [UInt8]) {
        var session = Self.newSession()
        #expect(session.receive(TestSupport.clientFrame(.text, bytes)) == [.message(.text, bytes)], "\(bytes)")
    }

    @Test func longTextWithMultiByteCharactersBetweenASCIIRunsIsValid() {
        var payload: [UInt8] = []
        for index in 0..<2000 {
            payload += Array(String(repeating: "x", count: index % 17).utf8)
            payload += Array("é€𝄞".utf8)
        }
        var session = Self.newSession()
        let frame = TestSupport.clientFrame(.text, payload)
        let chunks = stride(from: 0, to: frame.count, by: 13).map { Array(frame[$0..<min(frame.count, $0 + 13)]) }
        #expect(TestSupport.feed(&session, chunks: chunks) == [.message(.text, payload)])
    }

    @Test func binaryMessagesAreNotValidated() {
        var session = Self.newSession()
        let payload: [UInt8] = [0xFF, 0xED, 0xA0, 0x80, 0xC0]
        #expect(session.receive(TestSupport.clientFrame(.binary, payload)) == [.message(.binary, payload)])
    }

    @Test func validationStateResetsBetweenMessages() {
        var session = Self.newSession()
        let first = TestSupport.clientFrame(.text, Array("é".utf8))
        let second = TestSupport.clientFrame(.text, Array("€".utf8))
        #expect(
            session.receive(first + second) == [.message(.text, Array("é".utf8)), .message(.text, Array("€".utf8))])
    }
}
