import Glibc
import Logging
import Reactor
import Synchronization
import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// A connection table on its own event loop, with the recording applications behind `/app` and `/big`, driven one
/// pass at a time. Every connection it adopted is aborted (its descriptor closed) when the harness is released.
final class TableHarness {
    /// The loop the table's connections are registered with.
    let loop: EventLoop
    /// The table under test.
    let table: ConnectionTable
    /// The application behind `/app`.
    let app: RecordingApplication
    /// The application behind `/big`.
    let big: RecordingApplication
    /// What the table logged.
    let logs = LogRecords()
    private var adopted = 0

    /// A table with `settings`; `/app` gets `appBehaviour` and the default message limit.
    init(settings: ConnectionSettings = ConnectionSettings(), appBehaviour: RecordingApplication.Behaviour = .record)
        throws
    {
        loop = try EventLoop()
        app = RecordingApplication(behaviour: appBehaviour)
        big = RecordingApplication(maxMessageBytes: 32 << 20, behaviour: .record)
        let log = ServerLog(logger: logs.logger(), limitHitMessageID: "limit-hit-id")
        table = ConnectionTable(loop: loop, settings: settings, log: log, router: TestRouter(app: app, big: big))
        app.table = table
        big.table = table
        loop.endOfPass = { [unowned table] in table.endOfPass() }
    }

    deinit { table.abortAll(reason: "test finished") }

    /// A connected socket pair, both ends non-blocking; `serverSendBuffer` shrinks the server end's SO_SNDBUF so its
    /// output backs up into the connection's queue after a few KiB.
    static func socketPair(serverSendBuffer: Int32? = nil) throws -> (server: Int32, client: Int32) {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { throw SystemCallError("socketpair") }
        if var size = serverSendBuffer {
            setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        return (fds[0], fds[1])
    }

    /// Hands the server end of a new socket pair to the table; returns the client end.
    func connect(serverSendBuffer: Int32? = nil) throws -> TestClient {
        let pair = try Self.socketPair(serverSendBuffer: serverSendBuffer)
        adopted += 1
        guard let id = table.adopt(fd: pair.server, peer: "peer-\(adopted)") else {
            close(pair.client)
            throw SystemCallError("adopt", code: EMFILE)
        }
        return TestClient(fd: pair.client, id: id)
    }

    /// A client upgraded to `path` (the 101 response already read).
    func open(_ path: String = "/app", subprotocol: String? = nil, serverSendBuffer: Int32? = nil) throws
        -> TestClient
    {
        let client = try connect(serverSendBuffer: serverSendBuffer)
        client.send(ClientBytes.upgrade(path, subprotocol: subprotocol))
        try #require(run { client.receiveUpgrade() }, "no 101 for \(path)")
        return client
    }

    /// One loop pass without waiting.
    func pass() {
        loop.runOnce(timeoutMilliseconds: 0)
    }

    /// Runs `count` passes, each waiting at most 5 ms for readiness.
    func pass(times count: Int) {
        for _ in 0..<count { loop.runOnce(timeoutMilliseconds: 5) }
    }

    /// Sends all of `bytes` from `client`, running passes while its socket is full; false when they did not all go
    /// out within `limit` passes.
    @discardableResult
    func send(_ bytes: [UInt8], from client: TestClient, limit: Int = 4000) -> Bool {
        var offset = 0
        for _ in 0..<limit {
            offset += client.send(bytes, from: offset)
            if offset == bytes.count { return true }
            loop.runOnce(timeoutMilliseconds: 5)
        }
        return false
    }

    /// Runs passes (each waiting at most 5 ms for readiness) until `condition` holds; false when it still does not
    /// after `limit` passes. Every loop in these tests is bounded this way.
    @discardableResult
    func run(limit: Int = 400, until condition: () -> Bool) -> Bool {
        for _ in 0..<limit {
            if condition() { return true }
            loop.runOnce(timeoutMilliseconds: 5)
        }
        return condition()
    }

    /// The live connection behind `id` (internal state: phase, queue, flags).
    func connection(_ id: ConnectionID) -> Connection? {
        table.connection(for: id)
    }
}

/// Settings with small, test-friendly values; anything not named keeps chatd's default.
func testSettings(
    maxConnections: Int = 10_000, headerLimits: HTTPParserLimits = HTTPParserLimits(),
    idleTimeout: Int64 = 60_000, pongTimeout: Int64 = 20_000, closeTimeout: Int64 = 5000,
    handshakeTimeout: Int64 = 10_000, outbound: OutboundPolicy? = nil, inputBudget: Int = 128 << 20
) -> ConnectionSettings {
    ConnectionSettings(
        maxConnections: maxConnections, headerLimits: headerLimits, handshakeTimeoutMilliseconds: handshakeTimeout,
        idleTimeoutMilliseconds: idleTimeout, pongTimeoutMilliseconds: pongTimeout,
        closeTimeoutMilliseconds: closeTimeout,
        outbound: outbound
            ?? OutboundPolicy(hardLimitBytes: 8 << 20, softLimitBytes: 8 << 20, softLimitMilliseconds: 0),
        inputBudgetBytes: inputBudget)
}
