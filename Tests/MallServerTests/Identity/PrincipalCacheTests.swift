import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Principals are cached per session (`PrincipalCache`); every way of ending a session or
/// changing what it may do must still take effect on the very next request.
@Suite("Identity cache: revocation takes effect at once")
struct PrincipalCacheTests {
    static func signedOut(_ response: APIResponse) -> Bool {
        response.status == .unauthorized && response.problem?.detail == "This session has been signed out."
    }

    @Test("a member's sign-out ends the cached session on the next request; the member's other session keeps working")
    func memberSignOut() async throws {
        try await withTestApp { app in
            let first = try await Fixtures.member(app).tokens.accessToken
            let second = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
                .decode(MemberSession.self).tokens.accessToken
            for token in [first, second] { #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .ok) }
            #expect(try await app.send(.POST, "/api/v1/auth/logout", token: first).status == .noContent)
            let after = try await app.send(.GET, "/api/v1/me", token: first)
            #expect(Self.signedOut(after), "\(after.status) \(after.text)")
            #expect(try await app.send(.GET, "/api/v1/me", token: second).decode(MemberProfile.self).mobile == "13800138000")
        }
    }

    @Test("a member's password change signs out the other cached sessions at once and keeps the one that changed it")
    func memberPasswordChange() async throws {
        try await withTestApp { app in
            let keeper = try await Fixtures.member(app).tokens.accessToken
            let other = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
                .decode(MemberSession.self).tokens.accessToken
            #expect(try await app.send(.GET, "/api/v1/me", token: other).status == .ok)
            let changed = try await app.send(.POST, "/api/v1/me/password", token: keeper,
                                             json: PasswordChange(currentPassword: Fixtures.password, newPassword: "Another1234"))
            #expect(changed.status == .noContent, "\(changed.text)")
            #expect(Self.signedOut(try await app.send(.GET, "/api/v1/me", token: other)))
            #expect(try await app.send(.GET, "/api/v1/me", token: keeper).status == .ok)
        }
    }

    @Test("a staff member's password change signs out their other cached sessions at once")
    func staffPasswordChange() async throws {
        try await withTestApp { app in
            let (_, keeper) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let other = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: "root", password: Fixtures.password))
                .decode(StaffSession.self).tokens.accessToken
            #expect(try await app.send(.GET, "/api/v1/admin/auth/me", token: other).status == .ok)
            let changed = try await app.send(.POST, "/api/v1/admin/auth/password", token: keeper,
                                             json: PasswordChange(currentPassword: Fixtures.password, newPassword: "Another1234"))
            #expect(changed.status == .noContent, "\(changed.text)")
            #expect(Self.signedOut(try await app.send(.GET, "/api/v1/admin/auth/me", token: other)))
            #expect(try await app.send(.GET, "/api/v1/admin/auth/me", token: keeper).status == .ok)
        }
    }

    @Test("moving a clerk's grant to another store takes effect on the clerk's next cached request")
    func grantMoved() async throws {
        try await withTestApp { app in
            let storeA = try await Fixtures.store(app, code: "SA")
            let storeB = try await Fixtures.store(app, code: "SB")
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (clerk, token) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(storeA.storeID))
            #expect(try await app.send(.GET, "/api/v1/admin/stores/\(storeA.id!)", token: token).decode(Store.self).code == "SA")
            #expect(try await app.send(.GET, "/api/v1/admin/stores/\(storeB.id!)", token: token).status == .forbidden)

            let role = try #require(try await RoleModel.find(code: BuiltinRole.storeClerk.rawValue, on: app.db))
            let moved = try await app.send(.PATCH, "/api/v1/admin/staff/\(clerk.id!)", token: admin,
                                           json: StaffUpdate(grants: [GrantInput(roleId: role.id!, scope: .store, storeId: storeB.id!)]))
            #expect(try moved.decode(StaffMember.self).grants.map(\.storeId) == [storeB.id!])
            #expect(try await app.send(.GET, "/api/v1/admin/stores/\(storeA.id!)", token: token).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/stores/\(storeB.id!)", token: token).decode(Store.self).code == "SB")
        }
    }

    @Test("a disabled staff member's cached session stops at once; a cached request reads nothing about who is calling")
    func staffDisabled() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let store = try await Fixtures.store(app, code: "SA")
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (clerk, token) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            let path = "/api/v1/admin/stores/\(store.id!)"
            _ = try await app.send(.GET, path, token: token)
            let warm = try await log.during { try await app.send(.GET, path, token: token) }
            #expect(try warm.result.decode(Store.self).code == "SA")
            #expect(StatementBudgetTests.identityStatements(warm.statements).isEmpty, "\(warm.statements)")

            let disabled = try await app.send(.PATCH, "/api/v1/admin/staff/\(clerk.id!)", token: admin, json: StaffUpdate(status: .disabled))
            #expect(try disabled.decode(StaffMember.self).status == .disabled)
            #expect(Self.signedOut(try await app.send(.GET, path, token: token)))
        }
    }

    @Test("an invalidation that arrives while a principal loads keeps the stale load out of the cache")
    func racingLoadIsDropped() async throws {
        let cache = PrincipalCache()
        let session = UUID(), member = UUID()
        let entry = PrincipalCache.Entry(principal: .member(MemberPrincipal(memberId: member, sessionId: session)), kind: .member,
                                         subjectId: member, sessionExpiresAt: testEpoch, loadedAt: .now())
        let (_, generation) = cache.lookup(sessionId: session)
        cache.apply(IdentityInvalidation.session(session))
        cache.store(entry, sessionId: session, generation: generation)
        #expect(cache.lookup(sessionId: session).entry == nil)

        let (_, fresh) = cache.lookup(sessionId: session)
        cache.store(entry, sessionId: session, generation: fresh)
        #expect(cache.lookup(sessionId: session).entry?.subjectId == member)
        cache.apply(CacheInvalidation(topic: "product", ids: [member]))
        #expect(cache.lookup(sessionId: session).entry != nil, "another cache's topic leaves principals alone")
        cache.apply(IdentityInvalidation.subject(.member, member))
        #expect(cache.lookup(sessionId: session).entry == nil)
    }
}
