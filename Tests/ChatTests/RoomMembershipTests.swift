import Testing

@testable import Chat

/// The membership storage behind broadcasting: shared arrays, correct swap-removal.
@Suite struct RoomMembershipTests {
    @Test func consecutiveBroadcastsShareOneMemberArray() throws {
        let service = ChatService(limits: ChatLimits())
        for raw in UInt64(1)...50 {
            _ = try service.join(member: MemberID(raw), room: "lobby", requestedName: nil)
        }
        let first = service.receive(text: "one", from: MemberID(1))
        let second = service.receive(text: "two", from: MemberID(2))
        guard case .broadcast(_, let firstMembers) = first.first, case .broadcast(_, let secondMembers) = second.first
        else {
            Issue.record("expected broadcasts, got \(first) and \(second)")
            return
        }
        #expect(firstMembers.count == 50)
        let firstBase = firstMembers.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let secondBase = secondMembers.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(firstBase == secondBase)
    }

    @Test func swapRemovalKeepsMembershipExact() throws {
        let service = ChatService(limits: ChatLimits())
        var expected = Set<MemberID>()
        for raw in UInt64(1)...200 {
            _ = try service.join(member: MemberID(raw), room: "lobby", requestedName: "user")
            expected.insert(MemberID(raw))
        }
        // Deterministic pseudo-random removal order covering first, last and middle slots.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var remaining = expected.sorted()
        while remaining.count > 1 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let index = Int((state >> 33) % UInt64(remaining.count))
            let gone = remaining.remove(at: index)
            expected.remove(gone)
            let actions = service.leave(member: gone)
            #expect(actions.first?.recipients == expected)
        }
        #expect(service.memberCount == 1)
        let last = try #require(remaining.first)
        #expect(service.receive(text: "alone", from: last).first?.recipients == [last])
    }

    @Test func memberIdsOrderByRawValue() {
        #expect(MemberID(1) < MemberID(2))
        #expect([MemberID(3), MemberID(1)].sorted() == [MemberID(1), MemberID(3)])
        #expect(MemberID(7).rawValue == 7)
    }
}
