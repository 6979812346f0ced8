import Access
import Foundation
import JSON
import PQ
import Sales
import TestSupport
import Testing

@Suite("Master key and data keys")
struct PersonalDataKeysTests {
    static let key = MasterKey.random()

    @Test func theMasterKeyComesFromTheVariableOrItsFileAndNothingElse() throws {
        #expect(throws: MasterKeyError.missing(variable: "TOUCHSTONE_MASTER_KEY")) {
            try MasterKeyring.fromEnvironment([:])
        }
        #expect(throws: MasterKeyError.missing(variable: "TOUCHSTONE_MASTER_KEY")) {
            try MasterKeyring.fromEnvironment(["TOUCHSTONE_MASTER_KEY": ""])
        }
        for malformed in ["not base64!", Data(repeating: 1, count: 16).base64EncodedString(), "c2hvcnQ="] {
            #expect(throws: MasterKeyError.malformed(variable: "TOUCHSTONE_MASTER_KEY")) {
                try MasterKeyring.fromEnvironment(["TOUCHSTONE_MASTER_KEY": malformed])
            }
        }
        #expect(throws: MasterKeyError.malformed(variable: "TOUCHSTONE_PREVIOUS_MASTER_KEY")) {
            try MasterKeyring.fromEnvironment([
                "TOUCHSTONE_MASTER_KEY": Self.key.base64, "TOUCHSTONE_PREVIOUS_MASTER_KEY": "x",
            ])
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("master-\(UUID()).key")
        try (Self.key.base64 + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try MasterKeyring.fromEnvironment(["TOUCHSTONE_MASTER_KEY_FILE": file.path])
        #expect(fromFile.current.fingerprint == Self.key.fingerprint && fromFile.previous == nil)
        #expect(throws: MasterKeyError.ambiguous(variable: "TOUCHSTONE_MASTER_KEY")) {
            try MasterKeyring.fromEnvironment([
                "TOUCHSTONE_MASTER_KEY": Self.key.base64, "TOUCHSTONE_MASTER_KEY_FILE": file.path,
            ])
        }
        #expect(throws: MasterKeyError.unreadableFile(variable: "TOUCHSTONE_MASTER_KEY", path: "/nonexistent/key")) {
            try MasterKeyring.fromEnvironment(["TOUCHSTONE_MASTER_KEY_FILE": "/nonexistent/key"])
        }
        #expect(MasterKeyError.missing(variable: "TOUCHSTONE_MASTER_KEY").description.contains("TOUCHSTONE_MASTER_KEY"))
        #expect(try MasterKey(base64: Self.key.base64, variable: "K").fingerprint == Self.key.fingerprint)
        #expect(MasterKey.random().fingerprint != Self.key.fingerprint)
    }

    @Test func aSealedValueOpensWithItsKeyAndReadsAsErasedWithoutIt() async throws {
        let database = try await TestDatabase.make()
        let keys = PersonalDataKeys(masterKeys: MasterKeyring(current: Self.key))
        let (client, other) = (UUID(), UUID())
        let (sealed, otherSealed) = try await database.pool.withConnection { connection in
            let key = try keys.sealingKey(for: client, on: connection)
            #expect(try keys.sealingKey(for: client, on: connection).id == key.id)
            return (key.seal("Марія Шевченко"), try keys.sealingKey(for: other, on: connection).seal("Other"))
        }
        #expect(SealedText.isSealed(sealed) && !sealed.contains("Марія"))
        // The same plaintext seals differently each time (a fresh nonce).
        let again = try await database.pool.withConnection {
            try keys.sealingKey(for: client, on: $0).seal("Марія Шевченко")
        }
        #expect(again != sealed)
        let opened = try await database.pool.withConnection { connection in
            try keys.opener(for: [sealed, otherSealed, "plain", nil], on: connection)
        }
        #expect(try opened.open(sealed) == .init(text: "Марія Шевченко", erased: false))
        #expect(try opened.open("plain") == .init(text: "plain", erased: false))
        #expect(try opened.open(nil) == .init(text: nil, erased: false))

        let payload = JSONValue.object(["name": .string(sealed), "kind": .string("person"), "email": .string(again)])
        let (open, erasedNone) = try opened.open(payload, personalFields: ["name", "email", "phone"])
        #expect(erasedNone.isEmpty && open.objectValue?["name"] == .string("Марія Шевченко"))

        // A tampered value is an error, not an erasure.
        // A character inside the base64 (not at its end, where some bits are padding).
        var bytes = Array(sealed.utf8)
        let inside = SealedText.prefix.utf8.count + 37 + 8
        bytes[inside] = bytes[inside] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: PersonalDataError.self) { try opened.open(String(decoding: bytes, as: UTF8.self)) }

        let deleted = try await database.pool.withConnection { try keys.erase(client: client, on: $0) }
        #expect(deleted.count == 1)
        let afterErasure = try await database.pool.withConnection { connection in
            try keys.opener(for: [sealed, otherSealed], on: connection)
        }
        #expect(try afterErasure.open(sealed) == .init(text: nil, erased: true))
        #expect(try afterErasure.open(otherSealed) == .init(text: "Other", erased: false))
        let (closed, erased) = try afterErasure.open(payload, personalFields: ["name", "email", "phone"])
        #expect(erased == ["email", "name"] && closed.objectValue?["name"] == .null)
        #expect(closed.objectValue?["kind"] == .string("person") && closed.objectValue?["phone"] == nil)
        // A new key for the erased client seals new values; the old ones stay unreadable.
        let newer = try await database.pool.withConnection { try keys.sealingKey(for: client, on: $0) }
        let reopened = try await database.pool.withConnection { connection in
            try keys.opener(for: [sealed, newer.seal("again")], on: connection)
        }
        #expect(try reopened.open(sealed).erased && (try reopened.open(newer.seal("x")).text == "x"))
    }

    /// Values opened once are kept by this process, but only an opener holding their key (read
    /// for that answer) gives them back: a key deleted by another process (here, by SQL) makes
    /// them read as erased at once; one this process erases drops them.
    @Test func valuesOpenedBeforeReadAsErasedOnceTheirKeyIsGone() async throws {
        let database = try await TestDatabase.make()
        let keys = PersonalDataKeys(masterKeys: MasterKeyring(current: Self.key))
        let (client, other) = (UUID(), UUID())
        let (sealed, otherSealed) = try await database.pool.withConnection { connection in
            (
                try keys.sealingKey(for: client, on: connection).seal("Ann"),
                try keys.sealingKey(for: other, on: connection).seal("Bob")
            )
        }
        for _ in 0..<2 {
            let opener = try await database.pool.withConnection { try keys.opener(for: [sealed, otherSealed], on: $0) }
            #expect(try opener.open(sealed) == .init(text: "Ann", erased: false))
            #expect(try opener.open(otherSealed) == .init(text: "Bob", erased: false))
        }
        try await database.pool.withConnection { connection in
            try connection.execute("DELETE FROM personal_data_keys WHERE client_id = \(client)")
        }
        let afterOtherProcess = try await database.pool.withConnection {
            try keys.opener(for: [sealed, otherSealed], on: $0)
        }
        #expect(try afterOtherProcess.open(sealed) == .init(text: nil, erased: true))
        #expect(try afterOtherProcess.open(otherSealed) == .init(text: "Bob", erased: false))
        _ = try await database.pool.withConnection { try keys.erase(client: other, on: $0) }
        let afterErasure = try await database.pool.withConnection { try keys.opener(for: [otherSealed], on: $0) }
        #expect(try afterErasure.open(otherSealed) == .init(text: nil, erased: true))
        #expect(SealedText.keyID(of: sealed) != nil && SealedText.keyID(of: "plain") == nil)
    }

    /// The batch opening of a board or a list agrees with the opener value by value, whether the
    /// values were opened before or not, before and after a key is deleted.
    @Test func valuesOpenedInABatchAgreeWithTheOpener() async throws {
        let database = try await TestDatabase.make()
        let keys = PersonalDataKeys(masterKeys: MasterKeyring(current: Self.key))
        let (client, other) = (UUID(), UUID())
        let texts: [String?] = try await database.pool.withConnection { connection in
            let key = try keys.sealingKey(for: client, on: connection)
            let otherKey = try keys.sealingKey(for: other, on: connection)
            return [key.seal("Ann"), nil, "plain", otherKey.seal("Bob"), key.seal("Ann"), "ts:pd1:broken"]
        }
        let fresh = PersonalDataKeys(masterKeys: MasterKeyring(current: Self.key))
        for reader in [fresh, fresh, keys] {
            let opened = try await database.pool.withConnection { try reader.open(texts, on: $0) }
            let one = try await database.pool.withConnection { try reader.opener(for: texts, on: $0) }
            #expect(opened == (try texts.map { try one.open($0) }))
            #expect(opened.map(\.text) == ["Ann", nil, "plain", "Bob", "Ann", "ts:pd1:broken"])
        }
        try await database.pool.withConnection { connection in
            try connection.execute("DELETE FROM personal_data_keys WHERE client_id = \(client)")
        }
        // Values opened before (by `fresh`) and not (by a new reader) read as erased alike.
        for reader in [fresh, PersonalDataKeys(masterKeys: MasterKeyring(current: Self.key))] {
            let opened = try await database.pool.withConnection { try reader.open(texts, on: $0) }
            #expect(opened.map(\.text) == [nil, nil, "plain", "Bob", nil, "ts:pd1:broken"])
            #expect(opened.map(\.erased) == [true, false, false, false, true, false])
        }
    }

    @Test func aWrongMasterKeyIsRefusedAndARotationRewrapsEveryKeyWithoutTouchingValues() async throws {
        let database = try await TestDatabase.make()
        let old = PersonalDataKeys(masterKeys: MasterKeyring(current: Self.key))
        let clients = (0..<2_500).map { _ in UUID() }
        let sealed = try await database.pool.withConnection { connection in
            let keys = try old.sealingKeys(for: Set(clients), on: connection)
            return clients.map { keys[$0]!.seal("name of \($0)") }
        }
        try await database.pool.withConnection { try old.verify(on: $0) }

        let newKey = MasterKey.random()
        let stranger = PersonalDataKeys(masterKeys: MasterKeyring(current: newKey))
        await #expect(throws: MasterKeyError.unknownMasterKey(variable: "TOUCHSTONE_MASTER_KEY", keys: 2_500)) {
            try await database.pool.withConnection { try stranger.verify(on: $0) }
        }

        let rotating = PersonalDataKeys(masterKeys: MasterKeyring(current: newKey, previous: Self.key))
        try await database.pool.withConnection { try rotating.verify(on: $0) }
        let rewrapped = try await database.pool.withConnection { try rotating.rotate(on: $0) }
        #expect(rewrapped == 2_500)
        #expect(try await database.pool.withConnection { try rotating.rotate(on: $0) } == 0)

        // The new key alone now opens every value; the old one alone is refused.
        try await database.pool.withConnection { try stranger.verify(on: $0) }
        let opener = try await database.pool.withConnection { try stranger.opener(for: sealed, on: $0) }
        for (client, value) in zip(clients, sealed) {
            #expect(try opener.open(value).text == "name of \(client)")
        }
        await #expect(throws: MasterKeyError.unknownMasterKey(variable: "TOUCHSTONE_MASTER_KEY", keys: 2_500)) {
            try await database.pool.withConnection { try old.verify(on: $0) }
        }
    }
}
