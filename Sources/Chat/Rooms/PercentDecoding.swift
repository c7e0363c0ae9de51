/// Hand-rolled URL percent-decoding (no Foundation in the Chat module).
enum PercentDecoding {
    /// How to treat a `%` that is not followed by two hex digits.
    enum Mode {
        /// Reject the whole input (room names in paths: a bad escape means "not found").
        case strict
        /// Keep the bytes as they are, like the WHATWG form decoder (query values).
        case lenient
    }

    /// Decodes `%XX` escapes (and `+` as space when `plusAsSpace`) into raw bytes; nil only in `.strict` mode
    /// when an escape is malformed.
    static func decode(_ input: Substring.UTF8View, plusAsSpace: Bool, mode: Mode) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        while index != input.endIndex {
            let byte = input[index]
            input.formIndex(after: &index)
            if byte == UInt8(ascii: "+") && plusAsSpace {
                output.append(UInt8(ascii: " "))
                continue
            }
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                continue
            }
            if let decoded = escapedByte(in: input, at: index) {
                output.append(decoded)
                input.formIndex(&index, offsetBy: 2)
            } else if mode == .strict {
                return nil
            } else {
                output.append(byte)
            }
        }
        return output
    }

    /// The byte encoded by the two hex digits starting at `index`, nil when they are missing or not hex.
    private static func escapedByte(in input: Substring.UTF8View, at index: Substring.UTF8View.Index) -> UInt8? {
        guard index != input.endIndex, let high = hexValue(input[index]) else { return nil }
        let next = input.index(after: index)
        guard next != input.endIndex, let low = hexValue(input[next]) else { return nil }
        return high << 4 | low
    }

    /// The value of one ASCII hex digit, nil for any other byte.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}
