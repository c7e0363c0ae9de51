import Testing

@testable import chatd_load

@Test func chatLayoutNumbersPostersRoomByRoom() {
    let layout = ChatLayout(rooms: 3, members: 5, posters: 2)
    #expect(layout.steadyClients == 15 && layout.totalPosters == 6)
    // Room 1 holds clients 5...9; its posters are clients 5 and 6, global posters 2 and 3.
    #expect((5...9).map { layout.room(ofMember: $0) } == [1, 1, 1, 1, 1])
    #expect((5...9).map { layout.poster(ofMember: $0) } == [2, 3, nil, nil, nil])
    for poster in 0..<layout.totalPosters {
        let member = layout.member(ofPoster: poster)
        #expect(layout.poster(ofMember: member) == poster)
        #expect(layout.room(ofPoster: poster) == layout.room(ofMember: member))
        #expect(layout.place(ofPoster: poster) == member % layout.members)
    }
}

@Test func chatLayoutWithOneMemberPerRoomMakesEveryMemberAPoster() {
    let layout = ChatLayout(rooms: 100, members: 1, posters: 1)
    #expect((0..<100).allSatisfy { layout.poster(ofMember: $0) == $0 && layout.member(ofPoster: $0) == $0 })
}

@Test func postScheduleSpreadsPostersOverThePeriod() {
    let schedule = PostSchedule(rate: 2, count: 4)
    // Poster p's first message is due at p / (count * rate) seconds: 0, 0.125, 0.25, 0.375.
    #expect((0..<4).map { schedule.due(poster: $0, elapsed: 0) } == [1, 0, 0, 0])
    #expect((0..<4).map { schedule.due(poster: $0, elapsed: 0.2) } == [1, 1, 0, 0])
    #expect((0..<4).map { schedule.due(poster: $0, elapsed: 0.9) } == [2, 2, 2, 2])
    // Over ten seconds every poster is due rate * 10 messages, give or take the one in progress.
    #expect((0..<4).allSatisfy { (20...21).contains(schedule.due(poster: $0, elapsed: 10)) })
}

@Test func roomTargetsAppendTheRoomNumberToThePath() throws {
    let plain = try WebSocketURL(parsing: "ws://127.0.0.1:8080/chat/mix")
    #expect(plain.target(room: 7, name: "m3") == "/chat/mix-7?name=m3")
    let query = try WebSocketURL(parsing: "ws://127.0.0.1:8080/chat/mix?since=4")
    #expect(query.target(room: 0, name: "c1") == "/chat/mix-0?since=4&name=c1")
}

@Test func historyEventsAreRecognisedAndTheirMessagesCounted() {
    let history = Array(
        (#"{"type":"history","room":"r","messages":[{"type":"message","id":1,"room":"r","from":"a","#
            + #""text":"{\"type\":\"message\"","ts":1,"action":false},{"type":"message","id":2,"room":"r","#
            + #""from":"b","text":"hi","ts":2,"action":false}]}"#).utf8)
    #expect(history.withUnsafeBytes { HistoryEvent.isHistory($0) })
    // The escaped look-alike inside the first text does not count.
    #expect(history.withUnsafeBytes { HistoryEvent.messageCount($0) } == 2)
    let empty = Array(#"{"type":"history","room":"r","messages":[]}"#.utf8)
    #expect(empty.withUnsafeBytes { HistoryEvent.messageCount($0) } == 0)
    let welcome = Array(#"{"type":"welcome","id":"5"}"#.utf8)
    #expect(!welcome.withUnsafeBytes { HistoryEvent.isHistory($0) })
    let short = Array(#"{"type":"hist"#.utf8)
    #expect(!short.withUnsafeBytes { HistoryEvent.isHistory($0) })
}
