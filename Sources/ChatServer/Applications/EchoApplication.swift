import Reactor
import WebSocket
import WebSocketServer

/// `/echo`: every message comes straight back with its type (the RFC 6455 conformance target).
final class EchoApplication: WebSocketApplication {
    /// Largest echoed message: `[limits] max_message_bytes`.
    var maxMessageBytes: Int
    private unowned let connections: ConnectionTable

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
        connections.stats.messagesDelivered &+= 1
    }

    /// Nothing to tear down.
    func connectionDeparted(_ connection: ConnectionID, announce: Bool) {}
}
