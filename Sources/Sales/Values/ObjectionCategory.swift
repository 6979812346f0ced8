/// The kind of an objection (возражение), after seed 003's list: "too expensive", "we have
/// everything", "not interested", "we work with another company", "no budget", "call back in six
/// months", "we have our own resources", "crisis". The client's own words go in the objection's text.
public enum ObjectionCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case price
    case noNeed = "no-need"
    case notInterested = "not-interested"
    case hasSupplier = "has-supplier"
    case noBudget = "no-budget"
    case notNow = "not-now"
    case ownResources = "own-resources"
    case crisis
    case other
}
