import Logging

extension ChatdConfig {
    /// This configuration with command-line flags applied on top; nil (or an empty `listen`) keeps the
    /// file's value. Flags get the same range checks as the file, reported against `--flag`.
    public func overriding(
        listen: [ListenAddress]? = nil,
        maxMessageBytes: Int? = nil,
        logLevel: Logger.Level? = nil,
        stateDirectory: String? = nil
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
        if let stateDirectory {
            guard !stateDirectory.isEmpty else {
                throw CommandLineOverrides.error("--state-dir", "must not be empty")
            }
            guard !stateDirectory.hasPrefix("~") else {
                throw CommandLineOverrides.error(
                    "--state-dir",
                    "\(ConfigTableReader.quoted(stateDirectory)) starts with ~, which is not expanded here; "
                        + "give an absolute path or one relative to the working directory"
                )
            }
            config.stateDirectory = stateDirectory
        }
        return config
    }
}
