import Foundation

/// Where a merchant's application to join the mall (招商入驻) stands.
public enum MerchantApplicationStatus: String, Codable, Sendable, CaseIterable {
    case submitted
    case underReview = "under_review"
    /// The reviewer sent it back with a reason; the applicant amends it.
    case needsChanges = "needs_changes"
    /// Amended after `needsChanges`, waiting to be taken for review again.
    case resubmitted
    case approved
    case rejected

    public var isFinal: Bool {
        switch self {
        case .approved, .rejected: true
        case .submitted, .underReview, .needsChanges, .resubmitted: false
        }
    }
}

/// An application's state machine. Each event checks that its edge exists (else
/// `IllegalTransition`, a 409) and keeps the reason the reviewer gave, so the applicant reads why.
public struct MerchantApplicationLifecycle: Hashable, Codable, Sendable {
    public private(set) var status: MerchantApplicationStatus
    /// The reviewer's last reason (changes asked for, or why it was turned down).
    public private(set) var reason: String?

    public init(status: MerchantApplicationStatus = .submitted, reason: String? = nil) {
        self.status = status
        self.reason = reason
    }

    /// A reviewer takes the application; nobody else works on it meanwhile.
    public mutating func takeForReview() throws {
        switch status {
        case .submitted, .resubmitted:
            status = .underReview
        case .underReview:
            throw illegal(.underReview, "the application is already under review")
        case .needsChanges:
            throw illegal(.underReview, "the applicant has not amended it yet")
        case .approved, .rejected:
            throw illegal(.underReview, "a decided application stays decided")
        }
    }

    /// The reviewer asks for changes; the reason is what the applicant must fix.
    public mutating func requestChanges(reason: String) throws {
        switch status {
        case .underReview:
            self.reason = try Self.checkReason(reason)
            status = .needsChanges
        case .submitted, .resubmitted:
            throw illegal(.needsChanges, "take the application for review first")
        case .needsChanges:
            throw illegal(.needsChanges, "changes were already asked for")
        case .approved, .rejected:
            throw illegal(.needsChanges, "a decided application stays decided")
        }
    }

    /// The applicant amends the application after changes were asked for; the old reason stays
    /// readable until the reviewer decides again.
    public mutating func amend() throws {
        switch status {
        case .needsChanges:
            status = .resubmitted
        case .submitted, .underReview, .resubmitted:
            throw illegal(.resubmitted, "only an application sent back for changes can be amended")
        case .approved, .rejected:
            throw illegal(.resubmitted, "a decided application stays decided")
        }
    }

    /// Approval: the caller creates the merchant, its admin and its stores in the same transaction.
    public mutating func approve() throws {
        switch status {
        case .underReview:
            status = .approved
            reason = nil
        case .submitted, .resubmitted:
            throw illegal(.approved, "take the application for review first")
        case .needsChanges:
            throw illegal(.approved, "the applicant has not amended it yet")
        case .approved, .rejected:
            throw illegal(.approved, "a decided application stays decided")
        }
    }

    public mutating func reject(reason: String) throws {
        switch status {
        case .underReview:
            self.reason = try Self.checkReason(reason)
            status = .rejected
        case .submitted, .resubmitted:
            throw illegal(.rejected, "take the application for review first")
        case .needsChanges:
            throw illegal(.rejected, "the applicant has not amended it yet")
        case .approved, .rejected:
            throw illegal(.rejected, "a decided application stays decided")
        }
    }

    /// A reason the applicant can act on: a few words at least, a paragraph at most.
    public static func checkReason(_ reason: String, field: String = "reason") throws -> String {
        try TextRule.check(reason, field: field, min: 2, max: 500)
    }

    private func illegal(_ target: MerchantApplicationStatus, _ why: String) -> IllegalTransition {
        IllegalTransition(from: status.rawValue, to: target.rawValue, reason: why)
    }
}

/// The scanned papers an application carries. They are private: only the applicant (with the
/// follow-up token) and platform reviewers may read them.
public enum ApplicationDocumentKind: String, Codable, Sendable, CaseIterable {
    case businessLicence = "business_licence"
    case idCardFront = "id_card_front"
    case idCardBack = "id_card_back"
    /// A brand owner's letter authorising the applicant to sell the brand; optional for own brands.
    case brandAuthorisation = "brand_authorisation"

    /// What a reviewer must have seen before approving.
    public static let required: [ApplicationDocumentKind] = [.businessLicence, .idCardFront, .idCardBack]

