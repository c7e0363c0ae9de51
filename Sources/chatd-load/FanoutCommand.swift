import ArgumentParser

/// `chatd-load fanout`: deliveries per second into one room, with latency and exact loss.
struct FanoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout", abstract: "Room fan-out: N members, publishers sending probes, every member counts them."
    )

    @OptionGroup var common: CommonOptions
    @Option(help: "Members that only listen.") var members = 1000
    @Option(help: "Members that also send.") var publishers = 1
    @Option(help: "Payload bytes per message (at least 41).") var size = 64
    @Option(help: "Seconds of sending.") var duration = 5.0
    @Option(help: "Messages in flight per publisher (sent, not yet back at the publisher).") var window = 64
    @Option(help: "Fixed total send rate in messages per second instead of the window.") var rate: Double?
    @Option(help: "Extra members that join and then never read.") var stall = 0
    @Option(help: "SO_RCVBUF bytes of stalled readers (small, so the server's cap is what fills).")
    var stallReceiveBuffer: Int32 = 4096
    @Option(help: "Handshakes in flight while joining.") var concurrency = 256
    @Option(help: "Seconds of silence that mean the room has settled after the joins.") var settle = 0.3

    func validate() throws {
        guard members >= 0, publishers >= 1, stall >= 0 else { throw ValidationError("need --publishers >= 1") }
        guard size >= ProbePayload.minimumSize else { throw ValidationError("--size must be >= 41") }
        guard window >= 1, duration > 0, concurrency >= 1 else { throw ValidationError("bad window/duration") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be > 0") }
    }

    func run() throws {
        // Plain locals: hot loops must not read options through their property wrappers.
        let members = self.members
        let publishers = self.publishers
        let size = self.size
        let duration = self.duration
        let window = self.window
        let rate = self.rate
        let stall = self.stall
        let stallReceiveBuffer = self.stallReceiveBuffer
        let concurrency = self.concurrency
        let settle = self.settle
        let context = RunContext(options: common, mode: "fanout")
        let scenario = FanoutScenario(members: members, publishers: publishers, stalled: stall)
        let driver = try LoadDriver(url: try common.parsedURL(), sources: common.sourceList, scenario: scenario)
        scenario.driver = driver
        let total = members + publishers + stall
        let url = driver.url
        let connectFailures = OpeningPhase.open(
            count: total, concurrency: concurrency, driver: driver, context: context,
            describe: { index in
                let name =
                    index < members ? "m\(index)" : (scenario.isStalled(index) ? "s\(index)" : "p\(index - members)")
                return (url.target(withName: name), index)
            }, receiveBuffer: { scenario.isStalled($0) ? stallReceiveBuffer : nil })
        // Settle: wait out join notices so they do not count against the measurement.
        while MonotonicClock.now() &- scenario.lastActivity < UInt64(settle * 1e9) && !context.expired(driver.now) {
            driver.pass(timeoutMs: 20)
        }
        var timedOut = context.expired(driver.now)
        let ready = scenario.opened - scenario.stalledEnds.count
        let readers = members + publishers
        var writer = ProbeWriter(size: size)
        let sendStart = MonotonicClock.now()
        let sendEnd = sendStart &+ UInt64(duration * 1e9)
        context.sendingStarted()
        var sentTotal = 0
        let openPublishers = scenario.publisherClients
        if !timedOut && openPublishers.count == publishers {
            while driver.now < sendEnd && !context.expired(driver.now) {
                let now = max(driver.now, sendStart)
                if let rate {
                    let due = Int(RunContext.seconds(sendStart, now) * rate) + 1
                    var turn = sentTotal
                    while sentTotal < due {
                        let client = openPublishers[turn % publishers]
                        writer.queue(on: client, publisher: client.index - members, now: now, driver: driver)
                        sentTotal += 1
                        turn += 1
                    }
                } else {
                    for client in openPublishers where client.phase == .open {
                        while client.sent - client.received < window {
                            writer.queue(on: client, publisher: client.index - members, now: now, driver: driver)
                            sentTotal += 1
                        }
                    }
                }
                for client in openPublishers { driver.flush(client) }
                driver.pass(timeoutMs: rate == nil ? 5 : 1)
                context.sampleRSS(driver.now)
            }
            // Drain: every reader should get every probe; stop when all arrived or nothing moves for 2 s.
            let expected = sentTotal * readers
            DrainPhase.wait(until: expected, count: { scenario.delivered }, driver: driver, context: context)
            context.sendingEnded()
        }
        timedOut = context.expired(driver.now)
        scenario.stopCounting()
        var stalledClosed = 0
        var stalledBytes = 0
        var codes: [JSONReport.Value] = []
        for client in scenario.stalledClients {
            if driver.drainStopped(client, seconds: 3) { stalledClosed += 1 }
            stalledBytes += client.bytesRead
        }
        for reason in scenario.stalledEnds {
            if case .closeFrame(let code) = reason { codes.append(code.map { .int(Int($0)) } ?? .null) }
        }
        let expected = sentTotal * readers
        let elapsed = RunContext.seconds(sendStart, max(scenario.lastDelivery, sendStart))
        let report: [(String, JSONReport.Value)] = [
            ("members", .int(members)), ("publishers", .int(publishers)), ("size", .int(size)),
            ("window", rate == nil ? .int(window) : .null), ("rate", rate.map { .double($0) } ?? .null),
            ("connected", .int(ready)), ("sent", .int(sentTotal)), ("delivered", .int(scenario.delivered)),
            ("expected", .int(expected)), ("lost", .int(max(0, expected - scenario.delivered))),
            ("misordered", .int(scenario.misordered)),
            ("deliveries_per_second", .double(elapsed > 0 ? Double(scenario.delivered) / elapsed : 0)),
            ("messages_per_second", .double(elapsed > 0 ? Double(sentTotal) / elapsed : 0)),
            ("latency_us", JSONReport.latency(scenario.histogram)),
            ("server_rss_kib_max", context.serverRSSMaxKiB.map { .int($0) } ?? .null),
            (
                "stalled",
                .object([
                    ("count", .int(stall)), ("closed_by_server", .int(stalledClosed)), ("close_codes", .array(codes)),
                    ("bytes_read_before_close", .int(stalledBytes)),
                    ("messages_read_before_close", .int(scenario.stalledProbes)),
                ])
            ),
        ]
        for (key, value) in report { context.report.set(key, value) }
        if let failure = scenario.firstFailure { printError(failure) }
        let errors =
            connectFailures + scenario.openFailures + scenario.readersLost + scenario.misordered
            + (sentTotal == 0 ? 1 : 0) + driver.protocolErrors
        driver.forEachClient { driver.closeLocally($0) }
        throw ExitCode(context.finish(errors: errors, timedOut: timedOut))
    }
}
