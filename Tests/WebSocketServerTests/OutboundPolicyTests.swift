import Testing

@testable import WebSocketServer

/// The slow-consumer rule as a pure function: the hard limit cuts at once, the soft limit only after its duration.
@Suite struct OutboundPolicyTests {
    static let policy = OutboundPolicy(hardLimitBytes: 1000, softLimitBytes: 100, softLimitMilliseconds: 50)

    @Test func softLimitIsClampedToTheHardOneAndNothingIsNegative() {
        let inverted = OutboundPolicy(hardLimitBytes: 100, softLimitBytes: 500, softLimitMilliseconds: 10)
        #expect(inverted.softLimitBytes == 100)
        let negative = OutboundPolicy(hardLimitBytes: -1, softLimitBytes: -5, softLimitMilliseconds: -7)
        #expect(negative.hardLimitBytes == 0)
        #expect(negative.softLimitBytes == 0)
        #expect(negative.softLimitMilliseconds == 0)
    }

    @Test func hardLimitIsExceededOnlyAboveIt() {
        #expect(Self.policy.violation(queued: 1000, aboveSoftSince: .max, now: 0) == nil)
        #expect(Self.policy.violation(queued: 1001, aboveSoftSince: .max, now: 0) == .hardLimit)
        #expect(Self.policy.violation(queued: 1001, aboveSoftSince: 0, now: 0) == .hardLimit)
    }

    @Test func softLimitNeedsItsWholeDuration() {
        #expect(Self.policy.violation(queued: 500, aboveSoftSince: .max, now: 1_000_000) == nil, "clock not started")
        #expect(Self.policy.violation(queued: 500, aboveSoftSince: 1000, now: 1049) == nil)
        #expect(Self.policy.violation(queued: 500, aboveSoftSince: 1000, now: 1050) == .softLimit)
        #expect(Self.policy.violation(queued: 100, aboveSoftSince: 1000, now: 9999) == nil, "at the soft limit is fine")
    }

    @Test func softLimitAtTheHardLimitHasNoEffect() {
        let policy = OutboundPolicy(hardLimitBytes: 100, softLimitBytes: 100, softLimitMilliseconds: 0)
        #expect(policy.violation(queued: 100, aboveSoftSince: 0, now: 1_000_000) == nil)
    }
}
