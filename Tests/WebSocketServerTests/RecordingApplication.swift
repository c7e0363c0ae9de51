import Reactor
import WebSocket

@testable import WebSocketServer

/// A WebSocket application for tests: records every call the connection layer makes, and either echoes each
/// message to its sender or broadcasts it to every member (one shared chunk, like chat). It can be careless on
/// purpose: with `deliversToDeparted` it keeps delivering to every connection it ever saw, so only the table's
/// gate stands between a closing connection and more data. It measures how deeply its callbacks nest.
final class RecordingApplication: WebSocketApplication {
    /// What a received message causes.
    enum Behaviour {
        /// Nothing but the record.
        case record
        /// The message goes back to its sender.
        case echo
        /// The message goes to every member, the sender included.
        case broadcast
    }

    /// One `connectionDeparted` call.
    struct Departure: Equatable {
        /// The connection that left.
        let id: ConnectionID
        /// Whether the others were to be told.
        let announce: Bool
    }

    /// The limit the session enforces for this application.
    var maxMessageBytes: Int
    /// What a received message causes.
    var behaviour: Behaviour
    /// Deliver to every connection ever opened, departed ones included (the gate must drop those).
    var deliversToDeparted = false
    /// On an announced departure, broadcast `left <raw id>` to the members (like chat's leave line).
    var announcesDepartures = false
    /// The table to answer through; set once the table exists.
    weak var table: ConnectionTable?

    /// Every connection opened, in order.
    private(set) var opened: [ConnectionID] = []
    /// The subprotocol each open chose.
    private(set) var subprotocols: [String?] = []
    /// Every message received, in order.
    private(set) var received: [(id: ConnectionID, kind: WebSocketMessageKind, payload: [UInt8])] = []
    /// Every departure, in order.
    private(set) var departures: [Departure] = []
    /// Connections opened and not departed.
    private(set) var members: [ConnectionID] = []
    /// The deepest nesting of this application's callbacks seen (1 = never re-entered).
    private(set) var maxDepth = 0
    private var depth = 0

    /// An application with this message limit and behaviour.
    init(maxMessageBytes: Int = 1 << 20, behaviour: Behaviour = .record) {
        self.maxMessageBytes = maxMessageBytes
        self.behaviour = behaviour
    }

    /// The payloads received from `id`, as text.
    func texts(from id: ConnectionID) -> [String] {
        received.filter { $0.id == id }.map { String(decoding: $0.payload, as: UTF8.self) }
    }

    /// How often `id` departed.
    func departureCount(of id: ConnectionID) -> Int {
        departures.filter { $0.id == id }.count
    }

    func connectionOpened(_ connection: ConnectionID, request: HTTPRequestHead, subprotocol: String?) {
        enter()
        defer { leave() }
        opened.append(connection)
        subprotocols.append(subprotocol)
        members.append(connection)
    }

    func connection(_ connection: ConnectionID, received kind: WebSocketMessageKind, payload: [UInt8]) {
        enter()
        defer { leave() }
        received.append((connection, kind, payload))
        let chunk = FrameChunks.frame(kind == .text ? .text : .binary, bytes: payload)
        switch behaviour {
        case .record:
            break
        case .echo:
            table?.deliver(chunk, to: connection)
        case .broadcast:
            deliverToAll(chunk)
        }
    }

    func connectionDeparted(_ connection: ConnectionID, announce: Bool) {
        enter()
        defer { leave() }
        departures.append(Departure(id: connection, announce: announce))
        members.removeAll { $0 == connection }
        if announce && announcesDepartures {
            deliverToAll(FrameChunks.text("left \(connection.rawValue)"))
        }
    }

    /// Delivers `chunk` to the members (or, when careless, to every connection ever opened).
    func deliverToAll(_ chunk: ByteChunk) {
        for id in deliversToDeparted ? opened : members {
            table?.deliver(chunk, to: id)
        }
    }

    private func enter() {
        depth += 1
        maxDepth = max(maxDepth, depth)
    }

    private func leave() {
        depth -= 1
    }
}

/// Routes `/app` upgrades to the recording application and `/big` to a second one (its own message limit);
/// answers a plain `GET /plain` with 200 `hello`, everything else with 404.
final class TestRouter: RequestRouter {
    /// The application behind `/app`.
    let app: RecordingApplication
    /// The application behind `/big`.
    let big: RecordingApplication
    /// The body of `/plain`.
    static let plainBody = "hello\n"

    /// Routes to these applications.
    init(app: RecordingApplication, big: RecordingApplication) {
        self.app = app
        self.big = big
    }

    func response(to request: HTTPRequestHead) -> HTTPReply {
        guard request.path == "/plain" else { return .error(.notFound) }
        let bytes = HTTPResponse.encode(
            status: .ok, headers: [("Content-Type", "text/plain")], body: Array(Self.plainBody.utf8), close: true)
        return HTTPReply(status: .ok, bytes: bytes)
    }

    func application(forUpgrade request: HTTPRequestHead) -> (any WebSocketApplication)? {
        switch request.path {
        case "/app": return app
        case "/big": return big
        default: return nil
        }
    }
}
