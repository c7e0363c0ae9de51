import Logging

/// Settings given as command-line flags, still as text, so their problems are reported exactly like
/// config-file problems (`command line: --listen: ...`, exit status 1) rather than as usage errors.
public struct CommandLineOverrides: Sendable, Equatable {
    /// `--listen` values in order; empty keeps the file's `[server] listen`.
    public var listen: [String]
    /// `--max-message-bytes`, nil when not given.
    public var maxMessageBytes: String?
    /// `--log-level`, nil when not given.
    public var logLevel: String?
    /// `--state-dir`, nil when not given (then the default state directory applies).
    public var stateDirectory: String?

    /// Creates overrides; every flag defaults to "not given".
    public init(
        listen: [String] = [], maxMessageBytes: String? = nil, logLevel: String? = nil, stateDirectory: String? = nil
    ) {
        self.listen = listen
        self.maxMessageBytes = maxMessageBytes
        self.logLevel = logLevel
        self.stateDirectory = stateDirectory
    }

    /// `config` with the given flags parsed, validated and applied on top.
    public func applied(to config: ChatdConfig) throws(ConfigError) -> ChatdConfig {
        var addresses: [ListenAddress] = []
        for text in listen {
            do {
                addresses.append(try ListenAddress(text))
            } catch {
                throw Self.error("--listen", error.description)
            }
        }
        var messageBytes: Int?
        if let text = maxMessageBytes {
            let range = ConfigSchema.maxMessageBytes
            guard let number = Int(text) else {
                throw Self.error(
                    "--max-message-bytes",
                    "expected an integer between \(range.lowerBound) and \(range.upperBound), got "
                        + ConfigTableReader.quoted(text)
                )
            }
            messageBytes = number
        }
        var level: Logger.Level?
        if let name = logLevel {
            switch LogLevelName.parse(name) {
            case .success(let parsed): level = parsed
            case .failure(let problem): throw Self.error("--log-level", problem.description)
            }
        }
        return try config.overriding(
            listen: addresses, maxMessageBytes: messageBytes, logLevel: level, stateDirectory: stateDirectory)
    }

    /// An error attributed to one flag.
    static func error(_ flag: String, _ message: String) -> ConfigError {
        ConfigError(fileName: "command line", key: flag, message: message)
    }
}
