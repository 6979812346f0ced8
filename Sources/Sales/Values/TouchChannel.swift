/// The way a touch (касание) with a client happened.
public enum TouchChannel: String, Sendable, Hashable, Codable, CaseIterable {
    case call
    case email
    case meeting
    case message
    case visit
}
