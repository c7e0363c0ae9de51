/// Why a store could not be opened or read; `description` names the file and the reason for the journal.
public struct HistoryStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, naming the file.
    public var description: String

    /// An error with a readable description.
    public init(_ description: String) {
        self.description = description
    }
}
