/// One client WebSocket of the load generator: its socket, handshake progress and unsent bytes.
final class ClientConnection {
    /// Where the connection is in its life.
    enum Phase { case connecting, handshaking, open, closed }

    let fd: Int32
    /// The scenario's index for this client (member number, publisher number, ...).
    let index: Int
    var phase: Phase = .connecting
    /// True once the handshake completed (stays true after the connection ends).
    var everOpened = false
    /// Set by scenarios whose client must not read (the stalled reader).
    var reading = true
    /// When the connect started (ns), for handshake and round-trip latencies.
    let startedAt: UInt64
    /// When the upgrade request was written (ns; 0 until then), for join latencies.
    var requestSentAt: UInt64 = 0
    /// The HTTP request to send once the TCP connect completes.
    var request: [UInt8]
    /// Response bytes until the end of the HTTP head.
    var responseHead: [UInt8] = []
    var scanner = ServerFrameScanner()
    /// Bytes queued but not yet accepted by the kernel, from `outboundOffset` on.
    var outbound: [UInt8] = []
    var outboundOffset = 0
    /// True while the poller also watches for writability.
    var watchingWritable = false
    /// Every byte read from the socket (frames and HTTP head).
    var bytesRead = 0
    /// The code of the close frame the server sent, if any.
    var closeCode: UInt16?
    /// A per-scenario counter (messages seen, own messages back, ...).
    var received = 0
    /// The next sequence number this client sends.
    var sent = 0
    /// The highest sequence number seen per publisher, for order and duplicate checks (room modes).
    var lastSequence: [Int32] = []

    init(fd: Int32, index: Int, request: [UInt8], startedAt: UInt64) {
        self.fd = fd
        self.index = index
        self.request = request
        self.startedAt = startedAt
    }

    /// Unsent bytes are waiting for the socket.
    var hasPendingOutput: Bool { outboundOffset < outbound.count }
}
