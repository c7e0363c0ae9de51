import Chat
import History
import Logging
import Reactor
import WebSocket
import WebSocketServer

/// The running daemon, as wiring only: the event loop, the listeners, the connection table, the two
/// applications (chat and echo) behind chatd's router, and the lifecycle (signals, drain, reload, sweep). Each
/// subsystem lives in its own type; this one builds them from the configuration and connects them.
public final class Server {
    let loop: EventLoop
    /// The configuration in force; a reload (SIGHUP) replaces it.
    private(set) var config: ChatdConfig
    /// The shared logger.
    let log: ServerLog
    /// Every live connection.
    let connections: ConnectionTable
    /// `/chat/ROOM`.
    let chat: ChatApplication
    /// `/echo`.
    let echo: EchoApplication
    /// Re-reads the configuration on SIGHUP; nil when running on built-in defaults.
    let reloadConfiguration: (() throws -> ChatdConfig)?
    /// Signals, drain, reload and the sweep; nil until `start()` ran.
    private(set) var lifecycle: ServerLifecycle?
    private var listeners: [ListeningSocket] = []
    private var listenerHandlers: [ListenerHandler] = []

    /// Takes systemd's listening sockets when socket-activated, else binds every configured listener (throwing a
    /// readable error when one cannot be bound). `reloadConfiguration` re-reads the config on SIGHUP.
    public convenience init(
        config: ChatdConfig, logger: Logger, reloadConfiguration: (() throws -> ChatdConfig)? = nil
    ) throws {
        try self.init(config: config, logger: logger, reloadConfiguration: reloadConfiguration, bind: true)
    }

