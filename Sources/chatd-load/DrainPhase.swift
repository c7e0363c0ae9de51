/// Waits for the messages still in flight once the sending has stopped.
enum DrainPhase {
    /// Runs the driver until `count()` reaches `target`, nothing new arrives for two seconds, or the run's time is
    /// up. Queued output keeps flowing meanwhile: the driver writes on writability by itself.
    static func wait(until target: Int, count: () -> Int, driver: LoadDriver, context: RunContext) {
        var lastProgress = driver.now
        var lastCount = count()
        while lastCount < target && driver.now &- lastProgress < 2_000_000_000 && !context.expired(driver.now) {
            driver.pass(timeoutMs: 10)
            context.sampleRSS(driver.now)
            let current = count()
            if current != lastCount {
                lastCount = current
                lastProgress = driver.now
            }
        }
    }
}
