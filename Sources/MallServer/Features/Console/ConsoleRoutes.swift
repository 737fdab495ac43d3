import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The staff console: a server-rendered sign-in and one shell page per section. The shell
/// carries the menu the staff member's permissions allow and the context its scripts need
/// (`/js/console/app.js` renders each section from the admin API with the session cookie).
/// Data stays guarded by the API's own permission and scope checks; the menu only hides what
/// would be refused anyway.
struct ConsoleRoutes: RouteCollection {
    /// Menu sections in display order with the permission that opens each (nil: every staff
    /// member) and whether it must be held platform-wide, as the section's endpoints require.
    static let sections: [(key: String, permission: Permission?, platformOnly: Bool)] = [
        ("dashboard", nil, false), ("reports", .reportView, false), ("orders", .orderView, false), ("aftersales", .afterSalesHandle, false),
        ("catalog", .catalogView, false), ("inventory", .inventoryView, false), ("stores", .storeView, false),
        ("staff", .staffView, false), ("members", .memberView, true), ("segments", .memberView, true), ("levels", .memberView, true),
        ("points-mall", .marketingManage, true), ("lotteries", .marketingManage, true), ("promotions", .marketingManage, false),
        ("coupons", .marketingManage, false), ("flash-sales", .marketingManage, false),
        ("group-buys", .marketingManage, false), ("payments", .paymentView, true),
        ("settings", .settingsView, true), ("audit", .auditView, false), ("reviews", .reviewReply, false),
        ("notifications", .storeView, false), ("shipping", .merchantView, false), ("jobs", .jobsManage, true),
        ("backups", .settingsManage, true),
        ("settlements", .settlementView, false),
        ("merchants", .merchantView, false), ("applications", .merchantManage, true),
    ]
    /// The only page for an account whose first password (chosen by someone else) is unchanged.
    static let passwordSection: (key: String, permission: Permission?, platformOnly: Bool) = ("password", nil, false)

    static func opens(_ section: (key: String, permission: Permission?, platformOnly: Bool), for policy: AccessPolicy) -> Bool {
        guard let permission = section.permission else { return true }
        // HQ moderators work the review queue even without the permission to answer reviews.
        if section.key == "reviews", policy.allows(.reviewModerate, on: .platform) { return true }
        return section.platformOnly ? policy.allows(permission, on: .platform) : !policy.reach(of: permission).isEmpty
    }

    func boot(routes: any RoutesBuilder) throws {
        let console = routes.grouped("console")
        console.get("login", use: loginForm)
        console.post("login", use: login)
        console.post("logout", use: logout)
        console.get(use: shell)
        console.get(":section", use: shell)
        console.get(":section", ":id", use: shell)
    }

    struct SignInForm: Content {
        var login: String?
        var password: String?
        var next: String?
    }

    func loginForm(req: Request) async throws -> Response {
        if case .staff = req.principal { return req.redirect(to: "/console") }
        let next = req.safeReturnPath(req.query[String.self, at: "next"], fallback: "/console")
        return try await req.renderPage("console/login", title: req.message("console_login_title"),
                                        data: SignInData(login: "", next: next, error: nil, fieldErrors: [:]))
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        var next = req.safeReturnPath(form.next, fallback: "/console")
        if !next.hasPrefix("/console") { next = "/console" }
        do {
            let staff = try await StaffAuthRoutes.verifiedStaff(req, login: form.login ?? "", password: form.password ?? "")
            try await WebSessionAuthMiddleware.signIn(req, kind: .staff, subjectId: staff.id!)
            return req.redirect(to: next)
        } catch let error as ProblemConvertible {
            let data = SignInData(login: form.login ?? "", next: next, error: req.serverText(error.detail ?? error.title), fieldErrors: [:])
            return try await req.renderPage("console/login", title: req.message("console_login_title"), data: data, status: error.status)
        } catch let failure as ValidationFailure {
            let data = SignInData(login: form.login ?? "", next: next, error: req.message("form_fix_fields"), fieldErrors: failure.byField.mapValues(req.serverText))
            return try await req.renderPage("console/login", title: req.message("console_login_title"), data: data, status: .unprocessableEntity)
        }
    }

