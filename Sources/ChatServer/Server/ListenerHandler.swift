import Reactor

/// Accepts on one listener when it becomes readable.
final class ListenerHandler: EventHandler {
    let listener: ListeningSocket
    unowned let server: Server

    /// Binds a listener to the server that adopts its connections.
    init(listener: ListeningSocket, server: Server) {
        self.listener = listener
        self.server = server
    }

    /// Drains the backlog.
    func handleEvents(_ events: ReadinessEvents) {
        server.acceptConnections(from: listener)
    }
}
