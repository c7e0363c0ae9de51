/// Where the running configuration comes from (file path plus command-line flags), kept so the same
/// configuration can be rebuilt later, e.g. when a reload on SIGHUP is implemented.
public struct ConfigSource: Sendable, Equatable {
    /// `--config` path; nil means the built-in defaults.
    public var path: String?
    /// Flags applied on top of the file.
    public var overrides: CommandLineOverrides

    /// Creates a source from the `--config` path and the override flags.
    public init(path: String?, overrides: CommandLineOverrides = CommandLineOverrides()) {
        self.path = path
        self.overrides = overrides
    }

    /// Reads the file (or takes the defaults) and applies the flags; every problem is one `ConfigError`.
    public func load() throws(ConfigError) -> ChatdConfig {
        var base = ChatdConfig.defaults
        if let path { base = try ConfigLoader.load(path: path) }
        return try overrides.applied(to: base)
    }

    /// Names the source for messages: the path, or `built-in defaults`.
    public var displayName: String { path ?? "built-in defaults" }
}
