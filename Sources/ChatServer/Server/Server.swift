import Chat
import Glibc
import Logging
import Reactor
import WebSocket

/// The running daemon: owns the event loop, listeners, signals, the sweep timer, every connection
/// and the chat rooms, and carries out the chat layer's actions (encode once, queue to many).
public final class Server {
    /// How often the sweep timer checks deadlines.
    static let sweepIntervalMilliseconds = 250

    let loop: EventLoop
    /// The configuration in force; a reload (SIGHUP) replaces it.
    var config: ChatdConfig
    /// The logger; a reload may change its level.
    var logger: Logger
    let chat: ChatService
    var handshakePolicy: HandshakePolicy
    var stats = ServerStats()
    /// Queued bytes past which a peer is a slow consumer; never below one maximal message frame.
    var outboundLimit: Int
    /// Reused action buffer for WebSocket sessions, so a read does not allocate one.
    var actionScratch: [WebSocketAction] = []

    private var listeners: [ListeningSocket] = []
    private var listenerHandlers: [ListenerHandler] = []
    private let signals: SignalSource
    private let sweepTimer: PeriodicTimer
    private var connectionsByFD: [Connection?] = []
    private(set) var connectionCount = 0
    private var generation: UInt32 = 0
    /// Connections with output queued in this pass. Unchecked exclusivity for the same reason as
    /// `Connection.outbound`: appended to once per delivery, never accessed reentrantly.
    @exclusivity(unchecked) private var pendingFlush: [Connection] = []
    private var shutdownDeadline: Int64?
    private var lastStatusAt: Int64 = 0
    private var lastStatusMessages: UInt64 = 0
    private var lastStatusRate: UInt64 = 0
    let reloadConfiguration: (() throws -> ChatdConfig)?
    private var watchdog = Watchdog.fromEnvironment()
    private var limitLog = LogThrottle(intervalMilliseconds: 10_000)
    private var activity: ActivitySummary

    /// Takes systemd's listening sockets when socket-activated, else binds every configured listener (throwing a
    /// readable error when one cannot be bound). `reloadConfiguration` re-reads the config on SIGHUP.
    public init(
        config: ChatdConfig, logger: Logger, reloadConfiguration: (() throws -> ChatdConfig)? = nil
    ) throws {
        self.reloadConfiguration = reloadConfiguration
        self.config = config
        self.logger = logger
        self.loop = try EventLoop()
        self.chat = ChatService(limits: Self.chatLimits(for: config), instanceID: WallClock.instanceID())
        self.outboundLimit = Self.outboundLimit(for: config)
        self.handshakePolicy = HandshakePolicy(allowedOrigins: config.allowedOrigins)
        self.signals = try SignalSource()
        self.sweepTimer = try PeriodicTimer(intervalMilliseconds: Self.sweepIntervalMilliseconds)
        self.activity = ActivitySummary(now: loop.nowMilliseconds)
        let inherited = SocketActivation.inheritedSockets()
        if !inherited.isEmpty {
            listeners = inherited.map { ListeningSocket(adopting: $0.fd) }
            logger.info(
                "using listening sockets from systemd; [server] listen is ignored",
                metadata: [
                    "event": "socket_activation", "sockets": "\(inherited.map(\.name).joined(separator: " "))",
                ])
            return
        }
        for address in config.listen {
            guard let socketAddress = SocketAddress(host: address.host, port: address.port) else {
                throw ServerStartError(message: "cannot listen on \(address): not a numeric IPv4 or IPv6 address")
            }
            do {
                listeners.append(try ListeningSocket(address: socketAddress))
            } catch {
                throw ServerStartError(message: "cannot listen on \(address): \(error)")
            }
        }
    }

    /// True once a stop signal arrived: new WebSockets are closed with 1001 right after their handshake.
    var isShuttingDown: Bool { shutdownDeadline != nil }

    /// The addresses actually bound (useful when port 0 was configured).
    public var boundAddresses: [String] { listeners.map { $0.localAddress.description } }

