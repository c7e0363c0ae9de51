/// The churners of the chat load: keeps `alive` of them joined (round-robin over the rooms), asks each to leave
/// once it has been in its room for `lifetime`, and opens a replacement when one has gone.
struct ChurnTraffic {
    let layout: ChatLayout
    let alive: Int
    let lifetime: UInt64
    /// Churners opened so far (their client indexes follow the steady members').
    private(set) var started = 0
    /// Churners opened and not yet ended, as far as this side knows.
    private var running = 0

    init(layout: ChatLayout, alive: Int, lifetime: UInt64) {
        self.layout = layout
        self.alive = alive
        self.lifetime = lifetime
    }

    /// One step during the sending: counts the churners that ended, opens replacements, asks those whose time
    /// is up to leave.
    mutating func step(scenario: ChatScenario, driver: LoadDriver, now: UInt64) {
        running -= scenario.churnEnded
        scenario.churnEnded = 0
        while running < alive {
            let index = layout.steadyClients + started
            let room = started % layout.rooms
            started += 1
            do {
                try driver.open(target: driver.url.target(room: room, name: "c\(started)"), index: index)
                running += 1
            } catch {
                scenario.churnFailures += 1
                if scenario.firstFailure == nil { scenario.firstFailure = "churner connect: \(error)" }
                break
            }
        }
        // A copy: asking one to leave may end it, which edits the scenario's list.
        for client in scenario.churners where client.received == 1 && now &- client.requestSentAt >= lifetime {
            leave(client, driver: driver)
        }
    }

    /// After the sending: asks every churner to leave and waits (at most 3 s) until they have, including the ones
    /// still handshaking.
    mutating func finish(scenario: ChatScenario, driver: LoadDriver, context: RunContext) {
        let until = driver.now &+ 3_000_000_000
        while (!scenario.churners.isEmpty || driver.pendingHandshakes > 0) && driver.now < until
            && !context.expired(driver.now)
        {
            for client in scenario.churners where client.received == 1 {
                leave(client, driver: driver)
            }
            driver.pass(timeoutMs: 10)
        }
    }

    /// `received` 2: asked to leave; its end is a completed cycle.
    private func leave(_ client: ClientConnection, driver: LoadDriver) {
        client.received = 2
        driver.sendClose(client)
    }
}
