import MallCore
import Testing

@Suite("Member credentials")
struct CredentialsTests {
    @Test("mainland mobile numbers are normalised to 11 digits", arguments: [
        ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("0086-199-0000-1111", "19900001111"),
    ])
    func acceptsMobiles(raw: String, digits: String) throws {
        #expect(try MobileNumber(parsing: raw).digits == digits)
    }

    @Test("numbers that no carrier issues are rejected", arguments: ["12812345678", "1381234567", "138123456789", "23812345678", "1381234567a", "１３８１２３４５６７８"])
    func rejectsMobiles(raw: String) {
        #expect(throws: ValidationFailure.self) { try MobileNumber(parsing: raw) }
    }

    @Test func masksMiddleDigits() throws {
        #expect(try MobileNumber(parsing: "13812345678").masked == "138****5678")
    }

    @Test("emails are lower-cased and shape-checked")
    func emails() throws {
        #expect(try EmailAddress(parsing: " Chen.Jie@Example.COM ").value == "chen.jie@example.com")
        for bad in ["a@b", "@example.com", "a..b@example.com", "a@-x.com", "a b@example.com", "a@example.c0m", "a@@example.com"] {
            #expect(throws: ValidationFailure.self, "\(bad)") { try EmailAddress(parsing: bad) }
        }
    }

    @Test("a login is an email when it has an @, otherwise a mobile")
    func loginKinds() throws {
        #expect(try MemberLogin(parsing: "x@example.com") == .email(try EmailAddress(parsing: "x@example.com")))
        #expect(try MemberLogin(parsing: "13800138000") == .mobile(try MobileNumber(parsing: "13800138000")))
        #expect(throws: ValidationFailure.self) { try MemberLogin(parsing: "alice") }
    }

    @Test("passwords need length, a letter and a digit, and fit bcrypt's 72 bytes")
    func passwords() throws {
        try PasswordPolicy.check("abc12345")
        #expect(throws: ValidationFailure.self) { try PasswordPolicy.check("abc1234") }
        #expect(throws: ValidationFailure.self) { try PasswordPolicy.check("abcdefgh") }
        #expect(throws: ValidationFailure.self) { try PasswordPolicy.check("12345678") }
        #expect(throws: ValidationFailure.self) { try PasswordPolicy.check(String(repeating: "密", count: 25) + "a1") }
    }

    @Test("birthdays must be real dates")
    func calendarDates() throws {
        #expect(try CalendarDate(parsing: "2000-02-29", field: "b").description == "2000-02-29")
        for bad in ["1900-02-29", "2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-04-31", "abcd-ef-gh"] {
            #expect(throws: ValidationFailure.self, "\(bad)") { try CalendarDate(parsing: bad, field: "b") }
        }
    }

    @Test("text rules count characters, not bytes, and trim")
    func textRule() throws {
        #expect(try TextRule.check("  张三  ", field: "n", max: 2) == "张三")
        #expect(throws: ValidationFailure.self) { try TextRule.check("   ", field: "n", max: 5) }
        #expect(throws: ValidationFailure.self) { try TextRule.check("a\u{0007}b", field: "n", max: 5) }
    }
}
