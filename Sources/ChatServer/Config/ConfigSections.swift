/// Maps each config table onto `ChatdConfig` fields, with the semantic checks for each value.
enum ConfigSections {
    /// Reads every key of `reader`'s table into `config`.
    static func apply(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        switch reader.tableName {
        case "server": try applyServer(reader, to: &config)
        case "limits": try applyLimits(reader, to: &config)
        case "timeouts": try applyTimeouts(reader, to: &config)
        case "chat": try applyChat(reader, to: &config)
        case "http": try applyHTTP(reader, to: &config)
        case "log": try applyLog(reader, to: &config)
        case "history": try applyHistory(reader, to: &config)
        default: break  // unknown tables were rejected before
        }
    }

    /// `[server] listen`: one or more unique `HOST:PORT` addresses.
    private static func applyServer(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        guard let texts = try reader.strings("listen", example: "\"127.0.0.1:8080\"") else { return }
        guard !texts.isEmpty else { throw reader.error("listen", "at least one listen address is required") }
        var addresses: [ListenAddress] = []
        for text in texts {
            let address: ListenAddress
            do {
                address = try ListenAddress(text)
            } catch {
                throw reader.error("listen", error.description)
            }
            guard !addresses.contains(address) else {
                throw reader.error("listen", "listen address \(address) is given twice")
            }
            addresses.append(address)
        }
        config.listen = addresses
    }

    /// `[limits]`: sizes and counts, each within its `ConfigSchema` range.
    private static func applyLimits(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        config.maxMessageBytes = try reader.integer(
            "max_message_bytes", in: ConfigSchema.maxMessageBytes, default: config.maxMessageBytes)
        config.maxHeaderBytes = try reader.integer(
            "max_header_bytes", in: ConfigSchema.maxHeaderBytes, default: config.maxHeaderBytes)
        config.maxHeaderCount = try reader.integer(
            "max_header_count", in: ConfigSchema.maxHeaderCount, default: config.maxHeaderCount)
        config.maxConnections = try reader.integer(
            "max_connections", in: ConfigSchema.maxConnections, default: config.maxConnections)
        config.maxOutboundBytes = try reader.integer(
            "max_outbound_bytes", in: ConfigSchema.maxOutboundBytes, default: config.maxOutboundBytes)
        config.softOutboundBytes = try reader.integer(
            "soft_outbound_bytes", in: ConfigSchema.softOutboundBytes, default: config.softOutboundBytes)
        config.softOutboundMs = try reader.milliseconds("soft_outbound_seconds", default: config.softOutboundMs)
        config.maxBufferedInputBytes = try reader.integer(
            "max_buffered_input_bytes", in: ConfigSchema.maxBufferedInputBytes, default: config.maxBufferedInputBytes)
        config.maxNameLength = try reader.integer(
            "max_name_length", in: ConfigSchema.maxNameLength, default: config.maxNameLength)
        config.maxRooms = try reader.integer("max_rooms", in: ConfigSchema.maxRooms, default: config.maxRooms)
        config.maxMembersPerRoom = try reader.integer(
            "max_members_per_room", in: ConfigSchema.maxMembersPerRoom, default: config.maxMembersPerRoom)
    }

    /// `[timeouts]`: seconds (fractions allowed) stored as milliseconds; only the shutdown drain may be 0.
    private static func applyTimeouts(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        config.handshakeTimeoutMs = try reader.milliseconds("handshake_seconds", default: config.handshakeTimeoutMs)
        config.idleTimeoutMs = try reader.milliseconds("idle_seconds", default: config.idleTimeoutMs)
        config.pongTimeoutMs = try reader.milliseconds("pong_seconds", default: config.pongTimeoutMs)
        config.closeTimeoutMs = try reader.milliseconds("close_seconds", default: config.closeTimeoutMs)
        config.shutdownDrainMs = try reader.milliseconds(
            "shutdown_drain_seconds", allowZero: true, default: config.shutdownDrainMs)
    }

    /// `[chat]`: history and the per-connection rate limit.
    private static func applyChat(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        config.historySize = try reader.integer(
            "history_size", in: ConfigSchema.historySize, default: config.historySize)
        config.maxTextBytes = try reader.integer(
            "max_text_bytes", in: ConfigSchema.maxTextBytes, default: config.maxTextBytes)
        config.ratePerSecond = try reader.number(
            "rate_per_second", in: ConfigSchema.ratePerSecond, default: config.ratePerSecond)
        config.rateBurst = try reader.integer("rate_burst", in: ConfigSchema.rateBurst, default: config.rateBurst)
    }

    /// `[http] allowed_origins`: `"*"` or `scheme://host[:port]` entries.
    private static func applyHTTP(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        guard let origins = try reader.strings("allowed_origins", example: "\"https://chat.example.com\"") else {
            return
        }
        for origin in origins {
            if let problem = OriginValidation.problem(with: origin) {
                throw reader.error("allowed_origins", problem)
            }
        }
        config.allowedOrigins = origins
    }

    /// `[log] level`: one of swift-log's level names.
    private static func applyLog(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        guard let name = try reader.string("level", example: "\"info\"") else { return }
        switch LogLevelName.parse(name) {
        case .success(let level): config.logLevel = level
        case .failure(let problem): throw reader.error("level", problem.description)
        }
    }

    /// `[history]`: the store, its file and durability, and what it keeps.
    private static func applyHistory(_ reader: ConfigTableReader, to config: inout ChatdConfig) throws(ConfigError) {
        config.historyStore = try reader.choice("store", default: config.historyStore)
        if let path = try reader.string("path", example: "\"history.sqlite3\"") {
            if let problem = StateDirectory.problem(withHistoryPath: path) { throw reader.error("path", problem) }
            config.historyPath = path
        }
        config.historySync = try reader.choice("sync", default: config.historySync)
        config.keepMessages = try reader.integer(
            "keep_messages", in: ConfigSchema.keepMessages, default: config.keepMessages)
        config.keepDays = try reader.integer("keep_days", in: ConfigSchema.keepDays, default: config.keepDays)
    }
}
