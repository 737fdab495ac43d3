import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Staff look members up and set their level by hand (which level prices and rights they get).
/// Members are the platform's, so both need the permission at platform scope.
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

    /// A manual override, recorded in the member's level history (`MembershipService`).
    func setLevel(req: Request) async throws -> MemberProfile {
        let staff = try req.authorize(.memberManage, on: .platform)
        guard let id = req.parameters.get("memberId", as: UUID.self), try await MemberModel.find(id, on: req.db) != nil else {
            throw MallError.notFound("No such member.")
        }
        let input = try req.content.decode(MemberLevelInput.self)
        let member = try await MembershipService(app: req.application, db: req.db)
            .setLevel(memberId: id, code: input.level, note: input.note, staffId: staff.staffId, now: req.now, audit: req.audit)
        return member.profile
    }
}
