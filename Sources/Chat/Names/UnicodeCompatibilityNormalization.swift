// The only Foundation use in the Chat module: neither the standard library nor FoundationEssentials offers NFKC.
// Names are normalised on join and rename only, never on the message path.
import Foundation

/// Unicode NFKC (compatibility decomposition + canonical composition), so that look-alike forms such as
/// fullwidth `ａｌｉｃｅ` or ligatures collapse to their plain equivalents.
enum UnicodeCompatibilityNormalization {
    /// `text` in Normalization Form KC.
    static func nfkc(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }  // ASCII is already NFKC
        return text.precomposedStringWithCompatibilityMapping
    }
}
