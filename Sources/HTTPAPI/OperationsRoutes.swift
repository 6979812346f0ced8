import Foundation
import Hummingbird
import Logging
import PQ
import Prometheus
import Sales

/// The public operational routes: `GET /healthz`, `/readyz`, `/metrics` and `/openapi.yaml`.
struct OperationsRoutes: Sendable {
    /// The newest migration (`Schema/NNNN_…`) this build's queries need; `/readyz`
    /// answers 503 until the database has it. Raise it with every migration.
    static let requiredSchemaVersion = 11

    /// The database readiness is checked against.
    let pool: ConnectionPool
    /// The metrics served.
    let registry: PrometheusCollectorRegistry
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
                let migrated: Bool = try await pool.withConnection { connection in
                    try connection.query(
                        """
                        SELECT to_regclass('public.schema_migrations') IS NOT NULL
                           AND (SELECT max(version) FROM schema_migrations) >= \(Self.requiredSchemaVersion)
                        """
                    ).first?.decode(0) ?? false
                }
                guard migrated else { throw Problem.unavailable }
            } catch let error as Problem {
                throw error
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(error)"])
                throw Problem.unavailable
            }
            return JSONValue.object(["status": .string("ready")]).response()
        }
        router.get("/metrics") { [registry] _, _ -> Response in
            var bytes = [UInt8]()
            registry.emit(into: &bytes)
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