    public static func missing(from present: Set<ApplicationDocumentKind>) -> [ApplicationDocumentKind] {
        required.filter { !present.contains($0) }
    }
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
/// 31-character alphabet (digits and capitals without I, O, S, V, Z), the last a check character
/// over the first 17 with weights 3^i mod 31.
public struct SocialCreditCode: Hashable, Sendable, CustomStringConvertible {
    public static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public let value: String
    public var description: String { value }

    /// Accepts lower case and surrounding spaces, as people type them from a licence.
    public init(parsing raw: String, field: String = "creditCode") throws {
        let code = Array(raw.trimmingWhitespace().uppercased())
        guard code.count == 18 else {
            throw ValidationFailure(field: field, message: "must be 18 characters")
        }
        let values = code.map { Self.alphabet.firstIndex(of: $0) }
        guard values.allSatisfy({ $0 != nil }) else {
            throw ValidationFailure(field: field, message: "may only contain digits and capital letters other than I, O, S, V and Z")
        }
        guard Self.checkCharacter(for: code[0..<17]) == code[17] else {
            throw ValidationFailure(field: field, message: "has a wrong check character; please copy it from the business licence again")
        }
        value = String(code)
    }

    /// The 18th character for 17 characters of the alphabet; nil when one is outside it.
    public static func checkCharacter(for body: some Collection<Character>) -> Character? {
        guard body.count == 17 else { return nil }
        var sum = 0
        for (character, weight) in zip(body, weights) {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            sum += value * weight
        }
        return alphabet[(31 - sum % 31) % 31]
    }
}

/// The bank account a merchant is paid into.
public struct BankAccount: Hashable, Codable, Sendable {
    public var accountName: String
    public var bankName: String
    public var branchName: String
    /// Digits only; spaces and dashes as printed on a card or a bank letter are dropped.
    public var accountNumber: String

    public init(accountName: String, bankName: String, branchName: String, accountNumber: String) {
        self.accountName = accountName
        self.bankName = bankName
        self.branchName = branchName
        self.accountNumber = accountNumber
    }

    /// Mainland accounts run from 8 digits (some corporate accounts) to 30 (the longest
    /// corporate formats); cards have 16–19.
    public static let accountDigits = 8...30

    /// The account with its texts trimmed and its number reduced to digits, or the field errors.
    public static func validated(accountName: String, bankName: String, branchName: String, accountNumber: String,
                                 field: String = "bankAccount", into errors: inout FieldErrorCollector) -> BankAccount? {
        let name = errors.collect { try TextRule.check(accountName, field: field + ".accountName", min: 2, max: 60) }
        let bank = errors.collect { try TextRule.check(bankName, field: field + ".bankName", min: 2, max: 60) }
        let branch = errors.collect { try TextRule.check(branchName, field: field + ".branchName", min: 2, max: 60) }
        let digits = accountNumber.filter { $0 != " " && $0 != "-" }
        if accountNumber.count > 60 || !accountDigits.contains(digits.count) || !digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            errors.add(field + ".accountNumber", "must be \(accountDigits.lowerBound)–\(accountDigits.upperBound) digits")
            return nil
        }
        guard let name, let bank, let branch else { return nil }
        return BankAccount(accountName: name, bankName: bank, branchName: branch, accountNumber: digits)
    }

    /// What a reviewer or the applicant sees once it is stored: the last four digits.
    public var maskedNumber: String { String(repeating: "*", count: max(accountNumber.count - 4, 0)) + accountNumber.suffix(4) }
}

/// The first password of an account the platform creates for someone else (a new merchant's
/// admin). It is shown once to the reviewer and must be changed at the first sign-in.
public enum InitialPassword {
    /// No 0/O, 1/l/I: it is read off a screen and typed in by hand.
    static let letters = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
    static let digits = Array("23456789")
    public static let length = 12

    public static func generate(using random: inout some RandomNumberGenerator) -> String {
        let all = letters + digits
        var characters = (0..<length - 2).map { _ in all[Int.random(in: 0..<all.count, using: &random)] }
        // PasswordPolicy wants a letter and a digit; place one of each at random positions.
        characters.insert(letters[Int.random(in: 0..<letters.count, using: &random)], at: Int.random(in: 0...characters.count, using: &random))
        characters.insert(digits[Int.random(in: 0..<digits.count, using: &random)], at: Int.random(in: 0...characters.count, using: &random))
        return String(characters)
    }
}
