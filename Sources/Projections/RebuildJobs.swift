import Logging
import PQ
public import ServiceLifecycle
import Synchronization

/// The rebuilds started while the application serves (`POST /v1/projections/{name}/rebuild`),
/// run as child tasks of this service rather than as unstructured tasks: each has a pooled
/// connection; a failure is logged (and kept in the read model's status by the rebuild). On a
/// graceful shutdown no further job starts and the running ones are waited for.
///
/// A job started while the service is not running waits for its next run.
public final class RebuildJobs: Service, Sendable {
    private struct Job: Sendable {
        let rebuild: ProjectionRebuild
        let name: String
    }

    private let pool: ConnectionPool
    private let logger: Logger
    private let queue: Mutex<(stream: AsyncStream<Job>, continuation: AsyncStream<Job>.Continuation)>

    init(pool: ConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
        queue = Mutex(AsyncStream.makeStream(of: Job.self))
    }

    /// Queues `rebuild` of the read model `name`.
    func start(_ rebuild: ProjectionRebuild, named name: String) {
        _ = queue.withLock { $0.continuation.yield(Job(rebuild: rebuild, name: name)) }
    }

    /// Runs the jobs as they come until a graceful shutdown, then waits for the running ones.
    public func run() async {
        let jobs = queue.withLock { $0.stream }
        // The stream ends with this run; the next run takes the jobs queued after it.
        defer { queue.withLock { $0 = AsyncStream.makeStream(of: Job.self) } }
        let (pool, logger) = (pool, logger)
        await withDiscardingTaskGroup { group in
            for await job in jobs.cancelOnGracefulShutdown() {
                group.addTask {
                    do {
                        _ = try await pool.withConnection { connection in try job.rebuild.run(on: connection) }
                    } catch {
                        logger.error(
                            "rebuild failed", metadata: ["projection.name": "\(job.name)", "error": "\(error)"])
                    }
                }
            }
        }
    }
}
