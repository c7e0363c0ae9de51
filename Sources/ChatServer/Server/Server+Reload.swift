import Chat
import Glibc
import Logging
import Reactor
import WebSocket

/// SIGHUP (`systemctl reload chatd`): re-read the configuration and apply what can change live
/// (limits, origins, log level, history size, rate limit, timeouts) without dropping a connection.
extension Server {
    /// Reloads the configuration, telling systemd RELOADING=1 first and READY=1 after; a broken file is
    /// refused with an error in the journal and the running configuration stays in force.
    func reload() {
        SystemdNotifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SocketIO.monotonicMilliseconds() &* 1000)")
        defer { SystemdNotifier.notify("READY=1\nSTATUS=\(statusLine(rate: nil))") }
        guard let reloadConfiguration else {
            logger.notice(
                "SIGHUP received but chatd runs on built-in defaults; nothing to reload",
                metadata: ["event": "reload_skipped"])
            return
        }
        let fresh: ChatdConfig
        do {
            fresh = try reloadConfiguration()
        } catch {
            logger.error(
                "configuration reload refused, the running configuration stays in force: \(error)",
                metadata: [
                    "event": "config_error", "reason": "\(error)",
                    "message_id": "\(JournalMessageID.configError)",
                ])
            return
        }
        apply(fresh)
    }

    /// Puts `fresh` in force for everything that can change without a restart.
    private func apply(_ fresh: ChatdConfig) {
        var next = fresh
        if fresh.listen != config.listen {
            logger.warning(
                "[server] listen changed; new listen addresses need a restart (systemctl restart chatd)",
                metadata: ["event": "reload_needs_restart", "listen": "\(fresh.listen.map(\.description))"])
            next.listen = config.listen
        }
        config = next
        logger.logLevel = next.logLevel
        handshakePolicy = HandshakePolicy(allowedOrigins: next.allowedOrigins)
        outboundLimit = Self.outboundLimit(for: next)
        chat.limits = Self.chatLimits(for: next)
        logger.notice(
            "configuration reloaded",
            metadata: [
                "event": "reloaded", "message_id": "\(JournalMessageID.reloaded)",
                "connections": "\(connectionCount)",
            ])
    }

    /// Queued bytes past which a peer is a slow consumer: the configured cap, but never below one maximal
    /// message frame (an echo of the largest allowed message must fit).
    static func outboundLimit(for config: ChatdConfig) -> Int {
        max(config.maxOutboundBytes, config.maxMessageBytes &+ 16)
    }

    /// The chat layer's limits taken from a configuration.
    static func chatLimits(for config: ChatdConfig) -> ChatLimits {
        ChatLimits(
            maxNameLength: config.maxNameLength, maxRooms: config.maxRooms,
            maxMembersPerRoom: config.maxMembersPerRoom, maxTextBytes: config.maxTextBytes,
            historySize: config.historySize, ratePerSecond: config.ratePerSecond, rateBurst: config.rateBurst)
    }
}
