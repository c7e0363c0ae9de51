import Reactor
import WebSocket
import WebSocketServer

/// `/echo`: every message comes straight back with its type (the RFC 6455 conformance target).
final class EchoApplication: WebSocketApplication {
    /// Largest echoed message: `[limits] max_message_bytes`.
    var maxMessageBytes: Int
    /// The table, which outlives the application (the server owns both). `unowned(unsafe)`: reached once per
    /// message or delivery, where a checked unowned reference costs a retain and a release each time.
    private unowned(unsafe) let connections: ConnectionTable

    /// Echoes through `connections`.
    init(connections: ConnectionTable, maxMessageBytes: Int) {
        self.connections = connections
        self.maxMessageBytes = maxMessageBytes
    }

    /// Nothing to set up.
    func connectionOpened(_ connection: ConnectionID, request: HTTPRequestHead, subprotocol: String?) {}

    /// Sends the message back as one frame of the same type.
    func connection(_ connection: ConnectionID, received kind: WebSocketMessageKind, payload: [UInt8]) {
        connections.deliver(FrameChunks.frame(kind == .text ? .text : .binary, bytes: payload), to: connection)
    }

    /// Nothing to tear down.
    func connectionDeparted(_ connection: ConnectionID, announce: Bool) {}
}
