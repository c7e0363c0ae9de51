import Reactor

/// Accepts on one listener when it becomes readable, handing every new socket to the connection table.
public final class ListenerHandler: EventHandler {
    /// The listening socket.
    public let listener: ListeningSocket
    unowned let table: ConnectionTable

    /// Binds a listener to the table that adopts its connections.
    public init(listener: ListeningSocket, table: ConnectionTable) {
        self.listener = listener
        self.table = table
    }

    /// Drains the backlog.
    public func handleEvents(_ events: ReadinessEvents) {
        table.acceptConnections(from: listener)
    }
}
