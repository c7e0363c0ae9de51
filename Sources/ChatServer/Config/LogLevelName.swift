import Logging

/// Parses log level names (`[log] level`, `--log-level`) with a helpful error for near misses.
public enum LogLevelName {
    /// The accepted names, least to most severe.
    public static let all: [String] = Logger.Level.allCases.map(\.rawValue)

    /// The level named `text` (case-insensitive), or an explanation listing the valid names.
    public static func parse(_ text: String) -> Result<Logger.Level, LogLevelNameError> {
        if let level = Logger.Level(rawValue: text.lowercased()) { return .success(level) }
        let aliases = ["warn": "warning", "err": "error", "crit": "critical", "fatal": "critical"]
        let suggestion = aliases[text.lowercased()] ?? NameSuggestion.closest(to: text, among: all)
        return .failure(LogLevelNameError(name: text, suggestion: suggestion))
    }
}

/// An unknown log level name.
public struct LogLevelNameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name that was given.
    public var name: String
    /// The valid name it most resembles, if any.
    public var suggestion: String?

    /// `unknown log level "warn" (did you mean warning?); expected one of trace, debug, ...`.
    public var description: String {
        let hint = suggestion.map { " (did you mean \($0)?)" } ?? ""
        return "unknown log level \(ConfigTableReader.quoted(name))\(hint); expected one of "
            + LogLevelName.all.joined(separator: ", ")
    }
}
