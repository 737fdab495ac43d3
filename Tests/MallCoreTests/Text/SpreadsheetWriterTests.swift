import Foundation
import MallCore
import Testing

@Suite("XLSX writer")
struct SpreadsheetWriterTests {
    /// The entries of a stored ZIP as a reader finds them: through the central directory, each
    /// local header's name, sizes and CRC-32 checked against the bytes that follow it.
    static func entries(_ bytes: [UInt8]) throws -> [String: String] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        let end = bytes.count - 22
        #expect(u32(end) == 0x0605_4B50, "end of central directory")
        var cursor = u32(end + 16)
        var found: [String: String] = [:]
        for _ in 0..<u16(end + 10) {
            #expect(u32(cursor) == 0x0201_4B50)
            let nameLength = u16(cursor + 28), local = u32(cursor + 42)
            let name = String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
            #expect(u32(local) == 0x0403_4B50 && u16(local + 8) == 0, "\(name) is stored")
            let size = u32(local + 18), start = local + 30 + u16(local + 26)
            let data = Array(bytes[start..<(start + size)])
            #expect(u32(local + 14) == u32(cursor + 16) && UInt32(u32(local + 14)) == Self.crc(data), "\(name)'s CRC-32")
            found[name] = String(decoding: data, as: UTF8.self)
            cursor += 46 + nameLength
        }
        return found
    }

    /// Bit by bit, independently of the writer's table.
    static func crc(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test("a workbook is a ZIP of the five SpreadsheetML parts with typed cells: text inline, amounts and dates as numbers")
    func workbook() throws {
        var sheet = SpreadsheetWriter(sheetName: "Statement", timeZone: try #require(TimeZone(identifier: "Asia/Shanghai")))
        sheet.append([.text("商家 & <Co>"), .integer(42), .money(fen: -1_205), .date(Date(timeIntervalSince1970: 0))])
        let parts = try Self.entries(sheet.data())
        #expect(Set(parts.keys) == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                    "xl/worksheets/sheet1.xml"])
        let xml = try #require(parts["xl/worksheets/sheet1.xml"])
        #expect(xml.contains(#"<c r="A1" t="inlineStr"><is><t xml:space="preserve">商家 &amp; &lt;Co&gt;</t></is></c>"#))
        #expect(xml.contains(#"<c r="B1"><v>42</v></c>"#))
        #expect(xml.contains(#"<c r="C1" s="1"><v>-12.05</v></c>"#))
        // 1970-01-01 08:00 in Shanghai: day 25569 and a third.
        #expect(xml.contains(#"<c r="D1" s="2"><v>25569.33333333</v></c>"#))
        #expect(SpreadsheetWriter.column(0) == "A" && SpreadsheetWriter.column(25) == "Z" && SpreadsheetWriter.column(26) == "AA" && SpreadsheetWriter.column(701) == "ZZ")
    }
}
