/// Turns a plain-text line into a `ClientRequest`: slash commands, the seed's bare `quit`, or a chat text.
enum PlainRequestDecoder {
    /// Longest command name echoed back in the unknown-command notice.
    static let maxEchoedCommandLength = 32

    /// `/nick NAME`, `/who`, `/me ACTION`, `/quit` (or bare `quit`), `/help`; `/word` for any other word is an
    /// unknown command. Anything else (including `//text` and `/ text`) is an ordinary chat text, kept verbatim.
    /// Commands are case-insensitive and may be surrounded by whitespace.
    static func decode(_ line: String) -> ClientRequest {
        let trimmed = TextWhitespace.trimmed(line)
        if trimmed.utf8.count == 4, trimmed.lowercased() == "quit" { return .quit }
        guard trimmed.first == "/" else { return .message(text: line, isAction: false) }
        let afterSlash = trimmed.dropFirst()
        let word = afterSlash.prefix { $0.isASCII && $0.isLetter }
        let rest = afterSlash[word.endIndex...]
        guard !word.isEmpty, rest.first.map({ $0.isWhitespace }) ?? true else {
            return .message(text: line, isAction: false)
        }
        let argument = String(TextWhitespace.trimmed(String(rest)))
        switch word.lowercased() {
        case "quit": return .quit
        case "who": return .who
        case "help": return .help
        case "nick": return .rename(argument)
        case "me": return .message(text: argument, isAction: true)
        default: return .unknownCommand(String(word.prefix(maxEchoedCommandLength)))
        }
    }
}
