import MallCore
import Testing

@Suite("CSV")
struct CSVTests {
    @Test("quoted fields keep commas, quotes and line breaks; BOM and CRLF are handled")
    func parsing() throws {
        let text = "\u{FEFF}标题,价格\r\n\"纯牛奶, 250ml\",3.50\r\n\"说 \"\"好\"\"\",\"两\nlines\"\r\n\r\n"
        #expect(try CSV.parse(text) == [["标题", "价格"], ["纯牛奶, 250ml", "3.50"], ["说 \"好\"", "两\nlines"]])
        #expect(try CSV.parse("a,,c\nd,e,") == [["a", "", "c"], ["d", "e", ""]])
    }

    @Test("broken quoting is reported with its line")
    func errors() {
        #expect(throws: CSV.ParseError(line: 2, message: "a quoted field is not closed")) { try CSV.parse("a\n\"b,c") }
        #expect(throws: CSV.ParseError.self) { try CSV.parse("a\"b") }
        #expect(throws: CSV.ParseError.self) { try CSV.parse("\"a\"b") }
    }

    @Test("what we write, we read back unchanged")
    func roundTrip() throws {
        let rows = [["编码", "标题"], ["D-1", "含,逗号"], ["D-2", "含\"引号\""], ["D-3", "多\r\n行"], ["D-4", ""]]
        #expect(try CSV.parse(CSV.write(rows)) == rows)
        #expect(CSV.write([["=SUM(A1)", "-3", "+x"]]) == "'=SUM(A1),-3,'+x\r\n", "formulas are defused, numbers kept")
    }

    @Test("yuan text converts to fen exactly")
    func yuan() throws {
        #expect(try YuanText.parse("12.9", field: "p") == 1_290)
        #expect(try YuanText.parse("0.05", field: "p") == 5)
        #expect(try YuanText.parse("7", field: "p") == 700)
        #expect(YuanText.format(fen: 1_290) == "12.90")
        #expect(YuanText.format(fen: 5) == "0.05")
        // Digits other than ASCII (full width from a Chinese IME, Arabic-Indic, 五, ½) once passed
        // the check and then trapped the import on a force unwrap.
        for bad in ["1.234", "-1", "abc", "", "1e3", "1.2.3", "12.５０", "12.五", "1.½", "1.٣", "１２.50", "99999999999999999999", "1."] {
            #expect(throws: ValidationFailure.self, "\(bad)") { try YuanText.parse(bad, field: "p") }
        }
    }
}
