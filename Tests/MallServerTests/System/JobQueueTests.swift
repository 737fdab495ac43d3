import Fluent
import Foundation
import MallAPI
import MallCore
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import MallServer

@Suite("Durable jobs")
struct JobQueueTests {
    struct Payload: Codable { var value: Int }

    @Test("a job runs when due, not before, and records success")
    func runsWhenDue() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let seen = NIOLockedValueBox<[Int]>([])
            app.jobs.register("test.record") { context in
                let payload = try context.decode(Payload.self)
                seen.withLockedValue { $0.append(payload.value) }
            }
            let id = try #require(try await app.jobs.enqueue("test.record", payload: Payload(value: 7), runAt: testEpoch.addingTimeInterval(60)))
            #expect(try await app.jobs.runDue() == 0)
            clock.advance(seconds: 61)
            #expect(try await app.jobs.runDue() == 1)
            #expect(seen.withLockedValue { $0 } == [7])
            let job = try #require(try await JobModel.find(id, on: app.db))
            #expect(job.status == "succeeded")
            #expect(job.attempts == 1)
            #expect(job.finishedAt != nil)
            #expect(try await app.jobs.runDue() == 0, "a finished job does not run again")
        }
    }

    @Test("a job whose worker died on every attempt is given up, not taken again: one poisoned job cannot stop instance after instance")
    func workerDiedEveryTime() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let ran = NIOLockedValueBox(0)
            app.jobs.register("test.poisoned") { _ in ran.withLockedValue { $0 += 1 } }
            let id = try #require(try await app.jobs.enqueue("test.poisoned", payload: Payload(value: 1), maxAttempts: 2))
            // Two workers each claimed it and then stopped (a trap, a kill) without a word.
            for attempt in 1...2 {
                #expect(try await app.jobs.claimNext()?.id == id, "attempt \(attempt)")
                clock.advance(seconds: 3_600)
            }
            #expect(try await app.jobs.runDue() == 0)
            #expect(ran.withLockedValue { $0 } == 0)
            let job = try #require(try await JobModel.find(id, on: app.db))
            #expect(job.status == "dead")
            #expect(job.lastError?.contains("stopped before it finished") == true)
        }
    }

    @Test("failures retry with backoff, then the job is dead with its last error; staff can retry it")
    func retriesThenDead() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let attempts = NIOLockedValueBox(0)
            app.jobs.register("test.flaky") { _ in
                attempts.withLockedValue { $0 += 1 }
                throw Abort(.badGateway, reason: "carrier down")
            }
            let id = try #require(try await app.jobs.enqueue("test.flaky", payload: Payload(value: 1), maxAttempts: 3))
            #expect(try await app.jobs.runDue() == 1)
            var job = try #require(try await JobModel.find(id, on: app.db))
            #expect(job.status == "queued")
            #expect(job.runAt == clock.now().addingTimeInterval(10), "first retry after the base delay")
            #expect(job.lastError?.contains("carrier down") == true)

            clock.advance(seconds: 9)
            #expect(try await app.jobs.runDue() == 0)
            clock.advance(seconds: 1)
            #expect(try await app.jobs.runDue() == 1)
            job = try #require(try await JobModel.find(id, on: app.db))
            #expect(job.runAt == clock.now().addingTimeInterval(20), "backoff doubles")
            clock.advance(seconds: 20)
            #expect(try await app.jobs.runDue() == 1)
            job = try #require(try await JobModel.find(id, on: app.db))
            #expect(job.status == "dead")
            #expect(job.attempts == 3)
            #expect(attempts.withLockedValue { $0 } == 3)

            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let dead = try await app.send(.GET, "/api/v1/admin/jobs?status=dead", token: token).decode(ListPage<Job>.self)
            #expect(dead.items.map(\.id) == [id])
            #expect(try await app.send(.POST, "/api/v1/admin/jobs/\(id)/retry", token: token).decode(Job.self).status == .queued)
            #expect(try await app.send(.POST, "/api/v1/admin/jobs/\(id)/retry", token: token).status == .conflict)
        }
    }

    @Test("a unique key makes enqueueing idempotent")
    func uniqueKey() async throws {
        try await withTestApp { app in
            let first = try await app.jobs.enqueue("test.once", payload: Payload(value: 1), uniqueKey: "order-1-expiry")
            let second = try await app.jobs.enqueue("test.once", payload: Payload(value: 2), uniqueKey: "order-1-expiry")
            #expect(first != nil)
            #expect(second == nil)
            #expect(try await JobModel.query(on: app.db).count() == 1)
        }
    }

    @Test("a job whose worker died is claimed again after its lock expires")
    func abandonedJobs() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            _ = try await app.jobs.enqueue("test.slow", payload: Payload(value: 1))
            let crashed = JobQueue(app: app, workerId: "crashed", lockDuration: 60)
            #expect(try await crashed.claimNext() != nil)
            #expect(try await app.jobs.claimNext() == nil, "locked while the first worker may still be running it")
            clock.advance(seconds: 61)
            let reclaimed = try #require(try await app.jobs.claimNext())
            #expect(reclaimed.attempts == 2)
        }
    }

    @Test("concurrent workers never claim the same job twice")
    func concurrentClaims() async throws {
        try await withTestApp { app in
            for value in 0..<40 { try await app.jobs.enqueue("test.count", payload: Payload(value: value)) }
            let workers = (0..<4).map { JobQueue(app: app, workerId: "worker-\($0)") }
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in workers {
                    group.addTask {
                        var mine: [UUID] = []
                        while let job = try await worker.claimNext() { mine.append(job.id) }
                        return mine
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0 += $1 }
            }
            #expect(claimed.count == 40)
            #expect(Set(claimed).count == 40)
        }
    }

    @Test("recurring schedules enqueue one run per interval, skipping missed runs")
    func recurring() async throws {
        // Fractional seconds on purpose: real clocks have them, and stored times must still match.
        let clock = ManualClock(testEpoch.addingTimeInterval(0.123_456_789))
        try await withTestApp(clock: clock) { app in
            let runs = NIOLockedValueBox(0)
            app.jobs.register("test.tick") { _ in runs.withLockedValue { $0 += 1 } }
            try await app.jobs.schedule(name: "ticker", kind: "test.tick", everySeconds: 300)
            try await app.jobs.runDue()
            try await app.jobs.runDue()
            #expect(runs.withLockedValue { $0 } == 1)
            clock.advance(seconds: 299)
            try await app.jobs.runDue()
            #expect(runs.withLockedValue { $0 } == 1)
            clock.advance(seconds: 1)
            try await app.jobs.runDue()
            #expect(runs.withLockedValue { $0 } == 2)
            clock.advance(seconds: 3000)
            try await app.jobs.runDue()
            #expect(runs.withLockedValue { $0 } == 3, "ten missed slots fire once, not ten times")
            #expect(try await JobModel.query(on: app.db).count() == 3, "one job per fired slot, no duplicates to deduplicate")
            let next = try #require(try await JobScheduleModel.query(on: app.db).first()).nextRunAt
            #expect(next > clock.now() && next <= clock.now().addingTimeInterval(300))
        }
    }

    @Test("the built-in purge job removes long-dead sessions")
    func purgeSessions() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let member = try await Fixtures.member(app)
            _ = try await app.send(.POST, "/api/v1/auth/logout", token: member.tokens.accessToken)
            _ = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
            clock.advance(seconds: 8 * 86_400)
            try await app.jobs.enqueue("auth.purgeExpiredSessions", payload: [String: String]())
            try await app.jobs.runDue()
            #expect(try await AuthSessionModel.query(on: app.db).count() == 1, "only the revoked session is gone")
        }
    }
}
