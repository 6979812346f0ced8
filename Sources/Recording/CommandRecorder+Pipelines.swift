import EventStore
public import Sales

extension CommandRecorder {
    /// The current definition of the pipeline `name` (the built-in `sales` until redefined);
    /// nil when no such pipeline exists.
    public func pipeline(named name: String) async throws -> Pipeline? {
        guard Pipeline.isValidKey(name) else { return nil }
        return try await load(
            .pipeline(name), from: PipelineCatalogue.initialState(for: name), PipelineCatalogue.evolve
        )
        .state.pipeline
    }

    /// Every pipeline, ordered by name; `sales` is always among them.
    public func pipelines() async throws -> [Pipeline] {
        let names = try await store.streams(inCategory: StreamName.pipelineCategory).compactMap { stream in
            if case .pipeline(let name) = StreamName(stream.description) { name } else { nil }
        }
        var pipelines = [Pipeline]()
        for name in Set(names + [Pipeline.defaultName]).sorted() {
            if let pipeline = try await pipeline(named: name) { pipelines.append(pipeline) }
        }
        return pipelines
    }
}
