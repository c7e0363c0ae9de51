/// Settings a reload (SIGHUP) cannot change: they are used once, at start-up (the listening sockets, the history
/// store and its file). A reload keeps their running values, applies everything else, and says which of them
/// changed so the operator knows a restart is needed.
extension ChatdConfig {
    /// One restart-only setting: its name for messages and whether two configurations differ in it.
    private struct RestartOnlySetting: Sendable {
        /// `[table] key` (or `--flag` for a flag-only setting).
        let name: String
        /// True when the two configurations differ in this setting.
        let differs: @Sendable (ChatdConfig, ChatdConfig) -> Bool
        /// Copies this setting from the second configuration into the first.
        let keep: @Sendable (inout ChatdConfig, ChatdConfig) -> Void
    }

    /// Every restart-only setting, in the order of `config/chatd.toml`.
    private static let restartOnlySettings: [RestartOnlySetting] = [
        setting("[server] listen", \.listen),
        setting("[history] store", \.historyStore),
        setting("[history] path", \.historyPath),
        setting("[history] sync", \.historySync),
        setting("--state-dir", \.stateDirectory),
    ]

    /// The setting stored at `key`: compared and kept through the one key path.
    private static func setting<Value: Equatable & Sendable>(
        _ name: String, _ key: WritableKeyPath<ChatdConfig, Value> & Sendable
    ) -> RestartOnlySetting {
        RestartOnlySetting(
            name: name, differs: { $0[keyPath: key] != $1[keyPath: key] }, keep: { $0[keyPath: key] = $1[keyPath: key] }
        )
    }

    /// The names (`[server] listen`, `[history] store`, `[history] path`, `[history] sync`, `--state-dir`) of the
    /// restart-only settings in which this (freshly read) configuration differs from `running`; empty when a reload
    /// can apply all of it.
    public func restartOnlyChanges(comparedTo running: ChatdConfig) -> [String] {
        Self.restartOnlySettings.filter { $0.differs(self, running) }.map(\.name)
    }

    /// This configuration with every restart-only setting taken from `running`: what a reload puts in force.
    public func keepingRestartOnlySettings(of running: ChatdConfig) -> ChatdConfig {
        var kept = self
        for setting in Self.restartOnlySettings { setting.keep(&kept, running) }
        return kept
    }
}
