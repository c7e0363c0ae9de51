/// Names one accepted connection for as long as it lives: the descriptor's slot in the connection table and a
/// generation that changes with every accept, so an id kept after its connection closed never reaches the next
/// connection that is given the same descriptor number.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// Generation in the high 32 bits, descriptor slot in the low 32 bits.
    public let rawValue: UInt64

    /// Rebuilds an id from its raw value (e.g. one an application stored as its own member id).
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The id of the connection on descriptor `slot` accepted as generation `generation`.
    init(slot: Int32, generation: UInt32) {
        rawValue = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: slot))
    }

    /// The descriptor slot: where the connection sits in the table.
    var slot: Int { Int(rawValue & 0xFFFF_FFFF) }

    /// `fd 12 #3` for logs.
    public var description: String { "fd \(slot) #\(rawValue >> 32)" }
}
