/// RFC 4180 comma-separated values, as spreadsheets write them: quoted fields may hold commas,
/// quotes (doubled) and line breaks; CRLF or LF line ends; a UTF-8 byte order mark (Excel adds
/// one so Chinese text opens correctly) is skipped.
public enum CSV {
    public struct ParseError: Error, Equatable, Sendable {
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    public static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var index = 0
        func endRow() {
            row.append(field)
            // A blank line is not a row of one empty field.
            if !(row.count == 1 && row[0].isEmpty && !fieldWasQuoted) { rows.append(row) }
            row = []
            field = ""
            fieldWasQuoted = false
        }
        while index < scalars.count {
            let c = scalars[index]
            if inQuotes {
                if c == "\"" {
                    if index + 1 < scalars.count && scalars[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"":
                    guard field.isEmpty else { throw ParseError(line: line, message: "a quote inside an unquoted field; quote the whole field") }
                    inQuotes = true
                    fieldWasQuoted = true
                case ",":
                    row.append(field)
                    field = ""
                    fieldWasQuoted = false
                case "\r":
                    if index + 1 < scalars.count && scalars[index + 1] == "\n" { index += 1 }
                    endRow()
                    line += 1
                case "\n":
                    endRow()
                    line += 1
                default:
                    if fieldWasQuoted { throw ParseError(line: line, message: "text after a closing quote") }
                    field.unicodeScalars.append(c)
                }
            }
            index += 1
        }
        if inQuotes { throw ParseError(line: line, message: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty || fieldWasQuoted { endRow() }
        return rows
    }

    /// One line per row, CRLF-terminated; fields are quoted only when they need it. Fields that a
    /// spreadsheet would run as a formula (=, +, -, @) are prefixed with a quote mark.
    public static func write(_ rows: [[String]]) -> String {
        rows.map { row in row.map(escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func escape(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        // Scalars, not Characters: "\r\n" is one Character and equals neither "\r" nor "\n".
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Prices in spreadsheets are written in yuan ("12.90"); the system keeps fen.
public enum YuanText {
    public static func format(fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public static func parse(_ text: String, field: String) throws -> Int64 {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let invalid = ValidationFailure(field: field, message: "must be an amount in yuan such as 12.90")
        guard (1...2).contains(parts.count), let yuan = Int64(parts[0]), yuan >= 0, yuan < 100_000_000 else { throw invalid }
        guard parts.count == 2 else { return yuan * 100 }
        // ASCII digits only: Character.isNumber also accepts 五 and ½, which Int64 cannot read.
        let digits = parts[1]
        guard (1...2).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let fraction = Int64(digits.count == 1 ? digits + "0" : String(digits)) else { throw invalid }
        return yuan * 100 + fraction
    }
}
