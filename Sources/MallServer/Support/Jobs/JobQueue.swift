import Fluent
import Foundation
import Logging
import MallAPI
import NIOConcurrencyHelpers
import MallCore
import Metrics
import SQLKit
import Vapor

/// What a job handler gets: the database, the payload, and the clock's idea of now.
struct JobContext: Sendable {
    let app: Application
    let db: any Database
    let jobId: UUID
    let payload: String
    let attempt: Int
    let now: Date
    let logger: Logger

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder.api.decode(T.self, from: Data(payload.utf8))
    }
}

typealias JobHandler = @Sendable (JobContext) async throws -> Void

/// Durable jobs in the `jobs` table. Any server instance may claim a due job; a claim is one
/// conditional UPDATE (`FOR UPDATE SKIP LOCKED` on PostgreSQL, SQLite's single writer
/// elsewhere), so two instances never run the same job at once. A job whose runner died is
/// claimable again once its lock expires, which is why handlers must be idempotent.
final class JobQueue: Sendable {
    let app: Application
    let workerId: String
    let retryPolicy: RetryPolicy
    let lockDuration: TimeInterval
    private let handlers: NIOLockedValueBox<[String: JobHandler]>

    init(app: Application, workerId: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))",
         retryPolicy: RetryPolicy = RetryPolicy(), lockDuration: TimeInterval = 300) {
        self.app = app
        self.workerId = workerId
        self.retryPolicy = retryPolicy
        self.lockDuration = lockDuration
        self.handlers = .init([:])
    }

    func register(_ kind: String, handler: @escaping JobHandler) {
        handlers.withLockedValue { $0[kind] = handler }
    }

    var registeredKinds: [String] { handlers.withLockedValue { Array($0.keys).sorted() } }

    /// Adds a job; with a `uniqueKey`, adding it again is a no-op that returns nil.
    @discardableResult
    func enqueue<Payload: Encodable>(_ kind: String, payload: Payload, runAt: Date? = nil, uniqueKey: String? = nil,
                                     maxAttempts: Int? = nil, on db: (any Database)? = nil) async throws -> UUID? {
        let db = db ?? app.db
        let now = app.clock.now()
        let job = JobModel()
        job.id = UUID()
        job.kind = kind
        job.payload = try JSONText.encode(payload)
        job.status = JobStatus.queued.rawValue
        job.runAt = runAt ?? now
        job.attempts = 0
        job.maxAttempts = maxAttempts ?? retryPolicy.maxAttempts
        job.uniqueKey = uniqueKey
        job.createdAt = now
        job.updatedAt = now
        if let uniqueKey {
            // Conflict-free insert so a duplicate never aborts the caller's transaction on PostgreSQL.
            let rows = try await db.sql.raw("""
                INSERT INTO jobs (id, kind, payload, status, run_at, attempts, max_attempts, unique_key, created_at, updated_at)
                VALUES (\(bind: job.id!), \(bind: kind), \(bind: job.payload), \(bind: job.status), \(bind: job.runAt), 0,
                        \(bind: job.maxAttempts), \(bind: uniqueKey), \(bind: now), \(bind: now))
                ON CONFLICT (unique_key) DO NOTHING RETURNING id
                """).all()
            return rows.isEmpty ? nil : job.id
        }
        try await job.create(on: db)
        return job.id
    }

    /// Keeps a recurring schedule in the table; changing the interval takes effect from now.
    /// Instances starting together each register the same schedules: the first insert wins and
    /// the others find the row.
    func schedule(name: String, kind: String, everySeconds interval: Int, payload: String = "{}") async throws {
        let now = app.clock.now()
        try await app.db.sql.raw("""
            INSERT INTO job_schedules (id, name, kind, payload, interval_seconds, next_run_at)
            VALUES (\(bind: UUID()), \(bind: name), \(bind: kind), \(bind: payload), \(bind: interval), \(bind: now))
            ON CONFLICT (name) DO NOTHING
            """).run()
        guard let existing = try await JobScheduleModel.query(on: app.db).filter(\.$name == name).first(),
              existing.intervalSeconds != interval || existing.kind != kind else { return }
        existing.intervalSeconds = interval
        existing.kind = kind
        existing.nextRunAt = min(existing.nextRunAt, now.addingTimeInterval(TimeInterval(interval)))
        try await existing.update(on: app.db)
    }

    /// One pass of the worker: turn due schedules into jobs, then run due jobs until none is
    /// left, `limit` have run, or `proceed` says stop (checked before each claim, so a stopping
    /// worker ends the pass after the job in hand). Returns how many ran.
    @discardableResult
    func runDue(limit: Int = 50, while proceed: @Sendable () -> Bool = { true }) async throws -> Int {
        try await fireSchedules()
        var ran = 0
        while ran < limit, proceed(), let claimed = try await claimNext() {
            await run(claimed)
            ran += 1
        }
        return ran
    }

    struct Claimed: Sendable {
        let id: UUID
        let kind: String
        let payload: String
        let attempts: Int
        let maxAttempts: Int
    }

    func claimNext() async throws -> Claimed? {
        let now = app.clock.now()
        let lockedUntil = now.addingTimeInterval(lockDuration)
        let db = app.db
        let lockClause: SQLQueryString = db.isPostgres ? "FOR UPDATE SKIP LOCKED" : ""
        let workerId = self.workerId
        // A write like any other: on SQLite it queues behind the running write transaction.
        return try await db.writeTransaction { tx -> Claimed? in
        // A job whose lock ran out with every attempt spent stopped its process each time (a
        // crash, a kill): it is given up rather than taken again, so one poisoned job cannot
        // take every instance down in turn for ever.
        try await tx.sql.raw("""
            UPDATE jobs SET status = 'dead', locked_by = NULL, locked_until = NULL, finished_at = \(bind: now), updated_at = \(bind: now),
                last_error = 'gave up: the worker running it stopped before it finished, on every attempt'
            WHERE status = 'running' AND locked_until < \(bind: now) AND attempts >= max_attempts
            """).run()
        let rows = try await tx.sql.raw("""
            UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = \(bind: workerId),
                locked_until = \(bind: lockedUntil), updated_at = \(bind: now)
            WHERE id = (
                SELECT id FROM jobs
                WHERE (status = 'queued' AND run_at <= \(bind: now)) OR (status = 'running' AND locked_until < \(bind: now) AND attempts < max_attempts)
                ORDER BY run_at LIMIT 1 \(lockClause)
            )
            RETURNING id, kind, payload, attempts, max_attempts
            """).all()
        guard let row = rows.first else { return nil }
        return Claimed(id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
                       payload: try row.decode(column: "payload", as: String.self),
                       attempts: try row.decode(column: "attempts", as: Int.self),
                       maxAttempts: try row.decode(column: "max_attempts", as: Int.self))
        }
    }

    private func run(_ job: Claimed) async {
        // The application's logger, so jobs log where requests do (and where tests capture them).
        var logger = app.logger
        logger[metadataKey: "job-id"] = .string(job.id.uuidString)
        logger[metadataKey: "job-kind"] = .string(job.kind)
        let outcome: String
        do {
            guard let handler = handlers.withLockedValue({ $0[job.kind] }) else {
                throw JobError.noHandler(job.kind)
            }
            let context = JobContext(app: app, db: app.db, jobId: job.id, payload: job.payload, attempt: job.attempts,
                                     now: app.clock.now(), logger: logger)
            try await handler(context)
            try await finish(job, status: .succeeded, error: nil, runAt: nil)
            outcome = "succeeded"
        } catch {
            let policy = RetryPolicy(maxAttempts: job.maxAttempts, baseDelaySeconds: retryPolicy.baseDelaySeconds,
                                     maxDelaySeconds: retryPolicy.maxDelaySeconds)
            let message = String(String(describing: error).prefix(2000))
            switch policy.decide(afterFailedAttempt: job.attempts) {
            case .retry(let seconds):
                logger.warning("job failed, retrying in \(seconds)s: \(message)")
                try? await finish(job, status: .queued, error: message, runAt: app.clock.now().addingTimeInterval(TimeInterval(seconds)))
                outcome = "retried"
            case .dead:
                logger.error("job failed for good after \(job.attempts) attempts: \(message)")
                try? await finish(job, status: .dead, error: message, runAt: nil)
                outcome = "dead"
            }
        }
        Counter(label: "chainmall_jobs_total", dimensions: [("kind", job.kind), ("outcome", outcome)]).increment()
    }

    /// Only the worker holding the lock may record the outcome: if the lock expired and another
    /// worker took the job over, this late result is dropped.
    private func finish(_ job: Claimed, status: JobStatus, error: String?, runAt: Date?) async throws {
        let now = app.clock.now()
        let finishedAt: Date? = status == .succeeded || status == .dead ? now : nil
        let workerId = self.workerId
        try await app.db.writeTransaction { tx in
        try await tx.sql.raw("""
            UPDATE jobs SET status = \(bind: status.rawValue), last_error = \(bind: error), locked_by = NULL, locked_until = NULL,
                run_at = COALESCE(\(bind: runAt), run_at), finished_at = \(bind: finishedAt), updated_at = \(bind: now)
            WHERE id = \(bind: job.id) AND locked_by = \(bind: workerId) AND attempts = \(bind: job.attempts)
            """).run()
        }
    }

    /// Each due schedule advances by a conditional update ("still due"); only the instance whose
    /// update matched enqueues the run, and the run's unique key makes even a double fire
    /// harmless. The condition compares with `now`, never for equality with the stored time:
    /// a fractional timestamp does not survive a round trip through `Date` bit for bit.
    private func fireSchedules() async throws {
        let now = app.clock.now()
        let due = try await JobScheduleModel.query(on: app.db).filter(\.$nextRunAt <= now).all()
        for schedule in due {
            // Always at least one interval ahead, and past every slot missed while no instance was
            // up, so missed runs fire once rather than all at once.
            let interval = TimeInterval(max(1, schedule.intervalSeconds))
            let missedSlots = Int(min(1e9, max(0, now.timeIntervalSince(schedule.nextRunAt)) / interval))
            let next = schedule.nextRunAt.addingTimeInterval(Double(missedSlots + 1) * interval)
            let slot = Int(schedule.nextRunAt.timeIntervalSince1970)
            try await app.db.writeTransaction { db in
                let advanced = try await db.sql.raw("""
                    UPDATE job_schedules SET next_run_at = \(bind: next)
                    WHERE id = \(bind: schedule.id!) AND next_run_at <= \(bind: now) RETURNING id
                    """).all()
                guard !advanced.isEmpty else { return }
                try await self.enqueueRaw(schedule.kind, payload: schedule.payload, uniqueKey: "schedule:\(schedule.name):\(slot)", on: db)
            }
        }
    }

    private func enqueueRaw(_ kind: String, payload: String, uniqueKey: String, on db: any Database) async throws {
        let now = app.clock.now()
        try await db.sql.raw("""
            INSERT INTO jobs (id, kind, payload, status, run_at, attempts, max_attempts, unique_key, created_at, updated_at)
            VALUES (\(bind: UUID()), \(bind: kind), \(bind: payload), 'queued', \(bind: now), 0, \(bind: retryPolicy.maxAttempts),
                    \(bind: uniqueKey), \(bind: now), \(bind: now))
            ON CONFLICT (unique_key) DO NOTHING
            """).run()
    }

    /// Puts a dead job back in the queue for a fresh set of attempts.
    func retry(jobId: UUID, on db: any Database) async throws -> Bool {
        let now = app.clock.now()
        let rows = try await db.sql.raw("""
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = \(bind: now), finished_at = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: jobId) AND status = 'dead' RETURNING id
            """).all()
        return !rows.isEmpty
    }

    func countsByStatus() async throws -> [String: Int] {
        let rows = try await app.db.sql.raw("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all()
        var counts: [String: Int] = [:]
        for row in rows {
            counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }
}

enum JobError: Error, CustomStringConvertible {
    case noHandler(String)

    var description: String {
        switch self {
        case .noHandler(let kind): "no handler is registered for job kind \(kind)"
        }
    }
}

extension Application {
    private struct JobQueueKey: StorageKey { typealias Value = JobQueue }

    var jobs: JobQueue {
        get { storage[JobQueueKey.self]! }
        set { storage[JobQueueKey.self] = newValue }
    }
}
