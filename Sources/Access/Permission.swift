/// A group of routes that the contract's role table grants or refuses as one.
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// POST clients, touches, deals and everything under `/v1/deals/…`, orders.
    case recordSales
    /// POST invoices, payments, credit notes, write-offs.
    case recordReceivables
    /// POST promises to pay and payment reminders on invoices (collections work).
    case recordCollections
    /// GET history, board, funnel, retention, `/v1/events`, pipelines.
    case readReports
    /// GET aging, as JSON and as CSV.
    case readAging
    /// GET `/v1/projections`.
    case readProjections
    /// POST rebuild, DELETE personal data, POST `/v1/pipelines`.
    case administer
}
