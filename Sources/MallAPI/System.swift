import Foundation
import MallCore

public struct Setting: Codable, Sendable, Equatable {
    public var key: String
    public var type: SettingType
    public var value: SettingValue
    public var defaultValue: SettingValue
    public var summary: String
    public var updatedAt: Date?

    public init(key: String, type: SettingType, value: SettingValue, defaultValue: SettingValue, summary: String, updatedAt: Date?) {
        self.key = key
        self.type = type
        self.value = value
        self.defaultValue = defaultValue
        self.summary = summary
        self.updatedAt = updatedAt
    }
}

/// Keys to new values; every key is validated and all are written together or none.
public struct SettingsUpdate: Codable, Sendable {
    public var values: [String: SettingValue]
    public init(values: [String: SettingValue]) { self.values = values }
}

public struct AuditEntry: Codable, Sendable {
    public var id: UUID
    public var actorStaffId: UUID?
    public var actorName: String
    public var scope: String
    public var action: String
    public var targetType: String
    public var targetId: String
    /// How people name the target today — an order or transfer number, a product title, a store
    /// or staff name — when it still exists.
    public var targetLabel: String?
    public var before: String?
    public var after: String?
    public var requestId: String
    public var createdAt: Date

    public init(id: UUID, actorStaffId: UUID?, actorName: String, scope: String, action: String, targetType: String,
                targetId: String, targetLabel: String? = nil, before: String?, after: String?, requestId: String, createdAt: Date) {
        self.targetLabel = targetLabel
        self.id = id
        self.actorStaffId = actorStaffId
        self.actorName = actorName
        self.scope = scope
        self.action = action
        self.targetType = targetType
        self.targetId = targetId
        self.before = before
        self.after = after
        self.requestId = requestId
        self.createdAt = createdAt
    }
}

public enum JobStatus: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, dead
}

public struct Job: Codable, Sendable {
    public var id: UUID
    public var kind: String
    public var status: JobStatus
    public var runAt: Date
    public var attempts: Int
    public var maxAttempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var finishedAt: Date?
    /// What the job was given (JSON text), so staff can tell which order or store a dead job was about.
    public var payload: String?

    public init(id: UUID, kind: String, status: JobStatus, runAt: Date, attempts: Int, maxAttempts: Int,
                lastError: String?, createdAt: Date, finishedAt: Date?, payload: String? = nil) {
        self.payload = payload
        self.id = id
        self.kind = kind
        self.status = status
        self.runAt = runAt
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

public struct HealthStatus: Codable, Sendable {
    public var status: String
    public var database: String?
    /// "reachable" or "unreachable" when the server is configured with Redis; absent otherwise.
    public var redis: String?
    public init(status: String, database: String? = nil, redis: String? = nil) {
        self.status = status
        self.database = database
        self.redis = redis
    }
}

public struct InboxNotification: Codable, Sendable, Equatable {
    public var id: UUID
    public var audience: String
    public var storeId: UUID?
    public var title: String
    public var body: String
    public var referenceType: String?
    public var referenceId: String?
    public var status: String
    public var createdAt: Date
    /// When someone in the audience read it; the inbox is shared by the audience, like a team mailbox.
    public var readAt: Date?

    public init(id: UUID, audience: String, storeId: UUID?, title: String, body: String, referenceType: String?, referenceId: String?,
                status: String, createdAt: Date, readAt: Date? = nil) {
        self.readAt = readAt
        self.id = id
        self.audience = audience
        self.storeId = storeId
        self.title = title
        self.body = body
        self.referenceType = referenceType
        self.referenceId = referenceId
        self.status = status
        self.createdAt = createdAt
    }
}

/// How many of the staff inbox's notifications nobody in the audience has read yet.
public struct StaffInboxCount: Codable, Sendable, Equatable {
    public var unreadCount: Int
    public init(unreadCount: Int) { self.unreadCount = unreadCount }
}

/// A backup file in the server's backup folder.
public struct BackupFile: Codable, Sendable, Equatable {
    /// The file name, `chainmall-20261207-120000.tar` (database and files) or, made by an older
    /// version, `.sqlite` / `.pgdump` (database only); the download path's last part.
    public var name: String
    public var sizeBytes: Int64
    public var createdAt: Date
    /// How many uploaded files the archive holds; nil for a database-only backup or an archive
    /// whose manifest cannot be read.
    public var fileCount: Int?
    public init(name: String, sizeBytes: Int64, createdAt: Date, fileCount: Int? = nil) {
        self.name = name
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
        self.fileCount = fileCount
    }
}
