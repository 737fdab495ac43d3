import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Built-in roles are listed but fixed; custom roles are named sets of permissions.
struct RoleRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let roles = routes.grouped("roles")
        roles.get(use: list)
        roles.post(use: create)
        roles.patch(":roleId", use: update)
        roles.delete(":roleId", use: delete)
    }

    func list(req: Request) async throws -> [Role] {
        _ = try req.reach(.staffView)
        return try await RoleModel.query(on: req.db).sort(\.$builtin, .descending).sort(\.$code).all().map(\.dto)
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.roleManage, on: .platform)
        let input = try req.content.decode(RoleInput.self)
        var errors = FieldErrorCollector()
        let code = errors.collect { try RoleRules.checkCode(input.code) }
        let name = errors.collect { try TextRule.check(input.name, field: "name", max: 40) }
        let permissions = errors.collect { try RoleRules.parsePermissions(input.permissions) }
        if let code, BuiltinRole(rawValue: code) != nil { errors.add("code", "is reserved for a built-in role") }
        try errors.throwIfAny()
        let role = RoleModel(code: code!, name: name!, builtin: false, permissions: permissions!)
        try await req.db.writeTransaction { db in
            if try await RoleModel.find(code: code!, on: db) != nil {
                throw ValidationFailure(field: "code", message: "is already used by another role")
            }
            try await role.create(on: db)
            try await req.audit.record(on: db, action: "role.create", owner: .platform, targetType: "role",
                                       targetId: role.id!.uuidString, after: role.dto)
        }
        return try Response.json(role.dto, status: .created)
    }

    func update(req: Request) async throws -> Role {
        try req.authorize(.roleManage, on: .platform)
        let role = try await find(req)
        let input = try req.content.decode(RoleUpdate.self)
        let before = role.dto
        var errors = FieldErrorCollector()
        if let name = input.name, let checked = errors.collect({ try TextRule.check(name, field: "name", max: 40) }) { role.name = checked }
        if let list = input.permissions, let parsed = errors.collect({ try RoleRules.parsePermissions(list) }) {
            role.permissionList = parsed.map(\.rawValue).sorted().joined(separator: " ")
        }
        try errors.throwIfAny()
        try await req.db.writeTransaction { db in
            // Widening a role must not slip a platform-only permission into grants held below platform scope.
            if input.permissions != nil {
                let grants = try await StaffRoleGrantModel.query(on: db).filter(\.$role.$id == role.id!).all()
                if grants.contains(where: { $0.scopeKind != .platform }) {
                    try RoleRules.checkGrant(permissions: role.permissions, builtin: nil, scope: .store)
                }
            }
            try await role.update(on: db)
            try await req.audit.record(on: db, action: "role.update", owner: .platform, targetType: "role",
                                       targetId: role.id!.uuidString, before: before, after: role.dto)
        }
        // Whoever holds the role, at any scope, holds different permissions now.
        await req.application.cacheInvalidationBus.publish(IdentityInvalidation.everyStaffMember)
        return role.dto
    }

    func delete(req: Request) async throws -> HTTPStatus {
        try req.authorize(.roleManage, on: .platform)
        let role = try await find(req)
        try await req.db.writeTransaction { db in
            let holders = try await StaffRoleGrantModel.query(on: db).filter(\.$role.$id == role.id!).count()
            guard holders == 0 else {
                throw MallError.conflict("\(holders) grant\(holders == 1 ? "" : "s") still use this role; reassign them first.")
            }
            try await role.delete(on: db)
            try await req.audit.record(on: db, action: "role.delete", owner: .platform, targetType: "role",
                                       targetId: role.id!.uuidString, before: role.dto)
        }
        return .noContent
    }

    private func find(_ req: Request) async throws -> RoleModel {
        guard let id = req.parameters.get("roleId", as: UUID.self), let role = try await RoleModel.find(id, on: req.db) else {
            throw MallError.notFound("No such role.")
        }
        guard !role.builtin else { throw MallError.conflict("Built-in roles cannot be changed; create a custom role instead.") }
        return role
    }
}

extension RoleModel {
    var dto: Role {
        Role(id: id!, code: code, name: name, builtin: builtin, permissions: permissions.sorted(),
             allowedScopes: allowedScopes.sorted { $0.rawValue < $1.rawValue })
    }
}
