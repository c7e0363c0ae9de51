/// Opens many clients with a bounded number of handshakes in flight, and waits for them.
enum OpeningPhase {
    /// Opens clients `0..<count` (target and index from `describe`) and runs the driver until every
    /// handshake has finished (or the run's time is up). Returns the number of connect calls that failed.
    static func open(
        count: Int, concurrency: Int, driver: LoadDriver, context: RunContext,
        describe: (Int) -> (target: String, index: Int), receiveBuffer: (Int) -> Int32? = { _ in nil }
    ) -> Int {
        var next = 0
        var failures = 0
        while (next < count || driver.pendingHandshakes > 0) && !context.expired(driver.now) {
            while next < count && driver.pendingHandshakes < concurrency {
                let (target, index) = describe(next)
                do {
                    try driver.open(target: target, index: index, receiveBuffer: receiveBuffer(index))
                } catch {
                    failures += 1
                    if failures == 1 { printError("connect: \(error)") }
                }
                next += 1
            }
            driver.pass(timeoutMs: 10)
            context.sampleRSS(driver.now)
        }
        return failures
    }
}
