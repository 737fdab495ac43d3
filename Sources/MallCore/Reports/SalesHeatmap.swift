import Foundation

/// Orders and sales by weekday and hour of the shop's day (7 × 24 cells), for the heat map.
public struct SalesHeatmap: Hashable, Codable, Sendable {
    public struct Cell: Hashable, Codable, Sendable {
        public var orders: Int64
        public var netSalesFen: Int64

        public init(orders: Int64 = 0, netSalesFen: Int64 = 0) {
            self.orders = orders
            self.netSalesFen = netSalesFen
        }
    }

    /// cells[weekday - 1][hour]
    public private(set) var cells: [[Cell]] = Array(repeating: Array(repeating: Cell(), count: 24), count: 7)

    public init() {}

    /// Adds one day's hour: `hour` outside 0…23 is ignored rather than trusted.
    public mutating func add(day: CalendarDate, hour: Int, orders: Int64, netSalesFen: Int64) {
        guard (0..<24).contains(hour) else { return }
        let row = day.weekday.rawValue - 1
        cells[row][hour].orders = cells[row][hour].orders.addingReportingOverflow(orders).partialValue
        cells[row][hour].netSalesFen = cells[row][hour].netSalesFen.addingReportingOverflow(netSalesFen).partialValue
    }

    public func cell(_ weekday: Weekday, hour: Int) -> Cell {
        (0..<24).contains(hour) ? cells[weekday.rawValue - 1][hour] : Cell()
    }

    /// The busiest cell by orders (earliest weekday and hour on a tie); nil when nothing sold.
    public var peak: (weekday: Weekday, hour: Int)? {
        var best: (Weekday, Int, Int64)?
        for weekday in Weekday.allCases {
            for hour in 0..<24 {
                let orders = cell(weekday, hour: hour).orders
                if orders > 0, orders > (best?.2 ?? 0) { best = (weekday, hour, orders) }
            }
        }
        return best.map { ($0.0, $0.1) }
    }
}
