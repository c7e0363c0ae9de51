import Glibc

/// What every run needs around its scenario: the clock, the deadline, CPU and memory sampling, the report.
final class RunContext {
    let options: CommonOptions
    let sampler: ProcessSampler
    let startedAt = MonotonicClock.now()
    let deadline: UInt64
    var report = JSONReport()
    private let clientCPUAtStart = ProcessSampler.ownCPUSeconds()
    private let serverCPUAtStart: Double?
    private var lastRSSSample: UInt64 = 0
    /// The largest server RSS seen by `sampleRSS` (KiB).
    private(set) var serverRSSMaxKiB: Int?
    /// CPU seconds (server, generator) and time when the measured window started (`sendingStarted`).
    private var sendingStart: (server: Double?, client: Double, at: UInt64)?

    init(options: CommonOptions, mode: String) {
        self.options = options
        sampler = ProcessSampler(serverPID: options.serverPid)
        serverCPUAtStart = sampler.serverCPUSeconds()
        deadline = startedAt &+ UInt64(max(0, options.timeout) * 1e9)
        report.set("mode", .string(mode))
        serverRSSMaxKiB = sampler.serverRSSKiB()
    }

    /// True once the hard time bound has passed.
    func expired(_ now: UInt64) -> Bool { now >= deadline }

    /// Samples the server's RSS at most every 100 ms and keeps the maximum.
    func sampleRSS(_ now: UInt64) {
        guard options.serverPid != nil, now &- lastRSSSample >= 100_000_000 else { return }
        lastRSSSample = now
        if let rss = sampler.serverRSSKiB() { serverRSSMaxKiB = max(serverRSSMaxKiB ?? 0, rss) }
    }

    /// Marks the start of the measured window (the first message sent): CPU is counted from here too.
    func sendingStarted() {
        sendingStart = (sampler.serverCPUSeconds(), ProcessSampler.ownCPUSeconds(), MonotonicClock.now())
    }

    /// Marks the end of the measured window (everything sent has arrived, before the clients are closed) and
    /// reports the CPU both sides spent in it: `sending_server_cpu_seconds`, `sending_client_cpu_seconds` and
    /// `sending_seconds`. Without the opening and closing of the clients, which the whole-run figures include.
    func sendingEnded() {
        guard let start = sendingStart else { return }
        let server = sampler.serverCPUSeconds()
        report.set("sending_seconds", .double(Self.seconds(start.at, MonotonicClock.now())))
        report.set("sending_client_cpu_seconds", .double(ProcessSampler.ownCPUSeconds() - start.client))
        if let before = start.server, let server {
            report.set("sending_server_cpu_seconds", .double(server - before))
        } else {
            report.set("sending_server_cpu_seconds", .null)
        }
    }

    /// Adds the common keys and prints the report; returns the process exit status.
    func finish(errors: Int, timedOut: Bool) -> Int32 {
        let now = MonotonicClock.now()
        report.set("elapsed_seconds", .double(Double(now &- startedAt) / 1e9))
        report.set("client_cpu_seconds", .double(ProcessSampler.ownCPUSeconds() - clientCPUAtStart))
        if let start = serverCPUAtStart, let end = sampler.serverCPUSeconds() {
            report.set("server_cpu_seconds", .double(end - start))
        } else {
            report.set("server_cpu_seconds", .null)
        }
        report.set("errors", .int(errors))
        report.set("timed_out", .bool(timedOut))
        for line in report.lines { print(line) }
        if options.json { print(report.json) }
        return timedOut ? 3 : (errors > 0 ? 1 : 0)
    }

    /// Seconds between two monotonic stamps.
    static func seconds(_ from: UInt64, _ to: UInt64) -> Double { Double(to &- from) / 1e9 }
}
