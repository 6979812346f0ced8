import Access
import Hummingbird
import JSON
import Recording
import Sales

/// `GET /v1/pipelines` and `GET /v1/pipelines/{pipeline}`: the pipelines and their stages
/// (`POST /v1/pipelines` is a command, in ``CommandRoutes``).
struct PipelineRoutes: Sendable {
    /// Reads pipeline definitions from their streams.
    let recorder: CommandRecorder

    /// Registers the pipeline reads on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/pipelines") { [recorder] _, context -> Response in
            _ = try context.require(.readReports)
            return JSONValue.object(["pipelines": .array(try await recorder.pipelines().map(Self.json))]).response()
        }
        router.get("/v1/pipelines/{pipeline}") { [recorder] _, context -> Response in
            _ = try context.require(.readReports)
            let name = context.parameters.get("pipeline") ?? ""
            guard let pipeline = try await recorder.pipeline(named: name) else {
                throw Problem.rule(SalesRuleViolation(.pipelineNotFound, "pipeline '\(name)' is not defined"))
            }
            return Self.json(pipeline).response()
        }
    }

    static func json(_ pipeline: Pipeline) -> JSONValue {
        .object(["name": .string(pipeline.name), "stages": .array(pipeline.stages.map(JSONValue.string))])
    }
}
