import Foundation
import Sales
import Testing

@Suite("Idempotency-Key")
struct IdempotencyTests {
    @Test func aRetryReplaysTheFirstAnswerEvenOnANewInstance() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        let key = [("Idempotency-Key", "register-1")]
        let first = try await fixture.run { client in
            try await client.send(.post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#, headers: key)
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
            try await client.send(.post, "/v1/clients", token: sales, json: #"{"name":"Other","kind":"company"}"#, headers: key)
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
            let refused = try await client.send(.post, "/v1/clients", token: sales, json: #"{"name":"Acme"}"#, headers: key)
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
}
