import Reactor
import WebSocket

/// Deadlines checked by the sweep timer: handshake, idle ping, close reply, linger, and the soft outbound limit.
extension Connection {
    /// Called by the sweep: enforces the deadline of the current phase.
    func checkDeadlines(now: Int64) {
        switch phase {
        case .http:
            if now >= deadline { abort(reason: "handshake timeout", detail: nil) }
        case .webSocket:
            if now >= deadline {
                abort(reason: "close timeout", detail: nil)
            } else if acceptsData {
                checkIdle(now: now)
                if aboveSoftLimitSince != Int64.max { table.checkOutboundLimits(self, now: now) }
            }
        case .lingering:
            if now >= deadline { finish() }
        case .closed:
            break
        }
    }

    /// Pings a silent peer, and asks for a close when it stays silent past the pong timeout.
    func checkIdle(now: Int64) {
        let settings = table.settings
        if pingSentAt != Int64.max {
            if now &- pingSentAt >= settings.pongTimeoutMilliseconds {
                table.requestClose(self, code: CloseCode.goingAway, reason: "idle timeout")
            }
        } else if now &- lastHeard >= settings.idleTimeoutMilliseconds {
            pingSentAt = now
            queueControl(FrameChunks.frame(.ping, bytes: []))
        }
    }
}
