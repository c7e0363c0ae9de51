import ArgumentParser
import ChatServer
import Logging

/// The `chatd` command line: loads and validates the configuration, sets up logging and runs the server.
@main
struct ChatdCommand: ParsableCommand {
    /// Help text and `--version` output.
    static let configuration = CommandConfiguration(
        commandName: "chatd",
        abstract: "A single-process WebSocket chat server for Linux (epoll, RFC 6455, systemd-aware).",
        discussion: ChatdHelp.discussion,
        version: "chatd \(ChatdHelp.version)"
    )

    /// `--config FILE`.
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("TOML configuration file. Without it the built-in defaults are used.", valueName: "file")
    )
    var configPath: String?

    /// `--check-config`.
    @Flag(
        name: .customLong("check-config"),
        help: """
            Validate the configuration (file and flags), print 'config OK: FILE' and where history is kept, and exit \
            (exit status 1 on error).
            """
    )
    var checkConfig = false

    /// `--listen HOST:PORT`, repeatable.
    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Address to listen on, e.g. 127.0.0.1:8080 or [::1]:8080. Repeatable; replaces [server] listen.",
            valueName: "host:port"
        )
    )
    var listen: [String] = []

    /// `--max-message-bytes N`.
    @Option(
        name: .customLong("max-message-bytes"),
        help: ArgumentHelp("Largest WebSocket message in bytes; overrides [limits] max_message_bytes.", valueName: "n")
    )
    var maxMessageBytes: String?

    /// `--log-level LEVEL`.
    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error or critical; overrides [log] level.",
            valueName: "level"
        )
    )
    var logLevel: String?

    /// `--state-dir DIR`.
    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            """
            Directory for chatd's state (the history database, unless [history] path is absolute). Default: \
            $STATE_DIRECTORY (set by systemd), else $XDG_STATE_HOME/chatd, else ~/.local/state/chatd.
            """,
            valueName: "dir"
        )
    )
    var stateDirectory: String?

    /// Runs chatd; configuration (file or flag) and start-up problems print one line on stderr and exit with
    /// status 1.
    mutating func run() throws {
        let config = try loadConfiguration()
        if checkConfig {
            print("config OK: \(configSource.displayName)")
            print(config.historySummary(environment: StateDirectory.processEnvironment()))
            return
        }
        ChatdLogging.bootstrap(level: config.logLevel)
        let logger = Logger(label: "chatd")
        let server: Server
        do {
            let source = configSource
            server = try Server(config: config, logger: logger, reloadConfiguration: { try source.load() })
        } catch {
            throw CommandFailure.report("cannot start: \(error)")
        }
        let status: Int32
        do {
            status = try server.run()
        } catch {
            throw CommandFailure.report("fatal: \(error)")
        }
        throw ExitCode(status)
    }

    /// Where the configuration comes from: `--config` plus the override flags.
    private var configSource: ConfigSource {
        ConfigSource(
            path: configPath,
            overrides: CommandLineOverrides(
                listen: listen, maxMessageBytes: maxMessageBytes, logLevel: logLevel, stateDirectory: stateDirectory)
        )
    }

    /// The file (or the defaults) with command-line flags applied, or a reported `ConfigError`.
    private func loadConfiguration() throws -> ChatdConfig {
        do {
            return try configSource.load()
        } catch {
            throw CommandFailure.report("\(error)")
        }
    }
}
