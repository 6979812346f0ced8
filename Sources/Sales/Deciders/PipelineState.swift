/// What the stream `pipeline-<name>` knows: the pipeline's current definition, if any.
public struct PipelineState: Sendable, Equatable {
    /// The pipeline's name (the stream's id).
    public let name: String
    /// The current definition: the last `PipelineDefined`, or the built-in `sales` pipeline for
    /// `sales` before any; nil for a pipeline never defined.
    public internal(set) var pipeline: Pipeline?
}
