import Glibc
import Synchronization

/// The bounded buffer between chatd's log calls and a possibly slow reader (a journal under load, a terminal
/// nobody scrolls, a full pipe). Writing never blocks the reactor: what the output does not take at once waits
/// here, up to `capacityBytes`; past that, lines are dropped and counted, and the next line that gets through is
/// preceded by one saying how many were lost. `totalDropped` feeds `STATUS=`.
public final class LogSink: Sendable {
    /// Most bytes of log entries held while the output is not keeping up.
    public static let capacityBytes = 1 << 20

    /// The mutable part, behind a lock (log calls may come from any thread, although chatd logs from one).
    private struct State: ~Copyable {
        var output: LogOutput?
        var pending: [[UInt8]] = []
        var pendingHead = 0
        /// Bytes of `pending[pendingHead]` already written (a stream may take part of an entry).
        var headOffset = 0
        var pendingBytes = 0
        var droppedSinceReport = 0
        var totalDropped = 0
    }

    private let state: Mutex<State>
    /// Builds the entry that reports `count` dropped lines, in the output's format.
    private let droppedReport: @Sendable (Int) -> [UInt8]

    /// True when entries must be journal datagrams rather than lines.
    public let isJournal: Bool

    /// A sink writing to `output`; nil discards everything (counted as dropped).
    init(output: LogOutput?, droppedReport: @escaping @Sendable (Int) -> [UInt8]) {
        if case .journal = output { isJournal = true } else { isJournal = false }
        self.state = Mutex(State(output: output))
        self.droppedReport = droppedReport
    }

    /// Lines dropped since the process started.
    public var totalDropped: Int { state.withLock { $0.totalDropped } }

    /// Bytes waiting for the output.
    public var pendingBytes: Int { state.withLock { $0.pendingBytes } }

    /// Queues one entry (a line with its newline, or a journal datagram) and writes what the output takes now.
    func write(_ entry: [UInt8]) {
        let report = droppedReport
        state.withLock { state in
            Self.writePending(&state)
            if state.droppedSinceReport > 0 {
                // The report goes in only together with the line it precedes; otherwise both wait (the line is lost).
                let notice = report(state.droppedSinceReport)
                guard Self.fits(notice.count &+ entry.count, state) else {
                    Self.drop(&state)
                    return
                }
                _ = Self.enqueue(notice, &state)
                state.droppedSinceReport = 0
            }
            if !Self.enqueue(entry, &state) { Self.drop(&state) }
            Self.writePending(&state)
        }
    }

    /// Writes what is waiting, as far as the output takes it (the loop calls this once per pass).
    public func flushPending() {
        state.withLock { state in
            guard state.pendingBytes > 0 else { return }
            Self.writePending(&state)
        }
    }

    /// Before exiting: waits up to `milliseconds` in total for the output to take what is waiting.
    public func drain(milliseconds: Int32) {
        var remaining = Int64(milliseconds)
        let started = SystemClockMilliseconds.now()
        while remaining > 0 {
            let (done, output) = state.withLock { state -> (Bool, LogOutput?) in
                Self.writePending(&state)
                return (state.pendingBytes == 0, state.output)
            }
            guard !done, let output else { return }
            _ = output.waitWritable(milliseconds: Int32(min(remaining, 100)))
            remaining = Int64(milliseconds) &- (SystemClockMilliseconds.now() &- started)
        }
    }

    /// True when `count` more bytes fit the capacity (and there is an output at all).
    private static func fits(_ count: Int, _ state: borrowing State) -> Bool {
        state.output != nil && state.pendingBytes &+ count <= capacityBytes
    }

    /// Appends an entry when it fits the capacity.
    private static func enqueue(_ entry: [UInt8], _ state: inout State) -> Bool {
        guard fits(entry.count, state) else { return false }
        state.pending.append(entry)
        state.pendingBytes &+= entry.count
        return true
    }

    /// Counts a lost line.
    private static func drop(_ state: inout State) {
        state.droppedSinceReport &+= 1
        state.totalDropped &+= 1
    }

    /// Writes waiting entries in order until the output would block.
    private static func writePending(_ state: inout State) {
        guard let output = state.output else { return }
        while state.pendingHead < state.pending.count {
            let entry = state.pending[state.pendingHead]
            let offset = state.headOffset
            let result = entry.withUnsafeBytes { output.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .wrote(let count):
                guard count > 0 else { return }
                if case .journal = output {
                    advance(&state, by: entry.count &- offset)
                } else {
                    advance(&state, by: count)
                }
            case .wouldBlock:
                if state.pendingHead >= 64 && state.pendingHead &* 2 >= state.pending.count {
                    state.pending.removeFirst(state.pendingHead)
                    state.pendingHead = 0
                }
                return
            case .failed:
                drop(&state)
                advance(&state, by: entry.count &- offset)
            }
        }
        state.pending.removeAll(keepingCapacity: state.pending.count <= 64)
        state.pendingHead = 0
    }

    /// Moves past `count` written bytes of the head entry.
    private static func advance(_ state: inout State, by count: Int) {
        let entryCount = state.pending[state.pendingHead].count
        state.pendingBytes &-= count
        state.headOffset &+= count
        if state.headOffset >= entryCount {
            state.headOffset = 0
            state.pendingHead &+= 1
        }
    }
}

/// Milliseconds on the monotonic clock, for the exit drain's deadline.
enum SystemClockMilliseconds {
    /// Now.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) &* 1000 &+ Int64(time.tv_nsec) / 1_000_000
    }
}
