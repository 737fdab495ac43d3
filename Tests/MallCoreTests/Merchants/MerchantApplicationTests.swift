import Foundation
import MallCore
import Testing

@Suite("Merchant applications: the review machine, credit codes, bank accounts, first passwords")
struct MerchantApplicationTests {
    typealias Event = (name: String, apply: @Sendable (inout MerchantApplicationLifecycle) throws -> Void)

    static let events: [Event] = [
        ("take", { try $0.takeForReview() }),
        ("changes", { try $0.requestChanges(reason: "营业执照照片不清晰") }),
        ("amend", { try $0.amend() }),
        ("approve", { try $0.approve() }),
        ("reject", { try $0.reject(reason: "经营类目不符") }),
    ]

    /// The edges the design names; every other (status, event) pair must throw.
    static let edges: [MerchantApplicationStatus: [String: MerchantApplicationStatus]] = [
        .submitted: ["take": .underReview],
        .resubmitted: ["take": .underReview],
        .underReview: ["changes": .needsChanges, "approve": .approved, "reject": .rejected],
        .needsChanges: ["amend": .resubmitted],
        .approved: [:],
        .rejected: [:],
    ]

    @Test("the happy path: submitted → under review → needs changes → resubmitted → under review → approved")
    func happyPath() throws {
        var application = MerchantApplicationLifecycle()
        try application.takeForReview()
        try application.requestChanges(reason: "  请补充品牌授权书  ")
        #expect(application.status == .needsChanges)
        #expect(application.reason == "请补充品牌授权书")
        try application.amend()
        #expect(application.status == .resubmitted && application.reason == "请补充品牌授权书")
        try application.takeForReview()
        try application.approve()
        #expect(application.status == .approved && application.reason == nil)
    }

    @Test("every status and event: the named edges move, every other pair throws IllegalTransition and changes nothing")
    func transitionTable() throws {
        for status in MerchantApplicationStatus.allCases {
            for event in Self.events {
                var application = MerchantApplicationLifecycle(status: status, reason: "earlier")
                if let target = Self.edges[status]?[event.name] {
                    try event.apply(&application)
                    #expect(application.status == target, "\(status) + \(event.name)")
                } else {
                    #expect(throws: IllegalTransition.self, "\(status) + \(event.name)") { try event.apply(&application) }
                    #expect(application == MerchantApplicationLifecycle(status: status, reason: "earlier"))
                }
            }
        }
    }

    @Test("a decision or a request for changes needs a reason of 2–500 characters")
    func reasons() {
        var application = MerchantApplicationLifecycle(status: .underReview)
        #expect(throws: ValidationFailure.self) { try application.reject(reason: " ") }
        #expect(throws: ValidationFailure.self) { try application.requestChanges(reason: String(repeating: "缺", count: 501)) }
        #expect(application.status == .underReview)
    }

    @Test("random walks never reach a status outside the table, and final statuses stay final")
    func randomWalks() throws {
        var random = PricingTestRandom(seed: 15)
        for _ in 0..<2_000 {
            var application = MerchantApplicationLifecycle()
            for _ in 0..<12 {
                let event = Self.events[Int.random(in: 0..<Self.events.count, using: &random)]
                let before = application.status
                if (try? event.apply(&application)) != nil {
                    #expect(Self.edges[before]?[event.name] == application.status)
                    #expect(!before.isFinal)
                } else {
                    #expect(application.status == before)
                }
            }
        }
    }

    @Test("real credit codes pass, in any case and with spaces around", arguments: ["91350100M000100Y43", "91110000802100433B", " 9144030071526726xg "])
    func realCodes(_ raw: String) throws {
        let code = try SocialCreditCode(parsing: raw)
        #expect(code.value == raw.trimmingWhitespace().uppercased())
    }

