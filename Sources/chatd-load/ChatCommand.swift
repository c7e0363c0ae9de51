import ArgumentParser

/// `chatd-load chat`: a chat-like mixed load over many rooms; deliveries per second, latency, exact loss, joins.
struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat-like mixed load: many rooms, a few members of each posting, others joining and leaving.",
        discussion: """
            The URL's path is the rooms' prefix: /chat/mix gives /chat/mix-0, /chat/mix-1, ... Steady members \
            join first and count every message of their room (exactly once, in order); churners then join, stay \
            --churn-lifetime seconds and leave while the posters post. With --rooms N --members 1 --posters 1 \
            --window W --messages M it fills a history store with M messages as fast as the server takes them.
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "Rooms.") var rooms = 50
    @Option(help: "Steady members per room (posters included).") var members = 20
    @Option(help: "Steady members per room that also post.") var posters = 4
    @Option(help: "Messages per second of every poster.") var rate = 2.0
    @Option(help: "Messages in flight per poster instead of --rate (saturates the server).") var window: Int?
    @Option(help: "Stop sending after this many messages in total (--duration still bounds it).") var messages: Int?
    @Option(help: "Payload bytes per message (at least 41).") var size = 64
    @Option(help: "Seconds of sending.") var duration = 5.0
    @Option(help: "Churners per room: join, stay --churn-lifetime seconds, leave; replaced at once.") var churn = 1
    @Option(help: "Seconds a churner stays in its room.") var churnLifetime = 1.0
    @Option(help: "Handshakes in flight while opening.") var concurrency = 256
    @Option(help: "Seconds of silence that mean the rooms have settled after the joins.") var settle = 0.3

    func validate() throws {
        guard rooms >= 1, members >= 1, posters >= 1, posters <= members else {
            throw ValidationError("need --rooms >= 1 and 1 <= --posters <= --members")
        }
        guard size >= ProbePayload.minimumSize else { throw ValidationError("--size must be >= 41") }
        guard rate > 0, duration > 0, concurrency >= 1 else { throw ValidationError("bad rate/duration") }
        guard churn >= 0, churnLifetime > 0 else { throw ValidationError("bad --churn/--churn-lifetime") }
        if let window, window < 1 { throw ValidationError("--window must be >= 1") }
        if let messages, messages < 1 { throw ValidationError("--messages must be >= 1") }
    }

    func run() throws {
        // Plain locals: hot loops must not read options through their property wrappers.
        let layout = ChatLayout(rooms: rooms, members: members, posters: posters)
        let schedule = PostSchedule(rate: rate, count: layout.totalPosters)
        let window = self.window
        let cap = messages ?? Int.max
        let size = self.size
        let duration = self.duration
        let churners = rooms * churn
        let lifetime = UInt64(churnLifetime * 1e9)
        let settle = self.settle
        let context = RunContext(options: common, mode: "chat")
        let scenario = ChatScenario(layout: layout)
        let driver = try LoadDriver(url: try common.parsedURL(), sources: common.sourceList, scenario: scenario)
        let url = driver.url
        let connectFailures = OpeningPhase.open(
            count: layout.steadyClients, concurrency: concurrency, driver: driver, context: context,
            describe: { index in (url.target(room: layout.room(ofMember: index), name: "m\(index)"), index) })
        // Settle: wait out join notices so they do not count against the measurement.
        while MonotonicClock.now() &- scenario.lastActivity < UInt64(settle * 1e9) && !context.expired(driver.now) {
            driver.pass(timeoutMs: 20)
        }
        var writer = ProbeWriter(size: size)
        var sentPerRoom = [Int](repeating: 0, count: rooms)
        var sentTotal = 0
        var traffic = ChurnTraffic(layout: layout, alive: churners, lifetime: lifetime)
        let allOpen = scenario.opened == layout.steadyClients && !context.expired(driver.now)
        let sendStart = MonotonicClock.now()
        let sendEnd = sendStart &+ UInt64(duration * 1e9)
        context.sendingStarted()
        if allOpen {
            while driver.now < sendEnd && sentTotal < cap && !context.expired(driver.now) {
                let now = max(driver.now, sendStart)
                traffic.step(scenario: scenario, driver: driver, now: now)
                let elapsed = RunContext.seconds(sendStart, now)
                for poster in 0..<layout.totalPosters {
                    guard let client = scenario.posterClients[poster], client.phase == .open else { continue }
                    let due = window.map { client.received + $0 } ?? schedule.due(poster: poster, elapsed: elapsed)
                    while client.sent < due && sentTotal < cap {
                        writer.queue(on: client, publisher: poster, now: now, driver: driver)
                        sentPerRoom[layout.room(ofPoster: poster)] += 1
                        sentTotal += 1
                    }
                    driver.flush(client)
                }
                driver.pass(timeoutMs: window == nil ? 1 : 5)
                context.sampleRSS(driver.now)
            }
            // Drain: every steady member should get every probe of its room.
            let expected = sentPerRoom.reduce(0, +) * members
            DrainPhase.wait(until: expected, count: { scenario.delivered }, driver: driver, context: context)
            context.sendingEnded()
        }
        traffic.finish(scenario: scenario, driver: driver, context: context)
        let timedOut = context.expired(driver.now)
        scenario.stopCounting()
        let expected = sentPerRoom.reduce(0, +) * members
        let elapsed = RunContext.seconds(sendStart, max(scenario.lastDelivery, sendStart))
        let report: [(String, JSONReport.Value)] = [
            ("rooms", .int(rooms)), ("members", .int(members)), ("posters", .int(posters)),
            ("rate", window == nil ? .double(rate) : .null), ("window", window.map { .int($0) } ?? .null),
            ("size", .int(size)), ("churn", .int(churners)), ("churn_lifetime", .double(churnLifetime)),
            ("connected", .int(scenario.opened)), ("sent", .int(sentTotal)), ("delivered", .int(scenario.delivered)),
            ("expected", .int(expected)), ("lost", .int(max(0, expected - scenario.delivered))),
            ("misordered", .int(scenario.misordered)), ("misrouted", .int(scenario.misrouted)),
            ("deliveries_per_second", .double(elapsed > 0 ? Double(scenario.delivered) / elapsed : 0)),
            ("messages_per_second", .double(elapsed > 0 ? Double(sentTotal) / elapsed : 0)),
            ("latency_us", JSONReport.latency(scenario.histogram)),
            ("churn_cycles", .int(scenario.churnCycles)), ("churn_failures", .int(scenario.churnFailures)),
            ("join_latency_us", JSONReport.latency(scenario.joinLatency)),
            ("server_rss_kib_max", context.serverRSSMaxKiB.map { .int($0) } ?? .null),
        ]
        for (key, value) in report { context.report.set(key, value) }
        if let failure = scenario.firstFailure { printError(failure) }
        let errors =
            connectFailures + scenario.openFailures + scenario.membersLost + scenario.misordered + scenario.misrouted
            + scenario.churnFailures + (sentTotal == 0 ? 1 : 0) + driver.protocolErrors
        driver.forEachClient { driver.closeLocally($0) }
        throw ExitCode(context.finish(errors: errors, timedOut: timedOut))
    }
}
