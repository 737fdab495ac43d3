import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Staff accounts and their role grants. Every grant is checked against what the granter holds.
struct StaffRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped("staff")
        staff.get(use: list)
        staff.post(use: create)
        staff.get(":staffId", use: show)
        staff.patch(":staffId", use: update)
    }

    func list(req: Request) async throws -> ListPage<StaffMember> {
        let (_, reach) = try req.reach(.staffView)
        let page = try PageRequest(from: req)
        var query = StaffModel.query(on: req.db)
        if case .limited(let merchants, let stores) = reach {
            let visible = try await StaffRoleGrantModel.query(on: req.db).group(.or) { group in
                group.filter(\.$merchantId ~~ merchants.map(\.rawValue)).filter(\.$storeId ~~ stores.map(\.rawValue))
            }.all(\.$staffId)
            query = query.filter(\.$id ~~ Set(visible))
        }
        if let q = req.query[String.self, at: "q"]?.trimmingWhitespace(), !q.isEmpty {
            query = query.group(.or) { $0.filter(\.$username ~~ q.lowercased()).filter(\.$displayName ~~ q) }
        }
        var errors = FieldErrorCollector()
        let order = ListSort.parse(req, fields: ["username", "displayName", "mobile", "status", "createdAt"], into: &errors)
        try errors.throwIfAny()
        let result = try await query.sort(order).sort(\.$username).page(page) { $0 }
        let grants = try await StaffRoleGrantModel.grants(of: result.items.compactMap(\.id), on: req.db)
        return ListPage(items: result.items.map { $0.dto(grants: grants) }, page: result.page, per: result.per, total: result.total)
    }

    func show(req: Request) async throws -> StaffMember {
        let (staff, grants) = try await load(req)
        let (_, reach) = try req.reach(.staffView)
        guard isVisible(grants, in: reach) else { throw MallError.forbidden("You need the staff.view permission for this staff member.") }
        return staff.dto(grants: grants)
    }

    func create(req: Request) async throws -> Response {
        let granter = try req.requireStaff()
        let input = try req.content.decode(StaffCreate.self)
        var errors = FieldErrorCollector()
        let username = errors.collect { try Self.checkUsername(input.username) }
        errors.collect { try PasswordPolicy.check(input.password) }
        let displayName = errors.collect { try TextRule.check(input.displayName, field: "displayName", max: 40) }
        let mobile = input.mobile.flatMap { raw in errors.collect { try MobileNumber(parsing: raw).digits } }
        if input.grants.isEmpty { errors.add("grants", "give the new staff member at least one role") }
        try errors.throwIfAny()
        let resolved = try await resolveGrants(input.grants, granter: granter, on: req.db)
        let hash = try await req.password.async.hash(input.password)
        let staff = StaffModel(username: username!, passwordHash: hash, displayName: displayName!, mobile: mobile)
        let grants = try await req.db.writeTransaction { db in
            if try await StaffModel.find(username: username!, on: db) != nil {
                throw ValidationFailure(field: "username", message: "is already taken")
            }
            try await staff.create(on: db)
            let grants = try await self.store(resolved, for: staff.id!, on: db)
            try await req.audit.record(on: db, action: "staff.create", owner: resolved.first?.owner ?? .platform,
                                       targetType: "staff", targetId: staff.id!.uuidString, after: staff.dto(grants: grants))
            return grants
        }
        return try Response.json(staff.dto(grants: grants), status: .created)
    }

    func update(req: Request) async throws -> StaffMember {
        let granter = try req.requireStaff()
        let (staff, existing) = try await load(req)
        // Changing someone requires managing staff everywhere they currently hold power.
        for grant in existing where !granter.policy.allows(.staffManage, on: grant.owner) {
            throw MallError.forbidden("You need the staff.manage permission for \(Request.describe(grant.owner)) to change this staff member.")
        }
        if existing.isEmpty { try req.authorize(.staffManage, on: .platform) }
        let input = try req.content.decode(StaffUpdate.self)
        let before = staff.dto(grants: existing)
        var errors = FieldErrorCollector()
        if let name = input.displayName, let checked = errors.collect({ try TextRule.check(name, field: "displayName", max: 40) }) {
            staff.displayName = checked
        }
        if let mobile = input.mobile {
            staff.mobile = mobile.isEmpty ? nil : errors.collect { try MobileNumber(parsing: mobile).digits }
        }
        if let status = input.status {
            if status == .disabled && staff.id == granter.staffId { errors.add("status", "you cannot disable your own account") }
            staff.status = status
        }
        if let grants = input.grants, grants.isEmpty { errors.add("grants", "a staff member needs at least one role; disable the account instead") }
        try errors.throwIfAny()
        var resolved: [ResolvedGrant]?
        if let requested = input.grants { resolved = try await resolveGrants(requested, granter: granter, on: req.db) }
        let owner = existing.first?.owner ?? resolved?.first?.owner ?? .platform
        let replacement = resolved
        let grants = try await req.db.writeTransaction { db in
            try await staff.update(on: db)
            var grants = existing
            if let replacement {
                try await StaffRoleGrantModel.query(on: db).filter(\.$staffId == staff.id!).delete()
                grants = try await self.store(replacement, for: staff.id!, on: db)
            }
            if staff.status == .disabled {
                try await TokenService(app: req.application, db: db)
                    .revokeAll(kind: .staff, subjectId: staff.id!, except: nil, reason: "account disabled")
            }
            try await req.audit.record(on: db, action: "staff.update", owner: owner, targetType: "staff",
                                       targetId: staff.id!.uuidString, before: before, after: staff.dto(grants: grants))
            return grants
        }
        // Status, grants and name all shape the principal of the staff member's live sessions.
        await req.application.cacheInvalidationBus.publish(IdentityInvalidation.subject(.staff, staff.id!))
        return staff.dto(grants: grants)
    }

    // MARK: - Helpers

    struct ResolvedGrant {
        let role: RoleModel
        let scope: AccessScope
        let storeMerchant: UUID?
        let owner: ResourceOwner
    }

    /// Checks every requested grant (role exists, scope fits, target exists, granter may give it)
    /// and reports every problem by index.
    func resolveGrants(_ inputs: [GrantInput], granter: StaffPrincipal, on db: any Database) async throws -> [ResolvedGrant] {
        var errors = FieldErrorCollector()
        var resolved: [ResolvedGrant] = []
        let roles = try await RoleModel.query(on: db).filter(\.$id ~~ inputs.map(\.roleId)).all()
        for (index, input) in inputs.enumerated() {
            let field = "grants[\(index)]"
            guard let role = roles.first(where: { $0.id == input.roleId }) else {
                errors.add(field + ".roleId", "is not a role")
                continue
            }
            let scope: AccessScope
            let owner: ResourceOwner
            var storeMerchant: UUID?
            switch input.scope {
            case .platform:
                scope = .platform
                owner = .platform
            case .merchant:
                guard let merchantId = input.merchantId, try await MerchantModel.find(merchantId, on: db) != nil else {
                    errors.add(field + ".merchantId", "must name an existing merchant for a merchant-scoped grant")
                    continue
                }
                scope = .merchant(MerchantID(merchantId))
                owner = .merchant(MerchantID(merchantId))
            case .store:
                guard let storeId = input.storeId, let store = try await StoreModel.find(storeId, on: db) else {
                    errors.add(field + ".storeId", "must name an existing store for a store-scoped grant")
                    continue
                }
                scope = .store(StoreID(storeId))
                owner = store.owner
                storeMerchant = store.merchantId
            }
            let permissions = role.permissions
            if errors.collect({ try RoleRules.checkGrant(permissions: permissions, builtin: role.builtinRole, scope: input.scope) }) == nil {
                continue
            }
            if !granter.policy.canGrant(permissions, at: owner) {
                throw MallError.forbidden("You cannot grant \(role.name) at \(Request.describe(owner)): you must manage staff there and hold every permission of the role.")
            }
            resolved.append(ResolvedGrant(role: role, scope: scope, storeMerchant: storeMerchant, owner: owner))
        }
        try errors.throwIfAny()
        return resolved
    }

    func store(_ resolved: [ResolvedGrant], for staffId: UUID, on db: any Database) async throws -> [StaffRoleGrantModel] {
        var models: [StaffRoleGrantModel] = []
        for grant in resolved {
            let model = StaffRoleGrantModel(staffId: staffId, roleId: grant.role.id!, scope: grant.scope, storeMerchant: grant.storeMerchant)
            try await model.create(on: db)
            model.$role.value = grant.role
            models.append(model)
        }
        return models
    }

    func load(_ req: Request) async throws -> (StaffModel, [StaffRoleGrantModel]) {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("staffId", as: UUID.self), let staff = try await StaffModel.find(id, on: req.db) else {
            throw MallError.notFound("No such staff member.")
        }
        return (staff, try await StaffRoleGrantModel.grants(of: [id], on: req.db))
    }

    func isVisible(_ grants: [StaffRoleGrantModel], in reach: AccessReach) -> Bool {
        if reach == .everything { return true }
        return grants.contains { reach.includes($0.owner) }
    }

    static func checkUsername(_ raw: String, field: String = "username") throws -> String {
        let username = raw.trimmingWhitespace().lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (3...32).contains(username.count), username.allSatisfy({ allowed.contains($0) }), username.first?.isLetter == true else {
            throw ValidationFailure(field: field, message: "must be 3–32 letters, digits, '.', '_' or '-', starting with a letter")
        }
        return username
    }
}
