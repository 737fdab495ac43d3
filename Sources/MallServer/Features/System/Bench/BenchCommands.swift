import Fluent
import Foundation
import MallAPI
import SQLKit
import Vapor

/// `chainmall bench-seed --out DIR`: loads the benchmark data set and writes the fixtures the
/// load scripts read (see bench/README.md).
struct BenchSeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "out", help: "Folder for fixtures.json and member_tokens.txt")
        var out: String?
        @Option(name: "products", help: "Products (four SKUs each), default 10000")
        var products: Int?
        @Option(name: "stores", help: "Stores and warehouses in all, default 50")
        var stores: Int?
        @Option(name: "members", help: "Members, default 100000")
        var members: Int?
        @Option(name: "orders", help: "Historical orders, default 200000")
        var orders: Int?
        @Option(name: "shoppers", help: "Members given a token for the load scripts, default 5000")
        var shoppers: Int?
        @Option(name: "stampede-units", help: "Units of the stampede's SKU, default 1000")
        var stampedeUnits: Int?
        @Option(name: "flash-units", help: "Quota of the flash-sale session's one SKU, default 1000")
        var flashUnits: Int?
        @Option(name: "flash-limit", help: "Units one member may buy in the flash sale, default 2")
        var flashLimit: Int?
    }

    var help: String { "Loads the benchmark data set (large; for bench/run) and writes its fixtures." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.migrateExclusively()
        var options = BenchSeeder.Options()
        options.products = signature.products ?? options.products
        options.stores = signature.stores ?? options.stores
        options.members = signature.members ?? options.members
        options.orders = signature.orders ?? options.orders
        options.shoppers = signature.shoppers ?? options.shoppers
        options.stampedeUnits = signature.stampedeUnits ?? options.stampedeUnits
        options.flashUnits = signature.flashUnits ?? options.flashUnits
        options.flashLimit = signature.flashLimit ?? options.flashLimit
        let started = Date()
        let fixtures = try await BenchSeeder(app: app).run(options, out: signature.out ?? "bench/.data")
        context.console.print("bench-seed: \(options.products) products, \(options.stores) stores, \(options.members) members, "
            + "\(options.orders) orders in \(Int(Date().timeIntervalSince(started))) s; stampede SKU \(fixtures.stampede.skuId); "
            + "flash session \(fixtures.flashSale.sessionId)")
        let phases = fixtures.seedSeconds.sorted { $0.value > $1.value }.map { "\($0.key) \(Int($0.value.rounded())) s" }
        context.console.print("bench-seed phases: " + phases.joined(separator: ", "))
    }
}

