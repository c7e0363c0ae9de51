/// Queues probe messages on a client: one scratch payload reused for every frame.
struct ProbeWriter {
    private var scratch: [UInt8]

    /// A writer for payloads of `size` bytes (at least `ProbePayload.minimumSize`).
    init(size: Int) { scratch = [UInt8](repeating: 0, count: max(size, ProbePayload.minimumSize)) }

    /// Queues one probe from `publisher` with the client's next sequence number, stamped `now`.
    @inline(__always)
    mutating func queue(on client: ClientConnection, publisher: Int, now: UInt64, driver: LoadDriver) {
        let sequence = UInt32(truncatingIfNeeded: client.sent)
        scratch.withUnsafeMutableBytes {
            ProbePayload.write(
                run: ProbePayload.currentRun, sentAt: now, publisher: UInt32(truncatingIfNeeded: publisher),
                sequence: sequence, into: $0)
        }
        scratch.withUnsafeBytes { driver.queueText(client, $0) }
        client.sent += 1
    }
}
