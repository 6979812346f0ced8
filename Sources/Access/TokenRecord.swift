import Foundation

/// What is stored about a token, without its secret.
public struct TokenRecord: Sendable, Equatable, Codable {
    /// The token's id.
    public var tokenID: UUID
    /// The holder's name, as given when it was made.
    public var name: String
    /// What the holder may do.
    public var role: Role
    /// `"<role>:<name>"`, recorded as the actor of what the token does.
    public var subject: String
    /// When it was made (RFC 3339, UTC).
    public var createdAt: String
    /// When it was revoked (RFC 3339, UTC), or `nil` while active.
    public var revokedAt: String?

    public init(tokenID: UUID, name: String, role: Role, subject: String, createdAt: String, revokedAt: String?) {
        self.tokenID = tokenID
        self.name = name
        self.role = role
        self.subject = subject
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
