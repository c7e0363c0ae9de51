import Chat
import Logging
import Reactor
import WebSocket

/// Corked output: queue now, write once per pass, linger after the last byte.
extension Connection {
    /// Queues bytes; they are written at the end of the loop pass (corked), once per connection.
    func enqueue(_ chunk: ByteChunk) {
        server.enqueue(chunk, on: self)
    }

    /// Frees a slow consumer's backlog and closes it with 1013 (try again later): a client that reads
    /// again learns why and can resume from history with `since=`. A peer that never reads again is
    /// dropped at the close timeout; either way only a half-written frame and the close frame stay queued.
    func closeSlowConsumer() {
        outbound.removeUnstarted()
        leaveChat()
        guard phase == .webSocket,
            let frame = session?.initiateClose(code: CloseCode.tryAgainLater, reason: "slow consumer")
        else {
            abort(reason: "slow consumer", detail: nil)
            return
        }
        outbound.append(ByteChunk(frame))
        deadline = server.loop.nowMilliseconds &+ Int64(server.config.closeTimeoutMs)
        server.scheduleFlush(self)
    }

    /// Writes queued output; watches for writability only while something is left over.
    func flush() {
        guard phase != .closed else { return }
        switch outbound.flush(to: fd) {
        case .drained:
            if watchingWritable {
                watchingWritable = false
                server.loop.modify(fd, interest: .read)
            }
            if closeAfterFlush && phase != .lingering { startLingering() }
        case .wouldBlock:
            if !watchingWritable {
                watchingWritable = true
                server.loop.modify(fd, interest: [.read, .write])
            }
        case .failed(let code):
            abort(reason: "write failed", detail: SystemCallError("writev", code: code).description)
        }
    }

    /// Sends FIN and waits briefly for the peer's, so the last frame is not lost to a reset.
    func startLingering() {
        phase = .lingering
        session = nil
        SocketIO.shutdownWrite(fd)
        deadline = server.loop.nowMilliseconds &+ Int64(server.config.closeTimeoutMs)
    }

    func peerClosedStream() {
        switch phase {
        case .webSocket:
            server.logger.debug(
                "connection dropped", metadata: ["event": "drop", "client": "\(peer)", "close_code": "1006"])
        default:
            break
        }
        finish()
    }
}
