import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Kuaidi100's subscription endpoint, played by a real HTTP server on 127.0.0.1 (a second Vapor
/// application): it reads the form the way Kuaidi100 does and answers from a script, the last
/// answer repeating.
final class FakeKuaidi100: @unchecked Sendable {
    struct Received: Sendable {
        var contentType: String?
        var form: [String: String]
    }

    private let lock = NSLock()
    private var script: [(HTTPResponseStatus, String)]
    private var received: [Received] = []
    private let server: Application
    private(set) var pollURL = URL(fileURLWithPath: "/")

    static func answer(_ code: String, _ message: String) -> (HTTPResponseStatus, String) {
        (.ok, #"{"result":\#(code == "200"),"returnCode":"\#(code)","message":"\#(message)"}"#)
    }

    private init(server: Application, script: [(HTTPResponseStatus, String)]) {
        self.server = server
        self.script = script
    }

    /// Routes first: the server takes its route table when it starts. Port 0 lets the system
    /// pick a free port, so tests running in parallel never collide.
    static func start(answers: [(HTTPResponseStatus, String)]) async throws -> FakeKuaidi100 {
        let server = try await Application.make(.testing)
        server.logger.logLevel = .error
        let fake = FakeKuaidi100(server: server, script: answers)
        server.post("poll") { req -> Response in
            let form = (try? req.content.decode([String: String].self, as: .urlEncodedForm)) ?? [:]
            let (status, body) = fake.record(Received(contentType: req.headers.first(name: .contentType), form: form))
            let response = Response(status: status, body: .init(string: body))
            response.headers.contentType = .json
            return response
        }
        try await server.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(server.http.server.shared.localAddress?.port)
        fake.pollURL = try #require(URL(string: "http://127.0.0.1:\(port)/poll"))
        return fake
    }

    private func record(_ request: Received) -> (HTTPResponseStatus, String) {
        lock.withLock {
            received.append(request)
            return script.count > 1 ? script.removeFirst() : script.first ?? Self.answer("200", "提交成功")
        }
    }

    var requests: [Received] { lock.withLock { received } }

    func stop() async {
        await server.server.shutdown()
        try? await server.asyncShutdown()
    }

    /// Runs `body` with a fake that answers `answers`, and stops it even when `body` throws.
    static func with(answers: [(HTTPResponseStatus, String)], _ body: (FakeKuaidi100) async throws -> Void) async throws {
        let fake = try await start(answers: answers)
        do {
            try await body(fake)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }
}

@Suite("Kuaidi100 tracking subscriptions")
struct Kuaidi100SubscriptionServerTests {
    static let key = "K100TESTKEY"
    static let callback = "https://mall.example.com/api/v1/logistics/kuaidi100/push"

    static func configure(_ config: inout AppConfig, poll: URL) {
        config.kuaidi100Salt = AfterSalesTests.salt
        config.kuaidi100Subscription = Kuaidi100SubscriptionConfig(key: key, callbackURL: callback, pollURL: poll)
    }

    /// A paid delivery order shipped with SF by its store, and its shipment.
    static func shipWithSF(_ app: Application, number: String = "SF1234567890") async throws -> (CheckoutTests.Shop, ShipmentModel) {
        let (shop, _, order) = try await OrderDeskTests.paidOrder(app)
        let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
        for step in ["accept", "pick"] {
            #expect(try await AfterSalesTests.staffPost(app, "orders/\(order.id)/\(step)", token: clerk).status == .ok)
        }
        let shipped = try await AfterSalesTests.staffPost(app, "orders/\(order.id)/ship", token: clerk, json: ShipmentInput(carrier: "sf", trackingNumber: number))
        #expect(shipped.status == .ok, "\(shipped.text)")
        return (shop, try #require(try await ShipmentModel.query(on: app.db).filter(\.$orderId == order.id).first()))
    }

    static func shipment(_ app: Application, _ id: UUID?) async throws -> ShipmentModel {
        try #require(try await ShipmentModel.find(id, on: app.db))
    }

    @Test("shipping with a tracked carrier subscribes the parcel once, with the form Kuaidi100 documents; the store's courier is not subscribed")
    func subscribes() async throws {
        try await FakeKuaidi100.with(answers: [FakeKuaidi100.answer("200", "提交成功")]) { kuaidi100 in
            let clock = ManualClock(testEpoch)
            try await withTestApp(clock: clock, adjust: { Self.configure(&$0, poll: kuaidi100.pollURL) }) { app in
                let (shop, shipment) = try await Self.shipWithSF(app)
                #expect(shipment.trackingSubscription == "pending", "asked for in the shipment's own transaction")

                try await app.jobs.runDue()

                let sent = try #require(kuaidi100.requests.first)
                #expect(kuaidi100.requests.count == 1)
                #expect(sent.contentType?.hasPrefix("application/x-www-form-urlencoded") == true)
                #expect(Set(sent.form.keys) == ["schema", "param"])
                #expect(sent.form["schema"] == "json")
                let param = try jsonObject(Data((sent.form["param"] ?? "").utf8))
                #expect(param["company"] as? String == "shunfeng")
                #expect(param["number"] as? String == "SF1234567890")
                #expect(param["key"] as? String == Self.key)
                let parameters = try #require(param["parameters"] as? [String: Any])
                #expect(parameters["callbackurl"] as? String == Self.callback)
                #expect(parameters["salt"] as? String == AfterSalesTests.salt, "pushes come signed with the salt the push endpoint checks")
                #expect(parameters["resultv2"] as? String == "1")
                #expect(parameters["phone"] as? String == "13800138000", "SF shows scans only to a subscription naming the recipient's phone")
                let settled = try await Self.shipment(app, shipment.id)
                #expect(settled.trackingSubscription == "subscribed")
                #expect(settled.trackingSubscriptionNote == nil)

                // Nothing is sent twice, and a courier run has no carrier feed to subscribe to.
                clock.advance(seconds: 3_600)
                let (_, _, courierOrder) = try await OrderDeskTests.paidOrder(app, in: shop, mobile: "13900139000")
                let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
                for step in ["accept", "pick"] {
                    _ = try await AfterSalesTests.staffPost(app, "orders/\(courierOrder.id)/\(step)", token: clerk)
                }
                let byCourier = try await AfterSalesTests.staffPost(app, "orders/\(courierOrder.id)/ship", token: clerk,
                                                                    json: ShipmentInput(carrier: "store_courier", courierName: "李师傅", courierPhone: "13700137000"))
                #expect(byCourier.status == .ok, "\(byCourier.text)")
                try await app.jobs.runDue()
                #expect(kuaidi100.requests.count == 1)
                #expect(try await ShipmentModel.query(on: app.db).filter(\.$orderId == courierOrder.id).first()?.trackingSubscription == nil)
            }
        }
    }

    @Test("while Kuaidi100 fails (HTTP 503, returnCode 500) the subscription is sent again with backoff; 501 (already subscribed) counts as success")
    func retriesUntilSubscribed() async throws {
        let answers = [(HTTPResponseStatus.serviceUnavailable, "busy"), FakeKuaidi100.answer("500", "服务器错误"), FakeKuaidi100.answer("501", "重复订阅")]
        try await FakeKuaidi100.with(answers: answers) { kuaidi100 in
            let clock = ManualClock(testEpoch)
            try await withTestApp(clock: clock, adjust: { Self.configure(&$0, poll: kuaidi100.pollURL) }) { app in
                let (_, shipment) = try await Self.shipWithSF(app)

                try await app.jobs.runDue()
                #expect(kuaidi100.requests.count == 1)
                var current = try await Self.shipment(app, shipment.id)
                #expect(current.trackingSubscription == "pending")
                #expect(current.trackingSubscriptionNote?.contains("HTTP 503") == true, "staff see why tracking has not started: \(current.trackingSubscriptionNote ?? "")")

                try await app.jobs.runDue()
                #expect(kuaidi100.requests.count == 1, "not before the backoff")
                clock.advance(seconds: 10)
                try await app.jobs.runDue()
                #expect(kuaidi100.requests.count == 2)
                current = try await Self.shipment(app, shipment.id)
                #expect(current.trackingSubscription == "pending")
                #expect(current.trackingSubscriptionNote == "500 服务器错误")

                clock.advance(seconds: 20)
                try await app.jobs.runDue()
                #expect(kuaidi100.requests.count == 3)
                current = try await Self.shipment(app, shipment.id)
                #expect(current.trackingSubscription == "subscribed", "501: Kuaidi100 already tracks the parcel")
                #expect(current.trackingSubscriptionNote == nil)
                #expect(kuaidi100.requests.map { $0.form["param"] ?? "" }.allSatisfy { $0 == kuaidi100.requests[0].form["param"] }, "the same request each time")

                clock.advance(seconds: 86_400)
                try await app.jobs.runDue()
                #expect(kuaidi100.requests.count == 3, "done: never sent again")
            }
        }
    }

    @Test("an answer that says the request itself is wrong (701: carrier refused) is not sent again, and the shipment says why")
    func refusedIsFinal() async throws {
        try await FakeKuaidi100.with(answers: [FakeKuaidi100.answer("701", "拒绝订阅的快递公司")]) { kuaidi100 in
            let clock = ManualClock(testEpoch)
            try await withTestApp(clock: clock, adjust: { Self.configure(&$0, poll: kuaidi100.pollURL) }) { app in
                let (_, shipment) = try await Self.shipWithSF(app)

                try await app.jobs.runDue()
                clock.advance(seconds: 86_400)
                try await app.jobs.runDue()

                #expect(kuaidi100.requests.count == 1)
                let current = try await Self.shipment(app, shipment.id)
                #expect(current.trackingSubscription == "refused")
                #expect(current.trackingSubscriptionNote == "701 拒绝订阅的快递公司")
            }
        }
    }
}
