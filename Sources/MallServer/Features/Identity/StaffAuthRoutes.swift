import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

struct StaffAuthRoutes: RouteCollection {
    /// `POST /admin/auth/login`: the one staff route open to callers who are not signed in.
    struct SignIn: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            routes.grouped("auth").post("login", use: StaffAuthRoutes().login)
        }
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("auth").get("me", use: me)
        routes.grouped("auth").post("password", use: changePassword)
    }

    func login(req: Request) async throws -> StaffSession {
        let input = try req.content.decode(LoginRequest.self)
        let staff = try await Self.verifiedStaff(req, login: input.login, password: input.password)
        let issued = try await TokenService(app: req.application, db: req.db)
            .startSession(kind: .staff, subjectId: staff.id!, userAgent: req.headers.first(name: .userAgent), ip: req.clientIP)
        let grants = try await StaffRoleGrantModel.grants(of: [staff.id!], on: req.db)
        let policy = AccessPolicy(grants: staff.mustChangePassword ? [] : grants.map { AccessGrant(permissions: $0.role.permissions, scope: $0.scope) })
        return StaffSession(staff: staff.dto(grants: grants), permissions: policy.heldPermissions.sorted(), tokens: issued.tokens,
                            mustChangePassword: staff.mustChangePassword)
    }

    /// The password check shared by the API and the console's sign-in form.
    static func verifiedStaff(_ req: Request, login: String, password: String) async throws -> StaffModel {
        let username = login.trimmingWhitespace().lowercased()
        guard !username.isEmpty else { throw ValidationFailure(field: "login", message: "must not be empty") }
        let staff = try await LoginGuard.attempt(req, account: "staff:" + username) { () -> StaffModel? in
            guard let staff = try await StaffModel.find(username: username, on: req.db) else {
                _ = try await req.password.async.verify(password, created: LoginGuard.dummyHash(req))
                return nil
            }
            return try await req.password.async.verify(password, created: staff.passwordHash) ? staff : nil
        }
        guard staff.status == .active else { throw MallError.forbidden("This staff account is disabled.") }
        return staff
    }

    func me(req: Request) async throws -> StaffIdentity {
        let principal = try req.requireStaff()
        guard let staff = try await StaffModel.find(principal.staffId, on: req.db) else { throw MallError.unauthorized("Unknown staff account.") }
        let grants = try await StaffRoleGrantModel.grants(of: [principal.staffId], on: req.db)
        return StaffIdentity(staff: staff.dto(grants: grants), permissions: principal.policy.heldPermissions.sorted(),
                             mustChangePassword: staff.mustChangePassword)
    }

    /// Open to every signed-in staff member, including one whose first password still has to go.
    func changePassword(req: Request) async throws -> HTTPStatus {
        let principal = try req.requireStaff()
        let input = try req.content.decode(PasswordChange.self)
        try await StaffPasswordService(app: req.application, db: req.db, audit: req.audit)
            .change(staffId: principal.staffId, keepingSession: principal.sessionId, current: input.currentPassword, new: input.newPassword)
        return .noContent
    }
}

extension StaffModel {
    func dto(grants: [StaffRoleGrantModel]) -> StaffMember {
        StaffMember(
            id: id!, username: username, displayName: displayName, mobile: mobile, status: status,
            grants: grants.filter { $0.staffId == id }.map(\.dto), createdAt: createdAt ?? Date(timeIntervalSince1970: 0)
        )
    }
}

extension StaffRoleGrantModel {
    var dto: Grant {
        Grant(id: id!, roleId: role.id!, roleCode: role.code, roleName: role.name, scope: scopeKind,
              merchantId: scopeKind == .platform ? nil : merchantId, storeId: storeId)
    }
}
