import Reactor
import WebSocket

/// Corked output: queue now, write once per pass, linger after the last byte.
extension Connection {
    /// Queues bytes of the protocol itself (handshake response, pong, close frames): they bypass the data gate,
    /// and are written at the end of the pass with everything else.
    func queueControl(_ chunk: ByteChunk) {
        guard phase != .closed && phase != .lingering else { return }
        outbound.append(chunk)
        if acceptsData { table.checkOutboundLimits(self) }
        table.scheduleFlush(self)
    }

    /// Writes queued output; watches for writability only while something is left over.
    func flush() {
        guard phase != .closed else { return }
        switch outbound.flush(to: fd) {
        case .drained:
            aboveSoftLimitSince = Int64.max
            if watchingWritable {
                watchingWritable = false
                table.loop.modify(fd, interest: .read)
            }
            if closeAfterFlush && phase != .lingering { startLingering() }
        case .wouldBlock:
            if outbound.byteCount <= table.settings.outbound.softLimitBytes { aboveSoftLimitSince = Int64.max }
            if !watchingWritable {
                watchingWritable = true
                table.loop.modify(fd, interest: [.read, .write])
            }
        case .failed(let code):
            abort(reason: "write failed", detail: SystemCallError("writev", code: code).description)
        }
    }

    /// Sends FIN and waits briefly for the peer's, so the last frame is not lost to a reset.
    func startLingering() {
        phase = .lingering
        acceptsData = false
        session = nil
        syncInputAccounting()
        SocketIO.shutdownWrite(fd)
        deadline = table.loop.nowMilliseconds &+ table.settings.closeTimeoutMilliseconds
    }

    /// The peer closed its side; an open WebSocket that did so without a close frame is logged as dropped (1006).
    func peerClosedStream() {
        if phase == .webSocket {
            table.log.logger.debug(
                "connection dropped", metadata: ["event": "drop", "client": "\(peer)", "close_code": "1006"])
        }
        finish()
    }
}
