import HTTPAPI
import JSON
import Sales
import Testing

@Suite("Rule problems")
struct RuleProblemTests {
    /// The domain says what kind of refusal a rule is; HTTP alone turns the kind into a status.
    @Test func eachKindOfRuleHasItsStatus() {
        let statuses = SalesRuleViolation.Code.allCases.map { code in
            (code.kind, Problem.rule(SalesRuleViolation(code, "refused")).status)
        }
        for (kind, status) in statuses {
            switch kind {
            case .missing: #expect(status == 404)
            case .conflict: #expect(status == 409)
            case .invalid: #expect(status == 422)
            }
        }
        let problem = Problem.rule(SalesRuleViolation(.dealClosed, "deal x was won", field: "dealId"))
        #expect(problem.code == "deal-closed" && problem.status == 409)
        #expect(problem.errors == [FieldError(field: "dealId", message: "deal x was won")])
    }
}