    /// Serves until SIGTERM/SIGINT, then closes every client with 1001 and returns the exit status.
    public func run() throws -> Int32 {
        for listener in listeners {
            let handler = ListenerHandler(listener: listener, server: self)
            listenerHandlers.append(handler)
            try loop.register(listener.fd, interest: .read, handler: handler)
        }
        try loop.register(signals.fd, interest: .read, handler: CallbackHandler { [unowned self] in handleSignals() })
        try loop.register(sweepTimer.fd, interest: .read, handler: CallbackHandler { [unowned self] in sweep() })
        loop.endOfPass = { [unowned self] in endOfPass() }

        logger.info(
            "chatd listening",
            metadata: [
                "event": "started", "listen": "\(boundAddresses.joined(separator: " "))",
                "message_id": "\(JournalMessageID.started)",
            ])
        SystemdNotifier.notify("READY=1\nSTATUS=listening on \(boundAddresses.joined(separator: " "))")
        loop.run()
        logger.info("chatd stopped", metadata: ["event": "stopped", "message_id": "\(JournalMessageID.stopped)"])
        return 0
    }

    // MARK: - Accepting

    /// Takes every pending connection off a listener's backlog.
    func acceptConnections(from listener: ListeningSocket) {
        while shutdownDeadline == nil {
            switch listener.acceptOne() {
            case .accepted(let accepted):
                adopt(accepted)
            case .empty:
                return
            case .shedForLackOfDescriptors:
                stats.shedConnections &+= 1
                logLimitHit(
                    "fd_exhausted", "out of file descriptors; shedding new connections",
                    metadata: ["connections": "\(connectionCount)"])
            case .failed(let error):
                logger.debug("accept failed", metadata: ["event": "accept_failed", "reason": "\(error)"])
                return
            }
        }
    }

    /// Logs a client-facing limit at warning level, at most once per kind every ten seconds, so a flood that
    /// hits a limit cannot flood the journal; the line says how many were held back.
    func logLimitHit(_ kind: String, _ message: String, metadata: Logger.Metadata = [:]) {
        guard let heldBack = limitLog.admit(kind, now: loop.nowMilliseconds) else { return }
        var fields = metadata
        fields["event"] = "\(kind)"
        fields["message_id"] = "\(JournalMessageID.limitHit)"
        fields["held_back"] = "\(heldBack)"
        logger.warning("\(message)", metadata: fields)
    }

    private func adopt(_ accepted: ListeningSocket.Accepted) {
        guard connectionCount < config.maxConnections else {
            stats.shedConnections &+= 1
            SocketIO.writeBestEffort(accepted.fd, HTTPRoutes.error(.serviceUnavailable).bytes)
            SocketIO.close(accepted.fd)
            logLimitHit(
                "connection_limit", "connection limit reached; refusing new connections with 503",
                metadata: ["client": "\(accepted.peer)", "connections": "\(connectionCount)"])
            return
        }
        generation &+= 1
        let id = MemberID(UInt64(generation) << 32 | UInt64(UInt32(bitPattern: accepted.fd)))
        let connection = Connection(fd: accepted.fd, id: id, peer: accepted.peer.description, server: self)
        do {
            try loop.register(accepted.fd, interest: .read, handler: connection)
        } catch {
            SocketIO.close(accepted.fd)
            return
        }
        let index = Int(accepted.fd)
        if index >= connectionsByFD.count {
            connectionsByFD.append(contentsOf: repeatElement(nil, count: index + 1 - connectionsByFD.count))
        }
        connectionsByFD[index] = connection
        connectionCount += 1
        stats.acceptedConnections &+= 1
        logger.debug("connection accepted", metadata: ["event": "connect", "client": "\(connection.peer)"])
    }

    /// Forgets a connection whose descriptor was just closed.
    func connectionClosed(_ connection: Connection) {
        let index = Int(connection.fd)
        guard index < connectionsByFD.count, connectionsByFD[index] === connection else { return }
        connectionsByFD[index] = nil
        connectionCount -= 1
    }

    /// The live connection for a chat member, if it is still connected.
    func connection(for member: MemberID) -> Connection? {
        let index = Int(member.rawValue & 0xFFFF_FFFF)
        guard index < connectionsByFD.count, let connection = connectionsByFD[index], connection.id == member else {
            return nil
        }
        return connection
    }

    // MARK: - Chat actions

    /// Carries out what the chat layer decided: a broadcast frame is encoded once and shared.
    func perform(_ actions: [ChatAction]) {
        for action in actions {
            switch action {
            case .send(let text, let member):
                if let connection = connection(for: member) { enqueue(FrameChunks.text(text), on: connection) }
                stats.messagesDelivered &+= 1
            case .broadcast(let text, let members):
                let frame = FrameChunks.text(text)
                for member in members {
                    if let connection = connection(for: member) { enqueue(frame, on: connection) }
                }
                stats.messagesDelivered &+= UInt64(members.count)
            case .disconnect(let member, let code, let reason):
                connection(for: member)?.initiateClose(code: code, reason: reason)
            }
        }
    }

