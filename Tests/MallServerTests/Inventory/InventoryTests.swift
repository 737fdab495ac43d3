import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Per-store inventory")
struct InventoryTests {
    @Test("receive, adjust and send out stock; every change is a ledger row")
    func basicMovements() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK-250", barcode: "6901234567892")
            let (clerk, token) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))

            let received = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                              json: StockReceiptInput(storeId: store.id!, reference: "PO-1001", note: "总仓配送",
                                                                      lines: [StockLineInput(barcode: "6901234567892", quantity: 24)]))
            #expect(received.status == .ok, "\(received.text)")
            #expect(try received.decode([StockLevelEntry].self).first?.onHand == 24)

            let adjusted = try await app.send(.POST, "/api/v1/admin/inventory/adjustments", token: token,
                                              json: StockAdjustmentInput(storeId: store.id!, skuId: milk.id!, delta: -2, reason: "破损 damaged"))
            #expect(try adjusted.decode([StockLevelEntry].self).first?.available == 22)

            let tooMuch = try await app.send(.POST, "/api/v1/admin/inventory/outbound", token: token,
                                             json: StockOutboundInput(storeId: store.id!, reason: "退供应商", lines: [StockLineInput(skuCode: "milk-250", quantity: 23)]))
            #expect(tooMuch.status == .conflict)
            #expect(tooMuch.problem?.detail == "Only 22 of SKU MILK-250 available at store SA; 23 requested.")

            let noReason = try await app.send(.POST, "/api/v1/admin/inventory/adjustments", token: token,
                                              json: StockAdjustmentInput(storeId: store.id!, skuId: milk.id!, delta: 0, reason: ""))
            #expect(Set(noReason.problem?.errors?.map(\.field) ?? []) == ["reason", "delta"])

            let movements = try await app.send(.GET, "/api/v1/admin/inventory/movements?storeId=\(store.id!)", token: token)
                .decode(ListPage<StockMovementEntry>.self)
            #expect(movements.items.map(\.kind) == [.adjustment, .receipt])
            #expect(movements.items.last?.referenceId == "PO-1001")
            #expect(movements.items.allSatisfy { $0.actorStaffId == clerk.id })
            #expect(try await Fixtures.level(app, sku: milk, store: store) == StockLevel(onHand: 22, reserved: 0))
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("a delivery note of many lines: every line a ledger row with running balances, alerts of refilled SKUs resolved")
    func bulkReceipt() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK")
            let tea = try await Fixtures.sku(app, code: "TEA")
            let rice = try await Fixtures.sku(app, code: "RICE")
            let (_, token) = try await Fixtures.staff(app, "manager", role: .storeManager, scope: .store(store.storeID))
            func receive(_ lines: [StockLineInput]) async throws -> [StockLevelEntry] {
                let response = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                                  json: StockReceiptInput(storeId: store.id!, reference: "PO-\(lines.count)", lines: lines))
                #expect(response.status == .ok, "\(response.text)")
                return try response.decode([StockLevelEntry].self)
            }
            _ = try await receive([StockLineInput(skuId: milk.id!, quantity: 3)])
            try await app.jobs.enqueue(LowStockAlerts.scanJob, payload: [String: String]())
            try await app.jobs.runDue()
            #expect(try await LowStockAlertModel.query(on: app.db).filter(\.$status == "open").count() == 1, "3 milk is below the threshold of 10")

            let levels = try await receive([StockLineInput(skuId: milk.id!, quantity: 4), StockLineInput(skuId: tea.id!, quantity: 20),
                                             StockLineInput(skuId: milk.id!, quantity: 6), StockLineInput(skuId: rice.id!, quantity: 2)])
            #expect(Dictionary(uniqueKeysWithValues: levels.map { ($0.skuCode, $0.onHand) }) == ["MILK": 13, "TEA": 20, "RICE": 2])
            let rows = try await StockMovementModel.query(on: app.db).filter(\.$referenceId == "PO-4").sort(\.$storeSeq).all()
            #expect(rows.map(\.storeSeq) == [2, 3, 4, 5], "one number per line, after the first receipt's")
            let milkRows = rows.filter { $0.skuId == milk.id! }
            #expect(milkRows.count == 2)
            #expect(milkRows.map(\.onHandAfter) == [3 + milkRows[0].onHandDelta, 13], "each line's balance follows the one before")
            #expect(Set(milkRows.map(\.onHandDelta)) == [4, 6])
            #expect(rows.allSatisfy { $0.kind == "receipt" && $0.reason == nil && $0.actorStaffId != nil })

            let alerts = try await LowStockAlertModel.query(on: app.db).all()
            #expect(alerts.map(\.status) == ["resolved"], "milk recovered to 13; rice starts below the threshold and waits for the scan")
            try await Fixtures.expectLedgerMatchesProjection(app)

            // A line for a store of another merchant fails the whole note and writes nothing.
            let other = try await Fixtures.merchant(app, code: "OTHER")
            let foreignStore = try await Fixtures.store(app, code: "FX", merchant: other.id!)
            let before = try await StockMovementModel.query(on: app.db).count()
            await #expect(throws: ValidationFailure.self) {
                try await app.db.writeTransaction { db in
                    try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 1),
                                                                                 StockRequest(skuId: tea.id!, storeId: foreignStore.id!, quantity: 1)],
                                                                      context: MovementContext(now: testEpoch))
                }
            }
            #expect(try await StockMovementModel.query(on: app.db).count() == before)
            #expect(try await Fixtures.level(app, sku: tea, store: store)?.onHand == 20)
        }
    }

    @Test("staff of one store cannot touch another store's stock")
    func scope() async throws {
        try await withTestApp { app in
            let storeA = try await Fixtures.store(app, code: "SA")
            let storeB = try await Fixtures.store(app, code: "SB")
            let milk = try await Fixtures.sku(app, code: "MILK")
            let (_, clerkA) = try await Fixtures.staff(app, "clerk.a", role: .storeClerk, scope: .store(storeA.storeID))
            let receipt = StockReceiptInput(storeId: storeB.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 5)])
            #expect(try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: clerkA, json: receipt).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/inventory/sync/\(storeB.id!)/changes", token: clerkA).status == .forbidden)
            let (_, service) = try await Fixtures.staff(app, "service", role: .customerService, scope: .platform)
            #expect(try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: service, json: receipt).status == .forbidden)
            let other = try await Fixtures.merchant(app, code: "OTHER")
            let foreign = try await Fixtures.sku(app, code: "FOREIGN", merchant: other.id!)
            let (_, managerA) = try await Fixtures.staff(app, "manager.a", role: .storeManager, scope: .store(storeA.storeID))
            let wrongMerchant = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: managerA,
                                                   json: StockReceiptInput(storeId: storeA.id!, lines: [StockLineInput(skuId: foreign.id!, quantity: 1)]))
            #expect(wrongMerchant.problem?.errors?.first?.field == "lines[0]")
            #expect(try await StockMovementModel.query(on: app.db).count() == 0)
        }
    }

    @Test("60 shoppers reserve the last 10 units at once: exactly 10 succeed, nothing is oversold")
    func concurrentReservations() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let sku = try await Fixtures.sku(app, code: "FLASH")
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: 10)],
                                                                  context: MovementContext(now: testEpoch))
            }
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for shopper in 0..<60 {
                    group.addTask {
                        do {
                            try await app.db.writeTransaction { db in
                                try await InventoryService.make(app, on: db).reserve(
                                    [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: 1)],
                                    context: MovementContext(referenceType: "order", referenceId: "order-\(shopper)", now: testEpoch))
                            }
                            return true
                        } catch let error as InventoryError {
                            guard case .insufficient = error else { throw error }
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 10)
            #expect(try await Fixtures.level(app, sku: sku, store: store) == StockLevel(onHand: 10, reserved: 10))
            #expect(try await StockMovementModel.query(on: app.db).filter(\.$kind == "reserve").count() == 10)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("reservations are released or committed, never beyond what is held")
    func releaseAndCommit() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let tea = try await Fixtures.sku(app, code: "TEA")
            let milk = try await Fixtures.sku(app, code: "MILK")
            let context = MovementContext(referenceType: "order", referenceId: "o-1", now: testEpoch)
            try await app.db.writeTransaction { db in
                let inventory = try await InventoryService.make(app, on: db)
                try await inventory.move(.receipt, [StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 5),
                                                    StockRequest(skuId: milk.id!, storeId: store.id!, quantity: 1)], context: context)
            }
            // All or nothing: the second line fails, so the first is not held either.
            await #expect(throws: InventoryError.self) {
                try await app.db.writeTransaction { db in
                    try await InventoryService.make(app, on: db).reserve([StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 2),
                                                                          StockRequest(skuId: milk.id!, storeId: store.id!, quantity: 2)], context: context)
                }
            }
            #expect(try await Fixtures.level(app, sku: tea, store: store) == StockLevel(onHand: 5, reserved: 0))

            try await app.db.writeTransaction { db in
                let inventory = try await InventoryService.make(app, on: db)
                try await inventory.reserve([StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 3)], context: context)
                try await inventory.commit([StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 2)], context: context)
                try await inventory.release([StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 1)], context: context)
            }
            #expect(try await Fixtures.level(app, sku: tea, store: store) == StockLevel(onHand: 3, reserved: 0))
            await #expect(throws: InventoryError.self) {
                try await app.db.writeTransaction { db in
                    try await InventoryService.make(app, on: db).release([StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 1)], context: context)
                }
            }
            // An adjustment cannot take stock below what orders hold.
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).reserve([StockRequest(skuId: tea.id!, storeId: store.id!, quantity: 2)], context: context)
            }
            await #expect(throws: InventoryError.self) {
                try await app.db.writeTransaction { db in
                    try await InventoryService.make(app, on: db).apply(try StockChange.movement(.adjustment, quantity: -2),
                                                                       skuId: tea.id!, storeId: store.id!, context: context)
                }
            }
            let movements = try await StockMovementModel.query(on: app.db).filter(\.$referenceId == "o-1").count()
            #expect(movements == 6, "receipts 2, reserve, commit, release, reserve — failed attempts left nothing")
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("stocktake: scan barcodes, post the differences in one go, keep the sheet")
    func stocktake() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK", barcode: "6901234567892")
            let tea = try await Fixtures.sku(app, code: "TEA", barcode: "96385074")
            let (_, token) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                   json: StockReceiptInput(storeId: store.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 10),
                                                                                       StockLineInput(skuId: tea.id!, quantity: 4)]))
            let sheet = try await app.send(.POST, "/api/v1/admin/stocktakes", token: token, json: StocktakeInput(storeId: store.id!, note: "月末盘点"))
                .decode(Stocktake.self)
            #expect(sheet.status == .open)
            for _ in 0..<3 {
                _ = try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/counts", token: token,
                                       json: StocktakeCountInput(mode: .add, lines: [StockLineInput(barcode: "6901234567892", quantity: 1)]))
            }
            let counted = try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/counts", token: token,
                                             json: StocktakeCountInput(mode: .set, lines: [StockLineInput(skuCode: "TEA", quantity: 4)]))
            let open = try counted.decode(Stocktake.self)
            #expect(open.lines.map(\.counted) == [3, 4])
            #expect(open.lines.map(\.bookQuantity) == [10, 4] && open.lines.map(\.difference) == [-7, 0],
                    "before posting, the sheet shows what posting will change")
            let unknown = try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/counts", token: token,
                                             json: StocktakeCountInput(mode: .add, lines: [StockLineInput(barcode: "0000000000000", quantity: 1)]))
            #expect(unknown.problem?.errors?.first?.field == "lines[0]")

            let posted = try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/post", token: token).decode(Stocktake.self)
            #expect(posted.status == .posted)
            #expect(posted.lines.map(\.difference) == [-7, 0])
            #expect(posted.lines.map(\.bookQuantity) == [10, 4])
            #expect(try await Fixtures.level(app, sku: milk, store: store)?.onHand == 3)
            #expect(try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/post", token: token).status == .conflict)
            #expect(try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/counts", token: token,
                                       json: StocktakeCountInput(mode: .add, lines: [StockLineInput(skuId: tea.id!, quantity: 1)])).status == .conflict)
            let ledger = try await StockMovementModel.query(on: app.db).filter(\.$kind == "stocktake").all()
            #expect(ledger.map(\.onHandDelta) == [-7], "an unchanged line writes no movement")
            #expect(ledger.first?.referenceId == sheet.id.uuidString)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("a scanned barcode or typed SKU code names the item and its stock at the store; other merchants' SKUs and other stores stay out")
    func lookup() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let other = try await Fixtures.store(app, code: "SB")
            let milk = try await Fixtures.sku(app, code: "MILK", barcode: "6901234567892")
            let tea = try await Fixtures.sku(app, code: "TEA")
            let fruit = try await Fixtures.merchant(app, code: "FRUIT")
            _ = try await Fixtures.sku(app, code: "APPLE", barcode: "4006381333931", merchant: fruit.id!)
            let (_, clerk) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: clerk,
                                   json: StockReceiptInput(storeId: store.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 7)]))
            func look(_ code: String, at storeId: UUID? = nil) async throws -> APIResponse {
                try await app.send(.GET, "/api/v1/admin/inventory/levels/lookup?storeId=\((storeId ?? store.id!).uuidString)&code=\(code)", token: clerk)
            }
            let scanned = try await look("6901234567892").decode(StockLevelEntry.self)
            #expect(scanned.skuId == milk.id && scanned.onHand == 7 && scanned.productTitle == "纯牛奶 MILK")
            let typed = try await look("tea").decode(StockLevelEntry.self)
            #expect(typed.skuId == tea.id && typed.onHand == 0, "never stocked here: zero, not an error")
            #expect(try await look("4006381333931").status == .notFound, "another merchant's barcode")
            #expect(try await look("6901234567892", at: other.id!).status == .forbidden, "a store the clerk does not work at")
            let missing = try await app.send(.GET, "/api/v1/admin/inventory/levels/lookup", token: clerk)
            #expect(Set(missing.problem?.errors?.map(\.field) ?? []) == ["storeId", "code"])
        }
    }

    @Test("transfer: ship from the warehouse, in transit, partial receipt, close with a discrepancy")
    func transfer() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let warehouse = try await Fixtures.store(app, code: "WH", kind: .warehouse)
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK")
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let (_, clerk) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: hq,
                                   json: StockReceiptInput(storeId: warehouse.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 100)]))

            let eta = testEpoch.addingTimeInterval(2 * 86_400)
            let created = try await app.send(.POST, "/api/v1/admin/transfers", token: hq,
                                             json: TransferInput(fromStoreId: warehouse.id!, toStoreId: store.id!, expectedArrivalAt: eta,
                                                                 lines: [StockLineInput(skuId: milk.id!, quantity: 30)]))
            #expect(created.status == .created)
            let transfer = try created.decode(Transfer.self)
            #expect(transfer.number.hasPrefix("TR20261127"))
            #expect(transfer.fromStoreName == "Store WH" && transfer.toStoreName == "Store SA", "names travel with it: the clerk cannot look up the warehouse")
            #expect(transfer.lines.first?.title == "纯牛奶 MILK")
            #expect(try await app.send(.POST, "/api/v1/admin/transfers/\(transfer.id)/ship", token: clerk).status == .forbidden,
                    "the destination's clerk does not ship from the warehouse")
            let shipped = try await app.send(.POST, "/api/v1/admin/transfers/\(transfer.id)/ship", token: hq).decode(Transfer.self)
            #expect(shipped.status == .shipped)
            #expect(try await Fixtures.level(app, sku: milk, store: warehouse)?.onHand == 70)

            let inTransit = try await app.send(.GET, "/api/v1/admin/transfers?status=shipped", token: clerk).decode(ListPage<Transfer>.self)
            #expect(inTransit.items.map(\.id) == [transfer.id])
            #expect(inTransit.items.first?.expectedArrivalAt == eta, "the store sees what is coming and when")

            clock.advance(seconds: 600)
            let tooMany = try await app.send(.POST, "/api/v1/admin/transfers/\(transfer.id)/receive", token: clerk,
                                             json: TransferReceiptInput(lines: [StockLineInput(skuId: milk.id!, quantity: 31)]))
            #expect(tooMany.status == .unprocessableEntity)
            let partial = try await app.send(.POST, "/api/v1/admin/transfers/\(transfer.id)/receive", token: clerk,
                                             json: TransferReceiptInput(lines: [StockLineInput(skuId: milk.id!, quantity: 28)])).decode(Transfer.self)
            #expect(partial.status == .partiallyReceived)
            #expect(try await Fixtures.level(app, sku: milk, store: store)?.onHand == 28)
            #expect(try await app.send(.POST, "/api/v1/admin/transfers/\(transfer.id)/cancel", token: hq).status == .conflict)

            let closed = try await app.send(.POST, "/api/v1/admin/transfers/\(transfer.id)/close", token: clerk).decode(Transfer.self)
            #expect(closed.status == .received)
            #expect(closed.lines.first?.discrepancy == 2)
            #expect(closed.lines.first?.receivedQuantity == 28)
            try await Fixtures.expectLedgerMatchesProjection(app)

            let otherMerchant = try await Fixtures.merchant(app, code: "OTHER")
            let foreignStore = try await Fixtures.store(app, code: "XO", merchant: otherMerchant.id!)
            let wrong = try await app.send(.POST, "/api/v1/admin/transfers", token: hq,
                                           json: TransferInput(fromStoreId: warehouse.id!, toStoreId: foreignStore.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 1)]))
            #expect(wrong.problem?.errors?.first?.field == "toStoreId")
        }
    }

    @Test("low stock: one alert when available drops below the threshold, resolved on recovery, notifications delivered")
    func lowStockAlerts() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK")
            let (_, token) = try await Fixtures.staff(app, "manager", role: .storeManager, scope: .store(store.storeID))
            func outbound(_ n: Int) async throws {
                let response = try await app.send(.POST, "/api/v1/admin/inventory/outbound", token: token,
                                                  json: StockOutboundInput(storeId: store.id!, reason: "试吃", lines: [StockLineInput(skuId: milk.id!, quantity: n)]))
                #expect(response.status == .ok, "\(response.text)")
            }
            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                   json: StockReceiptInput(storeId: store.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 12)]))
            try await outbound(2)
            #expect(try await LowStockAlertModel.query(on: app.db).count() == 0, "10 available is not below the default threshold of 10")
            try await outbound(1)
            try await outbound(1)
            let open = try await app.send(.GET, "/api/v1/admin/inventory/alerts", token: token).decode(ListPage<LowStockAlert>.self)
            #expect(open.items.count == 1, "raised once, not on every further drop")
            #expect(open.items.first?.available == 9)
            #expect(open.items.first?.threshold == 10)

            let notifications = try await NotificationModel.query(on: app.db).all()
            #expect(Set(notifications.map(\.audience)) == ["store_managers", "headquarters"])
            #expect(notifications.allSatisfy { $0.body.contains("has 9 left to sell, below the alert level of 10") && $0.status == "delivered" && $0.deliveredAt != nil },
                    "the inbox is the delivery: no job in between")
            #expect(try await JobModel.query(on: app.db).filter(\.$kind == NotificationOutbox.deliverJob).count() == 0)
            // Another channel goes out by a job after the commit.
            try await NotificationOutbox(app: app, db: app.db).send(audience: .storeManagers, merchantId: nil, storeId: store.id!, title: "短信",
                                                                    body: "补货提醒", reference: nil, channel: "sms", now: testEpoch)
            #expect(try await NotificationModel.query(on: app.db).filter(\.$channel == "sms").first()?.status == "pending")
            try await app.jobs.runDue()
            #expect(try await NotificationModel.query(on: app.db).filter(\.$channel == "sms").first()?.status == "delivered")
            try await NotificationModel.query(on: app.db).filter(\.$channel == "sms").delete()
            let managerInbox = try await app.send(.GET, "/api/v1/admin/notifications", token: token).decode(ListPage<InboxNotification>.self)
            #expect(managerInbox.items.map(\.audience) == ["store_managers"])
            #expect(managerInbox.items.first?.status == "delivered")
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformOperator, scope: .platform)
            let hqInbox = try await app.send(.GET, "/api/v1/admin/notifications", token: hq).decode(ListPage<InboxNotification>.self)
            #expect(hqInbox.items.map(\.audience) == ["headquarters"])
            #expect(hqInbox.items.first?.referenceType == "low_stock_alert")
            let chinese = try await app.send(.GET, "/api/v1/admin/notifications", token: hq, headers: ["Accept-Language": "zh-CN"])
                .decode(ListPage<InboxNotification>.self)
            #expect(chinese.items.first?.title.hasPrefix("库存预警：") == true, "stored in English, read in the reader's language")
            #expect(chinese.items.first?.body.contains("可售库存仅剩 9 件，低于预警值 10。") == true, "\(chinese.items.first?.body ?? "")")
            let otherStore = try await Fixtures.store(app, code: "SB")
            let (_, otherClerk) = try await Fixtures.staff(app, "other.clerk", role: .storeClerk, scope: .store(otherStore.storeID))
            #expect(try await app.send(.GET, "/api/v1/admin/notifications", token: otherClerk).decode(ListPage<InboxNotification>.self).total == 0)

            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                   json: StockReceiptInput(storeId: store.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 5)]))
            #expect(try await app.send(.GET, "/api/v1/admin/inventory/alerts", token: token).decode(ListPage<LowStockAlert>.self).total == 0)
            clock.advance(seconds: 60)
            try await outbound(5)
            let all = try await app.send(.GET, "/api/v1/admin/inventory/alerts?status=all", token: token).decode(ListPage<LowStockAlert>.self)
            #expect(all.items.map(\.status) == ["open", "resolved"], "a new drop after recovery raises a new alert")

            // A per-SKU threshold raised above the current level alerts at once, and the low filter shows it.
            let other = try await Fixtures.sku(app, code: "TEA")
            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                   json: StockReceiptInput(storeId: store.id!, lines: [StockLineInput(skuId: other.id!, quantity: 30)]))
            let raised = try await app.send(.PUT, "/api/v1/admin/inventory/levels/\(store.id!)/\(other.id!)/threshold", token: token,
                                            json: StockThresholdInput(lowStockThreshold: 50))
            #expect(try raised.decode(StockLevelEntry.self).isLow)
            let low = try await app.send(.GET, "/api/v1/admin/inventory/levels?storeId=\(store.id!)&low=true", token: token).decode(ListPage<StockLevelEntry>.self)
            #expect(Set(low.items.map(\.skuCode)) == ["MILK", "TEA"])
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("the periodic scan raises alerts the inline check could not see")
    func scanJob() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK")
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: milk.id!, storeId: store.id!, quantity: 3)],
                                                                  context: MovementContext(now: testEpoch))
            }
            #expect(try await LowStockAlertModel.query(on: app.db).count() == 0, "stock that starts below the threshold crosses nothing")
            try await app.jobs.enqueue(LowStockAlerts.scanJob, payload: [String: String]())
            try await app.jobs.runDue()
            try await app.jobs.enqueue(LowStockAlerts.scanJob, payload: [String: String]())
            try await app.jobs.runDue()
            #expect(try await LowStockAlertModel.query(on: app.db).filter(\.$status == "open").count() == 1)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("POS sync: batches are idempotent, changes are pulled after a cursor in order")
    func posSync() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK", barcode: "6901234567892")
            let tea = try await Fixtures.sku(app, code: "TEA")
            let (_, pos) = try await Fixtures.staff(app, "pos.sa", role: .storeClerk, scope: .store(store.storeID))
            let counts = StockSyncBatchInput(externalReference: "POS-SA-0001", kind: .counts,
                                             lines: [StockLineInput(barcode: "6901234567892", quantity: 40), StockLineInput(skuCode: "TEA", quantity: 15)])
            let first = try await app.send(.POST, "/api/v1/admin/inventory/sync/\(store.id!)/batches", token: pos, json: counts).decode(StockSyncResult.self)
            #expect(first == StockSyncResult(externalReference: "POS-SA-0001", replayed: false, changedLines: 2, unchangedLines: 0, cursor: 2))
            let again = try await app.send(.POST, "/api/v1/admin/inventory/sync/\(store.id!)/batches", token: pos, json: counts).decode(StockSyncResult.self)
            #expect(again.replayed)
            #expect(again.cursor == 2)
            #expect(try await StockMovementModel.query(on: app.db).count() == 2, "the same batch twice changes nothing")

            let sales = StockSyncBatchInput(externalReference: "POS-SA-0002", kind: .movements, lines: [StockLineInput(skuId: milk.id!, quantity: -3)])
            _ = try await app.send(.POST, "/api/v1/admin/inventory/sync/\(store.id!)/batches", token: pos, json: sales)
            let sameCounts = StockSyncBatchInput(externalReference: "POS-SA-0003", kind: .counts, lines: [StockLineInput(skuId: tea.id!, quantity: 15)])
            let unchanged = try await app.send(.POST, "/api/v1/admin/inventory/sync/\(store.id!)/batches", token: pos, json: sameCounts).decode(StockSyncResult.self)
            #expect(unchanged.unchangedLines == 1)

            let page1 = try await app.send(.GET, "/api/v1/admin/inventory/sync/\(store.id!)/changes?after=0&limit=2", token: pos).decode(StockChanges.self)
            #expect(page1.changes.map(\.seq) == [1, 2])
            #expect(page1.hasMore)
            let page2 = try await app.send(.GET, "/api/v1/admin/inventory/sync/\(store.id!)/changes?after=\(page1.nextCursor)", token: pos).decode(StockChanges.self)
            #expect(page2.changes.map(\.seq) == [3])
            #expect(page2.changes.first?.onHandAfter == 37)
            #expect(!page2.hasMore)
            #expect(try await Fixtures.level(app, sku: milk, store: store)?.onHand == 37)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }
}
