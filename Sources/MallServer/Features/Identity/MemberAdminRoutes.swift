import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Staff look members up and set their level (which level prices they pay). Members are the
/// platform's, so both need the permission at platform scope.
struct MemberAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let members = routes.grouped("members")
        members.get(use: list)
        members.put(":memberId", "level", use: setLevel)
    }

    func list(req: Request) async throws -> ListPage<MemberProfile> {
        try req.authorize(.memberView, on: .platform)
        let page = try PageRequest(from: req)
        var query = MemberModel.query(on: req.db)
        if let mobile = req.query[String.self, at: "mobile"], !mobile.isEmpty {
            query = query.filter(\.$mobile == (try MobileNumber(parsing: mobile)).digits)
        }
        if let level = req.query[String.self, at: "level"], !level.isEmpty { query = query.filter(\.$level == level) }
        var errors = FieldErrorCollector()
        let order = ListSort.parse(req, fields: ["nickname", "mobile", "email", "level", "gender", "createdAt"], into: &errors)
        try errors.throwIfAny()
        return try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0.profile }
    }

    func setLevel(req: Request) async throws -> MemberProfile {
        try req.authorize(.memberManage, on: .platform)
        guard let id = req.parameters.get("memberId", as: UUID.self), let member = try await MemberModel.find(id, on: req.db) else {
            throw MallError.notFound("No such member.")
        }
        let input = try req.content.decode(MemberLevelInput.self)
        let level = try input.level.map { raw -> String in
            let code = raw.trimmingWhitespace().lowercased()
            guard (1...20).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw ValidationFailure(field: "level", message: "must be 1–20 letters, digits, '-' or '_' (the code used in level prices)")
            }
            return code
        }
        let before = member.level
        try await req.db.writeTransaction { db in
            member.level = level
            try await member.update(on: db)
            try await req.audit.record(on: db, action: "member.level", owner: .platform, targetType: "member", targetId: id.uuidString,
                                       before: ["level": before ?? ""], after: ["level": level ?? ""])
        }
        return member.profile
    }
}
