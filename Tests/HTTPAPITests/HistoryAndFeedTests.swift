import Access
import Foundation
import HTTPTypes
import HexText
import JSON
import Sales
import Testing

@Suite("History and event feed")
struct HistoryAndFeedTests {
    @Test func historyFiltersByAsOfAndKnownAtAndPages() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        try await fixture.run { client in
            let clientId = try await client.send(
                .post, "/v1/clients", token: sales,
                json: #"{"name":"Acme","kind":"company","registeredOn":"2026-01-01"}"#
            ).string("clientId")
            for day in 2...6 {
                _ = try await client.send(
                    .post, "/v1/clients/\(clientId)/orders", token: sales,
                    json: #"{"placedOn":"2026-01-0\#(day)","amountMinor":100,"currency":"EUR"}"#)
            }
            let feed = try await client.send(.get, "/v1/events?after=0&limit=1000", token: sales)
            guard case .array(let events)? = feed["events"] else {
                Issue.record("no events")
                return
            }
            #expect(events.count == 6)
            let third = events[2].objectValue!
            let recordedAt = third["recordedAt"]!.stringValue!

            let all = try await client.send(.get, "/v1/clients/\(clientId)/history?asOf=2026-12-31", token: sales)
            #expect(all.status == 200)
            #expect(all["state"]?.objectValue?["purchases"]?.objectValue?["orderCount"] == .integer(5))

            let asOf = try await client.send(.get, "/v1/clients/\(clientId)/history?asOf=2026-01-03", token: sales)
            guard case .array(let asOfEvents)? = asOf["events"] else { return }
            #expect(asOfEvents.count == 3)
            #expect(asOf["state"]?.objectValue?["purchases"]?.objectValue?["orderCount"] == .integer(2))

            let knownAt = try await client.send(
                .get, "/v1/clients/\(clientId)/history?asOf=2026-12-31&knownAt=\(recordedAt)", token: sales)
            #expect(knownAt["state"]?.objectValue?["purchases"]?.objectValue?["orderCount"] == .integer(2))
            let recorded = try #require(Instant(recordedAt))
            let justBefore = try #require(
                recorded.nanoseconds > 0
                    ? Instant(secondsSinceEpoch: recorded.secondsSinceEpoch, nanoseconds: recorded.nanoseconds - 1)
                    : Instant(secondsSinceEpoch: recorded.secondsSinceEpoch - 1, nanoseconds: 999_999_999))
            let earlier = try await client.send(
                .get, "/v1/clients/\(clientId)/history?asOf=2026-12-31&knownAt=\(justBefore)", token: sales)
            #expect(earlier["state"]?.objectValue?["purchases"]?.objectValue?["orderCount"] == .integer(1))

            let first = try await client.send(
                .get, "/v1/clients/\(clientId)/history?asOf=2026-12-31&limit=4", token: sales)
            guard case .array(let page)? = first["events"], case .number(let next)? = first["next"] else {
                Issue.record("no page: \(first.text)")
                return
            }
            #expect(page.count == 4)
            #expect(first["state"]?.objectValue?["purchases"]?.objectValue?["orderCount"] == .integer(5))
            let second = try await client.send(
                .get, "/v1/clients/\(clientId)/history?asOf=2026-12-31&limit=4&after=\(next.literal)", token: sales)
            guard case .array(let rest)? = second["events"] else { return }
            #expect(rest.count == 2)
            #expect(second["next"] == .null)

            let unknown = try await client.send(.get, "/v1/clients/\(UUID().canonical)/history", token: sales)
            #expect(unknown.status == 404)
        }
    }

    @Test func theFeedHasTheContractShapeAndNextStaysWhenNothingIsNew() async throws {
        let fixture = try await APIFixture.make()
        let sales = fixture.tokens[.sales]!
        try await fixture.run { client in
            _ = try await client.send(.post, "/v1/clients", token: sales, json: #"{"name":"Acme","kind":"company"}"#)
            let feed = try await client.send(.get, "/v1/events", token: sales)
            #expect(feed.status == 200)
            guard case .array(let events)? = feed["events"], let event = events.first?.objectValue else {
                Issue.record("empty feed")
                return
            }
            #expect(
                Set(event.keys) == [
                    "position", "eventId", "streamId", "streamVersion", "type", "schemaVersion", "occurredAt",
                    "recordedAt", "actor", "data", "metadata",
                ])
            #expect(event["type"] == .string("ClientRegistered"))
            #expect(event["actor"] == .string("sales-tester") || event["actor"]?.stringValue?.isEmpty == false)
            let next = feed["next"]!
            guard case .number(let position) = next else { return }
            let empty = try await client.send(.get, "/v1/events?after=\(position.literal)", token: sales)
            #expect(empty["next"] == next)
            #expect(empty["events"] == .array([]))
            let tooMany = try await client.send(.get, "/v1/events?limit=1001", token: sales)
            #expect(tooMany.status == 422)
        }
    }
}
