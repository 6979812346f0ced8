/// Whether a client is a private person or a company.
public enum ClientKind: String, Sendable, Hashable, Codable, CaseIterable {
    case person
    case company
}
