import Testing

@testable import Chat

/// Room and membership limits, including changes made by a config reload.
@Suite struct ChatServiceLimitTests {
    @Test func tooManyRoomsIsRefusedWithoutSideEffects() throws {
        let service = ChatService(limits: ChatLimits(maxRooms: 2))
        _ = try service.join(member: Members.alice, room: "a", requestedName: nil)
        _ = try service.join(member: Members.bob, room: "b", requestedName: nil)
        #expect(throws: JoinRefusal.tooManyRooms) {
            try service.join(member: Members.carol, room: "c", requestedName: "carol")
        }
        #expect(service.roomCount == 2)
        #expect(service.memberCount == 2)
        #expect(service.name(of: Members.carol) == nil)
        // Existing rooms still accept members.
        _ = try service.join(member: Members.carol, room: "a", requestedName: "carol")
        #expect(service.room(of: Members.carol) == "a")
    }

    @Test func fullRoomIsRefused() throws {
        let service = ChatService(limits: ChatLimits(maxMembersPerRoom: 2))
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "lobby", requestedName: "bob")
        #expect(throws: JoinRefusal.roomFull) {
            try service.join(member: Members.carol, room: "lobby", requestedName: "carol")
        }
        #expect(service.memberCount == 2)
        _ = service.leave(member: Members.alice)
        _ = try service.join(member: Members.carol, room: "lobby", requestedName: "carol")
        #expect(service.memberCount == 2)
    }

    @Test func limitsChangedAtRuntimeApplyToLaterJoins() throws {
        let service = ChatService(limits: ChatLimits())
        _ = try service.join(member: Members.alice, room: "a", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "b", requestedName: "bob")
        service.limits = ChatLimits(maxNameLength: 3, maxRooms: 1, maxMembersPerRoom: 1)
        #expect(service.limits.maxRooms == 1)
        // Members that joined under the old limits stay.
        #expect(service.roomCount == 2)
        #expect(service.receive(text: "still here", from: Members.bob).first?.text == "bob: still here")
        #expect(throws: JoinRefusal.tooManyRooms) {
            try service.join(member: Members.carol, room: "c", requestedName: nil)
        }
        #expect(throws: JoinRefusal.roomFull) {
            try service.join(member: Members.carol, room: "a", requestedName: nil)
        }
        service.limits.maxRooms = 3
        #expect(try joinedName(service, Members.carol, room: "c", as: "carol") == "car")
    }
}