    /// `bind: false` opens no listener (tests hand connections to `connections.adopt` themselves); `historyStore`
    /// replaces the store the configuration names (tests pass one in memory).
    init(
        config: ChatdConfig, logger: Logger, reloadConfiguration: (() throws -> ChatdConfig)?, bind: Bool,
        historyStore: (any HistoryStore)? = nil
    ) throws {
        self.config = config
        self.reloadConfiguration = reloadConfiguration
        self.log = ServerLog(logger: logger, limitHitMessageID: JournalMessageID.limitHit)
        self.loop = try EventLoop()
        self.connections = ConnectionTable(loop: loop, settings: Self.connectionSettings(for: config), log: log)
        let chatLimits = Self.chatLimits(for: config)
        let store =
            try historyStore
            ?? HistoryStoreOpener.open(
                for: config, environment: StateDirectory.processEnvironment(), logger: logger)
        self.chat = ChatApplication(
            service: ChatService(limits: chatLimits, instanceID: WallClock.instanceID(), store: store),
            connections: connections,
            maxMessageBytes: ChatApplication.maxMessageBytes(
                maxMessageBytes: config.maxMessageBytes, limits: chatLimits))
        self.echo = EchoApplication(connections: connections, maxMessageBytes: config.maxMessageBytes)
        connections.router = ChatdRouter(chat: chat, echo: echo)
        guard bind else { return }
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

    /// The addresses actually bound (useful when port 0 was configured).
    public var boundAddresses: [String] { listeners.map { $0.localAddress.description } }

    /// Serves until SIGTERM/SIGINT, then closes every client with 1001 and returns the exit status.
    public func run() throws -> Int32 {
        try start()
        log.logger.info(
            "chatd listening",
            metadata: [
                "event": "started", "listen": "\(boundAddresses.joined(separator: " "))",
                "message_id": "\(JournalMessageID.started)",
            ])
        SystemdNotifier.notify("READY=1\nSTATUS=listening on \(boundAddresses.joined(separator: " "))")
        loop.run()
        closeHistory()
        log.logger.info("chatd stopped", metadata: ["event": "stopped", "message_id": "\(JournalMessageID.stopped)"])
        ChatdLogging.sink.drain(milliseconds: 1000)
        return 0
    }

    /// Registers the listeners, signals and the sweep timer, and hooks the end of each pass: first the
    /// connections' closes and writes, then the lifecycle (log flush, stop once drained).
    func start() throws {
        for listener in listeners {
            let handler = ListenerHandler(listener: listener, table: connections)
            listenerHandlers.append(handler)
            try loop.register(listener.fd, interest: .read, handler: handler)
        }
        let lifecycle = try ServerLifecycle(server: self)
        try lifecycle.register()
        self.lifecycle = lifecycle
        if let completions = chat.service.store.completionDescriptor {
            try loop.register(
                completions, interest: .read,
                handler: CallbackHandler { [unowned self] in chat.batchesMayHaveFinished() })
        }
        loop.endOfPass = { [unowned self, unowned lifecycle] in
            chat.endOfPass()
            connections.endOfPass()
            if chat.finishBatchesInThisPass() { connections.endOfPass() }
            // Closes carried out above may have made members leave while deliveries were held: submit those too.
            while chat.hold.hasOpenActions {
                chat.endOfPass()
                connections.endOfPass()
            }
            lifecycle.endOfPass()
        }
    }

    /// Makes every submitted batch durable and closes the store (after the loop stopped).
    func closeHistory() {
        if let completions = chat.service.store.completionDescriptor { loop.unregister(completions) }
        chat.closeHistory()
        HistoryStoreOpener.logStatistics(of: chat.service.store, logger: log.logger)
    }

    /// Closes the listeners (shutdown): new connections are refused by the kernel from now on.
    func stopListening() {
        for listener in listeners { loop.unregister(listener.fd) }
        listenerHandlers.removeAll()
        listeners.removeAll()
    }

    /// Puts a new configuration in force for everything that can change without a restart.
    func apply(_ fresh: ChatdConfig) {
        config = fresh
        log.logger.logLevel = fresh.logLevel
        let chatLimits = Self.chatLimits(for: fresh)
        chat.service.limits = chatLimits
        chat.service.store.retention = fresh.historyRetention
        chat.maxMessageBytes = ChatApplication.maxMessageBytes(
            maxMessageBytes: fresh.maxMessageBytes, limits: chatLimits)
        echo.maxMessageBytes = fresh.maxMessageBytes
        connections.apply(Self.connectionSettings(for: fresh))
    }

    /// The connection layer's settings taken from a configuration. The hard outbound limit is never below one
    /// maximal message frame (an echo of the largest allowed message must fit), and the input budget never below
    /// one maximal message.
    static func connectionSettings(for config: ChatdConfig) -> ConnectionSettings {
        let hardLimit = max(config.maxOutboundBytes, config.maxMessageBytes &+ 16)
        return ConnectionSettings(
            maxConnections: config.maxConnections,
            headerLimits: HTTPParserLimits(
                maxHeaderBytes: config.maxHeaderBytes, maxHeaderCount: config.maxHeaderCount),
            handshakePolicy: HandshakePolicy(allowedOrigins: config.allowedOrigins),
            handshakeTimeoutMilliseconds: Int64(config.handshakeTimeoutMs),
            idleTimeoutMilliseconds: Int64(config.idleTimeoutMs),
            pongTimeoutMilliseconds: Int64(config.pongTimeoutMs),
            closeTimeoutMilliseconds: Int64(config.closeTimeoutMs),
            outbound: OutboundPolicy(
                hardLimitBytes: hardLimit, softLimitBytes: config.softOutboundBytes,
                softLimitMilliseconds: Int64(config.softOutboundMs)),
            inputBudgetBytes: max(config.maxBufferedInputBytes, config.maxMessageBytes))
    }

    /// The chat layer's limits taken from a configuration.
    static func chatLimits(for config: ChatdConfig) -> ChatLimits {
        ChatLimits(
            maxNameLength: config.maxNameLength, maxRooms: config.maxRooms,
            maxMembersPerRoom: config.maxMembersPerRoom, maxTextBytes: config.maxTextBytes,
            historySize: config.historySize, ratePerSecond: config.ratePerSecond, rateBurst: config.rateBurst)
    }
}
