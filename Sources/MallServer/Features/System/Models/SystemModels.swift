import Fluent
import Foundation

final class SettingModel: Model, @unchecked Sendable {
    static let schema = "settings"

    @ID(key: .id) var id: UUID?

    @Field(key: "key") var key: String
    /// The value as JSON (`"text"`, `42`, `true`).
    @Field(key: "value") var valueJSON: String
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "updated_by") var updatedBy: UUID?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _key, _valueJSON, _updatedAt, _updatedBy] }

    init() {}
}

final class AuditLogModel: Model, @unchecked Sendable {
    static let schema = "audit_logs"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "actor_staff_id") var actorStaffId: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "scope") var scope: String
    /// Owners of the target, so merchant and store staff can be shown their own history only.
    @OptionalField(key: "merchant_id") var merchantId: UUID?
    @OptionalField(key: "store_id") var storeId: UUID?
    @Field(key: "action") var action: String
    @Field(key: "target_type") var targetType: String
    @Field(key: "target_id") var targetId: String
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @Field(key: "request_id") var requestId: String

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _actorStaffId, _actorName, _scope, _merchantId, _storeId, _action, _targetType, _targetId, _before, _after, _requestId] }

    init() {}
}

final class JobModel: Model, @unchecked Sendable {
    static let schema = "jobs"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    @Field(key: "status") var status: String
    @Field(key: "run_at") var runAt: Date
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "locked_by") var lockedBy: String?
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    /// Enqueueing the same key twice yields one job: handlers stay idempotent and so do producers.
    @OptionalField(key: "unique_key") var uniqueKey: String?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _kind, _payload, _status, _runAt, _attempts, _maxAttempts, _lastError, _lockedBy, _lockedUntil, _uniqueKey, _finishedAt] }

    init() {}
}

final class JobScheduleModel: Model, @unchecked Sendable {
    static let schema = "job_schedules"

    @ID(key: .id) var id: UUID?

    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    @Field(key: "interval_seconds") var intervalSeconds: Int
    @Field(key: "next_run_at") var nextRunAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _name, _kind, _payload, _intervalSeconds, _nextRunAt] }

    init() {}
}