/// `chainmall bench-check --sku ID`: after a stampede run, checks that nothing was oversold and
/// the books agree; `--flash-session ID` checks the flash sale instead. Prints JSON and fails
/// when a check fails.
struct BenchCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "sku", help: "The stampede's SKU id")
        var sku: String?
        @Option(name: "flash-session", help: "The flash-sale session id (checks the flash sale instead of --sku)")
        var flashSession: String?
        @Option(name: "gate", help: "The session's live view (GET …/flash-sales/{id}/live) saved by bench/run while the server ran")
        var gate: String?
        @Flag(name: "expect-sold-out", help: "Demand exceeded the quota: every unit must be sold")
        var expectSoldOut: Bool
    }

    var help: String { "Checks stock, orders and the ledger of one SKU after a stampede or flash-sale run." }

    struct Report: Codable {
        var startingStock: Int
        var remaining: Int
        var reserved: Int
        var sold: Int
        var ordersPlaced: Int
        var negativeStockRows: Int
        var ordersWithoutReservation: Int
        var ledgerMatchesProjection: Bool
        var ok: Bool
    }

    /// The flash sale's books: units sold within the quota (all of it when demand exceeded it),
    /// every active purchase's units held by a live order reserved through the ledger, every
    /// member within the limit with a counter equal to their purchases, and the server's gate
    /// where the database says it should be.
    struct FlashReport: Codable {
        var quota: Int
        var sold: Int
        var activePurchaseUnits: Int
        var orderedUnits: Int
        var ordersPlaced: Int
        var soldOut: Bool
        var perMemberLimit: Int
        var buyers: Int
        var membersOverLimit: Int
        var memberCountsMatchPurchases: Bool
        var startingStock: Int
        var stockRemaining: Int
        var negativeStockRows: Int
        var ordersWithoutReservation: Int
        var ledgerMatchesProjection: Bool
        var gateLeft: Int?
        var gateRefusals: Int?
        var gateMatchesDatabase: Bool?
        var ok: Bool
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json: Data
        let ok: Bool
        if let raw = signature.flashSession {
            guard let sessionId = UUID(uuidString: raw) else {
                context.console.error("--flash-session needs a session id.")
                exit(2)
            }
            let live = try signature.gate.map { try JSONDecoder.api.decode(FlashSessionLive.self, from: Data(contentsOf: URL(fileURLWithPath: $0))) }
            let report = try await Self.checkFlash(sessionId: sessionId, live: live, expectSoldOut: signature.expectSoldOut, on: context.application.db)
            (json, ok) = (try encoder.encode(report), report.ok)
        } else {
            guard let raw = signature.sku, let skuId = UUID(uuidString: raw) else {
                context.console.error("Pass --sku with the stampede's SKU id, or --flash-session.")
                exit(2)
            }
            let report = try await Self.check(skuId: skuId, on: context.application.db)
            (json, ok) = (try encoder.encode(report), report.ok)
        }
        context.console.print(String(decoding: json, as: UTF8.self))
        // A failed check is the command's answer, not a crash: exit non-zero for the harness.
        if !ok { exit(1) }
    }

    static func checkFlash(sessionId: UUID, live: FlashSessionLive?, expectSoldOut: Bool, on db: any Database) async throws -> FlashReport {
        guard let session = try await FlashSessionModel.find(sessionId, on: db),
              let item = try await FlashItemModel.query(on: db).filter(\.$sessionId == sessionId).first()
        else { throw Abort(.notFound, reason: "no flash-sale session \(sessionId) with an item") }
        let active = try await FlashPurchaseModel.query(on: db).filter(\.$itemId == item.id!)
            .filter(\.$status == FlashPurchaseStatus.active.rawValue).all()
        let held = Dictionary(grouping: active, by: \.memberId).mapValues { $0.reduce(0) { $0 + $1.quantity } }
        let counted = Dictionary(uniqueKeysWithValues: try await FlashMemberCountModel.query(on: db).filter(\.$itemId == item.id!).all()
            .filter { $0.bought > 0 }.map { ($0.memberId, $0.bought) })
        let stock = try await check(skuId: item.skuId, on: db)
        let activeUnits = held.values.reduce(0, +)
        let gateLeft = live?.items.first { $0.skuId == item.skuId }?.gateLeft
        let gateMatches = live.map { _ in gateLeft == item.quota - item.sold }
        let over = held.values.filter { $0 > session.perMemberLimit }.count
        let ok = stock.ok && item.sold <= item.quota && activeUnits == item.sold && stock.sold == item.sold && over == 0 && counted == held
            && gateMatches != false && (!expectSoldOut || item.sold == item.quota)
        return FlashReport(quota: item.quota, sold: item.sold, activePurchaseUnits: activeUnits, orderedUnits: stock.sold, ordersPlaced: stock.ordersPlaced,
                           soldOut: item.sold == item.quota, perMemberLimit: session.perMemberLimit, buyers: held.count, membersOverLimit: over,
                           memberCountsMatchPurchases: counted == held, startingStock: stock.startingStock, stockRemaining: stock.remaining,
                           negativeStockRows: stock.negativeStockRows, ordersWithoutReservation: stock.ordersWithoutReservation,
                           ledgerMatchesProjection: stock.ledgerMatchesProjection, gateLeft: gateLeft, gateRefusals: live?.refusals,
                           gateMatchesDatabase: gateMatches, ok: ok)
    }

    static func check(skuId: UUID, on db: any Database) async throws -> Report {
        let movements = try await StockMovementModel.query(on: db).filter(\.$skuId == skuId).all()
        let levels = try await StockLevelModel.query(on: db).filter(\.$skuId == skuId).all()
        let starting = movements.filter { $0.kind == "receipt" }.reduce(0) { $0 + $1.onHandDelta }
        let lines = try await OrderLineModel.query(on: db).filter(\.$skuId == skuId).all()
        let orders = try await OrderModel.query(on: db).filter(\.$id ~~ Set(lines.map(\.orderId)))
            .filter(\.$status !~ ["cancelled", "expired"]).all()
        let live = Set(orders.compactMap(\.id))
        let sold = lines.filter { live.contains($0.orderId) }.reduce(0) { $0 + $1.quantity }
        let reservedFor = Set(movements.filter { $0.kind == "reserve" }.compactMap(\.referenceId))
        let missing = live.filter { !reservedFor.contains($0.uuidString) }.count
        var ledgerOK = true
        for level in levels {
            let mine = movements.filter { $0.storeId == level.storeId }
            if mine.reduce(0, { $0 + $1.onHandDelta }) != level.onHand || mine.reduce(0, { $0 + $1.reservedDelta }) != level.reserved { ledgerOK = false }
        }
        let negative = levels.filter { $0.onHand < 0 || $0.reserved < 0 || $0.reserved > $0.onHand }.count
        let remaining = levels.reduce(0) { $0 + $1.onHand - $1.reserved }
        let reserved = levels.reduce(0) { $0 + $1.reserved }
        let ok = starting - remaining == sold && negative == 0 && missing == 0 && ledgerOK && sold <= starting
        return Report(startingStock: starting, remaining: remaining, reserved: reserved, sold: sold, ordersPlaced: live.count,
                      negativeStockRows: negative, ordersWithoutReservation: missing, ledgerMatchesProjection: ledgerOK, ok: ok)
    }
}
