public import Foundation

/// Who presented a valid bearer token.
public struct TokenIdentity: Sendable, Equatable {
    /// The token's id (not the secret).
    public var tokenID: UUID
    /// The actor recorded on what this token does: `"<role>:<name>"`.
    public var subject: String
    /// What the holder may do.
    public var role: Role

    public init(tokenID: UUID, subject: String, role: Role) {
        self.tokenID = tokenID
        self.subject = subject
        self.role = role
    }
}
