import ArgumentParser

/// `chatd-load echo`: echo messages per second over a few busy connections.
struct EchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo", abstract: "Echo: connections send probes with a window in flight and count them back.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Connections.") var connections = 16
    @Option(help: "Payload bytes per message (at least 41).") var size = 64
    @Option(help: "Seconds of sending.") var duration = 5.0
    @Option(help: "Messages in flight per connection.") var window = 64

    func validate() throws {
        guard connections >= 1, window >= 1, duration > 0 else {
            throw ValidationError("bad connections/window/duration")
        }
        guard size >= ProbePayload.minimumSize else { throw ValidationError("--size must be >= 41") }
    }

    func run() throws {
        // Plain locals: hot loops must not read options through their property wrappers.
        let connections = self.connections
        let size = self.size
        let duration = self.duration
        let window = self.window
        let context = RunContext(options: common, mode: "echo")
        let scenario = EchoScenario()
        let driver = try LoadDriver(url: try common.parsedURL(), sources: common.sourceList, scenario: scenario)
        let target = driver.url.target
        let connectFailures = OpeningPhase.open(
            count: connections, concurrency: 64, driver: driver, context: context, describe: { (target, $0) })
        var writer = ProbeWriter(size: size)
        let clients = scenario.openClients
        let sendStart = MonotonicClock.now()
        let sendEnd = sendStart &+ UInt64(duration * 1e9)
        var sent = 0
        if clients.count == connections {
            while driver.now < sendEnd && !context.expired(driver.now) {
                for client in clients where client.phase == .open {
                    while client.sent - client.received < window {
                        writer.queue(on: client, publisher: client.index, now: driver.now, driver: driver)
                        sent += 1
                    }
                    driver.flush(client)
                }
                driver.pass(timeoutMs: 5)
                context.sampleRSS(driver.now)
            }
            DrainPhase.wait(until: sent, count: { scenario.received }, driver: driver, context: context)
        }
        let timedOut = context.expired(driver.now)
        scenario.stopCounting()
        let elapsed = RunContext.seconds(sendStart, max(scenario.lastReceipt, sendStart))
        let report: [(String, JSONReport.Value)] = [
            ("connections", .int(connections)), ("connected", .int(clients.count)), ("size", .int(size)),
            ("window", .int(window)), ("sent", .int(sent)), ("received", .int(scenario.received)),
            ("lost", .int(max(0, sent - scenario.received))), ("misordered", .int(scenario.misordered)),
            ("messages_per_second", .double(elapsed > 0 ? Double(scenario.received) / elapsed : 0)),
            ("latency_us", JSONReport.latency(scenario.histogram)),
            ("server_rss_kib_max", context.serverRSSMaxKiB.map { .int($0) } ?? .null),
        ]
        for (key, value) in report { context.report.set(key, value) }
        if let failure = scenario.firstFailure { printError(failure) }
        let errors =
            connectFailures + scenario.failures + scenario.misordered + driver.protocolErrors
            + (sent == 0 || scenario.received < sent ? 1 : 0)
        driver.forEachClient { driver.closeLocally($0) }
        throw ExitCode(context.finish(errors: errors, timedOut: timedOut))
    }
}
