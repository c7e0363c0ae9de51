/// Builds one JSON object as UTF-8 bytes, members in call order. Keys are trusted ASCII literals; every string
/// value is escaped by `JSONStringEscaping`.
struct JSONObjectWriter {
    /// The encoded bytes so far.
    private var output: [UInt8] = []
    /// True until the first member is written (no comma before it).
    private var isEmpty = true

    /// Starts an object, reserving room for `capacity` bytes.
    init(capacity: Int = 128) {
        output.reserveCapacity(capacity)
        output.append(UInt8(ascii: "{"))
    }

    /// Adds `"key":"escaped value"`.
    mutating func add(_ key: StaticString, string value: String) {
        writeKey(key)
        JSONStringEscaping.appendQuoted(value, to: &output)
    }

    /// Adds `"key":123`.
    mutating func add(_ key: StaticString, integer value: Int64) {
        writeKey(key)
        output.append(contentsOf: String(value).utf8)
    }

    /// Adds `"key":123` for an unsigned value (message ids).
    mutating func add(_ key: StaticString, unsigned value: UInt64) {
        writeKey(key)
        output.append(contentsOf: String(value).utf8)
    }

    /// Adds `"key":5` or `"key":2.5`; non-finite numbers (not representable in JSON) become 0.
    mutating func add(_ key: StaticString, number value: Double) {
        writeKey(key)
        guard value.isFinite else {
            output.append(UInt8(ascii: "0"))
            return
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            output.append(contentsOf: String(Int64(value)).utf8)
        } else {
            output.append(contentsOf: String(value).utf8)
        }
    }

    /// Adds `"key":true` or `"key":false`.
    mutating func add(_ key: StaticString, bool value: Bool) {
        writeKey(key)
        output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Adds `"key":["a","b"]` with each string escaped.
    mutating func add(_ key: StaticString, strings values: [String]) {
        writeKey(key)
        output.append(UInt8(ascii: "["))
        for (position, value) in values.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            JSONStringEscaping.appendQuoted(value, to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// Adds `"key":[e1,e2]` where each element is already-encoded JSON (stored history messages).
    mutating func add(_ key: StaticString, encodedElements elements: [String]) {
        writeKey(key)
        output.append(UInt8(ascii: "["))
        for (position, element) in elements.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: element.utf8)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// Adds `"key":{...}` from an already-finished nested writer.
    mutating func add(_ key: StaticString, object: JSONObjectWriter) {
        writeKey(key)
        output.append(contentsOf: object.output)
        output.append(UInt8(ascii: "}"))
    }

    /// Closes the object and returns it as text.
    func finish() -> String {
        var bytes = output
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the separating comma (when needed) and `"key":`.
    private mutating func writeKey(_ key: StaticString) {
        if isEmpty {
            isEmpty = false
        } else {
            output.append(UInt8(ascii: ","))
        }
        output.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }
}
