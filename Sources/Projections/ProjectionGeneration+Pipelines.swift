import Foundation
import PQ
import Sales

extension ProjectionGeneration {
    /// The stages of `pipeline` as known at `knownAt` (its latest definition
    /// recorded by then; the built-in `sales` pipeline when never defined).
    /// - Throws: ``ProjectionError/unknownPipeline(_:)``.
    func stages(of pipeline: String, knownAt: String, on connection: Connection) throws -> [String] {
        let defined: String? = try connection.query(
            """
            SELECT array_to_json(stages)::text FROM \(fragment: table(.pipelines))
             WHERE pipeline = \(pipeline) AND recorded_at <= \(knownAt)::timestamptz
             ORDER BY position DESC LIMIT 1
            """
        ).first?.decodeOptional(0)
        if let defined, let names = try? JSONDecoder().decode([String].self, from: Data(defined.utf8)) {
            return names
        }
        guard pipeline == Pipeline.defaultName else { throw ProjectionError.unknownPipeline(pipeline) }
        return Pipeline.sales.stages
    }
}
