import Foundation
import MallCore

/// A report's figures with the measures worked out (amounts in fen, rates in basis points,
/// items per order in hundredths), so clients show the same numbers the exports hold.
public struct SalesReportFigures: Codable, Sendable, Equatable {
    public var figures: SalesFigures
    public var netSalesFen: Int64
    public var averageOrderFen: Int64?
    public var unitsPerOrderHundredths: Int64?
    public var refundRateBasisPoints: Int?
    public var grossMarginFen: Int64?
    public var grossMarginBasisPoints: Int?
    public var returningShareBasisPoints: Int?

    public init(_ figures: SalesFigures) {
        self.figures = figures
        netSalesFen = figures.netSalesFen
        averageOrderFen = figures.averageOrderFen
        unitsPerOrderHundredths = figures.unitsPerOrderHundredths
        refundRateBasisPoints = figures.refundRateBasisPoints
        grossMarginFen = figures.grossMarginFen
        grossMarginBasisPoints = figures.grossMarginBasisPoints
        returningShareBasisPoints = figures.returningShareBasisPoints
    }
}

public struct SalesReportDay: Codable, Sendable, Equatable {
    public var day: CalendarDate
    public var figures: SalesReportFigures

    public init(day: CalendarDate, figures: SalesReportFigures) {
        self.day = day
        self.figures = figures
    }
}

public struct SalesReportChannel: Codable, Sendable, Equatable {
    public var channel: SalesChannel
    public var figures: SalesReportFigures

    public init(channel: SalesChannel, figures: SalesReportFigures) {
        self.channel = channel
        self.figures = figures
    }
}

/// `GET /admin/reports/sales`: the caller's stores over a range of shop days, against the
/// period before and the same days a year earlier.
public struct SalesReport: Codable, Sendable, Equatable {
    public var from: CalendarDate
    public var to: CalendarDate
    public var timeZone: String
    public var storeIds: [UUID]
    public var totals: SalesReportFigures
    public var previous: SalesReportFigures
    public var lastYear: SalesReportFigures
    /// Net sales against the previous period and last year.
    public var netSalesChange: Change
    public var netSalesChangeOnLastYear: Change
    public var days: [SalesReportDay]
    public var channels: [SalesReportChannel]
    /// Orders and net sales by weekday (Monday first) and hour of the shop's day.
    public var heatmap: SalesHeatmap
    /// How far the figures are folded: orders paid and refunds completed up to these moments.
    public var foldedOrdersUntil: Date?
    public var foldedRefundsUntil: Date?
    /// With `?grain=`: the days, weeks or months of the report, each against the period before
    /// and the same period last year (纵向分析).
    public var grain: PeriodGrain?
    public var periods: [SalesPeriodComparison]?

    public init(from: CalendarDate, to: CalendarDate, timeZone: String, storeIds: [UUID], totals: SalesReportFigures, previous: SalesReportFigures,
                lastYear: SalesReportFigures, netSalesChange: Change, netSalesChangeOnLastYear: Change, days: [SalesReportDay],
                channels: [SalesReportChannel], heatmap: SalesHeatmap, foldedOrdersUntil: Date?, foldedRefundsUntil: Date?,
                grain: PeriodGrain? = nil, periods: [SalesPeriodComparison]? = nil) {
        self.grain = grain
        self.periods = periods
        self.from = from
        self.to = to
        self.timeZone = timeZone
        self.storeIds = storeIds
        self.totals = totals
        self.previous = previous
        self.lastYear = lastYear
        self.netSalesChange = netSalesChange
        self.netSalesChangeOnLastYear = netSalesChangeOnLastYear
        self.days = days
        self.channels = channels
        self.heatmap = heatmap
        self.foldedOrdersUntil = foldedOrdersUntil
        self.foldedRefundsUntil = foldedRefundsUntil
    }
}

/// One store in the side-by-side comparison (横向对比): its figures, its rank on every measure
/// among the stores shown (1 is best), and its month against its sales target.
public struct StoreComparisonRow: Codable, Sendable, Equatable {
    public var storeId: UUID
    public var storeCode: String
    public var storeName: String
    public var merchantId: UUID
    public var figures: SalesReportFigures
    public var ranks: [String: Int]
    public var target: TargetProgress?

    public init(storeId: UUID, storeCode: String, storeName: String, merchantId: UUID, figures: SalesReportFigures, ranks: [String: Int],
                target: TargetProgress?) {
        self.storeId = storeId
        self.storeCode = storeCode
        self.storeName = storeName
        self.merchantId = merchantId
        self.figures = figures
        self.ranks = ranks
        self.target = target
    }
}

/// `GET /admin/reports/stores`: every store within reach over the same days, ranked on every
/// measure; targets are for the month of `to`.
public struct StoreComparisonReport: Codable, Sendable, Equatable {
    public var from: CalendarDate
    public var to: CalendarDate
    public var targetMonth: String
    public var stores: [StoreComparisonRow]

    public init(from: CalendarDate, to: CalendarDate, targetMonth: String, stores: [StoreComparisonRow]) {
        self.from = from
        self.to = to
        self.targetMonth = targetMonth
        self.stores = stores
    }
}

/// `PUT /admin/stores/{storeId}/targets/{month}`: a store's net sales target for a month.
public struct StoreTargetInput: Codable, Sendable, Equatable {
    public var targetFen: Int64

    public init(targetFen: Int64) {
        self.targetFen = targetFen
    }
}

public struct StoreTarget: Codable, Sendable, Equatable {
    public var storeId: UUID
    public var month: String
    public var targetFen: Int64

    public init(storeId: UUID, month: String, targetFen: Int64) {
        self.storeId = storeId
        self.month = month
        self.targetFen = targetFen
    }
}

