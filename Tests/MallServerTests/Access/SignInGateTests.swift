import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

/// Staff and member routes turn an anonymous caller away before any handler runs: no body is
/// decoded, no row read or written. Checked over every registered route, so a new route cannot
/// forget it.
@Suite("Sign-in gate: staff and member routes answer 401 to anonymous callers before any handler runs")
struct SignInGateTests {
    /// Every route of the API with its parameters filled with ids that exist nowhere.
    static func routes(_ app: Application, where include: (String) -> Bool) -> [(HTTPMethod, String)] {
        app.routes.all.compactMap { route -> (HTTPMethod, String)? in
            let template = "/" + route.path.map(\.description).joined(separator: "/")
            guard include(template) else { return nil }
            let path = "/" + route.path.map { component -> String in
                if case .parameter = component { return UUID().uuidString }
                return component.description
            }.joined(separator: "/")
            return (route.method, path)
        }
    }

    /// Rows per table, to show a refused request wrote nothing anywhere.
    static func rowCounts(_ app: Application) async throws -> [String: Int] {
        let tables: [String]
        if app.db.isPostgres {
            tables = try await app.db.sql.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()").all()
                .map { try $0.decode(column: "name", as: String.self) }
        } else {
            tables = try await app.db.sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
                .map { try $0.decode(column: "name", as: String.self) }
        }
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self)
        }
        return counts
    }

    @Test("every /api/v1/admin route but the sign-in answers 401 without a token, whatever the body, and writes nothing")
    func staffRoutes() async throws {
        try await withTestApp { app in
            let routes = Self.routes(app) { $0.hasPrefix("/api/v1/admin/") && $0 != "/api/v1/admin/auth/login" }
            #expect(routes.count > 80)
            let before = try await Self.rowCounts(app)
            for (method, path) in routes {
                // A body that would fail validation: a handler that ran first would answer 422.
                let response = try await app.send(method, path, raw: #"{"storeId":"","quantity":-9223372036854775808}"#)
                #expect(response.status == .unauthorized, "\(method) \(path) → \(response.status)")
                #expect(response.problem?.errors == nil, "\(method) \(path) named fields: no handler should have read the body")
            }
            #expect(try await Self.rowCounts(app) == before)
            let signIn = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: "nobody", password: "wrong-password"))
            #expect(signIn.status == .unauthorized, "the sign-in itself stays open and checks the password")
        }
    }

    @Test("member routes (account, checkout, orders, after-sales, a payment) answer 401 without a token and 403 to staff")
    func memberRoutes() async throws {
        try await withTestApp { app in
            let memberOnly = ["/api/v1/me", "/api/v1/checkout", "/api/v1/orders", "/api/v1/after-sales"]
            let routes = Self.routes(app) { template in
                memberOnly.contains { template == $0 || template.hasPrefix($0 + "/") } || template.hasPrefix("/api/v1/payments/:paymentId")
            }
            #expect(routes.count > 20)
            let (_, staff) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            let before = try await Self.rowCounts(app)
            for (method, path) in routes {
                let anonymous = try await app.send(method, path, raw: "{}")
                #expect(anonymous.status == .unauthorized, "\(method) \(path) → \(anonymous.status)")
                let asStaff = try await app.send(method, path, token: staff, raw: "{}")
                #expect(asStaff.status == .forbidden, "\(method) \(path) as staff → \(asStaff.status)")
            }
            #expect(try await Self.rowCounts(app) == before)
            // Open to everyone: browsing, the cart, the providers on offer.
            #expect(try await app.send(.GET, "/api/v1/products").status == .ok)
            #expect(try await app.send(.GET, "/api/v1/cart").status == .ok)
            #expect(try await app.send(.GET, "/api/v1/payments/providers").status == .ok)
        }
    }
}
