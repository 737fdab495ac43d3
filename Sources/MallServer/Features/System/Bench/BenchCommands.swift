import Fluent
import Foundation
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
        @Option(name: "stampede-units", help: "Units of the flash-sale SKU, default 1000")
        var stampedeUnits: Int?
    }

    var help: String { "Loads the benchmark data set (large; for bench/run) and writes its fixtures." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate().get()
        var options = BenchSeeder.Options()
        options.products = signature.products ?? options.products
        options.stores = signature.stores ?? options.stores
        options.members = signature.members ?? options.members
        options.orders = signature.orders ?? options.orders
        options.shoppers = signature.shoppers ?? options.shoppers
        options.stampedeUnits = signature.stampedeUnits ?? options.stampedeUnits
        let started = Date()
        let fixtures = try await BenchSeeder(app: app).run(options, out: signature.out ?? "bench/.data")
        context.console.print("bench-seed: \(options.products) products, \(options.stores) stores, \(options.members) members, "
            + "\(options.orders) orders in \(Int(Date().timeIntervalSince(started))) s; stampede SKU \(fixtures.stampede.skuId)")
        let phases = fixtures.seedSeconds.sorted { $0.value > $1.value }.map { "\($0.key) \(Int($0.value.rounded())) s" }
        context.console.print("bench-seed phases: " + phases.joined(separator: ", "))
    }
}

/// `chainmall bench-check --sku ID`: after a flash-sale run, checks that nothing was oversold
/// and the books agree; prints JSON and fails when a check fails.
struct BenchCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "sku", help: "The flash-sale SKU id")
        var sku: String?
    }

    var help: String { "Checks stock, orders and the ledger of one SKU after a stampede run." }

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

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let raw = signature.sku, let skuId = UUID(uuidString: raw) else {
            context.console.error("Pass --sku with the flash-sale SKU id.")
            exit(2)
        }
        let report = try await Self.check(skuId: skuId, on: context.application.db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        context.console.print(String(decoding: try encoder.encode(report), as: UTF8.self))
        // A failed check is the command's answer, not a crash: exit non-zero for the harness.
        if !report.ok { exit(1) }
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
