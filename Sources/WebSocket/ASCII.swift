/// Small byte-level helpers for HTTP parsing without Foundation.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// RFC 9110 `tchar`: the characters allowed in methods and header names.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Lowercases ASCII letters only (header names and tokens are ASCII-case-insensitive).
    static func lowercased(_ string: String) -> String {
        var bytes = Array(string.utf8)
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A {
            bytes[index] |= 0x20
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ASCII case-insensitive equality, used for header names, tokens and origins.
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case (let leftByte?, let rightByte?):
                if lowered(leftByte) != lowered(rightByte) { return false }
            default:
                return false
            }
        }
    }

    /// Trims spaces and horizontal tabs (HTTP optional whitespace) from both ends.
    static func trimmingWhitespace(_ string: Substring) -> Substring {
        var result = string
        while let first = result.utf8.first, first == space || first == tab {
            result = result.dropFirst()
        }
        while let last = result.utf8.last, last == space || last == tab {
            result = result.dropLast()
        }
        return result
    }

    /// Lowercases one ASCII letter byte.
    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
