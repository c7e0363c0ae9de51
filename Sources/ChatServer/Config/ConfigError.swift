/// A configuration problem, phrased so an operator can fix it from the one line alone:
/// `config/chatd.toml:14: [limits] max_message_bytes: expected an integer, got "abc"`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config file name as given (or `command line` for flags).
    public var fileName: String
    /// 1-based line of the offending key or syntax error, when it could be found.
    public var line: Int?
    /// The setting at fault as `[table] key` (or `[table]` for a table), when there is one.
    public var key: String?
    /// What is wrong and, where possible, what would be right.
    public var message: String

    /// Creates an error; `description` is derived from the parts.
    public init(fileName: String, line: Int? = nil, key: String? = nil, message: String) {
        self.fileName = fileName
        self.line = line
        self.key = key
        self.message = message
    }

    /// `FILE[:LINE]: [KEY: ]MESSAGE`.
    public var description: String {
        var text = fileName
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + message
    }
}
