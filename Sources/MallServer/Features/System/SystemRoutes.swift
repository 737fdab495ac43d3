import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Settings, the audit log and the job queue, for staff.
struct SystemRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", use: listSettings)
        routes.patch("settings", use: updateSettings)
        routes.get("audit-logs", use: auditLogs)
        routes.get("jobs", use: jobs)
        routes.post("jobs", ":jobId", "retry", use: retryJob)
    }

    func listSettings(req: Request) async throws -> [Setting] {
        try req.authorize(.settingsView, on: .platform)
        return try await SettingsService.list(on: req.db)
    }

    func updateSettings(req: Request) async throws -> [Setting] {
        let staff = try req.authorize(.settingsManage, on: .platform)
        let input = try req.content.decode(SettingsUpdate.self)
        try await req.db.writeTransaction { db in
            let before = try await SettingsService.resolved(on: db)
            try await SettingsService.update(input.values, by: staff.staffId, now: req.now, on: db)
            let changedKeys = input.values.keys.sorted()
            let beforeValues = Dictionary(uniqueKeysWithValues: changedKeys.compactMap { key in
                SettingKey(rawValue: key).map { (key, before[$0]) }
            })
            try await req.audit.record(on: db, action: "settings.update", owner: .platform, targetType: "settings",
                                       targetId: changedKeys.joined(separator: ","), before: beforeValues, after: input.values)
        }
        await req.application.cacheInvalidationBus.publish(CacheInvalidation(topic: SettingsCache.topic, ids: []))
        return try await SettingsService.list(on: req.db)
    }

    /// Searchable by actor, target, action and time; merchant and store staff see only rows
    /// about their own merchant or store.
    func auditLogs(req: Request) async throws -> ListPage<AuditEntry> {
        let (_, reach) = try req.reach(.auditView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = AuditLogModel.query(on: req.db).scoped(to: reach)
        if let actor = req.optionalQuery(UUID.self, "actorStaffId", into: &errors, message: "must be a staff id") {
            query = query.filter(\.$actorStaffId == actor)
        }
        if let name = req.query[String.self, at: "actor"], !name.isEmpty { query = query.filter(\.$actorName == name.lowercased()) }
        if let type = req.query[String.self, at: "targetType"], !type.isEmpty { query = query.filter(\.$targetType == type) }
        if let target = req.query[String.self, at: "targetId"], !target.isEmpty {
            query = query.filter(\.$targetId == (UUID(uuidString: target)?.uuidString ?? target))
        }
        if let action = req.query[String.self, at: "action"], !action.isEmpty { query = query.filter(\.$action == action) }
        let period = req.optionalPeriod(into: &errors)
        if let from = period.from { query = query.filter(\.$createdAt >= from) }
        if let to = period.to { query = query.filter(\.$createdAt < to) }
        let order = ListSort.parse(req, fields: ["createdAt", "actorName", "action", "targetType", "scope"], into: &errors)
        try errors.throwIfAny()
        var result = try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$id).page(page) { row in
            AuditEntry(id: row.id!, actorStaffId: row.actorStaffId, actorName: row.actorName, scope: row.scope, action: row.action,
                       targetType: row.targetType, targetId: row.targetId, before: row.before, after: row.after,
                       requestId: row.requestId, createdAt: row.createdAt)
        }
        let labels = try await Self.targetLabels(result.items, on: req.db)
        for index in result.items.indices {
            let entry = result.items[index]
            result.items[index].targetLabel = labels["\(entry.targetType):\(UUID(uuidString: entry.targetId)?.uuidString ?? entry.targetId)"]
        }
        return result
    }

    /// Names for the page's targets, one query per kind of target that has names.
    static func targetLabels(_ entries: [AuditEntry], on db: any Database) async throws -> [String: String] {
        func ids(_ type: String) -> [UUID] { entries.filter { $0.targetType == type }.compactMap { UUID(uuidString: $0.targetId) } }
        var labels: [String: String] = [:]
        func add(_ type: String, _ pairs: [(UUID?, String)]) {
            for (id, label) in pairs { if let id { labels["\(type):\(id.uuidString)"] = label } }
        }
        if case let some = ids("order"), !some.isEmpty {
            add("order", try await OrderModel.query(on: db).filter(\.$id ~~ some).all().map { ($0.id, $0.number) })
        }
        if case let some = ids("product"), !some.isEmpty {
            add("product", try await ProductModel.query(on: db).filter(\.$id ~~ some).all().map { ($0.id, $0.title) })
        }
        if case let some = ids("store"), !some.isEmpty {
            add("store", try await StoreModel.query(on: db).filter(\.$id ~~ some).all().map { ($0.id, $0.name) })
        }
        if case let some = ids("staff"), !some.isEmpty {
            add("staff", try await StaffModel.query(on: db).filter(\.$id ~~ some).all().map { ($0.id, $0.displayName) })
        }
        if case let some = ids("transfer"), !some.isEmpty {
            add("transfer", try await TransferModel.query(on: db).filter(\.$id ~~ some).all().map { ($0.id, $0.number) })
        }
        if case let some = ids("after_sales"), !some.isEmpty {
            add("after_sales", try await AfterSalesCaseModel.query(on: db).filter(\.$id ~~ some).all().map { ($0.id, $0.number) })
        }
        return labels
    }

    func jobs(req: Request) async throws -> ListPage<Job> {
        try req.authorize(.jobsManage, on: .platform)
        let page = try PageRequest(from: req)
        var query = JobModel.query(on: req.db).sort(\.$runAt, .descending).sort(\.$id)
        if let raw = req.query[String.self, at: "status"] {
            guard let status = JobStatus(rawValue: raw) else {
                throw ValidationFailure(field: "status", message: "must be one of queued, running, succeeded, dead")
            }
            query = query.filter(\.$status == status.rawValue)
        }
        if let kind = req.query[String.self, at: "kind"], !kind.isEmpty { query = query.filter(\.$kind == kind) }
        // A job that failed and waits for its next attempt is still `queued`; its last error is what marks it.
        switch req.query[String.self, at: "failed"] {
        case nil, "", "false": break
        case "true": query = query.filter(\.$lastError != nil)
        default: throw ValidationFailure(field: "failed", message: "must be true or false")
        }
        return try await query.page(page) { $0.dto }
    }

    func retryJob(req: Request) async throws -> Job {
        try req.authorize(.jobsManage, on: .platform)
        guard let id = req.parameters.get("jobId", as: UUID.self), let job = try await JobModel.find(id, on: req.db) else {
            throw MallError.notFound("No such job.")
        }
        try await req.db.writeTransaction { db in
            guard try await req.application.jobs.retry(jobId: id, on: db) else {
                throw MallError.conflict("Only dead jobs can be retried; this one is \(job.status).")
            }
            try await req.audit.record(on: db, action: "job.retry", owner: .platform, targetType: "job", targetId: id.uuidString,
                                       before: job.dto)
        }
        return try await JobModel.find(id, on: req.db)!.dto
    }
}

extension JobModel {
    var dto: Job {
        Job(id: id!, kind: kind, status: JobStatus(rawValue: status) ?? .queued, runAt: runAt, attempts: attempts,
            maxAttempts: maxAttempts, lastError: lastError, createdAt: createdAt, finishedAt: finishedAt, payload: payload)
    }
}
