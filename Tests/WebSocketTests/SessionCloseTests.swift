import Testing
import WebSocket

/// The close handshake: peer-initiated, server-initiated, invalid close frames, and input after close.
@Suite struct SessionCloseTests {
    /// A fresh open session.
    static func newSession() -> WebSocketSession {
        WebSocketSession(limits: WebSocketLimits())
    }

    @Test(
        arguments: [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
            as [UInt16])
    func validPeerCloseCodeIsEchoed(code: UInt16) {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientClose(code: code, reason: "bye"))
        #expect(actions.count == 2)
        #expect(TestSupport.sentCloseCode(actions) == code)
        #expect(
            TestSupport.closeInfo(actions)
                == WebSocketCloseInfo(code: code, initiatedByPeer: true, reason: "peer closed"))
        #expect(session.state == .closed)
    }

    @Test func echoedCloseIsAnExactUnmaskedCloseFrame() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientClose(code: 1000))
        #expect(actions.first == .send([0x88, 0x02, 0x03, 0xE8]))
    }

    @Test func emptyCloseIsAnsweredWithEmptyClose() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientClose(payload: []))
        #expect(
            actions == [
                .send([0x88, 0x00]),
                .closeTransport(WebSocketCloseInfo(code: nil, initiatedByPeer: true, reason: "peer closed")),
            ])
    }

    @Test func maximalCloseReasonIsAccepted() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientClose(code: 1000, reason: String(repeating: "*", count: 123)))
        #expect(TestSupport.sentCloseCode(actions) == 1000)
        #expect(TestSupport.closeInfo(actions)?.initiatedByPeer == true)
    }

    @Test func closePayloadOfOneByteFailsWith1002() {
        var session = Self.newSession()
        #expect(
            TestSupport.failed(session.receive(TestSupport.clientClose(payload: [0x03])), with: CloseCode.protocolError)
        )
    }

    @Test func closeReasonTooLongForAControlFrameFailsWith1002() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientClose(code: 1000, reason: String(repeating: "*", count: 124)))
        #expect(TestSupport.failed(actions, with: CloseCode.protocolError))
    }

    @Test(arguments: [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as [UInt16])
    func invalidCloseCodeFailsWith1002(code: UInt16) {
        var session = Self.newSession()
        #expect(TestSupport.failed(session.receive(TestSupport.clientClose(code: code)), with: CloseCode.protocolError))
    }

    @Test func closeReasonWithInvalidUTF8FailsWith1007() {
        var session = Self.newSession()
        let frame = TestSupport.clientClose(payload: [
            0x03, 0xE8, 0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xED, 0xA0, 0x80,
        ])
        #expect(TestSupport.failed(session.receive(frame), with: CloseCode.invalidPayload))
    }

    @Test func closeReasonTruncatedMidCharacterFailsWith1007() {
        var session = Self.newSession()
        #expect(
            TestSupport.failed(
                session.receive(TestSupport.clientClose(payload: [0x03, 0xE8, 0xCE])), with: CloseCode.invalidPayload))
    }

    @Test func closeSplitAcrossCallsIsHandled() {
        var session = Self.newSession()
        let frame = TestSupport.clientClose(code: 1001, reason: "going")
        let actions = TestSupport.feed(&session, chunks: frame.map { [$0] })
        #expect(TestSupport.sentCloseCode(actions) == 1001)
        #expect(TestSupport.closeInfo(actions)?.code == 1001)
    }

    @Test func messageThenCloseInOneChunk() {
        var session = Self.newSession()
        let actions = session.receive(TestSupport.clientText("last words") + TestSupport.clientClose(code: 1000))
        #expect(actions.count == 3)
        #expect(actions[0] == .message(.text, Array("last words".utf8)))
        #expect(actions[1] == .send(TestSupport.serverClose(code: 1000)))
    }

    @Test func closeInsideAFragmentedMessageIsAnswered() {
        var session = Self.newSession()
        let wire =
            TestSupport.clientText("frag", fin: false) + TestSupport.clientClose(code: 1000)
            + TestSupport.clientFrame(.continuation, Array("ment".utf8))
        let actions = session.receive(wire)
        #expect(actions.count == 2)
        #expect(TestSupport.sentCloseCode(actions) == 1000)
    }

    @Test func dataAfterPeerCloseIsIgnored() {
        var session = Self.newSession()
        let wire =
            TestSupport.clientClose(code: 1000) + TestSupport.clientText("after") + TestSupport.clientFrame(.ping, [])
            + TestSupport.clientClose(code: 1000)
        #expect(session.receive(wire).count == 2)
        #expect(session.receive(TestSupport.clientText("later")) == [])
        #expect(session.receive([0xFF, 0xFF, 0xFF]) == [])
        #expect(session.initiateClose(code: 1001, reason: "x") == nil)
    }

    @Test func initiateCloseReturnsCloseFrameOnce() {
        var session = Self.newSession()
        let frame = session.initiateClose(code: CloseCode.goingAway, reason: "server shutdown")
        #expect(frame == WebSocketFrame.encodeClose(code: 1001, reason: "server shutdown"))
        #expect(session.state == .closeSent)
        #expect(session.initiateClose(code: 1000, reason: "") == nil)
    }

    @Test func peerCloseAfterInitiateCloseOnlyClosesTransport() {
        var session = Self.newSession()
        _ = session.initiateClose(code: CloseCode.policyViolation, reason: "policy")
        let actions = session.receive(TestSupport.clientClose(code: 1008))
        #expect(actions.count == 1)
        guard case .closeTransport(let info) = actions.first else {
            Issue.record("expected closeTransport, got \(actions)")
            return
        }
        #expect(info.code == CloseCode.policyViolation)
        #expect(!info.initiatedByPeer)
        #expect(session.state == .closed)
    }

    @Test func peerEmptyCloseAfterInitiateCloseOnlyClosesTransport() {
        var session = Self.newSession()
        _ = session.initiateClose(code: 1001, reason: "")
        let actions = session.receive(TestSupport.clientClose(payload: []))
        #expect(
            actions == [
                .closeTransport(
                    WebSocketCloseInfo(code: 1001, initiatedByPeer: false, reason: "close handshake completed"))
            ])
    }

    @Test func dataFramesAfterCloseSentAreDiscardedButStillParsed() {
        var session = Self.newSession()
        #expect(session.receive(TestSupport.clientText("part", fin: false)) == [])
        _ = session.initiateClose(code: 1001, reason: "bye")
        let wire =
            TestSupport.clientFrame(.continuation, Array("ial".utf8)) + TestSupport.clientText("whole")
            + TestSupport.clientFrame(.binary, [UInt8](repeating: 0, count: 70000))
            + TestSupport.clientFrame(.ping, [1])
            + TestSupport.clientClose(code: 1000)
        let actions = session.receive(wire)
        #expect(actions.count == 1)
        #expect(TestSupport.closeInfo(actions)?.code == 1001)
    }

    @Test func protocolErrorAfterCloseSentClosesWithoutSecondCloseFrame() {
        var session = Self.newSession()
        _ = session.initiateClose(code: 1001, reason: "")
        let actions = session.receive(WebSocketFrame.encode(opcode: .text, payload: Array("unmasked".utf8)))
        #expect(actions.count == 1)
        guard case .closeTransport(let info) = actions.first else {
            Issue.record("expected closeTransport")
            return
        }
        #expect(info.code == 1001)
    }

    @Test func abortClosesWithoutActions() {
        var session = Self.newSession()
        session.abort()
        #expect(session.state == .closed)
        #expect(session.receive(TestSupport.clientText("x")) == [])
    }

    @Test func failureCloseFrameCarriesShortReason() {
        var session = Self.newSession()
        let actions = session.receive(WebSocketFrame.encode(opcode: .text, payload: Array("x".utf8)))
        guard case .send(let bytes) = actions.first else {
            Issue.record("expected send")
            return
        }
        #expect(bytes.count <= 127)
        #expect(bytes[1] >= 2)
        #expect(String(decoding: bytes[4...], as: UTF8.self).contains("unmasked"))
    }
}
