import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Pipeline catalogue")
struct PipelineCatalogueTests {
    let day = Fixture.day("2026-03-01")

    func state(_ name: String, _ events: [SalesEvent] = []) -> PipelineState {
        Fixture.fold(events, from: PipelineCatalogue.initialState(for: name), PipelineCatalogue.evolve)
    }

    func define(_ name: String, _ stages: [String]) -> DefinePipeline {
        DefinePipeline(pipeline: name, stages: stages, definedOn: day)
    }

    @Test("sales exists without any event, with the eight default stages")
    func salesDefault() {
        #expect(state("sales").pipeline == Pipeline.sales)
        #expect(
            Pipeline.sales.stages == [
                "lead", "qualified", "contact", "needs", "offer", "objections", "bargaining", "closing",
            ])
        #expect(state("b2b").pipeline == nil)
    }

    @Test("defining a new pipeline")
    func defineNew() throws {
        let events = try PipelineCatalogue.decide(define("b2b", ["inquiry", "demo", "contract"]), state: state("b2b"))
        #expect(
            events == [PipelineDefined(pipeline: "b2b", stages: ["inquiry", "demo", "contract"], definedOn: day).event])
        #expect(state("b2b", events).pipeline == Pipeline(name: "b2b", stages: ["inquiry", "demo", "contract"]))
        #expect(events.first?.stream == .pipeline("b2b"))
        #expect(events.first?.occurredAt == Instant(startOf: day))
    }

    @Test("a redefinition may add and reorder stages")
    func redefineAdding() throws {
        let stages = [
            "lead", "qualified", "contact", "needs", "demo", "offer", "objections", "bargaining", "closing", "delivery",
        ]
        let events = try PipelineCatalogue.decide(define("sales", stages), state: state("sales"))
        #expect(state("sales", events).pipeline?.stages == stages)
        let reordered = try PipelineCatalogue.decide(define("sales", stages.reversed()), state: state("sales", events))
        #expect(reordered.count == 1)
    }

    @Test("a redefinition may not remove a stage")
    func redefineRemoving() {
        let refusal = violation {
            try PipelineCatalogue.decide(define("sales", ["lead", "qualified", "closing"]), state: state("sales"))
        }
        #expect(refusal?.code == .pipelineStagesRemoved)
        #expect(refusal?.kind == .invalid)
        #expect(
            refusal?.detail
                == "a redefinition keeps every existing stage; missing: contact, needs, offer, objections, bargaining")
    }

    @Test("an identical definition changes nothing and is refused")
    func unchanged() {
        let refusal = violation {
            try PipelineCatalogue.decide(define("sales", Pipeline.sales.stages), state: state("sales"))
        }
        #expect(refusal?.code == .pipelineUnchanged)
        #expect(refusal?.kind == .conflict)
    }

    @Test("an invalid definition built without parse is refused")
    func invalid() {
        #expect(
            violation { try PipelineCatalogue.decide(define("b2b", []), state: state("b2b")) }?.code == .invalidPipeline
        )
        #expect(
            violation { try PipelineCatalogue.decide(define("b2b", ["lead", "won"]), state: state("b2b")) }?.field
                == "stages[1]")
        #expect(
            violation { try PipelineCatalogue.decide(define("B2B", ["lead"]), state: state("B2B")) }?.field
                == "pipeline")
    }

    @Test("events of another pipeline or stream leave the state unchanged")
    func foreignEvents() {
        let other = PipelineDefined(pipeline: "b2b", stages: ["x"], definedOn: day).event
        #expect(state("sales", [other, Fixture.registered()]) == state("sales"))
    }

    @Test("keys are lower-case letters, digits and dashes, 1 to 63 long")
    func keys() {
        #expect(Pipeline.isValidKey("a"))
        #expect(Pipeline.isValidKey("0-stage-1"))
        #expect(Pipeline.isValidKey(String(repeating: "a", count: 63)))
        #expect(!Pipeline.isValidKey(String(repeating: "a", count: 64)))
        #expect(!Pipeline.isValidKey(""))
        #expect(!Pipeline.isValidKey("-a"))
        #expect(!Pipeline.isValidKey("Lead"))
        #expect(!Pipeline.isValidKey("лид"))
        #expect(!Pipeline.isValidKey("a_b"))
        #expect(!Pipeline.isValidKey("a b"))
    }
}
