import Foundation

/// A one-sheet Office Open XML workbook (.xlsx) with typed cells: text, numbers (amounts keep
/// their two decimals as a number format, not as text) and dates (serial day numbers with a
/// date format), so a spreadsheet sums and sorts them. The package is a ZIP of stored (not
/// compressed) parts, which every reader accepts.
public struct SpreadsheetWriter: Sendable {
    public enum Cell: Sendable, Equatable {
        case text(String)
        /// A whole number.
        case integer(Int64)
        /// Fen shown as yuan with two decimals.
        case money(fen: Int64)
        /// A moment shown in `timeZone` as `yyyy-mm-dd hh:mm`.
        case date(Date)
    }

    public var sheetName: String
    public var timeZone: TimeZone
    public private(set) var rows: [[Cell]] = []

    public init(sheetName: String, timeZone: TimeZone) {
        self.sheetName = sheetName
        self.timeZone = timeZone
    }

    public mutating func append(_ row: [Cell]) {
        rows.append(row)
    }

    /// The workbook's bytes.
    public func data() -> [UInt8] {
        var zip = StoredZip()
        zip.add("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            </Types>
            """)
        zip.add("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            </Relationships>
            """)
        zip.add("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheets><sheet name="\(Self.escape(String(sheetName.prefix(31))))" sheetId="1" r:id="rId1"/></sheets></workbook>
            """)
        zip.add("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """)
        // Style 1: amounts with two decimals; style 2: date and time.
        zip.add("xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>\
            <fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
            <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
            <xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
            <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
            </styleSheet>
            """)
        var sheet = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (rowIndex, row) in rows.enumerated() {
            sheet += "<row r=\"\(rowIndex + 1)\">"
            for (columnIndex, cell) in row.enumerated() {
                let reference = Self.column(columnIndex) + String(rowIndex + 1)
                switch cell {
                case .text(let text):
                    sheet += "<c r=\"\(reference)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.escape(text))</t></is></c>"
                case .integer(let value):
                    sheet += "<c r=\"\(reference)\"><v>\(value)</v></c>"
                case .money(let fen):
                    sheet += "<c r=\"\(reference)\" s=\"1\"><v>\(YuanText.format(fen: fen))</v></c>"
                case .date(let date):
                    sheet += "<c r=\"\(reference)\" s=\"2\"><v>\(serial(date))</v></c>"
                }
            }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        zip.add("xl/worksheets/sheet1.xml", sheet)
        return zip.finish()
    }

    /// Days since 1899-12-30 (the spreadsheet epoch) in the sheet's time zone, to the second.
    private func serial(_ date: Date) -> String {
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(timeZone.secondsFromGMT(for: date))
        let seconds = local + 25_569 * 86_400
        let days = seconds / 86_400
        let fraction = Double(seconds % 86_400) / 86_400
        return String(format: "%.8f", Double(days) + fraction)
    }

    /// A column's letters: A, B, …, Z, AA, …
    public static func column(_ index: Int) -> String {
        var index = index
        var name = ""
        repeat {
            name = String(UnicodeScalar(UInt8(65 + index % 26))) + name
            index = index / 26 - 1
        } while index >= 0
        return name
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 has no place for other control characters: a tab or line break stays.
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A ZIP archive of stored entries (APPNOTE 6.3.x, method 0), names in UTF-8.
struct StoredZip {
    private var body: [UInt8] = []
    private var directory: [UInt8] = []
    private var count: UInt16 = 0

    mutating func add(_ name: String, _ text: String) {
        let data = Array(text.utf8)
        let nameBytes = Array(name.utf8)
        // The same CRC-32 as PNG's (ImageProbe): ZIP uses it too.
        let crc = UInt32(CRC32.checksum(data))
        let offset = UInt32(body.count)
        // A fixed timestamp (1980-01-01 00:00): the same rows give the same bytes.
        let (time, date): (UInt16, UInt16) = (0, 0x21)
        var local: [UInt8] = []
        local.le32(0x0403_4B50); local.le16(20); local.le16(0x0800); local.le16(0); local.le16(time); local.le16(date)
        local.le32(crc); local.le32(UInt32(data.count)); local.le32(UInt32(data.count)); local.le16(UInt16(nameBytes.count)); local.le16(0)
        body += local + nameBytes + data
        var central: [UInt8] = []
        central.le32(0x0201_4B50); central.le16(20); central.le16(20); central.le16(0x0800); central.le16(0); central.le16(time); central.le16(date)
        central.le32(crc); central.le32(UInt32(data.count)); central.le32(UInt32(data.count)); central.le16(UInt16(nameBytes.count))
        central.le16(0); central.le16(0); central.le16(0); central.le16(0); central.le32(0); central.le32(offset)
        directory += central + nameBytes
        count += 1
    }

    func finish() -> [UInt8] {
        var end: [UInt8] = []
        end.le32(0x0605_4B50); end.le16(0); end.le16(0); end.le16(count); end.le16(count)
        end.le32(UInt32(directory.count)); end.le32(UInt32(body.count)); end.le16(0)
        return body + directory + end
    }
}

private extension [UInt8] {
    mutating func le16(_ value: UInt16) { append(UInt8(value & 0xFF)); append(UInt8(value >> 8)) }
    mutating func le32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
}
