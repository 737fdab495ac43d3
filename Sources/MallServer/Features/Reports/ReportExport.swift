import Foundation
import MallAPI
import MallCore
import Vapor

/// Reports as rows for CSV and XLSX: a header, then one row per day, store, product or group.
/// Headers are English, written in the reader's language (`text` is `Request.serverText`, whose
/// Chinese is in `Resources/Locales/server/zh-CN.json`); codes (kinds, reasons, channels) stay codes.
enum ReportExport {
    enum Kind: String, CaseIterable {
        case sales, stores, products, afterSales = "after-sales", members

        var path: PathComponent { PathComponent(stringLiteral: rawValue) }
    }

    /// A shop day as a date cell: its first instant, shown in the shop's zone.
    static func day(_ day: CalendarDate, _ timeZone: TimeZone) -> SpreadsheetWriter.Cell {
        .date(LocalTime.start(of: day, in: timeZone))
    }

    static func optional(_ value: Int64?) -> SpreadsheetWriter.Cell {
        value.map { .integer($0) } ?? .text("")
    }

    static func optional(_ value: Int?) -> SpreadsheetWriter.Cell {
        optional(value.map(Int64.init))
    }

    static func optionalMoney(_ fen: Int64?) -> SpreadsheetWriter.Cell {
        fen.map { .money(fen: $0) } ?? .text("")
    }

    static func figures(_ figures: SalesReportFigures) -> [SpreadsheetWriter.Cell] {
        [.integer(figures.figures.orders), .integer(figures.figures.units), .money(fen: figures.figures.grossFen), .money(fen: figures.figures.refundedFen),
         .money(fen: figures.netSalesFen), optionalMoney(figures.averageOrderFen), optional(figures.refundRateBasisPoints),
         optionalMoney(figures.grossMarginFen)]
    }

    static let figureHeader = ["Orders", "Units", "Gross sales", "Refunded", "Net sales", "Average order", "Refund rate (bp)", "Gross margin"]

    static func sales(_ report: SalesReport, timeZone: TimeZone, text: (String) -> String) -> [[SpreadsheetWriter.Cell]] {
        [(["Day"] + figureHeader).map { .text(text($0)) }] + report.days.map { [day($0.day, timeZone)] + figures($0.figures) }
    }

    static func stores(_ report: StoreComparisonReport, text: (String) -> String) -> [[SpreadsheetWriter.Cell]] {
        [(["Store code", "Store"] + figureHeader + ["Target", "Attainment (bp)"]).map { .text(text($0)) }] + report.stores.map { store in
            [.text(store.storeCode), .text(store.storeName)] + figures(store.figures)
                + [optionalMoney(store.target?.targetFen), optional(store.target?.attainmentBasisPoints)]
        }
    }

    static func products(_ report: ProductSalesReport, text: (String) -> String) -> [[SpreadsheetWriter.Cell]] {
        [["Rank", "Product", "Specification", "Net units", "Net sales"].map { .text(text($0)) }] + report.top.enumerated().map { index, row in
            [.integer(Int64(index + 1)), .text(row.title), .text(row.specTitle), .integer(row.netUnits), .money(fen: row.netSalesFen)]
        }
    }

    static func afterSales(_ report: AfterSalesReport, text: (String) -> String) -> [[SpreadsheetWriter.Cell]] {
        func cells(_ figures: AfterSalesFigures) -> [SpreadsheetWriter.Cell] {
            [.integer(figures.cases), .integer(figures.openCases), .integer(figures.closedCases), .money(fen: figures.refundedFen),
             optional(figures.refundRateBasisPoints), optional(figures.caseRateBasisPoints), optional(figures.medianHandlingSeconds),
             optional(figures.p90HandlingSeconds)]
        }
        let header = ["Breakdown", "Group", "Cases", "Open", "Closed", "Refunded", "Refund rate (bp)", "Cases per order (bp)",
                      "Median handling (s)", "P90 handling (s)"]
        return [header.map { .text(text($0)) }, [.text(text("Total")), .text("")] + cells(report.totals)]
            + report.byKind.map { [.text(text("Kind")), .text($0.key)] + cells($0.figures) }
            + report.byReason.map { [.text(text("Reason")), .text($0.key)] + cells($0.figures) }
            + report.byStore.map { [.text(text("Store")), .text($0.storeName)] + cells($0.figures) }
    }

    static func members(_ report: MemberReport, text: (String) -> String) -> [[SpreadsheetWriter.Cell]] {
        let figures = report.figures
        let measures: [(String, SpreadsheetWriter.Cell)] = [
            ("New members", .integer(report.newMembers)), ("Buyers", .integer(figures.buyers)), ("Repeat buyers", .integer(figures.repeatBuyers)),
            ("Repurchase rate (bp)", optional(figures.repurchaseRateBasisPoints)), ("New customers", .integer(figures.newCustomers)),
            ("Returning customers", .integer(figures.returningCustomers)),
        ]
        return [[.text(text("Measure")), .text(text("Value"))]] + measures.map { [.text(text($0.0)), $0.1] }
            + report.byLevel.map { [.text(text("Members at level") + " " + $0.name), .integer($0.members)] }
    }

    /// The CSV form of a cell: amounts in yuan with two decimals, days as YYYY-MM-DD in the shop's zone.
    static func text(_ cell: SpreadsheetWriter.Cell, timeZone: TimeZone) -> String {
        switch cell {
        case .text(let text): text
        case .integer(let value): String(value)
        case .money(let fen): YuanText.format(fen: fen)
        case .date(let date): LocalTime.calendarDate(of: date, in: timeZone).description
        }
    }

    /// UTF-8 with a byte order mark, so Excel opens Chinese text as UTF-8.
    static func csv(_ rows: [[SpreadsheetWriter.Cell]], timeZone: TimeZone) -> String {
        "\u{FEFF}" + CSV.write(rows.map { $0.map { text($0, timeZone: timeZone) } })
    }

    static func xlsx(_ rows: [[SpreadsheetWriter.Cell]], sheetName: String, timeZone: TimeZone) -> [UInt8] {
        var sheet = SpreadsheetWriter(sheetName: sheetName, timeZone: timeZone)
        for row in rows { sheet.append(row) }
        return sheet.data()
    }
}
