/// The uniqueness key of a display name: NFKC, case-folded, NFKC again. Two names with equal keys are treated as
/// the same name within a room ("Alice", "ALICE" and fullwidth "ａｌｉｃｅ" collide).
enum NameKey {
    /// The comparison key for `name`.
    static func of(_ name: String) -> String {
        // Upper- then lower-casing approximates full case folding (e.g. "ß" → "SS" → "ss").
        let folded = UnicodeCompatibilityNormalization.nfkc(name).uppercased().lowercased()
        return UnicodeCompatibilityNormalization.nfkc(folded)
    }
}
