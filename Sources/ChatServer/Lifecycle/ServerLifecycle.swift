import Chat
import Glibc
import Logging
import Reactor
import WebSocketServer

/// The daemon's life around the connections: stop signals and the drain that follows, reload on SIGHUP, the
/// sweep timer (deadlines, status, watchdog, the minute summary). Everything systemd sees of chatd goes
/// through here.
final class ServerLifecycle {
    /// How often the sweep timer checks deadlines.
    static let sweepIntervalMilliseconds = 250
    /// How often `STATUS=` is refreshed.
    static let statusIntervalMilliseconds: Int64 = 5000

    unowned let server: Server
    let signals: SignalSource
    let sweepTimer: PeriodicTimer
    /// When the drain after a stop signal ends (nil while serving).
    private(set) var shutdownDeadline: Int64?
    private var lastStatusAt: Int64 = 0
    private var lastStatusMessages: UInt64 = 0
    private var lastStatusRate: UInt64 = 0
    private var watchdog = Watchdog.fromEnvironment()
    private var activity: ActivitySummary

    /// Opens the signalfd and the sweep timer for `server`.
    init(server: Server) throws {
        self.server = server
        self.signals = try SignalSource()
        self.sweepTimer = try PeriodicTimer(intervalMilliseconds: Self.sweepIntervalMilliseconds)
        self.activity = ActivitySummary(now: server.loop.nowMilliseconds)
    }

    /// Registers the signal and timer descriptors with the loop.
    func register() throws {
        try server.loop.register(
            signals.fd, interest: .read, handler: CallbackHandler { [unowned self] in handleSignals() })
        try server.loop.register(
            sweepTimer.fd, interest: .read,
            handler: CallbackHandler { [unowned self] in
                sweepTimer.acknowledge()
                sweep(now: server.loop.nowMilliseconds)
            })
    }

    /// After the connections' end of pass: stops the loop once a shutdown has drained every connection.
    func endOfPass() {
        ChatdLogging.sink.flushPending()
        if shutdownDeadline != nil && server.connections.count == 0 { server.loop.stop() }
    }

    // MARK: - Signals

    /// Reacts to every pending signal: TERM and INT stop, HUP reloads.
    func handleSignals() {
        for signal in signals.drain() {
            switch signal {
            case SIGTERM, SIGINT:
                beginShutdown(signal: signal == SIGTERM ? "SIGTERM" : "SIGINT")
            case SIGHUP:
                reload()
            default:
                break
            }
        }
    }

    /// Stops accepting and closes every client with 1001 (members leave silently: O(N)); the loop ends once they
    /// answered or the drain time is over. A second stop signal exits at once.
    func beginShutdown(signal: String) {
        let log = server.log
        guard shutdownDeadline == nil else {
            log.logger.notice("second stop signal; exiting now", metadata: ["event": "stop_forced"])
            server.loop.stop()
            return
        }
        let count = server.connections.count
        SystemdNotifier.notify("STOPPING=1\nSTATUS=closing \(count) connections")
        log.logger.info(
            "stopping: closing clients",
            metadata: ["event": "stopping", "signal": "\(signal)", "connections": "\(count)"])
        shutdownDeadline = server.loop.nowMilliseconds &+ Int64(server.config.shutdownDrainMs)
        server.stopListening()
        server.chat.settleHeldActions()
        server.connections.beginShutdown()
    }

    // MARK: - Sweep

    /// Deadlines of every connection, the drain deadline, `STATUS=`, the watchdog and the minute summary.
    func sweep(now: Int64) {
        let connections = server.connections
        connections.sweep(now: now)
        if let deadline = shutdownDeadline, now >= deadline {
            server.log.logger.info(
                "shutdown drain time over", metadata: ["event": "drain_timeout", "connections": "\(connections.count)"])
            connections.abortAll(reason: "shutdown")
            server.loop.stop()
        }
        server.chat.historyReport.observe(server.chat.service.store.health, now: now)
        if now &- lastStatusAt >= Self.statusIntervalMilliseconds {
            reportStatus(now: now)
        }
        if watchdog?.pingIsDue(now: now) == true {
            SystemdNotifier.notify("WATCHDOG=1")
        }
        let roomCount = server.chat.service.roomCount
        if let summary = activity.due(
            now: now, stats: connections.stats, connections: connections.count, rooms: roomCount)
        {
            server.log.logger.info("\(summary)", metadata: ["event": "summary"])
        }
    }

    /// Sends `STATUS=` with the delivery rate since the last report.
    private func reportStatus(now: Int64) {
        let elapsed = max(now &- lastStatusAt, 1)
        let delivered = server.connections.stats.messagesDelivered
        let rate = (delivered &- lastStatusMessages) &* 1000 / UInt64(elapsed)
        lastStatusAt = now
        lastStatusMessages = delivered
        lastStatusRate = rate
        guard SystemdNotifier.isEnabled else { return }
        SystemdNotifier.notify("STATUS=\(statusLine(rate: rate))")
    }

    /// The one-line summary systemd shows in `systemctl status chatd`; lost log lines are mentioned once any were.
    func statusLine(rate: UInt64?) -> String {
        let connections = server.connections
        var line =
            "\(connections.count) connections, \(server.chat.service.roomCount) rooms, "
            + "\(rate ?? lastStatusRate) messages/s delivered"
        let dropped = ChatdLogging.sink.totalDropped
        if dropped > 0 { line += ", \(dropped) log lines dropped" }
        if let degraded = server.chat.historyReport.degradedSummary { line += ", degraded: \(degraded)" }
        return line
    }
}
