import Fluent
import Foundation
import MallAPI
import Metrics
import Prometheus
import SQLKit
import Vapor

/// Liveness, readiness, metrics and the API document: what operators and load balancers call.
struct OperationsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
        routes.get("readyz", use: ready)
        routes.get("metrics", use: metrics)
        routes.get("api", "v1", "openapi.yaml", use: openAPI)
    }

    func health(req: Request) async throws -> HealthStatus {
        HealthStatus(status: "ok")
    }

    /// Redis down does not make the instance unready: every use of it has a fallback.
    func ready(req: Request) async throws -> Response {
        var redis: String?
        if let services = req.application.redis {
            redis = await services.client.ping() ? "reachable" : "unreachable"
        }
        do {
            _ = try await req.db.sql.raw("SELECT 1 AS ok").all()
            return try Response.json(HealthStatus(status: "ok", database: "reachable", redis: redis))
        } catch {
            req.logger.warning("readiness check failed: \(String(describing: error))")
            return try Response.json(HealthStatus(status: "unavailable", database: "unreachable", redis: redis), status: .serviceUnavailable)
        }
    }

    /// Job queue depth is read at scrape time, so the gauge is true even when another instance
    /// did the work. Only for a scraper with `METRICS_TOKEN`: the figures tell anyone how busy
    /// the shop is and which routes exist.
    func metrics(req: Request) async throws -> Response {
        guard let token = req.application.config.metricsToken else {
            throw MallError.notFound("Metrics are off; set METRICS_TOKEN to scrape them.")
        }
        guard let sent = req.headers.bearerAuthorization?.token,
              SecureToken.constantTimeEquals(sent, token) else {
            throw MallError.unauthorized("Send the metrics token as a bearer token.")
        }
        if let counts = try? await req.application.jobs.countsByStatus() {
            for status in JobStatus.allCases {
                Gauge(label: "chainmall_jobs", dimensions: [("status", status.rawValue)]).record(counts[status.rawValue] ?? 0)
            }
        }
        var buffer: [UInt8] = []
        MetricsRegistry.shared.emit(into: &buffer)
        let response = Response(status: .ok, body: .init(data: Data(buffer)))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return response
    }

    func openAPI(req: Request) async throws -> Response {
        let path = req.application.directory.workingDirectory + "openapi.yaml"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MallError.notFound("openapi.yaml is not next to the server.")
        }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
        return response
    }
}

/// One Prometheus registry per process: swift-metrics can be bootstrapped only once, and tests
/// create many applications.
enum MetricsRegistry {
    static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
