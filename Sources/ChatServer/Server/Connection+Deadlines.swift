import Chat
import Logging
import Reactor
import WebSocket

/// Deadlines checked by the sweep timer: handshake, idle ping, close reply, linger.
extension Connection {
    /// Called by the sweep timer: enforces handshake, idle, close and linger deadlines.
    func checkDeadlines(now: Int64) {
        switch phase {
        case .http:
            if now >= deadline { abort(reason: "handshake timeout", detail: nil) }
        case .webSocket:
            if now >= deadline {
                abort(reason: "close timeout", detail: nil)
            } else if deadline == Int64.max {
                checkIdle(now: now)
            }
        case .lingering:
            if now >= deadline { finish() }
        case .closed:
            break
        }
    }

    func checkIdle(now: Int64) {
        if let sentAt = pingSentAt {
            if now &- sentAt >= Int64(server.config.pongTimeoutMs) {
                initiateClose(code: CloseCode.goingAway, reason: "idle timeout")
            }
        } else if now &- lastHeard >= Int64(server.config.idleTimeoutMs) {
            pingSentAt = now
            enqueue(FrameChunks.frame(.ping, bytes: []))
        }
    }
}
