public import JSON

/// A pipeline was defined or redefined with its ordered stages, on the UTC day `definedOn` it was recorded.
/// Event type `PipelineDefined`, stream `pipeline-<pipeline>`.
public struct PipelineDefined: SalesEventPayload {
    public static let eventType = "PipelineDefined"
    public static let schemaVersion = 1
    public static let personalFields: Set<String> = []
    public static let requiredPersonalFields: Set<String> = []

    public let pipeline: String
    public let stages: [String]
    public let definedOn: LocalDate

    /// The payload with these fields.
    public init(pipeline: String, stages: [String], definedOn: LocalDate) {
        self.pipeline = pipeline
        self.stages = stages
        self.definedOn = definedOn
    }

    public var json: JSONValue {
        .object([
            "pipeline": .string(pipeline),
            "stages": .array(stages.map(JSONValue.string)),
            "definedOn": definedOn.json,
        ])
    }

    public var event: SalesEvent { .pipelineDefined(self) }
}
