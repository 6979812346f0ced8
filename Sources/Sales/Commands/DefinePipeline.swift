public import JSON

/// Define a pipeline, or redefine one, with its ordered stages. The contract names no route;
/// the body is `{"pipeline": "<name>", "stages": ["…", …]}` (a route that carries the name in its
/// path passes it to `parse` instead). The definition is dated by the UTC day it is recorded.
public struct DefinePipeline: Sendable, Equatable {
    public var pipeline: String
    public var stages: [String]
    public var definedOn: LocalDate

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(pipeline: String, stages: [String], definedOn: LocalDate) {
        self.pipeline = pipeline
        self.stages = stages
        self.definedOn = definedOn
    }

    /// Validates a request body: `stages` and `pipeline`. When `pipelineInPath` is given the body's
    /// `pipeline` may be left out, and must equal it when present. `definedOn` is the UTC date of
    /// `recordedAt`. Checks everything `Pipeline.problems(name:stages:)` lists.
    public static func parse(
        _ body: JSONValue, pipelineInPath: String? = nil, recordedAt: Instant
    ) throws(ValidationFailure) -> DefinePipeline {
        var fields = CommandFields(body)
        let named = pipelineInPath == nil ? fields.required("pipeline", .string) : fields.optional("pipeline", .string)
        let stages = fields.required("stages", .list(.string, count: 0...Int.max))
        fields.rejectUnknownKeys()
        var errors = fields.errors
        if let pipelineInPath, let named, named != pipelineInPath {
            errors.append(
                FieldError(field: "pipeline", message: "must equal the pipeline of the path, '\(pipelineInPath)'"))
        }
        if let pipeline = pipelineInPath ?? named, let stages {
            errors.append(contentsOf: Pipeline.problems(name: pipeline, stages: stages))
        }
        guard let pipeline = pipelineInPath ?? named, let stages, errors.isEmpty else {
            throw ValidationFailure(errors: errors)
        }
        return DefinePipeline(pipeline: pipeline, stages: stages, definedOn: recordedAt.utcDate)
    }
}
