import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Reports: CSV and XLSX exports")
struct ReportExportTests {
    /// The workbook's first sheet as openpyxl reads it, each cell as the CSV writes it: numbers
    /// with a two-decimal format as yuan, other numbers whole, dates as the day.
    static let readBack = """
        import json, sys, openpyxl
        sheet = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
        def cell(c):
            v = c.value
            if v is None: return ""
            if hasattr(v, "date"): return v.date().isoformat()
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return f"{v:.2f}" if "0.00" in c.number_format else str(int(v))
            return str(v)
        print(json.dumps([[cell(c) for c in row] for row in sheet.iter_rows()], ensure_ascii=False))
        """

    static func openpyxlRows(_ bytes: ByteBuffer) throws -> [[String]] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).xlsx")
        try Data(buffer: bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", readBack, path.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode([[String]].self, from: data)
    }

    @Test("every report downloads as CSV (UTF-8 with a BOM) and as an XLSX that openpyxl opens with the same numbers in typed cells; unknown reports and formats are refused")
    func exports() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 50, farStock: 50)
            _ = try await OrderDeskTests.paidOrder(app, quantity: 3, pickupAt: StoreModel(), in: shop, mobile: "13900000601")
            _ = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: shop.far, in: shop, mobile: "13900000602")
            clock.advance(seconds: 60)
            _ = try await SalesLedger(app: app, db: app.db).fold(now: clock.now())
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let day = LocalTime.calendarDate(of: testEpoch, in: try #require(TimeZone(identifier: "Asia/Shanghai")))
            let query = "from=\(day.adding(days: -2)!)&to=\(day)"
            let report = try await app.send(.GET, "/api/v1/admin/reports/sales?\(query)", token: admin).decode(SalesReport.self)
            for kind in ["sales", "stores", "products", "after-sales", "members"] {
                let csv = try await app.send(.GET, "/api/v1/admin/reports/\(kind)/export?format=csv&\(query)", token: admin)
                #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv", "\(kind): \(csv.text)")
                #expect(Array(csv.body.readableBytesView.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(kind): a BOM for Excel")
                let xlsx = try await app.send(.GET, "/api/v1/admin/reports/\(kind)/export?format=xlsx&\(query)", token: admin)
                #expect(xlsx.status == .ok && xlsx.headers.first(name: .contentDisposition)?.contains("\(kind)-") == true)
                let rows = try CSV.parse(String(csv.text.drop { $0 == "\u{FEFF}" }))
                #expect(try Self.openpyxlRows(xlsx.body) == rows, "\(kind)")
                if kind == "sales" {
                    #expect(rows.count == 4 && rows[0].first == "Day" && rows.last?.first == day.description)
                    #expect(rows.last?[1] == String(report.days.last!.figures.figures.orders) && rows.last?[5] == YuanText.format(fen: report.days.last!.figures.netSalesFen))
                    #expect(report.days.last!.figures.figures.orders == 2)
                }
            }
            #expect(try await app.send(.GET, "/api/v1/admin/reports/orders/export", token: admin).status == .notFound)
            let bad = try await app.send(.GET, "/api/v1/admin/reports/sales/export?format=pdf", token: admin)
            #expect(bad.problem?.errors?.map(\.field) == ["format"])
            let clerk = try await Fixtures.staff(app, "shopper.like", role: .storeClerk, scope: .store(shop.near.storeID)).1
            #expect(try await app.send(.GET, "/api/v1/admin/reports/sales/export", token: clerk).status == .forbidden)
        }
    }
}
