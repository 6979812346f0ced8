import JSON
import Testing

@testable import Sales

@Suite("Rule violations")
struct SalesRuleViolationTests {
    @Test("codes are stable kebab-case names, each of one kind")
    func codes() {
        let names = SalesRuleViolation.Code.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { Pipeline.isValidKey($0) })
        #expect(Set(SalesRuleViolation.Code.allCases.map(\.kind)) == Set(SalesRuleViolation.Kind.allCases))
    }

    @Test("missing things, conflicts with what happened, broken rules")
    func statuses() {
        #expect(SalesRuleViolation.Code.clientNotFound.kind == .missing)
        #expect(SalesRuleViolation.Code.invoiceNotFound.kind == .missing)
        #expect(SalesRuleViolation.Code.dealClosed.kind == .conflict)
        #expect(SalesRuleViolation.Code.duplicateInvoiceNumber.kind == .conflict)
        #expect(SalesRuleViolation.Code.stageUnchanged.kind == .conflict)
        #expect(SalesRuleViolation.Code.overAllocation.kind == .invalid)
        #expect(SalesRuleViolation.Code.currencyMismatch.kind == .invalid)
        #expect(SalesRuleViolation.Code.creditExceedsBalance.kind == .invalid)
    }

    @Test("a violation reads as its code and detail")
    func description() {
        let violation = SalesRuleViolation(.dealClosed, "deal x was won on 2026-03-01", field: nil)
        #expect(violation.description == "deal-closed: deal x was won on 2026-03-01")
        #expect(violation.kind == .conflict)
    }
}
