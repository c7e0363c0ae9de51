import Glibc
import Reactor
import Testing

@Test func parsesAndFormatsIPv4() throws {
    let address = try #require(SocketAddress(host: "127.0.0.1", port: 8080))
    #expect(address.family == AF_INET)
    #expect(address.description == "127.0.0.1:8080")
}

@Test func parsesAndFormatsIPv6() throws {
    let address = try #require(SocketAddress(host: "::1", port: 443))
    #expect(address.family == AF_INET6)
    #expect(address.description == "[::1]:443")
}

@Test func rejectsHostNames() {
    #expect(SocketAddress(host: "localhost", port: 80) == nil)
    #expect(SocketAddress(host: "256.1.1.1", port: 80) == nil)
}

@Test func listensOnAnEphemeralLoopbackPort() throws {
    let address = try #require(SocketAddress(host: "127.0.0.1", port: 0))
    let listener = try ListeningSocket(address: address)
    #expect(listener.localAddress.description.hasPrefix("127.0.0.1:"))
    #expect(!listener.localAddress.description.hasSuffix(":0"))
    if case .empty = listener.acceptOne() {} else { Issue.record("expected no pending connection") }
}

@Test func bindingATakenPortFailsWithAReadableError() throws {
    let address = try #require(SocketAddress(host: "127.0.0.1", port: 0))
    let first = try ListeningSocket(address: address)
    let port = try #require(UInt16(first.localAddress.description.split(separator: ":").last ?? ""))
    let again = try #require(SocketAddress(host: "127.0.0.1", port: port))
    #expect(throws: SystemCallError.self) { _ = try ListeningSocket(address: again) }
    do {
        _ = try ListeningSocket(address: again)
    } catch {
        #expect(error.description.contains("Address already in use"))
    }
}
