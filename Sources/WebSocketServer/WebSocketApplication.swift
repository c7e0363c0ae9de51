import WebSocket

/// What runs on top of an upgraded connection (the chat rooms, the echo service). The connection layer owns
/// sockets, sessions and queues and knows nothing of chat; an application reacts to these calls and answers
/// through `ConnectionTable.deliver` and `ConnectionTable.requestClose`. Every call comes from the loop thread.
public protocol WebSocketApplication: AnyObject {
    /// Largest message one peer may send this application; the session closes bigger ones with 1009.
    var maxMessageBytes: Int { get }

    /// The upgrade succeeded and its 101 response is queued: `connection` is open for data.
    func connectionOpened(_ connection: ConnectionID, request: HTTPRequestHead, subprotocol: String?)

    /// One complete, validated message from `connection`.
    func connection(_ connection: ConnectionID, received kind: WebSocketMessageKind, payload: [UInt8])

    /// `connection` stops taking part, once, before anything else happens to it: chatd is closing it, the peer
    /// closed it, or it was dropped. Data delivered to it from now on is discarded. `announce` is false when the
    /// whole server is stopping (nobody needs to be told that someone else left).
    func connectionDeparted(_ connection: ConnectionID, announce: Bool)
}
