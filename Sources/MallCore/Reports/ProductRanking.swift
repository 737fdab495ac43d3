import Foundation

/// What one SKU (or product) sold over the report's days.
public struct ProductSales<ID: Hashable & Sendable>: Hashable, Sendable {
    public let id: ID
    public let netUnits: Int64
    public let netSalesFen: Int64

    public init(id: ID, netUnits: Int64, netSalesFen: Int64) {
        self.id = id
        self.netUnits = netUnits
        self.netSalesFen = netSalesFen
    }
}

public enum ProductRankingOrder: String, Codable, Sendable, CaseIterable {
    case units, amount
}

/// 商品销量排名 and slow movers.
public enum ProductRanking {
    /// The best sellers first, by units or by amount, the other measure breaking ties and then
    /// `tieBreak` (a name, say) so the order never depends on how the rows came.
    public static func top<ID>(_ sales: [ProductSales<ID>], by order: ProductRankingOrder, limit: Int,
                               tieBreak: (ID, ID) -> Bool) -> [ProductSales<ID>] {
        let sorted = sales.sorted { a, b in
            let (first, second): (Int64, Int64) = order == .units ? (a.netUnits, b.netUnits) : (a.netSalesFen, b.netSalesFen)
            if first != second { return first > second }
            let (third, fourth): (Int64, Int64) = order == .units ? (a.netSalesFen, b.netSalesFen) : (a.netUnits, b.netUnits)
            if third != fourth { return third > fourth }
            return tieBreak(a.id, b.id)
        }
        return Array(sorted.prefix(max(0, limit)))
    }

    /// Slow movers (滞销): goods on sale with stock that sold the fewest units, those that sold
    /// nothing first. `onSale` lists every candidate: a candidate without sales rows sold zero.
    public static func slowMovers<ID>(_ sales: [ProductSales<ID>], onSale: [ID], limit: Int,
                                      tieBreak: (ID, ID) -> Bool) -> [ProductSales<ID>] {
        let sold = Dictionary(sales.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let candidates = onSale.map { sold[$0] ?? ProductSales(id: $0, netUnits: 0, netSalesFen: 0) }
        let sorted = candidates.sorted { a, b in
            if a.netUnits != b.netUnits { return a.netUnits < b.netUnits }
            if a.netSalesFen != b.netSalesFen { return a.netSalesFen < b.netSalesFen }
            return tieBreak(a.id, b.id)
        }
        return Array(sorted.prefix(max(0, limit)))
    }
}