/// One SKU in a ranking: what it sold over the report's days, net of refunds.
public struct ProductSalesRow: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var productId: UUID
    public var title: String
    public var specTitle: String
    public var netUnits: Int64
    public var netSalesFen: Int64

    public init(skuId: UUID, productId: UUID, title: String, specTitle: String, netUnits: Int64, netSalesFen: Int64) {
        self.skuId = skuId
        self.productId = productId
        self.title = title
        self.specTitle = specTitle
        self.netUnits = netUnits
        self.netSalesFen = netSalesFen
    }
}

public struct CategorySalesRow: Codable, Sendable, Equatable {
    public var categoryId: UUID
    public var name: String
    public var netUnits: Int64
    public var netSalesFen: Int64
    /// Share of the report's net sales.
    public var shareBasisPoints: Int?

    public init(categoryId: UUID, name: String, netUnits: Int64, netSalesFen: Int64, shareBasisPoints: Int?) {
        self.categoryId = categoryId
        self.name = name
        self.netUnits = netUnits
        self.netSalesFen = netSalesFen
        self.shareBasisPoints = shareBasisPoints
    }
}

/// `GET /admin/reports/products`: 商品销量排名 (by units or amount), slow movers and the category mix.
public struct ProductSalesReport: Codable, Sendable, Equatable {
    public var from: CalendarDate
    public var to: CalendarDate
    public var order: ProductRankingOrder
    public var top: [ProductSalesRow]
    /// Goods on sale (with stock at the store, for one store) that sold the least, none first.
    public var slowMovers: [ProductSalesRow]
    public var categories: [CategorySalesRow]

    public init(from: CalendarDate, to: CalendarDate, order: ProductRankingOrder, top: [ProductSalesRow], slowMovers: [ProductSalesRow],
                categories: [CategorySalesRow]) {
        self.from = from
        self.to = to
        self.order = order
        self.top = top
        self.slowMovers = slowMovers
        self.categories = categories
    }
}

/// One group of after-sales cases: `key` is a kind (`refund_only`, `return_and_refund`,
/// `exchange`) or a reason code (`damaged`, `changed_mind`, …).
public struct AfterSalesReportRow: Codable, Sendable, Equatable {
    public var key: String
    public var figures: AfterSalesFigures

    public init(key: String, figures: AfterSalesFigures) {
        self.key = key
        self.figures = figures
    }
}

public struct AfterSalesStoreRow: Codable, Sendable, Equatable {
    public var storeId: UUID
    public var storeCode: String
    public var storeName: String
    public var figures: AfterSalesFigures

    public init(storeId: UUID, storeCode: String, storeName: String, figures: AfterSalesFigures) {
        self.storeId = storeId
        self.storeCode = storeCode
        self.storeName = storeName
        self.figures = figures
    }
}

/// `GET /admin/reports/after-sales`: the cases opened over the report's shop days, by kind, by
/// reason and by store (stores with cases, most first); rates are against the same days' sales.
public struct AfterSalesReport: Codable, Sendable, Equatable {
    public var from: CalendarDate
    public var to: CalendarDate
    public var totals: AfterSalesFigures
    public var byKind: [AfterSalesReportRow]
    public var byReason: [AfterSalesReportRow]
    public var byStore: [AfterSalesStoreRow]

    public init(from: CalendarDate, to: CalendarDate, totals: AfterSalesFigures, byKind: [AfterSalesReportRow], byReason: [AfterSalesReportRow],
                byStore: [AfterSalesStoreRow]) {
        self.from = from
        self.to = to
        self.totals = totals
        self.byKind = byKind
        self.byReason = byReason
        self.byStore = byStore
    }
}

/// Members at one level (`level` nil: members without one).
public struct MemberLevelCount: Codable, Sendable, Equatable {
    public var level: String?
    public var name: String
    public var members: Int64

    public init(level: String?, name: String, members: Int64) {
        self.level = level
        self.name = name
        self.members = members
    }
}

/// `GET /admin/reports/members`: 会员统计 over shop days. Headquarters across every store sees
/// every member (`newMembers` registered in the period, `byLevel` everyone by current level);
/// a narrower view counts the members who bought in its stores in the period.
public struct MemberReport: Codable, Sendable, Equatable {
    public var from: CalendarDate
    public var to: CalendarDate
    public var newMembers: Int64
    public var figures: MemberFigures
    public var byLevel: [MemberLevelCount]

    public init(from: CalendarDate, to: CalendarDate, newMembers: Int64, figures: MemberFigures, byLevel: [MemberLevelCount]) {
        self.from = from
        self.to = to
        self.newMembers = newMembers
        self.figures = figures
        self.byLevel = byLevel
    }
}

/// One period of a period comparison: its figures, those of the period before and of the same
/// period last year, and how every measure moved against each (keyed by `SalesMeasure`).
public struct SalesPeriodComparison: Codable, Sendable, Equatable {
    public var periods: ComparedPeriods
    public var figures: SalesReportFigures
    public var previous: SalesReportFigures
    public var lastYear: SalesReportFigures
    public var changes: [String: Change]
    public var changesOnLastYear: [String: Change]

    public init(periods: ComparedPeriods, figures: SalesFigures, previous: SalesFigures, lastYear: SalesFigures) {
        self.periods = periods
        self.figures = SalesReportFigures(figures)
        self.previous = SalesReportFigures(previous)
        self.lastYear = SalesReportFigures(lastYear)
        changes = SalesMeasure.changes(figures, against: previous)
        changesOnLastYear = SalesMeasure.changes(figures, against: lastYear)
    }
}
