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
    let config: ChatdConfig
    let logger: Logger
    let chat: ChatService
    let handshakePolicy: HandshakePolicy
    var stats = ServerStats()
    /// Queued bytes past which a peer is a slow consumer; never below one maximal message frame.
    let outboundLimit: Int
    /// Reused action buffer for WebSocket sessions, so a read does not allocate one.
    var actionScratch: [WebSocketAction] = []

    private var listeners: [ListeningSocket] = []
    private var listenerHandlers: [ListenerHandler] = []
    private let signals: SignalSource
    private let sweepTimer: PeriodicTimer
    private var connectionsByFD: [Connection?] = []
    private(set) var connectionCount = 0
    private var generation: UInt32 = 0
    private var pendingFlush: [Connection] = []
    private var shutdownDeadline: Int64?
    private var lastStatusAt: Int64 = 0
    private var lastStatusMessages: UInt64 = 0
    private var lastDescriptorWarningAt: Int64 = -10_000

    /// Binds every configured listener; throws a readable error when one cannot be bound.
    public init(config: ChatdConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        self.loop = try EventLoop()
        self.chat = ChatService(
            limits: ChatLimits(
                maxNameLength: config.maxNameLength, maxRooms: config.maxRooms,
                maxMembersPerRoom: config.maxMembersPerRoom, maxTextBytes: config.maxTextBytes,
                historySize: config.historySize, ratePerSecond: config.ratePerSecond, rateBurst: config.rateBurst),
            instanceID: WallClock.instanceID())
        self.outboundLimit = max(config.maxOutboundBytes, config.maxMessageBytes &+ 16)
        self.handshakePolicy = HandshakePolicy(allowedOrigins: config.allowedOrigins)
        self.signals = try SignalSource()
        self.sweepTimer = try PeriodicTimer(intervalMilliseconds: Self.sweepIntervalMilliseconds)
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
            metadata: ["event": "started", "listen": "\(boundAddresses.joined(separator: " "))"])
        SystemdNotifier.notify("READY=1\nSTATUS=listening on \(boundAddresses.joined(separator: " "))")
        loop.run()
        logger.info("chatd stopped", metadata: ["event": "stopped"])
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
                warnAboutDescriptorExhaustion()
            case .failed(let error):
                logger.debug("accept failed", metadata: ["event": "accept_failed", "reason": "\(error)"])
                return
            }
        }
    }

    /// Warns at most every ten seconds, so a flood of refused connections cannot flood the journal.
    private func warnAboutDescriptorExhaustion() {
        let now = loop.nowMilliseconds
        guard now &- lastDescriptorWarningAt >= 10_000 else { return }
        lastDescriptorWarningAt = now
        logger.warning(
            "out of file descriptors; shedding new connections",
            metadata: [
                "event": "fd_exhausted", "connections": "\(connectionCount)", "shed": "\(stats.shedConnections)",
            ])
    }

    private func adopt(_ accepted: ListeningSocket.Accepted) {
        guard connectionCount < config.maxConnections else {
            stats.shedConnections &+= 1
            SocketIO.writeBestEffort(accepted.fd, HTTPRoutes.error(.serviceUnavailable).bytes)
            SocketIO.close(accepted.fd)
            logger.debug(
                "connection limit reached", metadata: ["event": "limit", "client": "\(accepted.peer)"])
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
                connection(for: member)?.enqueue(FrameChunks.text(text))
                stats.messagesDelivered &+= 1
            case .broadcast(let text, let members):
                let frame = FrameChunks.text(text)
                for member in members {
                    connection(for: member)?.enqueue(frame)
                }
                stats.messagesDelivered &+= UInt64(members.count)
            case .disconnect(let member, let code, let reason):
                connection(for: member)?.initiateClose(code: code, reason: reason)
            }
        }
    }

    // MARK: - Output corking

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
    }

    private func reportStatus(now: Int64) {
        let elapsed = max(now &- lastStatusAt, 1)
        let delivered = stats.messagesDelivered
        let rate = (delivered &- lastStatusMessages) &* 1000 / UInt64(elapsed)
        lastStatusAt = now
        lastStatusMessages = delivered
        guard SystemdNotifier.isEnabled else { return }
        SystemdNotifier.notify(
            "STATUS=\(connectionCount) connections, \(chat.roomCount) rooms, \(rate) messages/s delivered")
    }

    private func handleSignals() {
        for signal in signals.drain() {
            switch signal {
            case SIGTERM, SIGINT:
                beginShutdown(signal: signal == SIGTERM ? "SIGTERM" : "SIGINT")
            case SIGHUP:
                logger.notice(
                    "SIGHUP received; configuration reload is not supported yet, keeping the current one",
                    metadata: ["event": "reload_ignored"])
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
        for case let connection? in connectionsByFD {
            if connection.isOpenWebSocket {
                connection.initiateClose(code: CloseCode.goingAway, reason: "server shutting down")
            } else {
                connection.abort(reason: "shutdown", detail: nil)
            }
        }
    }
}
