import Logging

/// Everything an operator can tune, with the built-in defaults. Values are validated by `ConfigLoader`
/// (and by `overriding(...)` for command-line flags), so the server can use them without further checks.
public struct ChatdConfig: Sendable, Equatable {
    /// Addresses to listen on. `[server] listen`.
    public var listen: [ListenAddress]
    /// Largest WebSocket message accepted, in bytes; larger ones are closed with 1009. `[limits] max_message_bytes`.
    public var maxMessageBytes: Int
    /// Largest HTTP request head accepted, in bytes. `[limits] max_header_bytes`.
    public var maxHeaderBytes: Int
    /// Largest number of HTTP request header fields accepted. `[limits] max_header_count`.
    public var maxHeaderCount: Int
    /// Simultaneous connections; more are refused. `[limits] max_connections`.
    public var maxConnections: Int
    /// Bytes queued for one slow peer before it is disconnected. `[limits] max_outbound_bytes`.
    public var maxOutboundBytes: Int
    /// Queued bytes one peer may exceed only for `softOutboundMs`. `[limits] soft_outbound_bytes`.
    public var softOutboundBytes: Int
    /// How long a peer's queue may stay above `softOutboundBytes`. `[limits] soft_outbound_seconds`.
    public var softOutboundMs: Int
    /// Bytes of partly received messages all connections together may hold. `[limits] max_buffered_input_bytes`.
    public var maxBufferedInputBytes: Int
    /// Longest chat name, in characters. `[limits] max_name_length`.
    public var maxNameLength: Int
    /// Number of rooms that may exist at once. `[limits] max_rooms`.
    public var maxRooms: Int
    /// Members one room may hold. `[limits] max_members_per_room`.
    public var maxMembersPerRoom: Int
    /// Time allowed to complete the HTTP upgrade. `[timeouts] handshake_seconds`.
    public var handshakeTimeoutMs: Int
    /// Silence after which the server pings. `[timeouts] idle_seconds`.
    public var idleTimeoutMs: Int
    /// Time after a ping before a silent peer is closed. `[timeouts] pong_seconds`.
    public var pongTimeoutMs: Int
    /// Time to wait for the peer's close reply. `[timeouts] close_seconds`.
    public var closeTimeoutMs: Int
    /// Time to wait for close replies on shutdown (SIGTERM). `[timeouts] shutdown_drain_seconds`.
    public var shutdownDrainMs: Int
    /// Chat messages each room keeps for joiners and reconnects. `[chat] history_size`.
    public var historySize: Int
    /// Longest chat text in UTF-8 bytes. `[chat] max_text_bytes`.
    public var maxTextBytes: Int
    /// Token-bucket refill per connection, in chat actions per second. `[chat] rate_per_second`.
    public var ratePerSecond: Double
    /// Token-bucket capacity per connection (a burst allowed after silence). `[chat] rate_burst`.
    public var rateBurst: Int
    /// Browser origins allowed to open WebSockets besides same-host ones; `"*"` allows all. `[http] allowed_origins`.
    public var allowedOrigins: [String]
    /// Least severe level written to the log. `[log] level`.
    public var logLevel: Logger.Level
    /// Where room history is kept beyond the in-memory tail. `[history] store`; needs a restart to change.
    public var historyStore: HistoryStoreKind
    /// The SQLite database file as written in the config (relative paths are relative to the state directory);
    /// nil means `history.sqlite3` in the state directory. See `resolvedHistoryPath(environment:)`.
    /// `[history] path`; needs a restart to change.
    public var historyPath: String?
    /// SQLite's `synchronous` setting for the history database. `[history] sync`; needs a restart to change.
    public var historySync: HistorySync
    /// Messages the store keeps per room (the in-memory tail is `historySize`). `[history] keep_messages`.
    public var keepMessages: Int
    /// Days the store keeps a message; 0 means no age limit. `[history] keep_days`.
    public var keepDays: Int
    /// The state directory given with `--state-dir`; nil means the default (see `resolvedStateDirectory`).
    /// Only a command-line flag, never read from the file.
    public var stateDirectory: String?

    /// Creates a configuration; every parameter defaults to the built-in value.
    public init(
        listen: [ListenAddress] = [ListenAddress(host: "127.0.0.1", port: 8080)],
        maxMessageBytes: Int = 1 << 20,
        maxHeaderBytes: Int = 8192,
        maxHeaderCount: Int = 64,
        maxConnections: Int = 10_000,
        maxOutboundBytes: Int = 8 << 20,
        softOutboundBytes: Int = 1 << 20,
        softOutboundMs: Int = 30_000,
        maxBufferedInputBytes: Int = 128 << 20,
        maxNameLength: Int = 32,
        maxRooms: Int = 1000,
        maxMembersPerRoom: Int = 10_000,
        handshakeTimeoutMs: Int = 10_000,
        idleTimeoutMs: Int = 60_000,
        pongTimeoutMs: Int = 20_000,
        closeTimeoutMs: Int = 5000,
        shutdownDrainMs: Int = 2000,
        historySize: Int = 100,
        maxTextBytes: Int = 4000,
        ratePerSecond: Double = 5,
        rateBurst: Int = 10,
        allowedOrigins: [String] = [],
        logLevel: Logger.Level = .info,
        historyStore: HistoryStoreKind = .sqlite,
        historyPath: String? = nil,
        historySync: HistorySync = .normal,
        keepMessages: Int = 10_000,
        keepDays: Int = 0,
        stateDirectory: String? = nil
    ) {
        self.listen = listen
        self.maxMessageBytes = maxMessageBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxConnections = maxConnections
        self.maxOutboundBytes = maxOutboundBytes
        self.softOutboundBytes = softOutboundBytes
        self.softOutboundMs = softOutboundMs
        self.maxBufferedInputBytes = maxBufferedInputBytes
        self.maxNameLength = maxNameLength
        self.maxRooms = maxRooms
        self.maxMembersPerRoom = maxMembersPerRoom
        self.handshakeTimeoutMs = handshakeTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.pongTimeoutMs = pongTimeoutMs
        self.closeTimeoutMs = closeTimeoutMs
        self.shutdownDrainMs = shutdownDrainMs
        self.historySize = historySize
        self.maxTextBytes = maxTextBytes
        self.ratePerSecond = ratePerSecond
        self.rateBurst = rateBurst
        self.allowedOrigins = allowedOrigins
        self.logLevel = logLevel
        self.historyStore = historyStore
        self.historyPath = historyPath
        self.historySync = historySync
        self.keepMessages = keepMessages
        self.keepDays = keepDays
        self.stateDirectory = stateDirectory
    }

    /// The built-in configuration used when no file is given; `config/chatd.toml` spells out the same values.
    public static let defaults = ChatdConfig()
}