    // MARK: - Output corking

    /// Queues bytes on a connection; they are written at the end of the loop pass (corked), once per connection.
    /// Lives on the server so a broadcast loop reaches the limit and the flush list without going through each
    /// connection's unowned back reference.
    func enqueue(_ chunk: ByteChunk, on connection: Connection) {
        guard connection.phase != .closed && connection.phase != .lingering else { return }
        connection.outbound.append(chunk)
        if connection.outbound.byteCount > outboundLimit {
            logLimitHit(
                "slow_consumer", "slow consumer disconnected (outbound queue over max_outbound_bytes)",
                metadata: ["client": "\(connection.peer)", "queued": "\(connection.outbound.byteCount)"])
            connection.closeSlowConsumer()
            return
        }
        scheduleFlush(connection)
    }

    /// Puts a connection on the end-of-pass flush list (once per pass).
    func scheduleFlush(_ connection: Connection) {
        guard !connection.isQueuedForFlush else { return }
        connection.isQueuedForFlush = true
        pendingFlush.append(connection)
    }

    private func endOfPass() {
        if !pendingFlush.isEmpty {
            let batch = pendingFlush
            pendingFlush.removeAll(keepingCapacity: true)
            for connection in batch {
                connection.isQueuedForFlush = false
                connection.flush()
            }
        }
        if shutdownDeadline != nil && connectionCount == 0 { loop.stop() }
    }

    // MARK: - Timers and signals

    private func sweep() {
        sweepTimer.acknowledge()
        let now = loop.nowMilliseconds
        for case let connection? in connectionsByFD {
            connection.checkDeadlines(now: now)
        }
        if let deadline = shutdownDeadline, now >= deadline {
            logger.info(
                "shutdown drain time over", metadata: ["event": "drain_timeout", "connections": "\(connectionCount)"])
            for case let connection? in connectionsByFD {
                connection.abort(reason: "shutdown", detail: nil)
            }
            loop.stop()
        }
        if now &- lastStatusAt >= 5000 {
            reportStatus(now: now)
        }
        if watchdog?.pingIsDue(now: now) == true {
            SystemdNotifier.notify("WATCHDOG=1")
        }
        if let summary = activity.due(now: now, stats: stats, connections: connectionCount, rooms: chat.roomCount) {
            logger.info("\(summary)", metadata: ["event": "summary"])
        }
    }

    private func reportStatus(now: Int64) {
        let elapsed = max(now &- lastStatusAt, 1)
        let delivered = stats.messagesDelivered
        let rate = (delivered &- lastStatusMessages) &* 1000 / UInt64(elapsed)
        lastStatusAt = now
        lastStatusMessages = delivered
        lastStatusRate = rate
        guard SystemdNotifier.isEnabled else { return }
        SystemdNotifier.notify("STATUS=\(statusLine(rate: rate))")
    }

    /// The one-line summary systemd shows in `systemctl status chatd`.
    func statusLine(rate: UInt64?) -> String {
        "\(connectionCount) connections, \(chat.roomCount) rooms, \(rate ?? lastStatusRate) messages/s delivered"
    }

    private func handleSignals() {
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

    /// Stops accepting, sends close 1001 to every client, and lets the loop end once they answered.
    private func beginShutdown(signal: String) {
        guard shutdownDeadline == nil else {
            logger.notice("second stop signal; exiting now", metadata: ["event": "stop_forced"])
            loop.stop()
            return
        }
        SystemdNotifier.notify("STOPPING=1\nSTATUS=closing \(connectionCount) connections")
        logger.info(
            "stopping: closing clients",
            metadata: ["event": "stopping", "signal": "\(signal)", "connections": "\(connectionCount)"])
        shutdownDeadline = loop.nowMilliseconds &+ Int64(config.shutdownDrainMs)
        for listener in listeners { loop.unregister(listener.fd) }
        listenerHandlers.removeAll()
        listeners.removeAll()
        // Open WebSockets get close 1001. Connections still in their HTTP request are left to finish it (bounded by
        // the drain time): a socket-activated restart must not drop a client that was mid-handshake.
        for case let connection? in connectionsByFD where connection.isOpenWebSocket {
            connection.initiateClose(code: CloseCode.goingAway, reason: "server shutting down")
        }
    }
}
