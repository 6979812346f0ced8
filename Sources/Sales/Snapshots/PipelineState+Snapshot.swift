public import JSON

extension PipelineState: DeciderState {
    public static let decider = "pipeline"
    public static let foldVersion = 1

    /// `{"name", "stages"}`, `stages` null for a pipeline never defined.
    public var snapshot: JSONValue {
        .object(["name": .string(name), "stages": pipeline.map { .array($0.stages.map(JSONValue.string)) } ?? .null])
    }

    public init(snapshot: JSONValue) throws(SnapshotDecodingError) {
        let fields = try SnapshotFields(snapshot, "pipeline state")
        let name = try fields.string("name")
        guard fields.optional("stages") != nil else {
            self.init(name: name, pipeline: nil)
            return
        }
        var stages: [String] = []
        for stage in try fields.array("stages") {
            guard let key = stage.stringValue else {
                throw SnapshotDecodingError("stages holds something not a string")
            }
            stages.append(key)
        }
        self.init(name: name, pipeline: Pipeline(name: name, stages: stages))
    }

    public var footprint: Int {
        128 + 64 * (pipeline?.stages.count ?? 0)
    }
}
