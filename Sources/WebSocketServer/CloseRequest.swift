/// A close chatd decided on during a pass, carried out at the end of it: never inside a broadcast, so a
/// broadcast that trips a thousand slow consumers marks a thousand connections and nests nothing.
struct CloseRequest {
    /// The connection to close.
    let connection: Connection
    /// The WebSocket close code.
    let code: UInt16
    /// The close reason (truncated to fit a close frame).
    let reason: String
    /// Whether the application tells the others that this peer left.
    let announce: Bool
    /// Drop every queued frame not yet started (a slow consumer's backlog) before the close frame.
    let dropBacklog: Bool
}
