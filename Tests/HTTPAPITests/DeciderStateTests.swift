import Access
import EventStore
import Foundation
import HTTPAPI
import HexText
import Hummingbird
import HummingbirdTesting
import JSON
import PQ
import TestSupport
import Testing

@testable import Recording
@testable import Sales

/// Deciding on a long stream reads only what the process does not already know: the states kept
/// in memory, the snapshots in PostgreSQL, and neither ever changes a decision.
@Suite("Decider states kept between commands")
struct DeciderStateTests {
    static func touch(_ id: UUID) -> String {
        body([
            "touchId": .string(id.canonical), "channel": .string("call"), "direction": .string("outbound"),
            "occurredAt": .string("2026-03-01T10:00:00Z"),
        ])
    }

    /// The body of an order `id` (the client decider's state holds its orders: a repeated order
    /// is refused by the state, where a repeated touch is refused by its claim).
    static func order(_ id: UUID) -> String {
        body([
            "orderId": .string(id.canonical), "placedOn": .string("2026-03-01"), "amountMinor": .integer(1_000),
            "currency": .string("RUB"),
        ])
    }

    /// Registers a client and places `orders` orders through `fixture`.
    static func longClient(_ fixture: APIFixture, orders: Int) async throws -> (client: UUID, orders: [UUID]) {
        let ids = (0..<orders).map { _ in UUID() }
        let client = try await fixture.run { client in
            let clientId = try await client.send(
                .post, "/v1/clients", token: fixture.tokens[.sales]!, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            for id in ids {
                let reply = try await client.send(
                    .post, "/v1/clients/\(clientId)/orders", token: fixture.tokens[.sales]!, json: order(id))
                #expect(reply.status == 201, "\(reply.text)")
            }
            return clientId
        }
        return (UUID(uuidString: client)!, ids)
    }

    /// Another process on the same database: its own pool and an empty cache.
    static func otherProcess(_ fixture: APIFixture, snapshotInterval: Int64) -> APIDependencies {
        APIDependencies(
            pool: ConnectionPool(conninfo: fixture.database.url, size: 4, logger: TestDatabase.logger),
            personalData: fixture.database.personalData, logger: TestDatabase.logger,
            states: DeciderStateCache(snapshotInterval: snapshotInterval))
    }

    /// A recorder that keeps nothing and reads no snapshot: every state folded from the whole log.
    static func replaying(_ database: TestDatabase) -> CommandRecorder {
        CommandRecorder(
            store: database.store, personalData: database.personalData,
            states: DeciderStateCache(budgetBytes: 0, snapshotInterval: 0), logger: TestDatabase.logger)
    }

    static func snapshot(of stream: String, in database: TestDatabase) async throws -> (version: Int64, state: String)?
    {
        try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT stream_version, state FROM stream_snapshots WHERE stream_id = \(stream) AND decider = 'client'"
            ).first.map { (try $0.decode(0), try $0.decode(1)) }
        }
    }

    /// Waits (up to 10 s) for a snapshot of `stream` at `version` or later that decodes.
    static func awaitSnapshot(
        of stream: String, atLeast version: Int64, in database: TestDatabase
    ) async throws -> Int64? {
        for _ in 0..<200 {
            if let found = try await snapshot(of: stream, in: database), found.version >= version,
                (try? ClientState(snapshot: try JSONValue(parsing: Data(found.state.utf8)))) != nil
            {
                return found.version
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Another process (snapshots every 10 versions) that has just refused to record the order
    /// `repeated` of `client` again.
    static func coldProcessRefuses(
        _ repeated: UUID, of client: UUID, _ fixture: APIFixture
    ) async throws -> APIDependencies {
        let cold = otherProcess(fixture, snapshotInterval: 10)
        try await buildApplication(cold).test(.router) { http in
            let reply = try await http.send(
                .post, "/v1/clients/\(client.canonical)/orders", token: fixture.tokens[.sales]!, json: order(repeated))
            #expect(reply.status == 409 && reply.problemType == "duplicate-order", "\(reply.text)")
        }
        return cold
    }

    @Test func aColdProcessDecidesFromTheSnapshotAndTheEventsAfterIt() async throws {
        let fixture = try await APIFixture.make(states: DeciderStateCache(snapshotInterval: 10))
        let (client, orders) = try await Self.longClient(fixture, orders: 25)
        let stream = "client-\(client.canonical)"
        let kept = fixture.dependencies.states.kept(stream, as: ClientState.self)
        #expect(kept?.version == 26, "the state is moved on by each command's own events")
        let snapshotted = try await Self.awaitSnapshot(of: stream, atLeast: 20, in: fixture.database)
        #expect(snapshotted == 20)
        let text = try await Self.snapshot(of: stream, in: fixture.database)?.state ?? ""
        #expect(!text.contains("Acme"), "a snapshot holds no personal value")

        let cold = try await Self.coldProcessRefuses(orders[3], of: client, fixture)
        defer { cold.pool.close() }
        try await buildApplication(cold).test(.router) { http in
            let fresh = try await http.send(
                .post, "/v1/clients/\(client.canonical)/touches", token: fixture.tokens[.sales]!,
                json: Self.touch(UUID()))
            #expect(fresh.status == 201 && fresh["streamVersion"] == .integer(27), "\(fresh.text)")
        }
        let truth = try await Self.replaying(fixture.database).load(
            .client(client), from: Client.initialState, Client.evolve)
        #expect(truth.version == 27 && truth.state.orderIds.count == 25)
        let reloaded = try await CommandRecorder(
            store: fixture.database.store, personalData: fixture.database.personalData, states: cold.states,
            logger: TestDatabase.logger
        ).load(.client(client), from: Client.initialState, Client.evolve)
        #expect(reloaded.state == truth.state && reloaded.version == 27)
    }

    /// What a snapshot row is made to say: it must be ignored, or be right, never change a decision.
    enum Spoilt: String, CaseIterable, Sendable {
        case notJSON, wrongShape, otherFoldVersion, beyondTheStream, stale
    }

    @Test(arguments: Spoilt.allCases)
    func aSpoiltSnapshotNeverChangesADecision(_ spoilt: Spoilt) async throws {
        let fixture = try await APIFixture.make(states: DeciderStateCache(snapshotInterval: 10))
        let (client, orders) = try await Self.longClient(fixture, orders: 12)
        let stream = "client-\(client.canonical)"
        #expect(try await Self.awaitSnapshot(of: stream, atLeast: 10, in: fixture.database) == 10)
        // A state that would let an order already placed be placed again.
        let forgetful = String(decoding: ClientState().snapshot.serialized(), as: UTF8.self)
        // The right state as of the registration: stale, not wrong.
        let registration = try await fixture.database.store.readStream(try StreamID(stream))[0]
        let registered = Client.evolve(
            ClientState(),
            try SalesEvent.decode(
                type: registration.type, schemaVersion: registration.schemaVersion, data: Data(registration.data.utf8)))
        let stale = String(decoding: registered.snapshot.serialized(), as: UTF8.self)
        try await fixture.database.pool.withConnection { connection in
            switch spoilt {
            case .notJSON:
                try connection.execute(
                    "UPDATE stream_snapshots SET state = '{\"clientId\": ' WHERE stream_id = \(stream)")
            case .wrongShape:
                try connection.execute(
                    "UPDATE stream_snapshots SET state = '{\"orderIds\": 42}' WHERE stream_id = \(stream)")
            case .otherFoldVersion:
                try connection.execute(
                    "UPDATE stream_snapshots SET state = \(forgetful), fold_version = 99 WHERE stream_id = \(stream)")
            case .beyondTheStream:
                try connection.execute(
                    "UPDATE stream_snapshots SET state = \(forgetful), stream_version = 1000 WHERE stream_id = \(stream)"
                )
            case .stale:
                try connection.execute(
                    "UPDATE stream_snapshots SET state = \(stale), stream_version = 1 WHERE stream_id = \(stream)")
            }
        }
        let cold = try await Self.coldProcessRefuses(orders[0], of: client, fixture)
        defer { cold.pool.close() }
        let truth = try await Self.replaying(fixture.database).load(
            .client(client), from: Client.initialState, Client.evolve)
        #expect(cold.states.kept(stream, as: ClientState.self)?.state == truth.state)
        #expect(try await fixture.eventCount() == 13, "the refused order appended nothing")
        if spoilt == .notJSON || spoilt == .wrongShape {
            // Logged, ignored and rebuilt from the log.
            #expect(try await Self.awaitSnapshot(of: stream, atLeast: 13, in: fixture.database) == 13)
        }
    }

    @Test func twoServersOnOneDatabaseNeverBothWinAPayment() async throws {
        let fixture = try await APIFixture.make(states: DeciderStateCache(snapshotInterval: 3))
        let other = Self.otherProcess(fixture, snapshotInterval: 3)
        defer { other.pool.close() }
        let accountant = fixture.tokens[.accountant]!
        let clientId = try await fixture.run { http in
            let clientId = try await http.send(
                .post, "/v1/clients", token: fixture.tokens[.sales]!, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            for number in 1...4 {
                _ = try await http.send(
                    .post, "/v1/invoices", token: accountant,
                    json: PaymentTests.invoice(
                        clientId, "C-\(number)", issued: "2026-01-01", due: "2026-01-31", amount: 1_000))
            }
            return clientId
        }
        let payment = body([
            "clientId": .string(clientId), "receivedOn": .string("2026-01-10"), "amountMinor": .integer(300),
            "currency": .string("RUB"),
        ])
        // Both servers keep the stream's state, then race on it.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for dependencies in [fixture.dependencies, other] {
                group.addTask {
                    try await buildApplication(dependencies).test(.router) { http in
                        try await withThrowingTaskGroup(of: Reply.self) { payments in
                            for _ in 0..<8 {
                                payments.addTask {
                                    // A payment that loses the race ten times in a row answers 503
                                    // (contention, retry later): a client retries it.
                                    var reply = try await http.send(
                                        .post, "/v1/payments", token: accountant, json: payment)
                                    for _ in 0..<5 where reply.status == 503 {
                                        reply = try await http.send(
                                            .post, "/v1/payments", token: accountant, json: payment)
                                    }
                                    return reply
                                }
                            }
                            for try await reply in payments { #expect(reply.status == 201, "\(reply.text)") }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let truth = try await Self.replaying(fixture.database).load(
            .receivables(UUID(uuidString: clientId)!), from: Receivables.initialState, Receivables.evolve)
        #expect(truth.version == 20)
        let allocated = truth.state.invoices.values.reduce(Int128(0)) { $0 + $1.allocatedMinor }
        let unapplied = truth.state.unappliedMinor.values.reduce(Int128(0), +)
        #expect(allocated == 4_000, "16 payments of 300 fill four invoices of 1,000 exactly once")
        #expect(unapplied == 800)
        #expect(truth.state.invoices.values.allSatisfy { $0.allocatedMinor == 1_000 })
        for states in [fixture.dependencies.states, other.states] {
            if let kept = states.kept("receivables-\(clientId)", as: ReceivablesState.self) {
                let folded = try await Self.replaying(fixture.database).load(
                    .receivables(UUID(uuidString: clientId)!), from: Receivables.initialState, Receivables.evolve)
                #expect(kept.version <= folded.version)
            }
        }
    }

    /// A process decides on the states it keeps without reading them; another process moving
    /// those streams on costs it a retry (a conflict, or a refusal checked), never a wrong answer.
    @Test func aStateKeptByOneProcessAndMovedOnByAnotherNeverDecidesWrongly() async throws {
        let fixture = try await APIFixture.make()
        let other = Self.otherProcess(fixture, snapshotInterval: 200)
        defer { other.pool.close() }
        let sales = fixture.tokens[.sales]!
        let deal = UUID()
        let repeated = UUID()
        try await fixture.run { first in
            let clientId = try await first.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            let touches = "/v1/clients/\(clientId)/touches"
            let orders = "/v1/clients/\(clientId)/orders"
            let onDeal = body([
                "dealId": .string(deal.canonical), "channel": .string("call"), "direction": .string("outbound"),
                "occurredAt": .string("2026-03-01T10:00:00Z"),
            ])
            // This process keeps the client (version 1) and the deal (not opened, version 0).
            let early = try await first.send(.post, touches, token: sales, json: onDeal)
            #expect(early.status == 404 && early.problemType == "deal-not-found", "\(early.text)")
            try await buildApplication(other).test(.router) { second in
                let opened = try await second.send(
                    .post, "/v1/deals", token: sales,
                    json: body([
                        "dealId": .string(deal.canonical), "clientId": .string(clientId), "title": .string("Paper"),
                        "amountMinor": .integer(100), "currency": .string("RUB"), "openedOn": .string("2026-02-01"),
                    ]))
                #expect(opened.status == 201, "\(opened.text)")
                let placed = try await second.send(.post, orders, token: sales, json: Self.order(repeated))
                #expect(placed["streamVersion"] == .integer(2), "\(placed.text)")
            }
            // The kept deal says "not opened": the refusal is checked and the touch recorded.
            let late = try await first.send(.post, touches, token: sales, json: onDeal)
            #expect(late.status == 201 && late["streamVersion"] == .integer(3), "\(late.text)")
            // The kept client did not know the other process's order: the append conflicts, and
            // the decision made again refuses it.
            try await buildApplication(other).test(.router) { second in
                _ = try await second.send(.post, touches, token: sales, json: Self.touch(UUID()))
            }
            let again = try await first.send(.post, orders, token: sales, json: Self.order(repeated))
            #expect(again.status == 409 && again.problemType == "duplicate-order", "\(again.text)")
            let fresh = try await first.send(.post, touches, token: sales, json: Self.touch(UUID()))
            #expect(fresh["streamVersion"] == .integer(5), "\(fresh.text)")
        }
        #expect(try await fixture.eventCount() == 6)
    }

    /// A touch id the caller chose is claimed (the client's state holds no touch ids, so a long
    /// client's state stays small); a server-made one takes no claim.
    @Test func aChosenTouchIdIsClaimedAndRefusedWhenRepeated() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let chosen = UUID()
        try await fixture.run { http in
            let clientId = try await http.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#
            ).string("clientId")
            let touches = "/v1/clients/\(clientId)/touches"
            #expect(try await http.send(.post, touches, token: sales, json: Self.touch(chosen)).status == 201)
            let made = try await http.send(
                .post, touches, token: sales,
                json: #"{"channel":"call","direction":"outbound","occurredAt":"2026-03-01T10:00:00Z"}"#)
            #expect(made.status == 201)
            let repeated = try await http.send(.post, touches, token: sales, json: Self.touch(chosen))
            #expect(repeated.status == 409 && repeated.problemType == "duplicate-touch", "\(repeated.text)")
            #expect(repeated.errorFields == ["touchId"])
        }
        #expect(try await fixture.eventCount() == 3)
        let claimed: [String] = try await fixture.database.pool.withConnection { connection in
            try connection.query("SELECT key FROM claims WHERE scope = 'touch'").rows.map { try $0.decode(0) }
        }
        #expect(claimed == [chosen.canonical])
    }

    @Test func anImportLeavesASnapshotOfEachLongStream() async throws {
        let database = try await TestDatabase.make()
        let client = UUID()
        var lines: [Substring] = [
            Substring(
                #"{"command":"register-client","clientId":"\#(client.canonical)","name":"Acme","kind":"company"}"#)
        ]
        for _ in 0..<250 {
            lines.append(
                Substring(
                    #"{"command":"record-touch","clientId":"\#(client.canonical)","channel":"call","direction":"outbound","occurredAt":"2026-03-01T10:00:00Z","summary":"called Acme"}"#
                ))
        }
        _ = try await CommandImport(
            recorder: CommandRecorder(
                store: database.store, personalData: database.personalData, logger: TestDatabase.logger),
            actor: "cli:test"
        ).load(lines)
        let stored = try #require(try await Self.snapshot(of: "client-\(client.canonical)", in: database))
        #expect(stored.version == 251)
        #expect(!stored.state.contains("Acme"), "a snapshot holds no personal value")
        let truth = try await Self.replaying(database).load(.client(client), from: Client.initialState, Client.evolve)
        #expect(try ClientState(snapshot: try JSONValue(parsing: Data(stored.state.utf8))) == truth.state)
    }

    @Test func theCacheStaysWithinItsBudget() {
        let cache = DeciderStateCache(budgetBytes: 10_000, snapshotInterval: 0)
        var state = ClientState()
        state.clientId = UUID()
        for number in 0..<100 {
            cache.keep(state, version: 1, snapshotVersion: 0, of: "client-\(number)")
            #expect(cache.usage.bytes <= 10_000)
        }
        #expect(cache.kept("client-99", as: ClientState.self) != nil, "the latest is kept")
        #expect(cache.kept("client-0", as: ClientState.self) == nil, "the least recently used went first")
        var huge = state
        for _ in 0..<1_000 { huge.orderIds.insert(UUID()) }
        cache.keep(huge, version: 1_001, snapshotVersion: 0, of: "client-huge")
        #expect(cache.kept("client-huge", as: ClientState.self) == nil, "a state larger than the budget is not kept")
        cache.keep(state, version: 5, snapshotVersion: 0, of: "client-99")
        cache.keep(ClientState(), version: 4, snapshotVersion: 0, of: "client-99")
        #expect(
            cache.kept("client-99", as: ClientState.self)?.version == 5, "an older state never replaces a newer one")
        cache.forget("client-99")
        #expect(cache.kept("client-99", as: ClientState.self) == nil)
        #expect(cache.kept("client-98", as: DealState.self) == nil, "a state is kept per decider")
    }
}
