/// A strict, non-recursive RFC 8259 parser for the flat JSON objects clients send. Returns nil for anything that
/// is not exactly one valid JSON object (duplicate keys included); never traps, linear time, bounded nesting.
struct JSONObjectParser {
    /// Deepest nesting accepted inside a skipped value, so hostile input cannot make skipping expensive.
    static let maxNestingDepth = 32

    /// The UTF-8 source text.
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Read position in `bytes`.
    private var index = 0

    /// Parses `text` as one JSON object whose member values are scalars or skipped containers.
    static func parseObject(_ text: String) -> [String: JSONValue]? {
        var text = text
        return text.withUTF8 { buffer in
            var parser = JSONObjectParser(bytes: buffer)
            return parser.parseTopLevelObject()
        }
    }

    /// Starts reading at the first byte of `bytes`.
    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The byte at the read position, nil at the end.
    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    /// Consumes `byte` when it is next; false otherwise.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index &+= 1
        return true
    }

    /// Skips JSON whitespace (space, tab, LF, CR).
    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            index &+= 1
        }
    }

    /// `{ "key": value, ... }` followed by nothing but whitespace.
    private mutating func parseTopLevelObject() -> [String: JSONValue]? {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return nil }
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if !consume(UInt8(ascii: "}")) {
            while true {
                guard let key = parseMemberName() else { return nil }
                skipWhitespace()
                guard let value = parseValue(), object.updateValue(value, forKey: key) == nil else { return nil }
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipWhitespace()
        return index == bytes.count ? object : nil
    }

    /// A member name and its colon: `"key" :`.
    private mutating func parseMemberName() -> String? {
        skipWhitespace()
        guard let key = parseString() else { return nil }
        skipWhitespace()
        return consume(UInt8(ascii: ":")) ? key : nil
    }

    /// Any value; containers are validated and reported as `.nested`.
    private mutating func parseValue() -> JSONValue? {
        switch peek() {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return skipContainer() ? .nested : nil
        default:
            return parseScalar()
        }
    }

    /// A string, number, `true`, `false` or `null`.
    private mutating func parseScalar() -> JSONValue? {
        guard let byte = peek() else { return nil }
        switch byte {
        case UInt8(ascii: "\""): return parseString().map { .string($0) }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return parseNumber().map { .number($0) }
        case UInt8(ascii: "t"): return parseLiteral("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return parseLiteral("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return parseLiteral("null") ? .null : nil
        default: return nil
        }
    }

    /// Consumes exactly `literal`.
    private mutating func parseLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count &- index >= count else { return false }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index &+ $0] == expected[$0] }
        }
        if matches { index &+= count }
        return matches
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as its source text.
    private mutating func parseNumber() -> String? {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if !consume(UInt8(ascii: "0")) {
            guard skipDigits() else { return nil }
        }
        if consume(UInt8(ascii: ".")) {
            guard skipDigits() else { return nil }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard skipDigits() else { return nil }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// Skips one or more ASCII digits; false when there is none.
    private mutating func skipDigits() -> Bool {
        let start = index
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            index &+= 1
        }
        return index != start
    }

    /// A quoted string with escapes resolved. Raw control characters and lone surrogate escapes are rejected.
    private mutating func parseString() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var output: [UInt8] = []
        while true {
            let runStart = index
            while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 {
                index &+= 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            guard let byte = peek() else { return nil }
            index &+= 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard appendEscape(to: &output) else { return nil }
            default:
                return nil  // raw control character
            }
        }
    }

    /// Resolves the escape after a backslash into `output`.
    private mutating func appendEscape(to output: inout [UInt8]) -> Bool {
        guard let byte = peek() else { return false }
        index &+= 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            guard let scalar = parseUnicodeEscape() else { return false }
            UTF8.encode(scalar) { output.append($0) }
        default: return false
        }
        return true
    }

    /// The scalar of `XXXX` after `\u` (a surrogate pair takes a second `\uXXXX`); nil for lone surrogates.
    private mutating func parseUnicodeEscape() -> Unicode.Scalar? {
        guard let unit = parseHex4() else { return nil }
        switch unit {
        case 0xD800...0xDBFF:
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = parseHex4(),
                (0xDC00...0xDFFF).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 &+ ((unit &- 0xD800) << 10) &+ (low &- 0xDC00))
        case 0xDC00...0xDFFF:
            return nil
        default:
            return Unicode.Scalar(unit)
        }
    }

    /// Four hex digits as a number.
    private mutating func parseHex4() -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = JSONObjectParser.hexValue(byte) else { return nil }
            value = value << 4 | digit
            index &+= 1
        }
        return value
    }

    /// The value of one ASCII hex digit.
    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// Validates one object or array starting at the read position without recursion, using an explicit stack
    /// bounded by `maxNestingDepth`.
    private mutating func skipContainer() -> Bool {
        var openers: [UInt8] = []
        var expectingValue = true
        while true {
            skipWhitespace()
            if expectingValue {
                guard let byte = peek() else { return false }
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    guard openers.count < JSONObjectParser.maxNestingDepth else { return false }
                    index &+= 1
                    openers.append(byte)
                    skipWhitespace()
                    if consume(JSONObjectParser.closer(for: byte)) {
                        openers.removeLast()
                        if openers.isEmpty { return true }
                        expectingValue = false
                    } else if byte == UInt8(ascii: "{") {
                        guard parseMemberName() != nil else { return false }
                    }
                    continue
                }
                guard parseScalar() != nil else { return false }
                expectingValue = false
                continue
            }
            guard let opener = openers.last else { return false }
            if consume(UInt8(ascii: ",")) {
                if opener == UInt8(ascii: "{") {
                    guard parseMemberName() != nil else { return false }
                }
                expectingValue = true
            } else if consume(JSONObjectParser.closer(for: opener)) {
                openers.removeLast()
                if openers.isEmpty { return true }
            } else {
                return false
            }
        }
    }

    /// `}` for `{`, `]` for `[`.
    private static func closer(for opener: UInt8) -> UInt8 {
        opener == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
    }
}
