/// Who is where in the chat load: `rooms` rooms of `members` steady members each, the first `posters` of every
/// room also posting. Steady members have the client indexes `0..<steadyClients` (room `index / members`);
/// posters are numbered globally, room by room, `0..<totalPosters`.
struct ChatLayout: Equatable {
    let rooms: Int
    let members: Int
    let posters: Int

    /// Steady members in all rooms (posters included).
    var steadyClients: Int { rooms * members }
    /// Posters in all rooms.
    var totalPosters: Int { rooms * posters }

    /// The room of the steady member with client index `index`.
    func room(ofMember index: Int) -> Int { index / members }

    /// The global poster number of the steady member `index`, nil when it only listens.
    func poster(ofMember index: Int) -> Int? {
        let place = index % members
        return place < posters ? room(ofMember: index) * posters + place : nil
    }

    /// The room poster `poster` posts in.
    func room(ofPoster poster: Int) -> Int { poster / posters }

    /// The client index of poster `poster`.
    func member(ofPoster poster: Int) -> Int { room(ofPoster: poster) * members + poster % posters }

    /// The poster's place among its room's posters (`0..<posters`), for per-room order checks.
    func place(ofPoster poster: Int) -> Int { poster % posters }
}

/// When posters at a fixed rate are due: poster `p`'s `k`-th message (from 0) is due `(k + p / count) / rate`
/// seconds after the start, so the posters are spread evenly over each period instead of all sending at once.
struct PostSchedule: Equatable {
    /// Messages per second of every poster.
    let rate: Double
    /// Posters sharing the period.
    let count: Int

    /// Messages poster `poster` should have sent `elapsed` seconds after the start.
    func due(poster: Int, elapsed: Double) -> Int {
        let messages = elapsed * rate - Double(poster) / Double(max(count, 1))
        return messages < 0 ? 0 : Int(messages) + 1
    }
}
