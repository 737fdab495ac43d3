import Foundation
import MallCore
import Testing

@Suite("Product barcodes")
struct BarcodeTests {
    @Test("real codes are accepted and classified by length", arguments: [
        ("6901234567892", Barcode.Kind.ean13),
        ("4006381333931", .ean13),
        ("9787115275790", .ean13),
        ("96385074", .ean8),
        ("73513537", .ean8),
        ("036000291452", .upcA),
        ("012345678905", .upcA),
    ])
    func validCodes(digits: String, kind: Barcode.Kind) throws {
        let barcode = try Barcode(parsing: digits)
        #expect(barcode.digits == digits)
        #expect(barcode.kind == kind)
        #expect(barcode.kind.length == digits.count)
    }

    @Test("surrounding whitespace and full-width digits are tolerated")
    func normalisation() throws {
        #expect(try Barcode(parsing: "  6901234567892\n").digits == "6901234567892")
        #expect(try Barcode(parsing: "６９０１２３４５６７８９２").digits == "6901234567892")
    }

    @Test("a wrong check digit names the digit that was expected")
    func wrongCheckDigit() {
        #expect(throws: ValidationFailure(field: "barcode", message: "has a wrong check digit; expected 2")) {
            try Barcode(parsing: "6901234567893")
        }
        #expect(throws: ValidationFailure(field: "skus[3].barcode", message: "has a wrong check digit; expected 4")) {
            try Barcode(parsing: "96385070", field: "skus[3].barcode")
        }
        #expect(throws: ValidationFailure(field: "barcode", message: "has a wrong check digit; expected 2")) {
            try Barcode(parsing: "036000291450")
        }
    }

    @Test("non-digits, empty input and unknown lengths are rejected", arguments: [
        ("69012345678A2", "must contain digits only"),
        ("6901-2345-67892", "must contain digits only"),
        ("690 1234567892", "must contain digits only"),
        ("-96385074", "must contain digits only"),
        ("٦٩٠١٢٣٤٥٦٧٨٩٢", "must contain digits only"),
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("1234567", "must be 8, 12 or 13 digits (EAN-8, UPC-A or EAN-13), not 7"),
        ("12345678901234", "must be 8, 12 or 13 digits (EAN-8, UPC-A or EAN-13), not 14"),
    ])
    func malformed(text: String, message: String) {
        #expect(throws: ValidationFailure(field: "barcode", message: message)) {
            try Barcode(parsing: text)
        }
    }

    @Test("check digits follow GS1 mod 10 for every length")
    func checkDigits() {
        #expect(Barcode.checkDigit(for: "690123456789") == 2)
        #expect(Barcode.checkDigit(for: "9638507") == 4)
        #expect(Barcode.checkDigit(for: "03600029145") == 2)
        #expect(Barcode.checkDigit(for: "0000000") == 0)
        #expect(Barcode.checkDigit(for: "1001234567890") == 2, "GTIN-14 10012345678902 uses the same rule")
        #expect(Barcode.checkDigit(for: "") == nil)
        #expect(Barcode.checkDigit(for: "12a4567") == nil)
        #expect(Barcode.checkDigit(for: "１２３") == nil, "the payload API takes ASCII digits only")
    }

    @Test("every single mistyped digit is caught")
    func singleDigitErrors() throws {
        var random = CatalogTestRandom(seed: 13)
        for _ in 0..<300 {
            let length = [7, 11, 12].randomElement(using: &random)!
            let payload = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
            let code = payload + String(Barcode.checkDigit(for: payload)!)
            #expect(try Barcode(parsing: code).digits == code)

            var mistyped = Array(code)
            let position = Int.random(in: 0..<mistyped.count, using: &random)
            let original = mistyped[position].wholeNumberValue!
            mistyped[position] = Character(String((original + Int.random(in: 1...9, using: &random)) % 10))
            #expect(throws: ValidationFailure.self, "\(code) → \(String(mistyped))") { try Barcode(parsing: String(mistyped)) }
        }
    }

    @Test("a UPC-A code and its zero-prefixed EAN-13 are the same GTIN")
    func gtin() throws {
        let upc = try Barcode(parsing: "036000291452")
        let ean = try Barcode(parsing: "0036000291452")
        #expect(upc != ean)
        #expect(upc.gtin14 == "00036000291452")
        #expect(upc.gtin14 == ean.gtin14)
        #expect(try Barcode(parsing: "96385074").gtin14 == "00000096385074")
    }

    @Test("encodes as its digits and checks them again when decoded")
    func codable() throws {
        let barcode = try Barcode(parsing: "6901234567892")
        let data = try JSONEncoder().encode([barcode])
        #expect(String(decoding: data, as: UTF8.self) == #"["6901234567892"]"#)
        #expect(try JSONDecoder().decode([Barcode].self, from: data) == [barcode])
        #expect(throws: ValidationFailure.self) { try JSONDecoder().decode([Barcode].self, from: Data(#"["6901234567893"]"#.utf8)) }
    }
}
