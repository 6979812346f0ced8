import Foundation
import PQ
import TestSupport
import Testing

@testable import Access

@Suite("Idempotency keys")
struct IdempotencyStoreTests {
    let database: TestDatabase
    let store: IdempotencyStore
    let scope = IdempotencyScope(subject: "accountant:Ann", method: "POST", path: "/v1/invoices")
    let created = StoredResponse(status: 201, contentType: "application/json", body: Array(#"{"invoiceId":"x"}"#.utf8))

    init() async throws {
        database = try await TestDatabase.make()
        store = IdempotencyStore(pool: database.pool)
    }

    @Test func aCompletedRequestIsReplayed() async throws {
        #expect(try await store.begin(scope: scope, key: "k-1", requestHash: "h1") == .proceed)
        try await store.complete(scope: scope, key: "k-1", response: created)
        #expect(try await store.begin(scope: scope, key: "k-1", requestHash: "h1") == .replay(created))
        #expect(try await store.begin(scope: scope, key: "k-1", requestHash: "h1") == .replay(created))
    }

    @Test func theSameKeyWithAnotherBodyIsRefused() async throws {
        #expect(try await store.begin(scope: scope, key: "k-2", requestHash: "h1") == .proceed)
        #expect(try await store.begin(scope: scope, key: "k-2", requestHash: "h2") == .keyReusedWithDifferentBody)
        try await store.complete(scope: scope, key: "k-2", response: created)
        #expect(try await store.begin(scope: scope, key: "k-2", requestHash: "h2") == .keyReusedWithDifferentBody)
    }

    @Test func keysAreScopedBySubjectMethodAndPath() async throws {
        #expect(try await store.begin(scope: scope, key: "k-3", requestHash: "h1") == .proceed)
        try await store.complete(scope: scope, key: "k-3", response: created)
        var other = scope
        other.subject = "admin:root"
        #expect(try await store.begin(scope: other, key: "k-3", requestHash: "h1") == .proceed)
        other = scope
        other.path = "/v1/payments"
        #expect(try await store.begin(scope: other, key: "k-3", requestHash: "h1") == .proceed)
    }

    @Test func anAbandonedKeyIsJudgedAfresh() async throws {
        #expect(try await store.begin(scope: scope, key: "k-4", requestHash: "h1") == .proceed)
        try await store.abandon(scope: scope, key: "k-4")
        #expect(try await store.begin(scope: scope, key: "k-4", requestHash: "h2") == .proceed)
    }

    @Test func racingRequestsWaitForTheFirstAndGetItsResponse() async throws {
        let store = store, scope = scope, created = created
        let decisions = try await withThrowingTaskGroup(of: IdempotencyDecision.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    let decision = try await store.begin(scope: scope, key: "race", requestHash: "h1")
                    if decision == .proceed {
                        try await Task.sleep(for: .milliseconds(200))
                        try await store.complete(scope: scope, key: "race", response: created)
                    }
                    return decision
                }
            }
            return try await group.reduce(into: [IdempotencyDecision]()) { $0.append($1) }
        }
        #expect(decisions.filter { $0 == .proceed }.count == 1)
        #expect(decisions.filter { $0 == .replay(created) }.count == 4)
    }

    @Test func aWaiterProceedsWhenTheFirstIsAbandoned() async throws {
        #expect(try await store.begin(scope: scope, key: "k-5", requestHash: "h1") == .proceed)
        let store = store, scope = scope
        async let waiting = store.begin(scope: scope, key: "k-5", requestHash: "h1")
        try await Task.sleep(for: .milliseconds(100))
        try await store.abandon(scope: scope, key: "k-5")
        #expect(try await waiting == .proceed)
    }

    @Test func aWaiterGivesUpWithATypedErrorAfterTheMaximumWait() async throws {
        let impatient = IdempotencyStore(
            pool: database.pool, retention: .seconds(86_400), pollInterval: .milliseconds(10),
            maximumWait: .milliseconds(100), lease: .seconds(60))
        #expect(try await impatient.begin(scope: scope, key: "k-8", requestHash: "h1") == .proceed)
        await #expect(throws: IdempotencyKeyError.stillInProgress) {
            try await impatient.begin(scope: scope, key: "k-8", requestHash: "h1")
        }
    }

    @Test func aClaimLeftByACrashedRequestIsTakenOverAfterItsLease() async throws {
        #expect(try await store.begin(scope: scope, key: "k-9", requestHash: "h1") == .proceed)
        let afterCrash = IdempotencyStore(
            pool: database.pool, retention: .seconds(86_400), pollInterval: .milliseconds(10),
            maximumWait: .seconds(5), lease: .zero)
        #expect(try await afterCrash.begin(scope: scope, key: "k-9", requestHash: "h1") == .proceed)
        try await afterCrash.complete(scope: scope, key: "k-9", response: created)
        #expect(try await store.begin(scope: scope, key: "k-9", requestHash: "h1") == .replay(created))
    }

    @Test func keysSurviveANewStoreOnTheSameDatabase() async throws {
        #expect(try await store.begin(scope: scope, key: "k-6", requestHash: "h1") == .proceed)
        try await store.complete(scope: scope, key: "k-6", response: created)
        let restarted = IdempotencyStore(pool: database.pool)
        #expect(try await restarted.begin(scope: scope, key: "k-6", requestHash: "h1") == .replay(created))
    }

    @Test func expiredKeysCountAsAbsentAndAreDeleted() async throws {
        #expect(try await store.begin(scope: scope, key: "k-7", requestHash: "h1") == .proceed)
        try await store.complete(scope: scope, key: "k-7", response: created)
        #expect(try await store.begin(scope: scope, key: "other", requestHash: "h1") == .proceed)
        try await store.complete(scope: scope, key: "other", response: created)
        let forgetful = IdempotencyStore(pool: database.pool, retention: .zero)
        #expect(try await forgetful.begin(scope: scope, key: "k-7", requestHash: "h2") == .proceed)
        let remaining: [String] = try await database.pool.withConnection { connection in
            try connection.query("SELECT key FROM idempotency_keys").rows.map { try $0.decode(0) }
        }
        #expect(remaining == ["k-7"])
    }

    @Test func malformedKeysAreRefused() async throws {
        for key in ["", "with space", "naïve", "tab\t", String(repeating: "k", count: 256)] {
            await #expect(throws: IdempotencyKeyError.malformed(key)) {
                try await store.begin(scope: scope, key: key, requestHash: "h1")
            }
        }
        #expect(
            try await store.begin(scope: scope, key: String(repeating: "k", count: 255), requestHash: "h1") == .proceed)
    }
}
