import Foundation
import HexText
import JSON
import Testing

@testable import Sales

@Suite("Parsing receivables and pipeline commands")
struct ReceivablesCommandParsingTests {
    @Test("an invoice")
    func invoice() throws {
        let body = Fixture.json(
            """
            {"clientId": "00000000-0000-4000-8000-000000000001", "number": "INV-2026-001", "issuedOn": "2026-03-01",
             "dueOn": "2026-03-31", "amountMinor": 150000, "currency": "RUB", "orderId": "00000000-0000-4000-8000-000000000007"}
            """)
        #expect(
            try IssueInvoice.parse(body, makeID: Fixture.always(Fixture.id(50)))
                == IssueInvoice(
                    invoiceId: Fixture.id(50), clientId: Fixture.client, number: "INV-2026-001",
                    issuedOn: Fixture.day("2026-03-01"),
                    dueOn: Fixture.day("2026-03-31"), amountMinor: 150_000, currency: Fixture.rub,
                    orderId: Fixture.id(7)
                ))
    }

    @Test("invoice numbers are at most 64 characters on one line")
    func invoiceNumber() {
        func refusal(_ number: String) -> ValidationFailure? {
            failure {
                try IssueInvoice.parse(
                    .object([
                        "clientId": .string(Fixture.client.canonical), "number": .string(number),
                        "issuedOn": .string("2026-03-01"),
                        "dueOn": .string("2026-03-31"), "amountMinor": .integer(1), "currency": .string("RUB"),
                    ]))
            }
        }
        #expect(refusal(String(repeating: "9", count: 64)) == nil)
        #expect(refusal(String(repeating: "9", count: 65))?.message(for: "number") == "must be at most 64 characters")
        #expect(refusal("INV\t1")?.message(for: "number") == "must not contain control characters")
    }

    @Test("a payment with explicit allocations")
    func payment() throws {
        let body = Fixture.json(
            """
            {"clientId": "00000000-0000-4000-8000-000000000001", "receivedOn": "2026-03-10", "amountMinor": 5000,
             "currency": "RUB", "allocations": [{"invoiceId": "00000000-0000-4000-8000-000000000051", "amountMinor": 3000}]}
            """)
        #expect(
            try ReceivePayment.parse(body, makeID: Fixture.always(Fixture.id(60)))
                == ReceivePayment(
                    paymentId: Fixture.id(60), clientId: Fixture.client, receivedOn: Fixture.day("2026-03-10"),
                    amountMinor: 5000,
                    currency: Fixture.rub, allocations: [Allocation(invoiceId: Fixture.id(51), amountMinor: 3000)]
                ))
        let without = try ReceivePayment.parse(
            Fixture.json(
                #"{"clientId": "00000000-0000-4000-8000-000000000001", "receivedOn": "2026-03-10", "amountMinor": 5000, "currency": "RUB"}"#
            ))
        #expect(without.allocations.isEmpty)
    }

    @Test("allocation entries are checked one by one, with their index in the field name")
    func allocationErrors() {
        let body = Fixture.json(
            """
            {"clientId": "00000000-0000-4000-8000-000000000001", "receivedOn": "2026-03-10", "amountMinor": 5000,
             "currency": "RUB", "allocations": [
               {"invoiceId": "00000000-0000-4000-8000-000000000051", "amountMinor": 3000},
               {"invoiceId": "INV-1", "amountMinor": 1.5},
               {"amountMinor": 0, "note": "x"},
               7
             ]}
            """)
        let refusal = failure { try ReceivePayment.parse(body) }
        #expect(
            refusal?.errors == [
                FieldError(field: "allocations[1].invoiceId", message: "must be a UUID"),
                FieldError(
                    field: "allocations[1].amountMinor",
                    message: "must be an integer number of minor units, without fraction or exponent"),
                FieldError(field: "allocations[2].invoiceId", message: "is required"),
                FieldError(field: "allocations[2].amountMinor", message: "must be greater than 0"),
                FieldError(field: "allocations[2].note", message: "is not a field of this command"),
                FieldError(field: "allocations[3]", message: "must be a JSON object"),
            ])
        let notAList = failure {
            try ReceivePayment.parse(
                Fixture.json(
                    #"{"clientId": "00000000-0000-4000-8000-000000000001", "receivedOn": "2026-03-10", "amountMinor": 1, "currency": "RUB", "allocations": {}}"#
                ))
        }
        #expect(notAList?.errors == [FieldError(field: "allocations", message: "must be an array")])
    }

    @Test("a credit note takes no currency of its own")
    func creditNote() throws {
        let command = try IssueCreditNote.parse(
            Fixture.json(#"{"issuedOn": "2026-03-05", "amountMinor": 1000, "reason": "брак"}"#),
            invoiceId: Fixture.id(51),
            makeID: Fixture.always(Fixture.id(70))
        )
        #expect(
            command
                == IssueCreditNote(
                    creditNoteId: Fixture.id(70), invoiceId: Fixture.id(51), issuedOn: Fixture.day("2026-03-05"),
                    amountMinor: 1000, reason: "брак"))
        let refusal = failure {
            try IssueCreditNote.parse(
                Fixture.json(#"{"issuedOn": "2026-03-05", "amountMinor": 1000, "reason": "брак", "currency": "RUB"}"#),
                invoiceId: Fixture.id(51))
        }
        #expect(refusal?.errors == [FieldError(field: "currency", message: "is not a field of this command")])
    }

    @Test("a write-off")
    func writeOff() throws {
        #expect(
            try WriteOffInvoice.parse(
                Fixture.json(#"{"writtenOffOn": "2026-06-30", "reason": "банкротство"}"#), invoiceId: Fixture.id(51))
                == WriteOffInvoice(
                    invoiceId: Fixture.id(51), writtenOffOn: Fixture.day("2026-06-30"), reason: "банкротство"))
        #expect(
            failure {
                try WriteOffInvoice.parse(Fixture.json(#"{"writtenOffOn": "2026-06-31"}"#), invoiceId: Fixture.id(51))
            }?.fields == ["writtenOffOn", "reason"])
    }

    @Test("a pipeline definition, dated by the day it is recorded")
    func pipeline() throws {
        let recordedAt = Fixture.instant("2026-03-01T23:30:00-02:00")
        let command = try DefinePipeline.parse(
            Fixture.json(#"{"pipeline": "b2b", "stages": ["lead", "demo", "contract"]}"#), recordedAt: recordedAt)
        #expect(
            command
                == DefinePipeline(
                    pipeline: "b2b", stages: ["lead", "demo", "contract"], definedOn: Fixture.day("2026-03-02")))
        let fromPath = try DefinePipeline.parse(
            Fixture.json(#"{"stages": ["lead"]}"#), pipelineInPath: "b2b", recordedAt: recordedAt)
        #expect(fromPath.pipeline == "b2b")
    }

    @Test("pipeline definitions that are refused")
    func pipelineRefusals() {
        let recordedAt = Fixture.instant("2026-03-01T10:00:00Z")
        func refusal(_ body: String, path: String? = nil) -> ValidationFailure? {
            failure { try DefinePipeline.parse(Fixture.json(body), pipelineInPath: path, recordedAt: recordedAt) }
        }
        #expect(refusal(#"{"pipeline": "B2B", "stages": ["lead"]}"#)?.fields == ["pipeline"])
        #expect(refusal(#"{"pipeline": "-b2b", "stages": ["lead"]}"#)?.fields == ["pipeline"])
        #expect(
            refusal(#"{"pipeline": "b2b", "stages": []}"#)?.errors == [
                FieldError(field: "stages", message: "must list 1 to 50 stages")
            ])
        let fiftyOne = (0...50).map { "\"s\($0)\"" }.joined(separator: ",")
        #expect(refusal(#"{"pipeline": "b2b", "stages": [\#(fiftyOne)]}"#)?.fields == ["stages"])
        let fifty = (0..<50).map { "\"s\($0)\"" }.joined(separator: ",")
        #expect(refusal(#"{"pipeline": "b2b", "stages": [\#(fifty)]}"#) == nil)
        #expect(
            refusal(#"{"pipeline": "b2b", "stages": ["lead", "won", "Demo", "lead", "lost", 5]}"#)?.errors == [
                FieldError(field: "stages[5]", message: "must be a string")
            ])
        #expect(
            refusal(#"{"pipeline": "b2b", "stages": ["lead", "won", "Demo", "lead", "lost"]}"#)?.errors == [
                FieldError(field: "stages[1]", message: "'won' is a terminal outcome of a deal, not a stage"),
                FieldError(
                    field: "stages[2]",
                    message: "must be 1 to 63 lower-case letters, digits or '-', not starting with '-'"),
                FieldError(field: "stages[3]", message: "'lead' is listed twice"),
                FieldError(field: "stages[4]", message: "'lost' is a terminal outcome of a deal, not a stage"),
            ])
        #expect(
            refusal(#"{"pipeline": "other", "stages": ["lead"]}"#, path: "b2b")?.errors == [
                FieldError(field: "pipeline", message: "must equal the pipeline of the path, 'b2b'")
            ])
        #expect(refusal(#"{"stages": ["lead"], "name": "b2b"}"#)?.fields == ["pipeline", "name"])
        let longKey = String(repeating: "a", count: 64)
        #expect(refusal(#"{"pipeline": "\#(longKey)", "stages": ["lead"]}"#)?.fields == ["pipeline"])
        #expect(refusal(#"{"pipeline": "\#(longKey.dropLast())", "stages": ["lead"]}"#) == nil)
    }
}
