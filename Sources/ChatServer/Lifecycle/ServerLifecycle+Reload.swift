import Chat
import Logging
import Reactor
import WebSocketServer

/// SIGHUP (`systemctl reload chatd`): re-read the configuration and apply what can change live (limits,
/// origins, log level, history size, rate limit, timeouts) without dropping a connection.
extension ServerLifecycle {
    /// Reloads the configuration, telling systemd RELOADING=1 first and READY=1 after; a broken file is
    /// refused with an error in the journal and the running configuration stays in force.
    func reload() {
        SystemdNotifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SocketIO.monotonicMilliseconds() &* 1000)")
        defer { SystemdNotifier.notify("READY=1\nSTATUS=\(statusLine(rate: nil))") }
        let logger = server.log.logger
        guard let reloadConfiguration = server.reloadConfiguration else {
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
        let pending = fresh.restartOnlyChanges(comparedTo: server.config)
        if !pending.isEmpty {
            logger.warning(
                "\(pending.joined(separator: ", ")) changed; new values need a restart (systemctl restart chatd)",
                metadata: [
                    "event": "reload_needs_restart", "keys": "\(pending.joined(separator: ","))",
                    "listen": "\(fresh.listen.map(\.description))",
                ])
        }
        server.apply(fresh.keepingRestartOnlySettings(of: server.config))
        server.log.logger.notice(
            "configuration reloaded",
            metadata: [
                "event": "reloaded", "message_id": "\(JournalMessageID.reloaded)",
                "connections": "\(server.connections.count)",
            ])
    }
}
