import Testing

@testable import ChatServer

/// The `[chat]` table: history size, text size and the per-connection rate limit.
@Suite struct ChatConfigTests {
    @Test func defaultsWhenTheTableIsAbsent() throws {
        let config = try ConfigLoader.parse(text: "", fileName: "c.toml")
        #expect(config.historySize == 100)
        #expect(config.maxTextBytes == 4000)
        #expect(config.ratePerSecond == 5)
        #expect(config.rateBurst == 10)
    }

    @Test func everyKeyIsRead() throws {
        let text = "[chat]\nhistory_size = 0\nmax_text_bytes = 12\nrate_per_second = 0.5\nrate_burst = 3\n"
        let config = try ConfigLoader.parse(text: text, fileName: "c.toml")
        #expect(config.historySize == 0)
        #expect(config.maxTextBytes == 12)
        #expect(config.ratePerSecond == 0.5)
        #expect(config.rateBurst == 3)
    }

    @Test func integerRateIsAccepted() throws {
        let config = try ConfigLoader.parse(text: "[chat]\nrate_per_second = 20\n", fileName: "c.toml")
        #expect(config.ratePerSecond == 20)
    }

    @Test func badValuesNameKeyAndLine() {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text: "[chat]\nrate_burst = 0\n", fileName: "c") }
        do {
            _ = try ConfigLoader.parse(text: "[chat]\n\nrate_per_second = \"fast\"\n", fileName: "c.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.key == "[chat] rate_per_second")
            #expect(error.description.hasPrefix("c.toml:3: [chat] rate_per_second: expected a number between"))
        }
        do {
            _ = try ConfigLoader.parse(text: "[chat]\nrate_per_second = 0\n", fileName: "c.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "[chat] rate_per_second")
            #expect(error.message.hasPrefix("must be a number between"))
        }
    }

    @Test func misspeltKeySuggestsTheRightOne() {
        do {
            _ = try ConfigLoader.parse(text: "[chat]\nhistory_sise = 5\n", fileName: "c.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.contains("history_size"))
        }
    }
}

/// History that could not be replayed within the per-connection queue cap is refused at start-up.
@Suite struct ConfigConsistencyTests {
    @Test func defaultsAreConsistent() throws {
        _ = try ConfigLoader.parse(text: "", fileName: "c.toml")
        let shipped = ChatdConfig.defaults
        let replay = shipped.historySize * ConfigConsistency.worstCaseReplayBytes(maxTextBytes: shipped.maxTextBytes)
        #expect(replay <= shipped.maxOutboundBytes)
    }

    @Test func historyLargerThanTheQueueCapIsAnError() {
        let text = "[limits]\nmax_outbound_bytes = 65536\n\n[chat]\nmax_text_bytes = 4000\nhistory_size = 100\n"
        do {
            _ = try ConfigLoader.parse(text: text, fileName: "c.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 6)
            #expect(error.key == "[chat] history_size")
            #expect(error.message.contains("max_outbound_bytes (65536)"))
        }
    }

    @Test func hugeValuesDoNotOverflow() {
        let text = "[chat]\nmax_text_bytes = 1048576\nhistory_size = 100000\n"
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text: text, fileName: "c.toml") }
    }
}
