import Access
import Foundation
import HTTPTypes
import HexText
import HummingbirdTesting
import JSON
import PQ
import Sales
import TestSupport
import Testing

/// `POST /v1/deals/{dealId}/qualification` over HTTP: recorded, then `qualified` on the board and in
/// the funnel; and every refusal a clear 422 naming its field, with nothing appended.
@Suite("Lead qualification routes")
struct QualificationRouteTests {
    static let client = "00000000-0000-4000-8000-0000000000f1"
    static let deal = "00000000-0000-4000-8000-0000000000f2"
    static let closed = "00000000-0000-4000-8000-0000000000f3"

    @Test func anAssessmentIsRecordedAndShownAndBadOnesAppendNothing() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        try await fixture.run { client in
            func post(_ path: String, _ json: String, status: Int = 201) async throws -> Reply {
                let reply = try await client.send(.post, path, token: sales, json: json)
                #expect(reply.status == status, "\(path): \(reply.text)")
                return reply
            }
            _ = try await post(
                "/v1/clients",
                #"{"clientId":"\#(Self.client)","name":"Лид","kind":"company","registeredOn":"2026-01-01"}"#)
            for id in [Self.deal, Self.closed] {
                _ = try await post(
                    "/v1/deals",
                    #"{"dealId":"\#(id)","clientId":"\#(Self.client)","title":"T","amountMinor":100,"currency":"RUB","openedOn":"2026-01-02"}"#
                )
            }
            _ = try await post("/v1/deals/\(Self.closed)/win", #"{"wonOn":"2026-01-03"}"#)
            let recorded = try await post(
                "/v1/deals/\(Self.deal)/qualification",
                #"{"assessedOn":"2026-01-05","problem":"склад","decisionBy":"2026-02-01","budgetMinor":90000,"currency":"RUB"}"#
            )
            #expect(recorded["dealId"] == .string(Self.deal) && recorded["streamVersion"] == .integer(2))
            let before = try await fixture.eventCount()
            for (path, json, field) in [
                ("/v1/deals/\(Self.closed)/qualification", #"{"assessedOn":"2026-01-05"}"#, "dealId"),
                (
                    "/v1/deals/\(Self.deal)/qualification",
                    #"{"assessedOn":"2026-01-06","budgetMinor":5,"currency":"ZZZ"}"#, "currency"
                ),
                ("/v1/deals/\(Self.deal)/qualification", #"{"assessedOn":"2026-01-06","budgetMinor":5}"#, "currency"),
                ("/v1/deals/\(Self.deal)/qualification", #"{"assessedOn":"2026-01-01"}"#, "assessedOn"),
            ] {
                let refused = try await post(path, json, status: 422)
                #expect(refused.isProblem && refused.errorFields == [field], "\(json): \(refused.text)")
            }
            let unknown = try await post(
                "/v1/deals/\(UUID().canonical)/qualification", #"{"assessedOn":"2026-01-06"}"#, status: 404)
            #expect(unknown.isProblem)
            let accountant = try await client.send(
                .post, "/v1/deals/\(Self.deal)/qualification", token: fixture.tokens[.accountant]!,
                json: #"{"assessedOn":"2026-01-06"}"#)
            #expect(accountant.status == 403)
            #expect(try await fixture.eventCount() == before, "no refusal appended anything")
            // The problem is personal: sealed in the log, opened in the history.
            let plaintext: Int64 = try await fixture.database.pool.withConnection { connection in
                try connection.query("SELECT count(*) FROM events WHERE data::text LIKE '%склад%'").first?.decode(0)
                    ?? -1
            }
            #expect(plaintext == 0)
            let history = try await client.send(.get, "/v1/clients/\(Self.client)/history", token: sales)
            #expect(history.text.contains(#""problem":"склад""#))

            try await ReportRouteTests.catchUp(fixture)
            let board = try await client.send(.get, "/v1/pipelines/sales/board?asOf=2026-01-05", token: sales)
            #expect(
                board.text.contains(#""qualified":true"#) && !board.text.contains(#""qualified":false"#),
                "\(board.text)")
            let before5th = try await client.send(.get, "/v1/pipelines/sales/board?asOf=2026-01-04", token: sales)
            #expect(before5th.text.contains(#""qualified":false"#) && !before5th.text.contains(#""qualified":true"#))
            let funnel = try await client.send(
                .get, "/v1/funnel?from=2026-01-01&to=2026-01-31&asOf=2026-01-31", token: sales)
            #expect(
                funnel["byQualification"]
                    == (try JSONValue(
                        parsing: Data(
                            #"{"qualified":{"entered":1,"won":0,"lost":0},"unqualified":{"entered":1,"won":1,"lost":0}}"#
                                .utf8))))
        }
    }
}
