/// JSON string escaping: `"` and `\` are backslash-escaped, control characters (U+0000...U+001F) become
/// `\u00XX`, everything else (non-ASCII included) passes through as UTF-8.
enum JSONStringEscaping {
    /// Appends `"escaped text"` to `output`. Text without special characters is copied in one bulk append.
    static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        if utf8.allSatisfy({ !needsEscape($0) }) {
            output.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                appendEscaped(byte, to: &output)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// `text` as a quoted JSON string literal.
    static func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count &+ 2)
        appendQuoted(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// True for the bytes JSON does not allow raw inside a string.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Appends one byte, escaped when needed.
    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        guard needsEscape(byte) else {
            output.append(byte)
            return
        }
        output.append(UInt8(ascii: "\\"))
        if byte >= 0x20 {
            output.append(byte)
            return
        }
        let hexDigits: StaticString = "0123456789abcdef"
        output.append(contentsOf: "u00".utf8)
        hexDigits.withUTF8Buffer { digits in
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
    }
}
