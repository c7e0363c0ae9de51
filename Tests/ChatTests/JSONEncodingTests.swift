import Foundation
import Testing

@testable import Chat

/// String escaping and the exact shape of every server→client event.
@Suite struct JSONEncodingTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(JSONStringEscaping.quoted("plain") == #""plain""#)
        #expect(JSONStringEscaping.quoted("a\"b\\c") == #""a\"b\\c""#)
        #expect(JSONStringEscaping.quoted("\n\r\t\u{0}\u{1F}") == #""\u000a\u000d\u0009\u0000\u001f""#)
        #expect(JSONStringEscaping.quoted("/ \u{7F} é 😀 </script>") == "\"/ \u{7F} é 😀 </script>\"")
        #expect(JSONStringEscaping.quoted("") == #""""#)
    }

    @Test func escapedStringsRoundTripThroughFoundationAndOurParser() throws {
        let nasty = "q\"\\\u{0}\u{1}\u{8}\u{C}\n\r\t\u{1F} é 中 😀 \u{2028} end"
        var writer = JSONObjectWriter()
        writer.add("s", string: nasty)
        let encoded = writer.finish()
        let parsed = try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? [String: Any]
        #expect(parsed?["s"] as? String == nasty)
        #expect(JSONObjectParser.parseObject(encoded)?["s"] == .string(nasty))
    }

    @Test func welcomeShape() {
        let text = JSONEvents.welcome(
            member: MemberID(5), name: "alice", room: "lobby", epoch: "mf3k2a-1", lastID: 41, limits: ChatLimits())
        #expect(
            text == #"{"type":"welcome","id":"5","name":"alice","room":"lobby","epoch":"mf3k2a-1","last_id":41,"#
                + #""limits":{"max_text_bytes":4000,"max_name_length":32,"rate_per_second":5,"rate_burst":10}}"#)
        let fractional = JSONEvents.welcome(
            member: MemberID(1), name: "a", room: "r", epoch: "e", lastID: 0, limits: ChatLimits(ratePerSecond: 2.5))
        #expect(fractional.contains(#""rate_per_second":2.5,"#))
    }

    @Test func messageAndHistoryShapes() {
        let message = JSONEvents.message(
            id: 41, room: "lobby", from: "bob", text: "hi", timestamp: 1_732_182_000_123, isAction: false)
        #expect(
            message
                == #"{"type":"message","id":41,"room":"lobby","from":"bob","text":"hi","ts":1732182000123,"action":false}"#
        )
        let stored = StoredMessage(
            id: 41, from: "bob", text: "hi", timestamp: 1_732_182_000_123, isAction: false, json: message)
        #expect(
            JSONEvents.history(room: "lobby", messages: [stored])
                == #"{"type":"history","room":"lobby","messages":["# + message + "]}")
        #expect(
            JSONEvents.history(room: "lobby", messages: [stored, stored])
                == #"{"type":"history","room":"lobby","messages":["# + message + "," + message + "]}")
        #expect(JSONEvents.history(room: "lobby", messages: []) == #"{"type":"history","room":"lobby","messages":[]}"#)
        let emote = JSONEvents.message(id: 1, room: "r", from: "a", text: "waves", timestamp: 0, isAction: true)
        #expect(emote.hasSuffix(#""ts":0,"action":true}"#))
    }

    @Test func gapShapes() {
        #expect(
            JSONEvents.gap(room: "lobby", after: 12, before: 40, reason: "expired")
                == #"{"type":"gap","room":"lobby","after":12,"before":40,"reason":"expired"}"#)
        #expect(
            JSONEvents.gap(room: "lobby", after: 12, before: 1, reason: "reset")
                == #"{"type":"gap","room":"lobby","after":12,"before":1,"reason":"reset"}"#)
    }

    @Test func membershipShapes() {
        #expect(
            JSONEvents.join(room: "lobby", name: "bob", timestamp: 1_732_182_000_123)
                == #"{"type":"join","room":"lobby","name":"bob","ts":1732182000123}"#)
        #expect(
            JSONEvents.leave(room: "lobby", name: "bob", timestamp: 1_732_182_000_123)
                == #"{"type":"leave","room":"lobby","name":"bob","ts":1732182000123}"#)
        #expect(
            JSONEvents.rename(room: "lobby", from: "bob", to: "robert", timestamp: 1_732_182_000_123)
                == #"{"type":"rename","room":"lobby","from":"bob","to":"robert","ts":1732182000123}"#)
        #expect(
            JSONEvents.presence(room: "lobby", members: ["alice", "bob"])
                == #"{"type":"presence","room":"lobby","members":["alice","bob"]}"#)
        #expect(
            JSONEvents.presence(room: "lobby", members: [])
                == #"{"type":"presence","room":"lobby","members":[]}"#)
    }

    @Test func errorAndPongShapes() {
        #expect(
            JSONEvents.error(ChatError(.rateLimited, "slow down: at most 5 messages per second"))
                == #"{"type":"error","code":"rate_limited","message":"slow down: at most 5 messages per second"}"#)
        #expect(JSONEvents.pong(timestamp: 1_732_182_000_123) == #"{"type":"pong","ts":1732182000123}"#)
    }

    @Test func userControlledStringsAreEscapedInEvents() throws {
        let text = JSONEvents.message(
            id: 1, room: "r", from: "a\"b", text: "x\",\"type\":\"evil\n", timestamp: 0, isAction: false)
        let object = try #require(JSONObjectParser.parseObject(text))
        #expect(object["type"] == .string("message"))
        #expect(object["from"] == .string("a\"b"))
        #expect(object["text"] == .string("x\",\"type\":\"evil\n"))
    }

    @Test func errorCodesAreTheDocumentedOnes() {
        #expect(
            ChatErrorCode.allCases.map(\.rawValue) == [
                "bad_json", "unknown_type", "missing_field", "empty_text", "text_too_long", "invalid_name",
                "name_taken", "rate_limited", "binary_unsupported",
            ])
    }
}
