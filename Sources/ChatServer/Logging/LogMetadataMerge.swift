import Logging

/// Combines the three sources of log metadata in swift-log's precedence order, shared by both handlers.
enum LogMetadataMerge {
    /// Handler metadata, overridden by the metadata provider, overridden by the log call's own metadata;
    /// an attached error is added as `error`.
    static func merged(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        event: LogEvent
    ) -> Logger.Metadata {
        var result = handler
        if let provided = provider?.get() {
            result.merge(provided) { _, new in new }
        }
        if let own = event.metadata {
            result.merge(own) { _, new in new }
        }
        if let error = event.error {
            result["error"] = .string("\(error)")
        }
        return result
    }
}
