import Access
import Foundation
import HTTPTypes
import JSON
import PQ
import Sales
import TestSupport
import Testing

@Suite("Idempotency-Key")
struct IdempotencyTests {
    @Test func aRetryReplaysTheFirstAnswerEvenOnANewInstance() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let key = [("Idempotency-Key", "register-1")]
        let first = try await fixture.run { client in
            try await client.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#, headers: key)
        }
        #expect(first.status == 201)
        let retry = try await fixture.run { client in
            try await client.send(
                .post, "/v1/clients", token: sales, json: #"{ "kind": "company", "name": "Acme" }"#, headers: key)
        }
        #expect(retry.status == 201)
        #expect(retry.text == first.text)
        #expect(try await fixture.eventCount() == 1)

        let mismatch = try await fixture.run { client in
            try await client.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Other","kind":"company"}"#, headers: key)
        }
        #expect(mismatch.status == 422)
        #expect(mismatch.isProblem)
        #expect(try await fixture.eventCount() == 1)
    }

    @Test func aRejectedRequestIsJudgedAfreshOnRetry() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let key = [("Idempotency-Key", "k")]
        try await fixture.run { client in
            let refused = try await client.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Acme"}"#, headers: key)
            #expect(refused.status == 422)
            let corrected = try await client.send(
                .post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"person"}"#, headers: key)
            #expect(corrected.status == 201)
        }
    }

    @Test func racingRequestsWithOneKeyExecuteOnce() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let replies = try await fixture.run { client in
            try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await client.send(
                            .post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#,
                            headers: [("Idempotency-Key", "race")])
                    }
                }
                var replies = [Reply]()
                for try await reply in group { replies.append(reply) }
                return replies
            }
        }
        #expect(replies.allSatisfy { $0.status == 201 })
        #expect(Set(replies.map { $0.string("clientId") }).count == 1)
        #expect(try await fixture.eventCount() == 1)
    }

    @Test func theKeyIsScopedToTheSubjectAndPath() async throws {
        let fixture = try await APIFixture.make()
        let key = [("Idempotency-Key", "shared")]
        try await fixture.run { client in
            let first = try await client.send(
                .post, "/v1/clients", token: fixture.tokens[.sales]!, json: #"{"name":"Acme","kind":"company"}"#,
                headers: key)
            let other = try await client.send(
                .post, "/v1/clients", token: fixture.tokens[.admin]!, json: #"{"name":"Acme","kind":"company"}"#,
                headers: key)
            #expect(first.status == 201)
            #expect(other.status == 201)
            #expect(first.string("clientId") != other.string("clientId"))
        }
        #expect(try await fixture.eventCount() == 2)
    }

    /// A commit whose answer was lost with the connection: the server answered 503 and freed the
    /// key (here: the key's record deleted, as `abandon` does), but the events are stored. The
    /// retry is answered from the receipt stored with them, for a command with server-made ids
    /// (a touch) and for one that carries its own id (a registration, whose re-decision would
    /// refuse a duplicate).
    @Test func aRetryAfterALostCommitIsAnsweredFromTheReceipt() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let clientID = UUID().uuidString.lowercased()
        let registration = #"{"clientId":"\#(clientID)","name":"Acme","kind":"company"}"#
        let touch = #"{"channel":"call","direction":"outbound","occurredAt":"2026-02-01T10:00:00Z"}"#
        let firsts = try await fixture.run { client in
            [
                try await client.send(
                    .post, "/v1/clients", token: sales, json: registration, headers: [("Idempotency-Key", "lost-1")]),
                try await client.send(
                    .post, "/v1/clients/\(clientID)/touches", token: sales, json: touch,
                    headers: [("Idempotency-Key", "lost-2")]),
            ]
        }
        #expect(firsts.map(\.status) == [201, 201])
        try await fixture.database.pool.withConnection { try $0.execute("DELETE FROM idempotency_keys") }

        let retries = try await fixture.run { client in
            [
                try await client.send(
                    .post, "/v1/clients", token: sales, json: registration, headers: [("Idempotency-Key", "lost-1")]),
                try await client.send(
                    .post, "/v1/clients/\(clientID)/touches", token: sales, json: touch,
                    headers: [("Idempotency-Key", "lost-2")]),
            ]
        }
        for (first, retry) in zip(firsts, retries) {
            #expect(retry.status == 201, "\(retry.text)")
            #expect(retry.json == first.json)
            #expect(retry.headers[.init("Idempotent-Replayed")!] == "true")
        }
        #expect(try await fixture.eventCount() == 2)

        // The retry's answer is the key's record again: a third attempt replays it from there.
        let third = try await fixture.run { client in
            try await client.send(
                .post, "/v1/clients/\(clientID)/touches", token: sales, json: touch,
                headers: [("Idempotency-Key", "lost-2")])
        }
        #expect(third.json == firsts[1].json)
        #expect(try await fixture.eventCount() == 2)

        // Another body under the freed key is another request: recorded, with its own answer.
        let other = try await fixture.run { client in
            try await client.send(
                .post, "/v1/clients/\(clientID)/touches", token: sales,
                json: #"{"channel":"email","direction":"inbound","occurredAt":"2026-02-02T10:00:00Z"}"#,
                headers: [("Idempotency-Key", "lost-2")])
        }
        #expect(other.status == 422, "the key's record holds the first body: \(other.text)")
        #expect(try await fixture.eventCount() == 2)
    }
}
