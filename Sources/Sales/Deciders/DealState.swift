public import Foundation

/// What the deal stream knows about one deal: how it was opened, its current stage, how it
/// ended, its objections, and the ids already used by its offers and concessions.
public struct DealState: Sendable, Equatable {
    /// The deal as opened; nil until `DealOpened` was applied.
    public internal(set) var opening: DealOpened?
    /// The stage the deal is in (the last one entered).
    public internal(set) var stage: String?
    /// The day the deal entered `stage`.
    public internal(set) var stageEnteredOn: LocalDate?
    /// The day of the last stage move; nil while the deal never moved.
    public internal(set) var lastMovedOn: LocalDate?
    /// How the deal ended; nil while it is open.
    public internal(set) var outcome: DealOutcome?
    /// The deal's objections by id.
    public internal(set) var objections: [UUID: ObjectionStatus] = [:]
    /// Every offer made in the deal.
    public internal(set) var offerIds: Set<UUID> = []
    /// Every concession agreed in the deal.
    public internal(set) var concessionIds: Set<UUID> = []

    /// True once the deal is opened.
    public var isOpened: Bool { opening != nil }
    /// True once the deal is won or lost.
    public var isClosed: Bool { outcome != nil }
}
