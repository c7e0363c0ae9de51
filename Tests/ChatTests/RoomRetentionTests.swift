import Testing

@testable import Chat

/// Empty rooms with history survive; the least recently active empty room is evicted at `maxRooms`.
@Suite struct RoomRetentionTests {
    /// A service allowing `maxRooms` rooms, no rate limiting.
    func makeService(maxRooms: Int) -> ChatService {
        var limits = unlimitedRate
        limits.maxRooms = maxRooms
        return ChatService(limits: limits, instanceID: "r")
    }

    /// Joins `member` into `room`, posts one message and leaves, leaving an empty room with history.
    func leaveBehindHistory(_ service: ChatService, room: String, member: MemberID) throws {
        _ = try service.join(member: member, room: room, requestedName: "x")
        _ = service.receive(text: "kept in \(room)", from: member)
        _ = service.leave(member: member)
    }

    @Test func emptyRoomWithHistoryIsKeptAndResumable() throws {
        let service = makeService(maxRooms: 10)
        try leaveBehindHistory(service, room: "a", member: Members.alice)
        #expect(service.roomCount == 1)
        #expect(service.memberCount == 0)
        #expect(service.messagesStored == 1)
        let join = try service.join(member: Members.bob, room: "a", requestedName: "bob")
        #expect(texts(join).contains("x: kept in a"))
    }

    @Test func leastRecentlyEmptiedRoomIsEvictedFirst() throws {
        let service = makeService(maxRooms: 3)
        try leaveBehindHistory(service, room: "a", member: Members.alice)
        try leaveBehindHistory(service, room: "b", member: Members.alice)
        try leaveBehindHistory(service, room: "c", member: Members.alice)
        // "a" is revisited, so "b" becomes the least recently active empty room.
        try leaveBehindHistory(service, room: "a", member: Members.alice)
        #expect(service.messagesStored == 4)
        _ = try service.join(member: Members.bob, room: "d", requestedName: "bob")
        #expect(service.roomCount == 3)
        #expect(service.messagesStored == 3)
        let rejoinB = try service.join(member: Members.carol, room: "b", requestedName: "carol")  // evicts "c"
        #expect(!texts(rejoinB).contains("x: kept in b"))
        let rejoinA = try service.join(member: Members.dave, room: "a", requestedName: "dave")
        #expect(texts(rejoinA).contains("x: kept in a"))
        #expect(service.roomCount == 3)
        #expect(service.messagesStored == 2)
    }

    @Test func roomsWithMembersAreNeverEvicted() throws {
        let service = makeService(maxRooms: 2)
        _ = try service.join(member: Members.alice, room: "a", requestedName: "alice")
        try leaveBehindHistory(service, room: "b", member: Members.bob)
        _ = try service.join(member: Members.carol, room: "c", requestedName: "carol")  // evicts empty "b"
        #expect(throws: JoinRefusal.tooManyRooms) {
            try service.join(member: Members.dave, room: "d", requestedName: "dave")
        }
        #expect(service.room(of: Members.alice) == "a")
        #expect(service.room(of: Members.carol) == "c")
        #expect(service.roomCount == 2)
    }

    @Test func emptyRoomWithoutHistoryIsDeleted() throws {
        let service = makeService(maxRooms: 10)
        _ = try service.join(member: Members.alice, room: "quiet", requestedName: "alice")
        _ = service.leave(member: Members.alice)
        #expect(service.roomCount == 0)
    }

    @Test func manyRoomsChurnWithinTheLimit() throws {
        let service = makeService(maxRooms: 20)
        for index in 0..<500 {
            try leaveBehindHistory(service, room: "room\(index)", member: MemberID(UInt64(index + 1)))
            #expect(service.roomCount <= 20)
        }
        #expect(service.messagesStored == 20)
        #expect(service.memberCount == 0)
    }
}
