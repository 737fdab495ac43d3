import Foundation
@testable import MallServer
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("shutdown waits for the requests in flight and, once idle, refuses every later one in the same step")
    func closesTheDoorWhenIdle() async throws {
        let requests = InFlightRequests()
        #expect(requests.begin() && requests.begin())
        #expect(await requests.closeWhenIdle(before: ContinuousClock.now) == false, "two requests still run")
        #expect(requests.begin(), "before shutdown has seen an idle moment, requests still come in")
        requests.end()
        requests.end()
        #expect(await requests.closeWhenIdle(before: ContinuousClock.now) == false, "one request still runs")
        requests.end()
        // Idle now: the door closes without waiting for the deadline.
        #expect(await requests.closeWhenIdle(before: ContinuousClock.now + .seconds(3_600)))
        #expect(requests.begin() == false, "after that no request may reach the databases")
        #expect(requests.count == 0)
    }
}
