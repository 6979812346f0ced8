import Crypto
public import Foundation
public import PQ

/// Bearer tokens in PostgreSQL: made with a role and a name, listed, revoked.
///
/// A token is `ts_` followed by 43 URL-safe base64 characters of 32 random
/// bytes. Only its SHA-256 is stored; a presented token is looked up by its
/// hash and the hashes are then compared in constant time.
public final class TokenStore: TokenVerifying {
    private let pool: ConnectionPool

    /// The prefix of every token.
    static let prefix = "ts_"
    /// `prefix` plus 43 base64 characters.
    static let length = 46

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// Makes a token, accepted until `expiresIn` from now when given (else until revoked); the
    /// returned secret is shown once and never stored.
    public func create(
        role: Role, name: String, expiresIn: Duration? = nil
    ) async throws
        -> (token: String, record: TokenRecord)
    {
        guard Self.isValid(name: name) else { throw TokenNameError.invalid(name) }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Self.prefix + Self.base64URL(secret)
        let id = UUID()
        let lifetime = expiresIn.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        let record = try await pool.withConnection { connection in
            let row = try connection.query(
                """
                INSERT INTO access_tokens (token_id, name, role, secret_hash, expires_at)
                VALUES (\(id), \(name), \(role.rawValue), \(Self.hash(token)),
                        now() + make_interval(secs => \(lifetime)::float8))
                RETURNING \(fragment: Self.columns)
                """
            ).first
            guard let row else { throw PQError(kind: .decoding, message: "INSERT returned no row") }
            return try Self.record(row)
        }
        return (token, record)
    }

    /// Every token, active and revoked, oldest first.
    public func list() async throws -> [TokenRecord] {
        try await pool.withConnection { connection in
            try connection.query("SELECT \(fragment: Self.columns) FROM access_tokens ORDER BY created_at, token_id")
                .rows.map(Self.record)
        }
    }

    /// Revokes the token `id`; `false` when there is no active token with that id.
    public func revoke(_ id: UUID) async throws -> Bool {
        try await pool.withConnection { connection in
            try connection.execute(
                "UPDATE access_tokens SET revoked_at = now() WHERE token_id = \(id) AND revoked_at IS NULL") > 0
        }
    }

    /// Revokes every active token named `name`; answers how many.
    public func revoke(named name: String) async throws -> Int {
        try await pool.withConnection { connection in
            try connection.execute(
                "UPDATE access_tokens SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL")
        }
    }

    public func identity(forBearer token: String) async throws -> TokenIdentity? {
        guard token.utf8.count == Self.length, token.hasPrefix(Self.prefix) else { return nil }
        let presented = Self.hash(token)
        let found = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT token_id, name, role, secret_hash FROM access_tokens
                 WHERE secret_hash = \(presented) AND revoked_at IS NULL
                   AND (expires_at IS NULL OR expires_at > now())
                """
            ).first.map { row in
                (
                    id: try row.decode(0, as: UUID.self), name: try row.decode(1, as: String.self),
                    role: try row.decode(2, as: String.self), hash: try row.decode(3, as: String.self)
                )
            }
        }
        guard let found, Self.constantTimeEqual(found.hash, presented), let role = Role(rawValue: found.role) else {
            return nil
        }
        return TokenIdentity(tokenID: found.id, subject: Self.subject(role: role, name: found.name), role: role)
    }

    /// The actor recorded for what a token does.
    static func subject(role: Role, name: String) -> String {
        "\(role.rawValue):\(name)"
    }

    /// Lowercase hex SHA-256 of the token's UTF-8 bytes. Written byte by byte: every request
    /// hashes its token to find it among those kept (``RecentTokens``), and going through
    /// `Character`s cost more than the hash itself.
    static func hash(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(2 * SHA256.byteCount)
        for byte in SHA256.hash(data: Array(token.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let left = Array(left.utf8)
        let right = Array(right.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func isValid(name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && name == name.trimmingCharacters(in: .whitespaces)
            && !name.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) }
    }

    private static let columns: SQL =
        "token_id, name, role, format_instant(created_at), format_instant(revoked_at), format_instant(expires_at)"

    private static func record(_ row: Row) throws -> TokenRecord {
        let name: String = try row.decode(1)
        let roleName: String = try row.decode(2)
        guard let role = Role(rawValue: roleName) else {
            throw PQError(kind: .decoding, message: "unknown role \(roleName) in access_tokens")
        }
        return TokenRecord(
            tokenID: try row.decode(0), name: name, role: role, subject: subject(role: role, name: name),
            createdAt: try row.decode(3), revokedAt: try row.decodeOptional(4), expiresAt: try row.decodeOptional(5))
    }
}
