/// Cleans a client-requested chat name so it cannot hide, spoof or break the plain-text chat lines.
enum NameSanitizer {
    /// Most Unicode scalars one Character of a name may carry; longer clusters ("Zalgo" text) are dropped.
    static let maxScalarsPerCharacter = 8

    /// Applies NFKC (so fullwidth and other compatibility forms become plain ones), strips control, bidi-override
    /// and zero-width characters, folds whitespace runs into one space, trims, removes `:` (it separates name and
    /// text in chat lines) and leading `*` (system notices start with "* "), then truncates to `maxLength`
    /// Characters. Returns "" when nothing is left.
    static func sanitize(_ requested: String, maxLength: Int) -> String {
        truncate(cleaned(requested), toCharacters: maxLength)
    }

    /// `requested` normalised and cleaned but not yet truncated (rename uses it to reject over-long names).
    static func cleaned(_ requested: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in UnicodeCompatibilityNormalization.nfkc(requested).unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            if isInvisibleOrControl(scalar) || scalar == ":" { continue }
            if scalars.isEmpty && scalar == "*" {
                pendingSpace = false
                continue
            }
            if pendingSpace && !scalars.isEmpty {
                scalars.append(" ")
            }
            pendingSpace = false
            scalars.append(scalar)
        }
        return truncate(String(scalars), toCharacters: Int.max)
    }

    /// The first `limit` Characters of `name` (never splitting a grapheme cluster), without oversized clusters
    /// and without a trailing space.
    static func truncate(_ name: String, toCharacters limit: Int) -> String {
        var result = ""
        var count = 0
        for character in name where character.unicodeScalars.count <= maxScalarsPerCharacter {
            guard count < limit else { break }
            result.append(character)
            count &+= 1
        }
        while result.last == " " {
            result.removeLast()
        }
        return result
    }

    /// True for C0/C1 controls, DEL, bidi embeddings/overrides/isolates and marks, and zero-width characters.
    static func isInvisibleOrControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0, DEL, C1
        case 0x200B...0x200F: return true  // zero width space/non-joiner/joiner, LRM, RLM
        case 0x202A...0x202E: return true  // bidi embeddings and overrides
        case 0x2060...0x2064: return true  // word joiner, invisible operators
        case 0x2066...0x2069: return true  // bidi isolates
        case 0x061C, 0x180E, 0xFEFF: return true  // Arabic letter mark, Mongolian vowel separator, BOM
        default: return false
        }
    }
}
