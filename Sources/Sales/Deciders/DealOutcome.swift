/// How a closed deal ended.
public enum DealOutcome: Sendable, Equatable {
    /// Won on that day.
    case won(on: LocalDate)
    /// Lost on that day, refused by the client or by us.
    case lost(on: LocalDate, refusedBy: RefusedBy)
}
