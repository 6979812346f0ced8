import EventStore
import Foundation
import Hummingbird
import JSON
import Logging
import PQ
import Projections
import Prometheus
import Sales

/// The public operational routes: `GET /healthz`, `/readyz` (with the server's ``ServingMode`` and
/// its database's ``WALPosition``), `/metrics` and `/openapi.yaml`.
struct OperationsRoutes: Sendable {
    /// The database readiness is checked against.
    let pool: ConnectionPool
    /// The metrics served; the pool's and the read models' figures are read at each scrape.
    let metrics: ServiceMetrics
    /// Whether the service still takes traffic (false once shutdown began).
    let readiness: Readiness
    /// Whether the server records commands on a primary or reads a replica.
    let mode: ServingMode

    /// Registers the routes on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            JSONValue.object(["status": .string("ok")]).response()
        }
        router.get("/readyz") { [pool, readiness, mode] _, context -> Response in
            guard readiness.isAccepting else { throw Problem.unavailable }
            let position: WALPosition
            do {
                let (migrated, read) = try await pool.withConnection { connection in
                    (try Migrator.isCurrent(on: connection), try WALPosition.read(on: connection))
                }
                // A server for the primary whose database has become a standby (demoted by a
                // failover) takes no traffic until its pool reaches the new primary.
                guard migrated, mode == .replica || !read.recovering else { throw Problem.unavailable }
                position = read
            } catch let error as Problem {
                throw error
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(error)"])
                throw Problem.unavailable
            }
            var members: [String: JSONValue] = [
                "status": .string("ready"), "mode": .string(mode.rawValue), "walPosition": .integer(position.bytes),
            ]
            if mode == .replica { members["replayedAt"] = .string(orNull: position.replayedAt) }
            return JSONValue.object(members).response()
        }
        router.get("/metrics") { [pool, metrics] _, context -> Response in
            metrics.observe(pool: pool)
            do {
                metrics.observe(
                    try await pool.withConnection { connection in try ProjectionStatus.all(on: connection) })
            } catch {
                // The rest is still worth serving while the database is away.
                context.logger.warning("metrics without the read models' figures", metadata: ["error": "\(error)"])
            }
            var bytes = [UInt8]()
            metrics.registry.emit(into: &bytes)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/openapi.yaml") { _, _ -> Response in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
                let document = try? Data(contentsOf: url)
            else { throw Problem.internalError }
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
