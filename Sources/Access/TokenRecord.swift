public import Foundation

/// What is stored about a token, without its secret.
///
/// Encoded with camelCase keys, the id in lowercase canonical form and
/// `revokedAt` as `null` while the token is active, `expiresAt` as `null` for a token that never
/// expires.
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
    /// When it stops being accepted (RFC 3339, UTC), or `nil` for never.
    public var expiresAt: String?

    public init(
        tokenID: UUID, name: String, role: Role, subject: String, createdAt: String, revokedAt: String?,
        expiresAt: String? = nil
    ) {
        self.tokenID = tokenID
        self.name = name
        self.role = role
        self.subject = subject
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey {
        case tokenID = "tokenId", name, role, subject, createdAt, revokedAt, expiresAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .tokenID)
        guard let tokenID = UUID(uuidString: id) else {
            throw DecodingError.dataCorruptedError(forKey: .tokenID, in: container, debugDescription: "not a UUID")
        }
        self.init(
            tokenID: tokenID, name: try container.decode(String.self, forKey: .name),
            role: try container.decode(Role.self, forKey: .role),
            subject: try container.decode(String.self, forKey: .subject),
            createdAt: try container.decode(String.self, forKey: .createdAt),
            revokedAt: try container.decodeIfPresent(String.self, forKey: .revokedAt),
            expiresAt: try container.decodeIfPresent(String.self, forKey: .expiresAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tokenID.uuidString.lowercased(), forKey: .tokenID)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(subject, forKey: .subject)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}
