import ArgumentParser

/// `chatd-load connect`: handshakes per second, then the server's memory per idle connection.
struct ConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect", abstract: "Connect rate and idle memory: open N WebSockets, hold them idle, measure.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Connections to open and hold.") var connections = 10000
    @Option(help: "Handshakes in flight.") var concurrency = 256
    @Option(help: "Seconds to hold the connections idle before sampling memory.") var idle = 1.0

    func validate() throws {
        guard connections >= 1, concurrency >= 1, idle >= 0 else {
            throw ValidationError("bad connections/concurrency")
        }
    }

    func run() throws {
        // Plain locals: hot loops must not read options through their property wrappers.
        let connections = self.connections
        let concurrency = self.concurrency
        let idle = self.idle
        let context = RunContext(options: common, mode: "connect")
        let scenario = ConnectScenario()
        let driver = try LoadDriver(url: try common.parsedURL(), sources: common.sourceList, scenario: scenario)
        let rssBefore = context.sampler.serverRSSKiB()
        let target = driver.url.target
        let start = MonotonicClock.now()
        let connectFailures = OpeningPhase.open(
            count: connections, concurrency: concurrency, driver: driver, context: context,
            describe: { (target, $0) })
        let idleEnd = driver.now &+ UInt64(idle * 1e9)
        while driver.now < idleEnd && !context.expired(driver.now) { driver.pass(timeoutMs: 50) }
        let rssAfter = context.sampler.serverRSSKiB()
        let timedOut = context.expired(driver.now)
        scenario.stopCounting()
        let elapsed = RunContext.seconds(start, max(scenario.lastOpened, start))
        var perConnection: JSONReport.Value = .null
        if let rssBefore, let rssAfter, scenario.opened > 0 {
            perConnection = .double(Double((rssAfter - rssBefore) * 1024) / Double(scenario.opened))
        }
        let report: [(String, JSONReport.Value)] = [
            ("connections", .int(connections)), ("connected", .int(scenario.opened)),
            ("handshakes_per_second", .double(elapsed > 0 ? Double(scenario.opened) / elapsed : 0)),
            ("handshake_latency_us", JSONReport.latency(scenario.handshakeLatency)),
            ("server_rss_kib_before", rssBefore.map { .int($0) } ?? .null),
            ("server_rss_kib_after", rssAfter.map { .int($0) } ?? .null),
            ("rss_bytes_per_connection", perConnection),
        ]
        for (key, value) in report { context.report.set(key, value) }
        if let failure = scenario.firstFailure { printError(failure) }
        driver.forEachClient { driver.closeLocally($0) }
        let errors = connectFailures + scenario.failures + driver.protocolErrors + (connections - scenario.opened)
        throw ExitCode(context.finish(errors: errors, timedOut: timedOut))
    }
}
