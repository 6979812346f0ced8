import Foundation
import JSON
import Testing

@testable import Sales

/// Upcasting is tested with upcasters that exist only here: a fictitious history in which
/// `ClientRegistered` version 1 had `fullName` and `type`, and version 2 wrote `kind` in upper case.
@Suite("Upcasting old payloads on read")
struct UpcastingTests {
    static let renameFullName = Upcaster(type: "ClientRegistered", fromVersion: 1) { payload in
        guard var members = payload.objectValue else { throw UpcastRefusal() }
        members["name"] = members.removeValue(forKey: "fullName")
        members["kind"] = members.removeValue(forKey: "type")
        return .object(members)
    }

    static let lowercaseKind = Upcaster(type: "ClientRegistered", fromVersion: 2) { payload in
        guard var members = payload.objectValue, let kind = members["kind"]?.stringValue else { throw UpcastRefusal() }
        members["kind"] = .string(kind.lowercased())
        return .object(members)
    }

    static let registry = UpcasterRegistry([renameFullName, lowercaseKind], currentVersions: ["ClientRegistered": 3])

    struct UpcastRefusal: Error {}

    static let expected = ClientRegistered(
        clientId: Fixture.client, name: "Ann", kind: .company, registeredOn: Fixture.day("2026-03-01")
    ).event

    @Test("a version 1 payload goes through both steps")
    func fromVersionOne() throws {
        let stored = Data(
            #"{"clientId":"00000000-0000-4000-8000-000000000001","fullName":"Ann","type":"COMPANY","registeredOn":"2026-03-01"}"#
                .utf8)
        #expect(
            try SalesEvent.decode(type: "ClientRegistered", schemaVersion: 1, data: stored, upcasters: Self.registry)
                == Self.expected)
    }

    @Test("a version 2 payload goes through the last step only")
    func fromVersionTwo() throws {
        let stored = Data(
            #"{"clientId":"00000000-0000-4000-8000-000000000001","name":"Ann","kind":"COMPANY","registeredOn":"2026-03-01"}"#
                .utf8)
        #expect(
            try SalesEvent.decode(type: "ClientRegistered", schemaVersion: 2, data: stored, upcasters: Self.registry)
                == Self.expected)
    }

    @Test("a current payload is read as it is")
    func current() throws {
        #expect(
            try SalesEvent.decode(
                type: "ClientRegistered", schemaVersion: 3, data: Self.expected.encode(), upcasters: Self.registry)
                == Self.expected)
        #expect(Self.registry.currentVersion(of: "ClientRegistered") == 3)
        #expect(Self.registry.currentVersion(of: "DealWon") == 1)
        #expect(Self.registry.currentVersion(of: "Nope") == nil)
    }

    @Test("a missing step, a refused payload and a future version are errors")
    func failures() {
        let partial = UpcasterRegistry([Self.lowercaseKind], currentVersions: ["ClientRegistered": 3])
        let stored = Data(
            #"{"clientId":"00000000-0000-4000-8000-000000000001","fullName":"Ann","type":"COMPANY","registeredOn":"2026-03-01"}"#
                .utf8)
        #expect(throws: EventDecodingError.missingUpcaster(type: "ClientRegistered", fromVersion: 1)) {
            try SalesEvent.decode(type: "ClientRegistered", schemaVersion: 1, data: stored, upcasters: partial)
        }
        #expect(throws: EventDecodingError.self) {
            try SalesEvent.decode(
                type: "ClientRegistered", schemaVersion: 2, data: Data(#"{"kind": 5}"#.utf8), upcasters: Self.registry)
        }
        #expect(throws: EventDecodingError.unsupportedVersion(type: "ClientRegistered", version: 4)) {
            try SalesEvent.decode(type: "ClientRegistered", schemaVersion: 4, data: stored, upcasters: Self.registry)
        }
    }

    @Test("the registry upcasts JSON step by step")
    func steps() throws {
        let payload = JSONValue.object(["fullName": .string("Ann"), "type": .string("PERSON")])
        let upcast = try Self.registry.upcast(payload, type: "ClientRegistered", from: 1, to: 3)
        #expect(upcast == .object(["name": .string("Ann"), "kind": .string("person")]))
        #expect(try Self.registry.upcast(payload, type: "ClientRegistered", from: 3, to: 3) == payload)
    }

    @Test("this code's registry reads every current type without upcasting")
    func salesRegistry() {
        for type in SalesEvent.payloadTypes {
            #expect(UpcasterRegistry.sales.currentVersion(of: type.eventType) == type.schemaVersion)
        }
    }
}
