/// Checks that span several keys: values that are each in range but cannot work together.
enum ConfigConsistency {
    /// Worst-case bytes one stored message takes when replayed as JSON: every text byte escaped as
    /// `\u00XX` (6 bytes) plus the envelope (type, id, room, name, timestamp).
    static func worstCaseReplayBytes(maxTextBytes: Int) -> Int {
        let (escaped, overflow) = maxTextBytes.multipliedReportingOverflow(by: 6)
        return overflow ? Int.max : escaped &+ 512
    }

    /// A joiner receives the room's whole history at once; if that can exceed the per-connection queue cap,
    /// every joiner of a busy room would be dropped as a slow consumer before it saw anything.
    static func check(_ config: ChatdConfig, fileName: String, index: ConfigSourceIndex) throws(ConfigError) {
        let perMessage = worstCaseReplayBytes(maxTextBytes: config.maxTextBytes)
        let (replay, overflow) = config.historySize.multipliedReportingOverflow(by: perMessage)
        guard overflow || replay > config.maxOutboundBytes else { return }
        let shown = overflow ? "more than \(Int.max)" : "\(replay)"
        throw ConfigError(
            fileName: fileName,
            line: index.line(ofKey: "history_size", inTable: "chat")
                ?? index.line(ofKey: "max_outbound_bytes", inTable: "limits"),
            key: "[chat] history_size",
            message: "replaying \(config.historySize) messages of up to \(config.maxTextBytes) bytes may need \(shown) "
                + "bytes, more than [limits] max_outbound_bytes (\(config.maxOutboundBytes)); lower history_size or "
                + "max_text_bytes, or raise max_outbound_bytes"
        )
    }
}
