import Foundation
import PQ
import TestSupport
import Testing

@testable import Access

@Suite("Bearer tokens")
struct TokenStoreTests {
    let database: TestDatabase
    let tokens: TokenStore

    init() async throws {
        database = try await TestDatabase.make()
        tokens = TokenStore(pool: database.pool)
    }

    @Test func aTokenIsKeptByTheLowercaseHexOfItsSHA256() {
        #expect(TokenStore.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenStore.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func aNewTokenResolvesToItsRoleAndSubject() async throws {
        let (token, record) = try await tokens.create(role: .accountant, name: "Ann")
        #expect(token.hasPrefix("ts_") && token.count == 46)
        #expect(token.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(record.name == "Ann" && record.role == .accountant && record.subject == "accountant:Ann")
        #expect(record.revokedAt == nil && record.createdAt.hasSuffix("Z"))
        let identity = try await tokens.identity(forBearer: token)
        #expect(identity == TokenIdentity(tokenID: record.tokenID, subject: "accountant:Ann", role: .accountant))
    }

    /// A token made with an expiry is accepted until then and refused after, like a revoked one;
    /// one made without never expires.
    @Test func aTokenWithAnExpiryIsRefusedAfterIt() async throws {
        let (token, record) = try await tokens.create(role: .sales, name: "Brief", expiresIn: .seconds(3))
        #expect(record.expiresAt?.hasSuffix("Z") == true)
        #expect(
            try await tokens.identity(forBearer: token) != nil,
            "accepted before its expiry (3 s, room for a busy machine)")
        try await Task.sleep(for: .milliseconds(3_200))
        #expect(try await tokens.identity(forBearer: token) == nil)
        let lasting = try await tokens.create(role: .sales, name: "Lasting")
        #expect(lasting.record.expiresAt == nil)
        #expect(try await tokens.identity(forBearer: lasting.token) != nil)
        let listed = try await tokens.list().first { $0.name == "Brief" }
        #expect(listed?.expiresAt == record.expiresAt)
    }

    @Test func tokensAreRandom() async throws {
        let first = try await tokens.create(role: .sales, name: "Bob").token
        let second = try await tokens.create(role: .sales, name: "Bob").token
        #expect(first != second)
    }

    @Test func aWrongOrMalformedTokenResolvesToNothing() async throws {
        let (token, _) = try await tokens.create(role: .admin, name: "root")
        var altered = Array(token)
        altered[10] = altered[10] == "A" ? "B" : "A"
        #expect(try await tokens.identity(forBearer: String(altered)) == nil)
        #expect(try await tokens.identity(forBearer: "") == nil)
        #expect(try await tokens.identity(forBearer: String(token.dropLast())) == nil)
        #expect(try await tokens.identity(forBearer: token + "x") == nil)
        #expect(try await tokens.identity(forBearer: "' OR 1=1 --") == nil)
    }

    @Test func aRevokedTokenResolvesToNothing() async throws {
        let (token, record) = try await tokens.create(role: .backoffice, name: "Cleo")
        #expect(try await tokens.revoke(record.tokenID))
        #expect(try await tokens.identity(forBearer: token) == nil)
        #expect(try await tokens.revoke(record.tokenID) == false)
        #expect(try await tokens.revoke(UUID()) == false)
        let listed = try await tokens.list()
        #expect(listed.count == 1 && listed[0].revokedAt != nil)
    }

    @Test func onlyTheHashIsStored() async throws {
        let (token, _) = try await tokens.create(role: .sales, name: "Dana")
        let (hashed, plain): (Int, Int) = try await database.pool.withConnection { connection in
            let hashed: Int =
                try connection.query(
                    """
                    SELECT count(*) FROM access_tokens
                     WHERE secret_hash = encode(sha256(convert_to(\(token), 'UTF8')), 'hex')
                    """
                ).first?.decode(0) ?? -1
            let plain: Int =
                try connection.query(
                    "SELECT count(*) FROM access_tokens t WHERE strpos(t::text, \(String(token.dropFirst(3)))) > 0"
                ).first?.decode(0) ?? -1
            return (hashed, plain)
        }
        #expect(hashed == 1)
        #expect(plain == 0)
    }

    @Test func listShowsEveryTokenOldestFirst() async throws {
        let ann = try await tokens.create(role: .accountant, name: "Ann").record
        let bob = try await tokens.create(role: .sales, name: "Bob").record
        #expect(try await tokens.list() == [ann, bob])
    }

    @Test func revokingByNameRevokesEveryActiveTokenOfThatName() async throws {
        let first = try await tokens.create(role: .admin, name: "bootstrap").token
        let second = try await tokens.create(role: .admin, name: "bootstrap").token
        let other = try await tokens.create(role: .admin, name: "operator").token
        #expect(try await tokens.revoke(named: "bootstrap") == 2)
        #expect(try await tokens.revoke(named: "bootstrap") == 0)
        #expect(try await tokens.identity(forBearer: first) == nil)
        #expect(try await tokens.identity(forBearer: second) == nil)
        #expect(try await tokens.identity(forBearer: other)?.subject == "admin:operator")
    }

    @Test func aRecordEncodesWithCamelCaseKeysAndALowercaseId() throws {
        let id = UUID(uuidString: "6F1C2A9E-0B7D-4C59-9A51-3E0F6D2B8C11")!
        let record = TokenRecord(
            tokenID: id, name: "Ann", role: .accountant, subject: "accountant:Ann",
            createdAt: "2026-03-01T09:30:00Z", revokedAt: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        #expect(
            json
                == #"{"createdAt":"2026-03-01T09:30:00Z","expiresAt":null,"name":"Ann","revokedAt":null,"role":"accountant","#
                + #""subject":"accountant:Ann","tokenId":"6f1c2a9e-0b7d-4c59-9a51-3e0f6d2b8c11"}"#)
        #expect(try JSONDecoder().decode(TokenRecord.self, from: Data(json.utf8)) == record)
    }

    @Test func badNamesAreRefused() async throws {
        for name in ["", " Ann", "Ann\n", String(repeating: "x", count: 201)] {
            await #expect(throws: TokenNameError.invalid(name)) { try await tokens.create(role: .sales, name: name) }
        }
        #expect(try await tokens.list().isEmpty)
    }
}
