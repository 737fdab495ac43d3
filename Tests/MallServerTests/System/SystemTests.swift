import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import MallServer

@Suite("System: settings, errors, health, metrics, CSRF")
struct SystemTests {
    @Test("every SQLite connection maps the database file and keeps a 32 MiB page cache")
    func sqliteConnectionsAreTuned() async throws {
        try await withTestApp { app in
            // PostgreSQL has its own shared buffers; these settings are SQLite's.
            guard !app.db.isPostgres else { return }
            var connections = 0
            for eventLoop in app.eventLoopGroup.makeIterator() {
                let db = try #require(app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase)
                #expect(try await db.raw("PRAGMA mmap_size").first()?.decode(column: "mmap_size", as: Int.self) == SQLiteTuning.mmapBytes)
                #expect(try await db.raw("PRAGMA cache_size").first()?.decode(column: "cache_size", as: Int.self) == -SQLiteTuning.cacheKibibytes)
                connections += 1
            }
            #expect(connections >= 1)
        }
    }

    @Test("settings have typed defaults; an update is validated as a whole and audited")
    func settings() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let initial = try await app.send(.GET, "/api/v1/admin/settings", token: token).decode([Setting].self)
            let timeZone = try #require(initial.first { $0.key == "shop.timeZone" })
            #expect(timeZone.value == .string("Asia/Shanghai"))
            #expect(initial.first { $0.key == "order.unpaidTimeoutMinutes" }?.value == .integer(30))

            let mixed = try await app.send(.PATCH, "/api/v1/admin/settings", token: token,
                                           json: SettingsUpdate(values: ["shop.name": .string("鲜生活"), "order.unpaidTimeoutMinutes": .integer(0),
                                                                         "shop.timeZone": .integer(8), "no.such": .boolean(true)]))
            #expect(mixed.status == .unprocessableEntity)
            #expect(Set(mixed.problem?.errors?.map(\.field) ?? []) == ["order.unpaidTimeoutMinutes", "shop.timeZone", "values.no.such"])
            #expect(try await SettingsService.resolved(on: app.db).string(.shopName) == "链城商城 ChainMall", "nothing was written")

