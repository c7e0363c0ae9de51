import Logging

extension ChatdConfig {
    /// This configuration with command-line flags applied on top; nil (or an empty `listen`) keeps the
    /// file's value. Flags get the same range checks as the file, reported against `--flag`.
    public func overriding(
        listen: [ListenAddress]? = nil,
        maxMessageBytes: Int? = nil,
        logLevel: Logger.Level? = nil
    ) throws(ConfigError) -> ChatdConfig {
        var config = self
        if let listen, !listen.isEmpty {
            for (position, address) in listen.enumerated() where listen[..<position].contains(address) {
                throw CommandLineOverrides.error("--listen", "listen address \(address) is given twice")
            }
            config.listen = listen
        }
        if let maxMessageBytes {
            let range = ConfigSchema.maxMessageBytes
            guard range.contains(maxMessageBytes) else {
                throw CommandLineOverrides.error(
                    "--max-message-bytes",
                    "must be an integer between \(range.lowerBound) and \(range.upperBound), got \(maxMessageBytes)"
                )
            }
            config.maxMessageBytes = maxMessageBytes
        }
        if let logLevel { config.logLevel = logLevel }
        return config
    }
}
