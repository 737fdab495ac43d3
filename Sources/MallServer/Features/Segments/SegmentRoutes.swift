import Foundation
import MallAPI
import MallCore
import Vapor

extension SegmentOverview: Content {}
extension SegmentMember: Content {}

/// `/admin/segments`: the RFM groups of members for HQ's marketing (platform-wide: members
/// belong to the mall, not to a merchant).
struct SegmentRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let segments = routes.grouped("segments")
        segments.get(use: overview)
        segments.post("recompute", use: recompute)
        segments.get(":group", "members", use: members)
    }

    func overview(req: Request) async throws -> SegmentOverview {
        try req.authorize(.memberView, on: .platform)
        return try await SegmentService.overview(on: req.db)
    }

    /// Recomputes now rather than at the daily run, e.g. after changing the dormant setting.
    func recompute(req: Request) async throws -> SegmentOverview {
        try req.authorize(.marketingManage, on: .platform)
        _ = try await SegmentService(app: req.application, db: req.db).recompute(now: req.now)
        try await req.db.writeTransaction { db in
            try await req.audit.record(on: db, action: "segments.recompute", owner: .platform, targetType: "segment", targetId: "rfm")
        }
        return try await SegmentService.overview(on: req.db)
    }

    func members(req: Request) async throws -> ListPage<SegmentMember> {
        try req.authorize(.memberView, on: .platform)
        let raw = req.parameters.get("group") ?? ""
        guard let group = RFMGroup(rawValue: raw) else { throw MallError.notFound("No such segment.") }
        return try await SegmentService.members(of: group, page: try PageRequest(from: req), on: req.db)
    }
}
