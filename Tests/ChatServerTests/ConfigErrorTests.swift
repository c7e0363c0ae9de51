import Testing

@testable import ChatServer

/// Every kind of config problem must name the file, the `[table] key` and the line.
@Suite struct ConfigErrorTests {
    /// Parses `text` expecting failure and returns the error.
    private func error(_ text: String, file: String = "conf/chatd.toml") -> ConfigError? {
        configParseError(text, file: file)
    }

    @Test func syntaxErrorCarriesLineAndColumn() throws {
        let failure = try #require(error("[limits]\nmax_rooms = 5\nmax_connections = = 6\n"))
        #expect(failure.fileName == "conf/chatd.toml")
        #expect(failure.line == 3)
        #expect(failure.description.hasPrefix("conf/chatd.toml:3: TOML syntax error at column "))
    }

    @Test func unterminatedTableHeaderIsASyntaxError() throws {
        let failure = try #require(error("# comment\n\n[limits\n"))
        #expect(failure.line == 3)
        #expect(failure.message.contains("syntax error"))
    }

    @Test func wrongTypeNamesKeyLineAndValue() throws {
        let text = "[server]\nlisten = [\"127.0.0.1:8080\"]\n\n[limits]\nmax_rooms = 3\nmax_message_bytes = \"abc\"\n"
        let failure = try #require(error(text))
        #expect(failure.line == 6)
        #expect(failure.key == "[limits] max_message_bytes")
        #expect(
            failure.description
                == "conf/chatd.toml:6: [limits] max_message_bytes: expected an integer between 1 and 2147483648, "
                + "got \"abc\""
        )
    }

    @Test func floatWhereIntegerExpectedIsATypeError() throws {
        let failure = try #require(error("[limits]\n\n  max_connections = 1.5\n"))
        #expect(failure.line == 3)
        #expect(failure.key == "[limits] max_connections")
        #expect(failure.message.contains("got 1.5"))
    }

    @Test func outOfRangeValues() throws {
        let tooBig = try #require(error("[limits]\nmax_message_bytes = 2147483649\n"))
        #expect(tooBig.line == 2)
        #expect(tooBig.key == "[limits] max_message_bytes")
        #expect(tooBig.message.hasPrefix("must be an integer between 1 and 2147483648, got 2147483649"))

        let zero = try #require(error("[limits]\nmax_rooms = 0\n"))
        #expect(zero.key == "[limits] max_rooms")

        let negativeTimeout = try #require(error("[log]\nlevel = \"info\"\n[timeouts]\nidle_seconds = -1\n"))
        #expect(negativeTimeout.line == 4)
        #expect(negativeTimeout.key == "[timeouts] idle_seconds")

        let zeroTimeout = try #require(error("[timeouts]\npong_seconds = 0\n"))
        #expect(zeroTimeout.key == "[timeouts] pong_seconds")
        #expect(zeroTimeout.message.contains("greater than 0"))

        let hugeTimeout = try #require(error("[timeouts]\nclose_seconds = 1e300\n"))
        #expect(hugeTimeout.key == "[timeouts] close_seconds")

        let nanTimeout = try #require(error("[timeouts]\nclose_seconds = nan\n"))
        #expect(nanTimeout.key == "[timeouts] close_seconds")
    }

    @Test func unknownKeySuggestsTheClosestOne() throws {
        let failure = try #require(error("[limits]\nmax_rooms = 4\nmax_mesage_bytes = 10\n"))
        #expect(failure.line == 3)
        #expect(failure.key == "[limits] max_mesage_bytes")
        #expect(failure.message == "unknown key (did you mean max_message_bytes?)")
    }

    @Test func keyInTheWrongTableNamesItsHome() throws {
        let failure = try #require(error("[limits]\nidle_seconds = 4\n"))
        #expect(failure.line == 2)
        #expect(failure.message.contains("belongs in [timeouts]"))
    }

    @Test func keyOutsideAnyTableIsUnknown() throws {
        let failure = try #require(error("listen = [\"127.0.0.1:1\"]\n"))
        #expect(failure.line == 1)
        #expect(failure.key == "listen")
        #expect(failure.message.contains("[server] listen"))
    }

    @Test func unknownTableSuggestsTheClosestOne() throws {
        let failure = try #require(error("[log]\nlevel = \"info\"\n\n[limts]\nmax_rooms = 4\n"))
        #expect(failure.line == 4)
        #expect(failure.key == "[limts]")
        #expect(failure.description == "conf/chatd.toml:4: [limts]: unknown table (did you mean [limits]?)")
    }

    @Test func firstUnknownNameInTheFileIsReported() throws {
        let failure = try #require(error("[zzz]\na = 1\n[limits]\nbogus = 1\n"))
        #expect(failure.line == 1)
        #expect(failure.key == "[zzz]")
    }

    @Test func badListenAddress() throws {
        let failure = try #require(error("[server]\nlisten = [\n  \"127.0.0.1:8080\",\n  \"127.0.0.1:70000\",\n]\n"))
        #expect(failure.line == 2)
        #expect(failure.key == "[server] listen")
        #expect(failure.message.contains("\"127.0.0.1:70000\""))
        #expect(failure.message.contains("65535"))
    }

    @Test func emptyOrDuplicateListenIsRejected() throws {
        let empty = try #require(error("[server]\nlisten = []\n"))
        #expect(empty.message.contains("at least one"))
        let duplicate = try #require(error("[server]\nlisten = [\"[::1]:80\", \"[::1]:80\"]\n"))
        #expect(duplicate.message.contains("twice"))
    }

    @Test func listenOfWrongTypeIsRejected() throws {
        let failure = try #require(error("[server]\nlisten = [8080]\n"))
        #expect(failure.key == "[server] listen")
        #expect(failure.message.contains("got an element 8080"))
    }

    @Test func badLogLevel() throws {
        let failure = try #require(error("[log]\nlevel = \"warn\"\n"))
        #expect(failure.line == 2)
        #expect(failure.key == "[log] level")
        #expect(failure.message.contains("did you mean warning?"))
        #expect(failure.message.contains("trace, debug, info, notice, warning, error, critical"))
    }

    @Test func badOrigins() throws {
        for origin in [
            "chat.example.com", "https://chat.example.com/", "https://a.example/path", "ftp://x", "https://",
        ] {
            let failure = try #require(error("[http]\nallowed_origins = [\"\(origin)\"]\n"), "\(origin)")
            #expect(failure.key == "[http] allowed_origins")
            #expect(failure.line == 2)
        }
    }

    @Test func tableGivenAsPlainValue() throws {
        let failure = try #require(error("limits = 5\n"))
        #expect(failure.key == "[limits]")
        #expect(failure.line == 1)
        #expect(failure.message == "expected a table, got 5")
    }

    @Test func missingFileNamesThePath() throws {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/chatd.toml")
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error.description == "/nonexistent/chatd.toml: cannot open: No such file or directory")
        }
    }

    @Test func nulByteIsRejectedWithItsLine() throws {
        let failure = try #require(error("[log]\nlevel = \"info\u{0}\"\n"))
        #expect(failure.line == 2)
    }
}
