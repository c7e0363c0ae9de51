import Glibc
import History
import Logging
import Reactor
import Synchronization
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// The whole chat server without a listener: `Server(bind: false)` started (signalfd, sweep timer, end-of-pass
/// hook), with connections handed to it over socket pairs and the loop driven one pass at a time. Signals are never
/// raised: tests call the lifecycle's `beginShutdown`, `reload` and `sweep(now:)` themselves. Every connection is
/// aborted (its descriptor closed) when the harness is released.
final class ServerHarness {
    /// The server under test.
    let server: Server
    /// Its lifecycle (present once `start()` ran).
    let lifecycle: ServerLifecycle
    /// What the server logged.
    let logs: LogRecords
    private var adopted = 0

    /// A started server with `config`; `reload` is what SIGHUP would re-read. History lives in `historyStore`
    /// (in memory unless a test passes another; the configured store is never opened).
    init(
        config: ChatdConfig = chatConfig(), reload: (() throws -> ChatdConfig)? = nil,
        historyStore: any HistoryStore = MemoryHistoryStore()
    ) throws {
        let logs = LogRecords()
        self.logs = logs
        server = try Server(
            config: config, logger: logs.logger(), reloadConfiguration: reload, bind: false,
            historyStore: historyStore)
        try server.start()
        lifecycle = try #require(server.lifecycle)
    }

    deinit { server.connections.abortAll(reason: "test finished") }

    /// The connection table.
    var connections: ConnectionTable { server.connections }

    /// Hands the server end of a new socket pair to the server; returns the client end. `serverSendBuffer` shrinks
    /// the server end's SO_SNDBUF so output backs up into the connection's queue.
    func connect(serverSendBuffer: Int32? = nil) throws -> TestClient {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { throw SystemCallError("socketpair") }
        if var size = serverSendBuffer {
            setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        adopted += 1
        guard let id = connections.adopt(fd: fds[0], peer: "peer-\(adopted)") else {
            close(fds[1])
            throw SystemCallError("adopt", code: EMFILE)
        }
        return TestClient(fd: fds[1], id: id)
    }

    /// A client upgraded to `path` (its 101 response read).
    func open(_ path: String, subprotocol: String? = nil, serverSendBuffer: Int32? = nil) throws -> TestClient {
        let client = try connect(serverSendBuffer: serverSendBuffer)
        client.send(ClientBytes.upgrade(path, subprotocol: subprotocol))
        try #require(run { client.receiveUpgrade() }, "no 101 for \(path)")
        return client
    }

    /// A plain-text member of `room` named `name`, its welcome line read.
    func join(_ room: String, as name: String, serverSendBuffer: Int32? = nil) throws -> TestClient {
        let client = try open("/chat/\(room)?name=\(name)", serverSendBuffer: serverSendBuffer)
        try #require(run { client.receive() >= 0 && client.texts.contains { $0.hasPrefix("Welcome, \(name)!") } })
        return client
    }

    /// One loop pass without waiting.
    func pass() {
        server.loop.runOnce(timeoutMilliseconds: 0)
    }

    /// Runs passes (each waiting at most 5 ms) until `condition` holds; false when it still does not after `limit`.
    @discardableResult
    func run(limit: Int = 400, until condition: () -> Bool) -> Bool {
        for _ in 0..<limit {
            if condition() { return true }
            server.loop.runOnce(timeoutMilliseconds: 5)
        }
        return condition()
    }

    /// Sends all of `bytes` from `client`, running passes while its socket is full.
    @discardableResult
    func send(_ bytes: [UInt8], from client: TestClient, limit: Int = 4000) -> Bool {
        var offset = 0
        for _ in 0..<limit {
            offset += client.send(bytes, from: offset)
            if offset == bytes.count { return true }
            server.loop.runOnce(timeoutMilliseconds: 5)
        }
        return false
    }
}

/// A configuration for tests: the rate limit lifted (tests send in bursts), the soft outbound limit off and long
/// timeouts (the real sweep timer runs during tests; deadlines are driven with `sweep(now:)`), the rest as given.
func chatConfig(
    maxMessageBytes: Int = 1 << 20, maxHeaderBytes: Int = 8192, maxOutboundBytes: Int = 8 << 20,
    maxTextBytes: Int = 4000, idleTimeoutMs: Int = 600_000, pongTimeoutMs: Int = 600_000,
    closeTimeoutMs: Int = 600_000, shutdownDrainMs: Int = 600_000, logLevel: Logger.Level = .trace
) -> ChatdConfig {
    var config = ChatdConfig(
        maxMessageBytes: maxMessageBytes, maxHeaderBytes: maxHeaderBytes, maxOutboundBytes: maxOutboundBytes,
        softOutboundBytes: Int.max, softOutboundMs: 600_000, handshakeTimeoutMs: 600_000, idleTimeoutMs: idleTimeoutMs,
        pongTimeoutMs: pongTimeoutMs, closeTimeoutMs: closeTimeoutMs, shutdownDrainMs: shutdownDrainMs,
        maxTextBytes: maxTextBytes, ratePerSecond: 1_000_000, rateBurst: 1_000_000, logLevel: logLevel)
    config.historyStore = .memory
    return config
}
