/// One way to show untrusted or odd text on a single line, shared by log lines and config error messages.
enum TextEscaping {
    /// `text` with backslashes and control characters escaped (`\n`, `\t`, `\u{1b}`), keeping it on one line.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) else {
            return text
        }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// `text` escaped as above and wrapped in double quotes, with its own quotes escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in escaped(text).unicodeScalars {
            if scalar == "\"" { result += "\\" }
            result.unicodeScalars.append(scalar)
        }
        return result + "\""
    }
}
