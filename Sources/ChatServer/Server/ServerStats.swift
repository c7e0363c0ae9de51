/// Counters behind STATUS= and the logs.
struct ServerStats {
    var acceptedConnections: UInt64 = 0
    var shedConnections: UInt64 = 0
    var messagesReceived: UInt64 = 0
    var messagesDelivered: UInt64 = 0
}