    @Test("wrong length, letters outside the alphabet and wrong check characters are refused with a reason")
    func badCodes() {
        for (raw, message) in [("9135010", "must be 18 characters"),
                               ("91350100M000100I43", "may only contain digits and capital letters other than I, O, S, V and Z"),
                               ("91350100M000100Y44", "has a wrong check character; please copy it from the business licence again")] {
            #expect { try SocialCreditCode(parsing: raw) } throws: { ($0 as? ValidationFailure)?.errors.first?.message == message }
        }
    }

    @Test("property: every 17 characters of the alphabet with their check character pass; any other 18th character fails")
    func checkCharacterProperty() throws {
        var random = PricingTestRandom(seed: 32100)
        let alphabet = SocialCreditCode.alphabet
        for _ in 0..<3_000 {
            let body = (0..<17).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
            let check = try #require(SocialCreditCode.checkCharacter(for: body))
            #expect((try? SocialCreditCode(parsing: String(body + [check]))) != nil)
            let other = alphabet.filter { $0 != check }[Int.random(in: 0..<30, using: &random)]
            #expect((try? SocialCreditCode(parsing: String(body + [other]))) == nil)
            // One changed character anywhere in the body is caught: the weights are all non-zero mod 31.
            var typo = body
            let at = Int.random(in: 0..<17, using: &random)
            typo[at] = alphabet.filter { $0 != body[at] }[Int.random(in: 0..<30, using: &random)]
            #expect((try? SocialCreditCode(parsing: String(typo + [check]))) == nil)
        }
    }

    @Test("bank accounts: texts trimmed, the number reduced to 8–30 digits, each wrong field named")
    func bankAccounts() throws {
        var errors = FieldErrorCollector()
        let account = BankAccount.validated(accountName: " 杭州鲜果有限公司 ", bankName: "招商银行", branchName: "杭州分行营业部",
                                            accountNumber: "6225 8812 3456 7890", into: &errors)
        #expect(errors.errors.isEmpty)
        #expect(account == BankAccount(accountName: "杭州鲜果有限公司", bankName: "招商银行", branchName: "杭州分行营业部", accountNumber: "6225881234567890"))
        #expect(account?.maskedNumber == "************7890")

        var bad = FieldErrorCollector()
        #expect(BankAccount.validated(accountName: "", bankName: "招", branchName: "支行", accountNumber: "12AB5678", into: &bad) == nil)
        #expect(bad.errors.map(\.field).sorted() == ["bankAccount.accountName", "bankAccount.accountNumber", "bankAccount.bankName"])
    }

    @Test("property: account numbers of 8–30 digits pass whatever their spacing; shorter or longer ones fail")
    func accountNumberLengths() {
        var random = PricingTestRandom(seed: 7)
        for _ in 0..<1_000 {
            let count = Int.random(in: 1...40, using: &random)
            let digits = String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
            let spaced = digits.enumerated().map { $0.offset % 4 == 3 ? "\($0.element) " : "\($0.element)" }.joined()
            var errors = FieldErrorCollector()
            let account = BankAccount.validated(accountName: "某某公司", bankName: "工商银行", branchName: "西湖支行", accountNumber: spaced, into: &errors)
            #expect((account?.accountNumber == digits) == BankAccount.accountDigits.contains(count))
        }
    }

    @Test("property: generated first passwords satisfy the password policy and avoid look-alike characters")
    func initialPasswords() throws {
        var random = PricingTestRandom(seed: 99)
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let password = InitialPassword.generate(using: &random)
            try PasswordPolicy.check(password)
            #expect(password.count == InitialPassword.length)
            #expect(!password.contains(where: { "0O1lI".contains($0) }))
            seen.insert(password)
        }
        #expect(seen.count == 2_000)
    }

    @Test("documents: licence and both sides of the ID card are required, the brand letter is not")
    func documents() {
        #expect(ApplicationDocumentKind.missing(from: []) == [.businessLicence, .idCardFront, .idCardBack])
        #expect(ApplicationDocumentKind.missing(from: [.businessLicence, .idCardBack, .brandAuthorisation]) == [.idCardFront])
        #expect(ApplicationDocumentKind.missing(from: [.businessLicence, .idCardFront, .idCardBack]).isEmpty)
    }
}
