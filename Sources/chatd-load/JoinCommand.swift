import ArgumentParser

/// `chatd-load joins`: how long a join takes until its history arrives, for rooms loaded from a store and rooms
/// already in memory.
struct JoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joins", abstract: "History on join: chatd.v1 joins one at a time, upgrade to `history` event.",
        discussion: """
            The URL's path is the rooms' prefix, as in `chat`: the cold joins are the first joins of rooms 0, 1, \
            ... (after a restart a room's first join loads it from the history store), then the warm joins cycle \
            over the same rooms again (in memory by now). Every joiner leaves once it has its history, before the \
            next one starts, so each latency is a join on an otherwise idle server.
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "Cold joins: the first join of rooms 0..<N.") var cold = 100
    @Option(help: "Warm joins: joins of rooms joined before, round-robin over the cold rooms.") var warm = 200
    @Option(help: "Seconds one join may take before it counts as failed.") var joinTimeout = 10.0

    func validate() throws {
        guard cold >= 1, warm >= 0, joinTimeout > 0 else { throw ValidationError("need --cold >= 1, --warm >= 0") }
    }

    func run() throws {
        let cold = self.cold
        let warm = self.warm
        let joinTimeout = UInt64(self.joinTimeout * 1e9)
        let context = RunContext(options: common, mode: "joins")
        let scenario = JoinScenario()
        let driver = try LoadDriver(url: try common.parsedURL(), sources: common.sourceList, scenario: scenario)
        var connectFailures = 0
        var joins = 0
        context.sendingStarted()
        while joins < cold + warm && !context.expired(driver.now) {
            scenario.currentIsCold = joins < cold
            let room = joins < cold ? joins : (joins - cold) % cold
            let client: ClientConnection
            do {
                client = try driver.open(
                    target: driver.url.target(room: room, name: "h\(joins)"), index: joins, subprotocol: "chatd.v1")
            } catch {
                connectFailures += 1
                if connectFailures == 1 { printError("connect: \(error)") }
                joins += 1
                continue
            }
            joins += 1
            let until = MonotonicClock.now() &+ joinTimeout
            while client.phase != .closed && client.received == 0 && driver.now < until {
                if context.expired(driver.now) { break }
                driver.pass(timeoutMs: 1)
            }
            if client.phase != .closed && client.received == 0 {
                scenario.failures += 1
                scenario.firstFailure = scenario.firstFailure ?? "join \(joins - 1): no history within the join timeout"
            }
            // Leave before the next join, so that one finds an idle server.
            client.received = 2
            if client.phase == .open { driver.sendClose(client) }
            let closeUntil = MonotonicClock.now() &+ 2_000_000_000
            while client.phase != .closed && driver.now < closeUntil { driver.pass(timeoutMs: 1) }
            if client.phase != .closed { driver.closeLocally(client) }
            context.sampleRSS(driver.now)
        }
        context.sendingEnded()
        let timedOut = context.expired(driver.now)
        let histories = scenario.cold.count + scenario.warm.count
        func mean(_ total: Int) -> Double { histories > 0 ? Double(total) / Double(histories) : 0 }
        let report: [(String, JSONReport.Value)] = [
            ("cold_joins", .int(scenario.cold.count)), ("warm_joins", .int(scenario.warm.count)),
            ("cold_latency_us", JSONReport.latency(scenario.cold)),
            ("warm_latency_us", JSONReport.latency(scenario.warm)),
            ("cold_empty_histories", .int(scenario.emptyCold)), ("warm_empty_histories", .int(scenario.emptyWarm)),
            ("history_messages_mean", .double(mean(scenario.historyMessages))),
            ("history_bytes_mean", .double(mean(scenario.historyBytes))),
            ("server_rss_kib_max", context.serverRSSMaxKiB.map { .int($0) } ?? .null),
        ]
        for (key, value) in report { context.report.set(key, value) }
        if let failure = scenario.firstFailure { printError(failure) }
        let errors = connectFailures + scenario.failures + driver.protocolErrors + (histories == 0 ? 1 : 0)
        driver.forEachClient { driver.closeLocally($0) }
        throw ExitCode(context.finish(errors: errors, timedOut: timedOut))
    }
}
