import Testing

@testable import ChatServer

/// `HOST:PORT` parsing for `[server] listen` and `--listen`.
@Suite struct ListenAddressTests {
    @Test func parsesIPv4() throws {
        let address = try ListenAddress("127.0.0.1:8080")
        #expect(address == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(!address.isIPv6)
        #expect(address.description == "127.0.0.1:8080")
        #expect(try ListenAddress("0.0.0.0:80") == ListenAddress(host: "0.0.0.0", port: 80))
    }

    @Test func parsesBracketedIPv6() throws {
        let loopback = try ListenAddress("[::1]:8080")
        #expect(loopback.host == "::1")
        #expect(loopback.port == 8080)
        #expect(loopback.isIPv6)
        #expect(loopback.description == "[::1]:8080")
        #expect(try ListenAddress("[::]:65535") == ListenAddress(host: "::", port: 65_535))
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["10.1.2.3:1", "[fe80::1]:443", "[::]:8080"] {
            #expect(try ListenAddress(ListenAddress(text).description).description == text)
        }
    }

    @Test func rejectsMissingPort() {
        #expect(throws: ListenAddressError.missingPort("127.0.0.1")) { try ListenAddress("127.0.0.1") }
        #expect(throws: ListenAddressError.missingPort("127.0.0.1:")) { try ListenAddress("127.0.0.1:") }
        #expect(throws: ListenAddressError.missingPort("[::1]")) { try ListenAddress("[::1]") }
    }

    @Test func rejectsPortsOutOfRange() {
        #expect(throws: ListenAddressError.portOutOfRange("127.0.0.1:0")) { try ListenAddress("127.0.0.1:0") }
        #expect(throws: ListenAddressError.portOutOfRange("127.0.0.1:70000")) { try ListenAddress("127.0.0.1:70000") }
        #expect(throws: ListenAddressError.portOutOfRange("[::1]:99999999999999999999999")) {
            try ListenAddress("[::1]:99999999999999999999999")
        }
    }

    @Test func rejectsNonNumericPorts() {
        #expect(throws: ListenAddressError.invalidPort("127.0.0.1:http")) { try ListenAddress("127.0.0.1:http") }
        #expect(throws: ListenAddressError.invalidPort("127.0.0.1:-1")) { try ListenAddress("127.0.0.1:-1") }
        #expect(throws: ListenAddressError.invalidPort("127.0.0.1:+80")) { try ListenAddress("127.0.0.1:+80") }
    }

    @Test func rejectsGarbageHosts() {
        for text in ["localhost:8080", "256.0.0.1:80", "1.2.3:80", ":8080", "[::1:80", "[nonsense]:80", "[::1]x:80"] {
            #expect(throws: ListenAddressError.self, "\(text)") { try ListenAddress(text) }
        }
        #expect(throws: ListenAddressError.empty) { try ListenAddress("") }
        #expect(throws: ListenAddressError.unbracketedIPv6("::1:8080")) { try ListenAddress("::1:8080") }
    }

    @Test func errorDescriptionsQuoteTheInput() {
        let error = ListenAddressError.portOutOfRange("127.0.0.1:70000")
        #expect(error.description.contains("\"127.0.0.1:70000\""))
        #expect(error.description.contains("65535"))
    }
}
