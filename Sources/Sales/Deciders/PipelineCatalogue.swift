/// The pipelines (one stream `pipeline-<name>` each) as a decider: `initialState(for:)`, `evolve`,
/// `decide`.
///
/// `sales` exists without any event. A definition is checked by `Pipeline.problems(name:stages:)`.
/// **Redefining** a pipeline keeps every stage it already has: stages may be added anywhere and
/// reordered, but never removed or renamed. Deals may sit in any existing stage, and boards,
/// funnels and histories refer to stage keys for as long as the log lives, so a serious CRM does
/// not let a key vanish under them; to retire a stage, move its deals on and leave it unused.
/// The pipeline stream cannot see which deals use which stage, so the rule holds whether or not a
/// stage is in use. A definition identical to the current one is refused as `pipeline-unchanged`.
public enum PipelineCatalogue {
    /// The state of `pipeline-<name>` with no events.
    public static func initialState(for name: String) -> PipelineState {
        PipelineState(name: name, pipeline: name == Pipeline.defaultName ? .sales : nil)
    }

    /// The state after `event`; events of other streams leave it unchanged.
    public static func evolve(_ state: PipelineState, _ event: SalesEvent) -> PipelineState {
        guard case .pipelineDefined(let defined) = event, defined.pipeline == state.name else { return state }
        var state = state
        state.pipeline = Pipeline(name: defined.pipeline, stages: defined.stages)
        return state
    }

    /// Defines or redefines the pipeline. `state` is the state of `pipeline-<command.pipeline>`.
    /// - Throws: `invalid-pipeline` (422), `pipeline-unchanged` (409), `pipeline-stages-removed` (422).
    public static func decide(
        _ command: DefinePipeline, state: PipelineState
    ) throws(SalesRuleViolation) -> [SalesEvent] {
        if let problem = Pipeline.problems(name: command.pipeline, stages: command.stages).first {
            throw SalesRuleViolation(.invalidPipeline, "\(problem.field) \(problem.message)", field: problem.field)
        }
        if let current = state.pipeline {
            guard current.stages != command.stages else {
                throw SalesRuleViolation(
                    .pipelineUnchanged, "pipeline '\(command.pipeline)' already has exactly these stages",
                    field: "stages"
                )
            }
            let removed = current.stages.filter { !command.stages.contains($0) }
            guard removed.isEmpty else {
                throw SalesRuleViolation(
                    .pipelineStagesRemoved,
                    "a redefinition keeps every existing stage; missing: \(removed.joined(separator: ", "))",
                    field: "stages"
                )
            }
        }
        return [PipelineDefined(pipeline: command.pipeline, stages: command.stages, definedOn: command.definedOn).event]
    }
}
