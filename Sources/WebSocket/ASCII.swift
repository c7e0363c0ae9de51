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
        // Most comparisons are header-name lookups against names of another length: O(1) for native strings.
        guard lhs.utf8.count == rhs.utf8.count else { return false }
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

    /// For an all-ASCII comma-separated `list`: whether an element, trimmed of spaces and tabs, equals `token`
    /// ignoring ASCII case. Nil when `list` has a non-ASCII byte (the caller then splits at Characters). Scans
    /// the bytes in place: no substrings, no Character iteration.
    static func asciiListContainsToken(_ list: String, _ token: String) -> Bool? {
        var list = list
        var token = token
        return list.withUTF8 { bytes -> Bool? in
            token.withUTF8 { wanted -> Bool? in
                var found = false
                var start = 0
                while start <= bytes.count {
                    var end = start
                    while end < bytes.count && bytes[end] != UInt8(ascii: ",") {
                        if bytes[end] >= 0x80 { return nil }
                        end &+= 1
                    }
                    var from = start
                    var upTo = end
                    while from < upTo && (bytes[from] == space || bytes[from] == tab) { from &+= 1 }
                    while upTo > from && (bytes[upTo &- 1] == space || bytes[upTo &- 1] == tab) { upTo &-= 1 }
                    if !found && !wanted.isEmpty && upTo &- from == wanted.count {
                        found = (0..<wanted.count).allSatisfy { lowered(bytes[from &+ $0]) == lowered(wanted[$0]) }
                    }
                    start = end &+ 1
                }
                return found
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
