/// Who ended a lost deal: the client refused us, or we refused the client (seed 000, seed 002:
/// refuse when we do not have what they need).
public enum RefusedBy: String, Sendable, Hashable, Codable, CaseIterable {
    case client
    case us
}
