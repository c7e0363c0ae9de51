import Testing

@testable import Chat

/// Presence lists stay exact while members come, go and rename.
@Suite struct PresenceTests {
    /// The member list in a JSON `presence` event.
    func presenceNames(_ text: String?) -> [String] {
        guard let text, let start = text.range(of: #""members":["#) else { return [] }
        let body = text[start.upperBound...].dropLast(2)
        guard !body.isEmpty else { return [] }
        return body.split(separator: ",").map { String($0.dropFirst().dropLast()) }
    }

    @Test func presenceIsExactUnderChurn() throws {
        let service = ChatService(limits: unlimitedRate, instanceID: "c")
        var expected: [MemberID: String] = [:]
        var state: UInt64 = 42
        for step in 0..<400 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let member = MemberID(1 + (state >> 33) % 30)
            let protocolChoice: ChatProtocol = member.rawValue % 2 == 0 ? .json : .plainText
            switch (state >> 20) % 3 {
            case 0:
                _ = try service.join(member: member, requestedName: "u\(member.rawValue)", chatProtocol: protocolChoice)
                expected[member] = "u\(member.rawValue)"
            case 1:
                _ = service.leave(member: member)
                expected.removeValue(forKey: member)
            default:
                guard expected[member] != nil else { continue }
                let newName = "n\(step)"
                _ = service.receive(text: "/nick \(newName)", from: member)
                if protocolChoice == .json {
                    _ = service.receive(text: "{\"type\":\"rename\",\"name\":\"\(newName)\"}", from: member)
                }
                expected[member] = newName
            }
            #expect(service.memberCount == expected.count)
            let observer = MemberID(1000)
            let join = try service.join(member: observer, requestedName: "zz-observer", chatProtocol: .json)
            let names = presenceNames(join.first { jsonType($0.text) == "presence" }?.text)
            let want = (Array(expected.values) + ["zz-observer"]).sorted { $0.lowercased() < $1.lowercased() }
            #expect(names == want)
            _ = service.leave(member: observer)
        }
    }
}
