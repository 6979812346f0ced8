/// Who started a touch: the client (`inbound`) or we (`outbound`).
public enum TouchDirection: String, Sendable, Hashable, Codable, CaseIterable {
    case inbound
    case outbound
}