    func logout(req: Request) async throws -> Response {
        if case .staff(let staff) = req.principal {
            try await TokenService(app: req.application, db: req.db).revoke(sessionId: staff.sessionId, reason: "logout")
        }
        req.session.destroy()
        return req.redirect(to: "/console/login")
    }

    func shell(req: Request) async throws -> Response {
        guard case .staff(let staff) = req.principal else {
            let here = req.url.path
            return req.redirect(to: "/console/login" + StorefrontRoutes.queryString(["next": here]))
        }
        let section = req.parameters.get("section") ?? "dashboard"
        let mustChangePassword = try await StaffModel.find(staff.staffId, on: req.db)?.mustChangePassword ?? false
        let allowed = mustChangePassword ? [] : Self.sections.filter { Self.opens($0, for: staff.policy) }
        guard let current = mustChangePassword ? Self.passwordSection : allowed.first(where: { $0.key == section }) else {
            if Self.sections.contains(where: { $0.key == section }) {
                throw MallError.forbidden("Your roles do not include this part of the console.")
            }
            throw MallError.notFound("No such console page.")
        }
        // Until the first password is changed the API grants nothing, so the page's script is
        // told nothing either (it would otherwise poll the inbox badge into 403s).
        let grants = mustChangePassword ? [] : try await StaffRoleGrantModel.grants(of: [staff.staffId], on: req.db)
        let visibleStores = mustChangePassword ? [] : try await ScopedStores.visible(to: staff.policy, on: req.db)
        let context = ConsoleContext(
            section: current.key, id: req.parameters.get("id"), lang: req.webLanguage.rawValue,
            staff: .init(username: staff.username, displayName: staff.displayName),
            grants: grants.map { grant in
                .init(role: grant.role.code, permissions: grant.role.permissions.map(\.rawValue).sorted(), scope: grant.scope.description)
            },
            stores: visibleStores.map { .init(id: $0.id!, code: $0.code, name: $0.name, merchantId: $0.merchantId) })
        let data = ConsoleShellData(
            menu: allowed.map { item in
                ConsoleMenuItem(key: item.key, href: item.key == "dashboard" ? "/console" : "/console/\(item.key)",
                                label: req.message("console_menu_\(item.key)"), current: item.key == current.key)
            },
            section: current.key, id: req.parameters.get("id") ?? "",
            contextJSON: Self.scriptSafeJSON(try JSONEncoder.api.encode(context)))
        return try await req.renderPage("console/shell", title: req.message("console_menu_\(current.key)"), data: data)
    }

    /// JSON that can sit inside a `<script type="application/json">` block: `<`, `>` and `&`
    /// only occur inside JSON strings, where their `\u` escapes mean the same.
    static func scriptSafeJSON(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }
}

/// The stores a staff member may look at (their `store.view` or `order.view` reach), for pickers.
enum ScopedStores {
    static func visible(to policy: AccessPolicy, on db: any Database) async throws -> [StoreModel] {
        var reach = policy.reach(of: .storeView)
        if reach.isEmpty { reach = policy.reach(of: .orderView) }
        guard !reach.isEmpty else { return [] }
        return try await StoreModel.query(on: db).scoped(to: reach, storeField: "id").sort(\.$code).all()
    }
}

struct ConsoleContext: Encodable, Sendable {
    struct Staff: Encodable, Sendable {
        let username: String
        let displayName: String
    }

    struct Grant: Encodable, Sendable {
        let role: String
        let permissions: [String]
        let scope: String
    }

    struct Store: Encodable, Sendable {
        let id: UUID
        let code: String
        let name: String
        let merchantId: UUID
    }

    let section: String
    let id: String?
    let lang: String
    let staff: Staff
    let grants: [Grant]
    let stores: [Store]
}

struct ConsoleMenuItem: Encodable, Sendable {
    let key: String
    let href: String
    let label: String
    let current: Bool
}

struct ConsoleShellData: Encodable, Sendable {
    let menu: [ConsoleMenuItem]
    let section: String
    let id: String
    /// Read by the console scripts from a `type="application/json"` block; `<` is escaped so
    /// no value can close the block.
    let contextJSON: String
}
