/// What a token's holder is: the contract's four roles.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Records clients, touches, deals and orders.
    case sales
    /// Records invoices, payments, credit notes and write-offs.
    case accountant
    /// Reads reports, aging and projection status.
    case backoffice
    /// May do everything.
    case admin

    /// Whether this role may do what `permission` guards (the contract's role table).
    public func may(_ permission: Permission) -> Bool {
        switch permission {
        case .recordSales: self == .sales || self == .admin
        case .recordReceivables: self == .accountant || self == .admin
        case .recordCollections: self != .backoffice
        case .readReports: true
        case .readAging: self != .sales
        case .readProjections: self == .backoffice || self == .admin
        case .administer: self == .admin
        }
    }
}
