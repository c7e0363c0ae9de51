import Testing

@testable import ChatServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ConfigSource`: file on disk plus flags, the way the `chatd` command builds its configuration.
@Suite struct ConfigSourceTests {
    /// Writes `text` to a fresh temporary file and returns its path.
    private func temporaryFile(_ text: String) throws -> String {
        var template = Array("/tmp/chatd-config-test-XXXXXX.toml".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemps($0, 5) } ?? -1
        }
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        try #require(written == bytes.count)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func withoutPathUsesDefaultsAndFlags() throws {
        let source = ConfigSource(path: nil, overrides: CommandLineOverrides(logLevel: "trace"))
        var expected = ChatdConfig.defaults
        expected.logLevel = .trace
        #expect(try source.load() == expected)
        #expect(source.displayName == "built-in defaults")
    }

    @Test func flagsOverrideTheFile() throws {
        let path = try temporaryFile("[server]\nlisten = [\"127.0.0.1:9\"]\n[limits]\nmax_rooms = 5\n")
        defer { unlink(path) }
        let source = ConfigSource(path: path, overrides: CommandLineOverrides(listen: ["[::1]:7"]))
        let config = try source.load()
        #expect(config.listen == [ListenAddress(host: "::1", port: 7)])
        #expect(config.maxRooms == 5)
        #expect(source.displayName == path)
    }

    @Test func fileErrorsNameThePathAndLine() throws {
        let path = try temporaryFile("[log]\n\nlevel = 3\n")
        defer { unlink(path) }
        do {
            _ = try ConfigSource(path: path).load()
            Issue.record("a bad file was accepted")
        } catch {
            #expect(error.description.hasPrefix("\(path):3: [log] level: expected a string like \"info\", got 3"))
        }
    }
}
