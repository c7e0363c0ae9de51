/// One member value of a client's JSON object. Scalars are kept; nested objects and arrays are validated and then
/// skipped because no client message needs them.
enum JSONValue: Sendable, Equatable {
    /// A string, with escapes resolved.
    case string(String)
    /// A number, kept as its validated source text (no client field needs arithmetic).
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// A nested object or array (validated, contents dropped).
    case nested
}
