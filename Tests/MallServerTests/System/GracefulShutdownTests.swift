import Foundation
@testable import MallServer
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("shutdown waits for the requests in flight and, once idle, refuses every later one in the same step")
    func closesTheDoorWhenIdle() async throws {
        let requests = InFlightRequests()
        #expect(requests.begin() && requests.begin())
        let soon = ContinuousClock.now + .milliseconds(100)
        #expect(await requests.closeWhenIdle(before: soon) == false, "two requests still run")
        #expect(requests.begin(), "before shutdown has seen an idle moment, requests still come in")
        requests.end()
        requests.end()
        let finishing = Task {
            try await Task.sleep(for: .milliseconds(50))
            requests.end()
        }
        #expect(await requests.closeWhenIdle(before: ContinuousClock.now + .seconds(5)), "the last request ended")
        try await finishing.value
        #expect(requests.begin() == false, "after that no request may reach the databases")
        #expect(requests.count == 0)
    }
}
