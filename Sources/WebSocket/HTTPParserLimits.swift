/// Bounds on the request head so a hostile client cannot make the parser buffer unbounded data.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Maximum bytes of the whole head (request line + headers + blank line); more → 431 (414 if the
    /// request line alone is that long).
    public var maxHeaderBytes: Int
    /// Maximum number of header fields; more → 431.
    public var maxHeaderCount: Int

    /// Creates limits; the defaults match chatd's configuration defaults.
    public init(maxHeaderBytes: Int = 8192, maxHeaderCount: Int = 64) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
