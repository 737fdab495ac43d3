import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Custom roles")
struct CustomRoleTests {
    @Test("a custom role grants exactly its permissions at its scope")
    func customRole() async throws {
        try await withTestApp { app in
            let storeA = try await Fixtures.store(app, code: "SA")
            let storeB = try await Fixtures.store(app, code: "SB")
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)

            let unknown = try await app.send(.POST, "/api/v1/admin/roles", token: admin,
                                             json: RoleInput(code: "auditor", name: "Store auditor", permissions: ["store.view", "store.destroy"]))
            #expect(unknown.problem?.errors == [FieldError(field: "permissions", message: "unknown permissions: store.destroy")])
            let reserved = try await app.send(.POST, "/api/v1/admin/roles", token: admin,
                                              json: RoleInput(code: "store_clerk", name: "Clerk", permissions: ["store.view"]))
            #expect(reserved.problem?.errors?.first?.field == "code")

            let created = try await app.send(.POST, "/api/v1/admin/roles", token: admin,
                                             json: RoleInput(code: "auditor", name: "Store auditor", permissions: ["store.view", "audit.view"]))
            #expect(created.status == .created)
            let role = try created.decode(Role.self)
            #expect(role.permissions == [.auditView, .storeView])
            #expect(!role.builtin)

            let granted = try await app.send(.POST, "/api/v1/admin/staff", token: admin,
                                             json: StaffCreate(username: "auditor.a", password: "Audit1234", displayName: "审计",
                                                               grants: [GrantInput(roleId: role.id, scope: .store, storeId: storeA.id!)]))
            #expect(granted.status == .created)
            let token = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: "auditor.a", password: "Audit1234"))
                .decode(StaffSession.self).tokens.accessToken
            #expect(try await app.send(.GET, "/api/v1/admin/stores/\(storeA.id!)", token: token).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/admin/stores/\(storeB.id!)", token: token).status == .forbidden)
            #expect(try await app.send(.PATCH, "/api/v1/admin/stores/\(storeA.id!)", token: token, json: StoreUpdate(name: "x")).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/audit-logs", token: token).status == .ok)

            // Narrowing the role takes effect on the next request; a role in use cannot be deleted.
            let narrowed = try await app.send(.PATCH, "/api/v1/admin/roles/\(role.id)", token: admin, json: RoleUpdate(permissions: ["store.view"]))
            #expect(try narrowed.decode(Role.self).permissions == [.storeView])
            #expect(try await app.send(.GET, "/api/v1/admin/audit-logs", token: token).status == .forbidden)
            #expect(try await app.send(.DELETE, "/api/v1/admin/roles/\(role.id)", token: admin).status == .conflict)

            let builtin = try await RoleModel.find(code: "store_clerk", on: app.db)!
            #expect(try await app.send(.PATCH, "/api/v1/admin/roles/\(builtin.id!)", token: admin, json: RoleUpdate(name: "x")).status == .conflict)
        }
    }

    @Test("disabling a staff account ends its sessions")
    func disableStaff() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (clerk, clerkToken) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            #expect(try await app.send(.GET, "/api/v1/admin/auth/me", token: clerkToken).status == .ok)
            let disabled = try await app.send(.PATCH, "/api/v1/admin/staff/\(clerk.id!)", token: admin, json: StaffUpdate(status: .disabled))
            #expect(try disabled.decode(StaffMember.self).status == .disabled)
            #expect(try await app.send(.GET, "/api/v1/admin/auth/me", token: clerkToken).status == .unauthorized)
            let login = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: "clerk", password: Fixtures.password))
            #expect(login.status == .forbidden)
        }
    }
}
