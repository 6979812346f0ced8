import EventStore
import Foundation
import Hummingbird
import JSON
import Logging
import PQ
import Projections
import Sales

/// The public operational routes: `GET /healthz`, `/readyz`, `/metrics` and `/openapi.yaml`.
struct OperationsRoutes: Sendable {
    /// The database readiness is checked against.
    let pool: ConnectionPool
    /// The metrics served; the pool's and the read models' figures are read at each scrape.
    let metrics: ServiceMetrics
    /// Whether the service still takes traffic (false once shutdown began).
    let readiness: Readiness

    /// Registers the routes on `router`.
    func register(on router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            JSONValue.object(["status": .string("ok")]).response()
        }
        router.get("/readyz") { [pool, readiness] _, context -> Response in
            guard readiness.isAccepting else { throw Problem.unavailable }
            do {
                let migrated = try await pool.withConnection { connection in try Migrator.isCurrent(on: connection) }
                guard migrated else { throw Problem.unavailable }
            } catch let error as Problem {
                throw error
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(error)"])
                throw Problem.unavailable
            }
            return JSONValue.object(["status": .string("ready")]).response()
        }
        router.get("/metrics") { [pool, metrics] _, context -> Response in
            metrics.observe(pool: pool)
            do {
                metrics.observe(try await pool.withConnection { connection in try ProjectionStatus.all(on: connection) })
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
