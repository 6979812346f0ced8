/// How a blue/green rebuild ended.
public enum RebuildOutcome: Sendable, Equatable {
    /// The new generation serves now: its checksum equalled the live one's
    /// (`checksumMatched`), or the code's version went up.
    case swapped(generation: Int, position: Int64, checksumMatched: Bool)
    /// The new generation differed from the live one at the same version: a
    /// bug, reported and not swapped. The per-table `name:count:sum` of both
    /// (see ``FactTable``'s checksum).
    case mismatch(live: [String], rebuilt: [String])
}
