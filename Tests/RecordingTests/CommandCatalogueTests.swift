import Foundation
import HexText
import JSON
import Recording
import Sales
import Testing

@Suite("Command catalogue")
struct CommandCatalogueTests {
    @Test func everyCommandHasItsOwnEntry() {
        #expect(CommandEntry.all.map(\.name) == CommandName.allCases)
        for name in CommandName.allCases {
            #expect(CommandEntry.of(name).name == name)
        }
        let routes = CommandEntry.all.map { "\($0.method) \($0.path)" }
        #expect(Set(routes).count == routes.count, "two commands share a route: \(routes)")
        #expect(SalesCommand.importNames == CommandName.allCases.map(\.rawValue))
    }

    /// The README lists the import names; the list is the catalogue's, in its order.
    @Test func theReadmeListsEveryImportName() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let start = try #require(text.range(of: "plus `\"command\"` ("))
        let end = try #require(text[start.upperBound...].range(of: ")"))
        let listed = text[start.upperBound..<end.lowerBound].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
        }
        #expect(listed == CommandName.allCases.map(\.rawValue))
    }

    @Test func pathIDsAreTheBracedSegmentsOfThePath() {
        #expect(CommandEntry.of(.handleObjection).pathIDs == ["dealId", "objectionId"])
        #expect(CommandEntry.of(.recordTouch).pathIDs == ["clientId"])
        #expect(CommandEntry.of(.openDeal).pathIDs.isEmpty)
        for entry in CommandEntry.all {
            let braced = entry.path.split(separator: "/").filter { $0.first == "{" }.count
            #expect(entry.pathIDs.count == braced, "\(entry.name)")
        }
    }

    /// Every parser reads only the ids its path binds (reading another would trap) and refuses
    /// an empty body with field errors.
    @Test func everyParserTakesItsPathIDsAndRefusesAnEmptyBody() throws {
        for entry in CommandEntry.all {
            let ids = entry.bindIDs { _ in UUID() }
            #expect(throws: ValidationFailure.self, "\(entry.name)") {
                try entry.parse(.object([:]), ids: ids, recordedAt: Instant(Date()))
            }
        }
    }

    @Test func anImportLineIsParsedByItsEntry() throws {
        let deal = UUID()
        let line = try JSONValue(
            parsing: Data(#"{"command": "win-deal", "dealId": "\#(deal.canonical)", "wonOn": "2026-03-01"}"#.utf8))
        let command = try SalesCommand.parse(importLine: line, recordedAt: Instant(Date()))
        #expect(command.name == .winDeal)
        #expect(command.value as? WinDeal == WinDeal(dealId: deal, wonOn: LocalDate("2026-03-01")!))
        #expect(command.entry.answerKey == "dealId")

        let missingID = try JSONValue(parsing: Data(#"{"command": "win-deal", "wonOn": "2026-03-01"}"#.utf8))
        #expect(throws: ValidationFailure(errors: [FieldError(field: "dealId", message: "must be a UUID")])) {
            try SalesCommand.parse(importLine: missingID, recordedAt: Instant(Date()))
        }
        let unknown = try JSONValue(parsing: Data(#"{"command": "pay-promise"}"#.utf8))
        #expect(throws: ValidationFailure.self) {
            try SalesCommand.parse(importLine: unknown, recordedAt: Instant(Date()))
        }
    }

    /// A pipeline definition is named `name` over HTTP and on an import line alike: one parser.
    @Test func aPipelineDefinitionIsSpeltOneWay() throws {
        let named = try JSONValue(
            parsing: Data(#"{"command": "define-pipeline", "name": "partners", "stages": ["lead", "closing"]}"#.utf8))
        let command = try SalesCommand.parse(importLine: named, recordedAt: Instant(Date()))
        #expect((command.value as? DefinePipeline)?.pipeline == "partners")

        let both = try JSONValue(
            parsing: Data(
                #"{"command": "define-pipeline", "name": "a", "pipeline": "b", "stages": ["lead"]}"#.utf8))
        #expect(throws: ValidationFailure(errors: [FieldError(field: "pipeline", message: "is not a known field")])) {
            try SalesCommand.parse(importLine: both, recordedAt: Instant(Date()))
        }
        let badName = try JSONValue(
            parsing: Data(#"{"command": "define-pipeline", "name": "A B", "stages": ["lead"]}"#.utf8))
        do {
            _ = try SalesCommand.parse(importLine: badName, recordedAt: Instant(Date()))
            Issue.record("an invalid pipeline name was accepted")
        } catch {
            #expect(error.errors.map(\.field).contains("name"))
        }
    }
}