            let ok = try await app.send(.PATCH, "/api/v1/admin/settings", token: token,
                                        json: SettingsUpdate(values: ["shop.name": .string("鲜生活"), "order.unpaidTimeoutMinutes": .integer(15)]))
            let updated = try ok.decode([Setting].self)
            #expect(updated.first { $0.key == "shop.name" }?.value == .string("鲜生活"))
            #expect(updated.first { $0.key == "order.unpaidTimeoutMinutes" }?.updatedAt != nil)
            let audit = try await app.send(.GET, "/api/v1/admin/audit-logs?targetType=settings", token: token).decode(ListPage<AuditEntry>.self)
            #expect(audit.items.count == 1)
            #expect(audit.items.first?.before?.contains("链城商城 ChainMall") == true)
            #expect(audit.items.first?.after?.contains("鲜生活") == true)
        }
    }

    @Test("health, readiness, request ids and metrics (for the scraper's token only)")
    func operations() async throws {
        let token = "scraper-token-0123456789"
        try await withTestApp(adjust: { $0.metricsToken = token }) { app in
            let health = try await app.send(.GET, "/healthz")
            #expect(try health.decode(HealthStatus.self).status == "ok")
            #expect(health.headers.first(name: .xRequestId)?.isEmpty == false)
            let ready = try await app.send(.GET, "/readyz")
            #expect(try ready.decode(HealthStatus.self).database == "reachable")
            _ = try await app.send(.GET, "/api/v1/stores/nearby?lat=31.2&lng=121.4")
            try await app.jobs.enqueue("test.noop", payload: ["a": 1])
            let anonymous = try await app.send(.GET, "/metrics")
            #expect(anonymous.status == .unauthorized)
            #expect(!anonymous.text.contains("http_requests_total"))
            let wrong = try await app.send(.GET, "/metrics", token: "scraper-token-0123456780")
            #expect(wrong.status == .unauthorized)
            let metrics = try await app.send(.GET, "/metrics", token: token)
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("http_requests_total"))
            #expect(metrics.text.contains("path=\"/api/v1/stores/nearby\""))
            #expect(metrics.text.contains("http_request_duration_seconds"))
            #expect(metrics.text.contains("chainmall_jobs{status=\"queued\"} 1"))
        }
    }

    @Test("without METRICS_TOKEN /metrics is off for everyone")
    func metricsOffByDefault() async throws {
        try await withTestApp { app in
            let metrics = try await app.send(.GET, "/metrics", token: "anything-at-all-0123456789")
            #expect(metrics.status == .notFound)
            #expect(!metrics.text.contains("http_requests_total"))
        }
    }

    @Test("X-Request-Id is echoed when it is a plausible id and replaced when it is long or has other characters")
    func requestIdBounds() async throws {
        try await withTestApp { app in
            let kept = try await app.send(.GET, "/healthz", headers: ["X-Request-Id": "edge-7f3a:01.2_b"])
            #expect(kept.headers.first(name: .xRequestId) == "edge-7f3a:01.2_b")
            for forged in [String(repeating: "a", count: 65), "id\u{0B}injected", "<script>x</script>", "日志"] {
                let response = try await app.send(.GET, "/api/v1/products/not-an-id", headers: ["X-Request-Id": forged])
                let echoed = try #require(response.headers.first(name: .xRequestId))
                #expect(echoed != forged)
                #expect(UUID(uuidString: echoed) != nil, "a fresh id replaces \(forged.prefix(10))")
                #expect(response.problem?.requestId == echoed, "the problem document names the same id")
            }
        }
    }

    @Test("errors are problem details: unknown route 404, oversized body 413, wrong media type")
    func errorShapes() async throws {
        try await withTestApp { app in
            let missing = try await app.send(.GET, "/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.problem?.status == 404)
            #expect(missing.problem?.requestId?.isEmpty == false)

            let form = try await app.send(.POST, "/api/v1/auth/login", raw: "login=x", headers: ["Content-Type": "text/plain"])
            #expect([400, 415].contains(form.status.code))
            #expect(form.problem?.status == Int(form.status.code))

            let array = try await app.send(.POST, "/api/v1/auth/login", raw: "[1,2]")
            #expect(array.status == .badRequest)
        }
    }

    @Test("cookie-session forms need the CSRF token; bearer API calls do not")
    func csrf() async throws {
        try await withTestApp { app in
            let pages = app.grouped(app.sessions.middleware).grouped(CSRFMiddleware())
            pages.get("csrf-probe") { req in CSRFMiddleware.token(for: req) }
            pages.post("csrf-probe") { _ in "changed" }

            let page = try await app.send(.GET, "/csrf-probe")
            let token = page.text
            let cookie = try #require(page.headers.setCookie?[app.sessions.configuration.cookieName])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            var headers: HTTPHeaders = ["Cookie": "\(app.sessions.configuration.cookieName)=\(cookie.string)"]

            #expect(try await app.send(.POST, "/csrf-probe", raw: "{}", headers: headers).status == .forbidden)
            headers.add(name: "X-CSRF-Token", value: "forged")
            #expect(try await app.send(.POST, "/csrf-probe", raw: "{}", headers: headers).status == .forbidden)
            headers.replaceOrAdd(name: "X-CSRF-Token", value: token)
            let allowed = try await app.send(.POST, "/csrf-probe", raw: "{}", headers: headers)
            #expect(allowed.status == .ok)
            #expect(allowed.text == "changed")

            var form: HTTPHeaders = ["Cookie": "\(app.sessions.configuration.cookieName)=\(cookie.string)", "Content-Type": "application/x-www-form-urlencoded"]
            #expect(try await app.send(.POST, "/csrf-probe", raw: "_csrf=\(token)", headers: form).status == .ok)
            form.replaceOrAdd(name: "Content-Type", value: "application/x-www-form-urlencoded")
            #expect(try await app.send(.POST, "/csrf-probe", raw: "_csrf=wrong", headers: form).status == .forbidden)

            let bearer = try await app.send(.POST, "/csrf-probe", raw: "{}", headers: ["Authorization": "Bearer abc"])
            #expect(bearer.status == .ok, "no cookie, so nothing a forged cross-site request could ride on")
        }
    }
}

@Suite("Body limits over real HTTP")
struct BodyLimitTests {
    @Test("a body over MAX_BODY_SIZE is a 413 problem, and nothing is created")
    func oversizedBody() async throws {
        try await withTestApp { app in
            let port = try await freeLocalPort()
            let tester = try app.testing(method: .running(hostname: "127.0.0.1", port: port))
            let huge = String(repeating: "x", count: 1_100_000)
            var headers = HTTPHeaders()
            headers.contentType = .json
            let response = try await tester.performTest(request: TestingHTTPRequest(
                method: .POST, url: URI(path: "/api/v1/auth/register"), headers: headers,
                body: ByteBuffer(string: "{\"mobile\":\"\(huge)\",\"password\":\"abc12345\"}")))
            #expect(response.status == .payloadTooLarge)
            let problem = try JSONDecoder.api.decode(Problem.self, from: Data(buffer: response.body))
            #expect(problem.status == 413)
            #expect(try await MemberModel.query(on: app.db).count() == 0)
        }
    }
}
