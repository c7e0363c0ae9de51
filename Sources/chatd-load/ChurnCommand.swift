import ArgumentParser

/// `chatd-load churn`: full client lifetimes per second (connect, join, talk, close) and memory after.
struct ChurnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn", abstract: "Churn: clients connect, send one message, see it back, close; repeat.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Seconds of churn.") var duration = 5.0
    @Option(help: "Clients alive at once.") var concurrency = 64
    @Option(help: "Payload bytes per message (at least 41).") var size = 64

    func validate() throws {
        guard concurrency >= 1, duration > 0 else { throw ValidationError("bad concurrency/duration") }
        guard size >= ProbePayload.minimumSize else { throw ValidationError("--size must be >= 41") }
    }

    func run() throws {
        // Plain locals: hot loops must not read options through their property wrappers.
        let duration = self.duration
        let concurrency = self.concurrency
        let size = self.size
        let context = RunContext(options: common, mode: "churn")
        let scenario = ChurnScenario(size: size)
        let driver = try LoadDriver(url: try common.parsedURL(), sources: common.sourceList, scenario: scenario)
        scenario.driver = driver
        let rssBefore = context.sampler.serverRSSKiB()
        let url = driver.url
        var alive = 0
        var next = 0
        var connectFailures = 0
        let start = MonotonicClock.now()
        let end = start &+ UInt64(duration * 1e9)
        context.sendingStarted()
        var lastEnded = start
        var endedBefore = 0
        while !context.expired(driver.now) {
            let ended = scenario.cycles + scenario.failures
            if ended != endedBefore {
                alive -= ended - endedBefore
                endedBefore = ended
                lastEnded = driver.now
            }
            if driver.now >= end && alive == 0 { break }
            while driver.now < end && alive < concurrency {
                do {
                    try driver.open(target: url.target(withName: "c\(next)"), index: next)
                    alive += 1
                } catch {
                    connectFailures += 1
                    if connectFailures == 1 { printError("connect: \(error)") }
                    if connectFailures > 100 { break }
                }
                next += 1
            }
            driver.pass(timeoutMs: 5)
            context.sampleRSS(driver.now)
        }
        context.sendingEnded()
        let timedOut = context.expired(driver.now)
        let rssAfter = context.sampler.serverRSSKiB()
        let elapsed = RunContext.seconds(start, lastEnded)
        let report: [(String, JSONReport.Value)] = [
            ("concurrency", .int(concurrency)), ("cycles", .int(scenario.cycles)),
            ("cycles_per_second", .double(elapsed > 0 ? Double(scenario.cycles) / elapsed : 0)),
            ("latency_us", JSONReport.latency(scenario.roundTrip)),
            ("server_rss_kib_before", rssBefore.map { .int($0) } ?? .null),
            ("server_rss_kib_after", rssAfter.map { .int($0) } ?? .null),
            ("server_rss_kib_max", context.serverRSSMaxKiB.map { .int($0) } ?? .null),
        ]
        for (key, value) in report { context.report.set(key, value) }
        if let failure = scenario.firstFailure { printError(failure) }
        driver.forEachClient { driver.closeLocally($0) }
        let errors = connectFailures + scenario.failures + driver.protocolErrors + (scenario.cycles == 0 ? 1 : 0)
        throw ExitCode(context.finish(errors: errors, timedOut: timedOut))
    }
}
