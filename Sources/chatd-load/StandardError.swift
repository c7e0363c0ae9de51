import Glibc

/// Writes one line to standard error.
func printError(_ text: String) {
    var stream = StandardErrorStream()
    print("chatd-load: " + text, to: &stream)
}

/// Standard error as an unbuffered text stream for `print(_:to:)`, so errors interleave correctly with stdout.
struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
