import Testing

@testable import Chat

/// The strict client JSON parser.
@Suite struct JSONObjectParserTests {
    @Test func parsesFlatObjectsWithEveryScalarType() throws {
        let object = try #require(
            JSONObjectParser.parseObject(#" { "s" : "x", "n": -12.5e+3, "t": true, "f": false, "z": null } "#))
        #expect(object["s"] == .string("x"))
        #expect(object["n"] == .number("-12.5e+3"))
        #expect(object["t"] == .bool(true))
        #expect(object["f"] == .bool(false))
        #expect(object["z"] == .null)
        #expect(object.count == 5)
        #expect(JSONObjectParser.parseObject("{}")?.isEmpty == true)
        #expect(JSONObjectParser.parseObject("\t\r\n{ }\n")?.isEmpty == true)
    }

    @Test func nestedValuesAreValidatedAndSkipped() throws {
        let object = try #require(
            JSONObjectParser.parseObject(#"{"a":{"b":[1,{"c":"d"},[],{}],"e":null},"type":"who","x":[]}"#))
        #expect(object["a"] == .nested)
        #expect(object["x"] == .nested)
        #expect(object["type"] == .string("who"))
    }

    @Test(arguments: [
        "", " ", "[]", "\"x\"", "1", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}",
        "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}",
        "{\"a\":tru}", "{\"a\":True}", "{\"a\":nul}", "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}", "{\"a\":1}x", "{\"a\":1}{}", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":{\"b\"}}",
        "{\"a\":{\"b\":1,}}", "{\"a\":[}", "{\"a\":{]}", "{\"a\":NaN}", "{\"a\":\"tab\there\"}",
        "{\"a\":\"nl\nhere\"}", "{\"a\":1,\"a\":2}", "\u{FEFF}{}", "{\"a\":Infinity}", "{\"a\":[[[]]}",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(JSONObjectParser.parseObject(text) == nil)
    }

    @Test func resolvesEveryEscape() throws {
        let object = try #require(
            JSONObjectParser.parseObject(#"{"s":"q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u4e2d \u0000"}"#))
        #expect(object["s"] == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t Aé中 \u{0}"))
    }

    @Test func combinesSurrogatePairs() throws {
        let object = try #require(JSONObjectParser.parseObject(#"{"s":"\uD83D\uDE00!","t":"\ud83d\ude00"}"#))
        #expect(object["s"] == .string("😀!"))
        #expect(object["t"] == .string("😀"))
    }

    @Test(arguments: [
        #"{"s":"\uD83D"}"#, #"{"s":"\uDE00"}"#, #"{"s":"\uD83Dx"}"#, #"{"s":"\uD83D\u0041"}"#,
        #"{"s":"\uD83D\uD83D"}"#, #"{"s":"\uDE00\uD83D"}"#, #"{"s":"\uD83D\n"}"#,
    ])
    func rejectsLoneSurrogates(text: String) {
        #expect(JSONObjectParser.parseObject(text) == nil)
    }

    @Test func keepsRawUnicodeAndKeysWithEscapes() throws {
        let object = try #require(JSONObjectParser.parseObject(#"{"t\u0079pe":"héllo 👍🏽 中文"}"#))
        #expect(object["type"] == .string("héllo 👍🏽 中文"))
    }

    @Test(arguments: ["0", "-0", "1", "-1", "123456789012345678901234567890", "1.5", "1e10", "1E-10", "-0.0e0"])
    func acceptsValidNumbers(number: String) {
        #expect(JSONObjectParser.parseObject("{\"n\":\(number)}")?["n"] == .number(number))
    }

    @Test func deepNestingIsRejectedWithoutRecursion() {
        let depth = JSONObjectParser.maxNestingDepth
        let ok = "{\"a\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(JSONObjectParser.parseObject(ok)?["a"] == .nested)
        let deep = String(repeating: "[", count: 100_000)
        #expect(JSONObjectParser.parseObject("{\"a\":" + deep + "}") == nil)
        #expect(JSONObjectParser.parseObject("{\"a\":" + String(repeating: "{\"a\":", count: 50_000) + "}") == nil)
    }

    @Test func hugeInputsParseInLinearTime() throws {
        let text = String(repeating: "abc\\n\\u00e9", count: 100_000)
        let object = try #require(JSONObjectParser.parseObject("{\"type\":\"message\",\"text\":\"\(text)\"}"))
        guard case .string(let decoded) = object["text"] else {
            Issue.record("text missing")
            return
        }
        #expect(decoded.utf8.count == 100_000 * 6)
        let manyKeys = "{" + (0..<20_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        #expect(JSONObjectParser.parseObject(manyKeys)?.count == 20_000)
        #expect(JSONObjectParser.parseObject("{\"a\":\"" + String(repeating: "x", count: 1 << 20)) == nil)
    }

    @Test func neverTrapsOnTruncationsAndMutations() {
        let valid = #"{"type":"message","text":"h\u00e9\uD83D\uDE00 \"x\"","n":[1,{"a":-2.5e3}],"b":true,"z":null}"#
        let bytes = Array(valid.utf8)
        for end in 0...bytes.count {
            let prefix = String(decoding: bytes[..<end], as: UTF8.self)
            #expect((JSONObjectParser.parseObject(prefix) != nil) == (end == bytes.count))
        }
        // Deterministic pseudo-random byte mutations: must return (anything) without trapping.
        var state: UInt64 = 0x1234_5678_9ABC_DEF0
        let alphabet = Array("{}[]\",:\\u0123456789abcdefEe.-+ tnrfl\u{0}\n".utf8)
        for _ in 0..<5000 {
            var mutated = bytes
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let position = Int((state >> 33) % UInt64(mutated.count))
                let replacement = alphabet[Int((state >> 13) % UInt64(alphabet.count))]
                mutated[position] = replacement
            }
            _ = JSONObjectParser.parseObject(String(decoding: mutated, as: UTF8.self))
        }
    }
}
