import Foundation

/// A setting's stored value. Settings are few and typed, so an enum beats free-form JSON.
public enum SettingValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case boolean(Bool)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .boolean(b); return }
        if let i = try? c.decode(Int.self) { self = .integer(i); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        // A number that is not a whole number within Int (1.5, 2^64, 1e308) is named as such, not
        // as "must be a string".
        if (try? c.decode(Double.self)) != nil || (try? c.decode(Decimal.self)) != nil {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a whole number in range"))
        }
        self = .string(try c.decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .integer(let i): try c.encode(i)
        case .boolean(let b): try c.encode(b)
        }
    }

    public var description: String {
        switch self {
        case .string(let s): s
        case .integer(let i): String(i)
        case .boolean(let b): String(b)
        }
    }
}

public enum SettingType: String, Codable, Sendable {
    case string, integer, boolean, timeZone
}

/// Declares one setting: its key, type, default and the rule a new value must satisfy.
public struct SettingDefinition: Sendable {
    public let key: SettingKey
    public let type: SettingType
    public let defaultValue: SettingValue
    public let summary: String
    public let range: ClosedRange<Int>?
    public let maxLength: Int?
    /// For text settings that mean "none" when empty (a word list).
    public var allowsEmpty = false

    public func validate(_ value: SettingValue) throws -> SettingValue {
        let field = key.rawValue
        switch (type, value) {
        case (.string, .string(let text)):
            return .string(try TextRule.check(text, field: field, min: allowsEmpty ? 0 : 1, max: maxLength ?? 200))
        case (.timeZone, .string(let identifier)):
            guard TimeZone(identifier: identifier) != nil, identifier.contains("/") || identifier == "UTC" else {
                throw ValidationFailure(field: field, message: "must be an IANA time zone such as Asia/Shanghai")
            }
            return .string(identifier)
        case (.integer, .integer(let number)):
            if let range, !range.contains(number) {
                throw ValidationFailure(field: field, message: "must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return .integer(number)
        case (.boolean, .boolean):
            return value
        default:
            let expected = type == .timeZone ? "string" : type.rawValue
            throw ValidationFailure(field: field, message: "must be a \(expected)")
        }
    }
}

public enum SettingKey: String, Codable, Sendable, CaseIterable {
    case shopName = "shop.name"
    case shopTimeZone = "shop.timeZone"
    case shopServicePhone = "shop.servicePhone"
    case unpaidOrderTimeoutMinutes = "order.unpaidTimeoutMinutes"
    case autoConfirmDays = "order.autoConfirmDays"
    case storeAcceptTimeoutMinutes = "order.storeAcceptTimeoutMinutes"
    case allocationOpeningWindowMinutes = "order.allocationOpeningWindowMinutes"
    case awaitingReallocationMinutes = "order.awaitingReallocationMinutes"
    case afterSalesWindowDays = "aftersales.windowDays"
    case lowStockThreshold = "inventory.lowStockThreshold"
    case shippingFlatFeeFen = "shipping.flatFeeFen"
    case shippingFreeAboveFen = "shipping.freeAboveFen"
    case memberRegistrationOpen = "member.registrationOpen"
    case loginMaxFailures = "security.loginMaxFailures"
    case loginLockMinutes = "security.loginLockMinutes"
    case paymentSandboxEnabled = "payments.sandboxEnabled"
    case paymentWeChatEnabled = "payments.wechatEnabled"
    case paymentAlipayEnabled = "payments.alipayEnabled"
    case pointsEarnPerYuan = "points.earnPerYuan"
    case pointsRedeemPerYuan = "points.redeemPointsPerYuan"
    case pointsRedeemMaxShareBasisPoints = "points.redeemMaxShareBasisPoints"
    case pointsExpiryYears = "points.expiryYears"
    case pointsSignInDaily = "points.signInDailyPoints"
    case pointsSignInStreakBonus = "points.signInStreakBonusPoints"
    case pointsSignInCycleDays = "points.signInCycleDays"
    case pointsReview = "points.reviewPoints"
    case pointsReviewPhotoBonus = "points.reviewPhotoBonusPoints"
    case memberLevelWindowDays = "member.levelWindowDays"
    case memberLevelDowngrades = "member.levelDowngrades"
    case memberLevelGraceDays = "member.levelGraceDays"
    case memberDormantAfterDays = "member.dormantAfterDays"
    case memberNewWithinDays = "member.newWithinDays"
    case reviewWindowDays = "reviews.windowDays"
    case reviewFollowUpDays = "reviews.followUpDays"
    case reviewSensitiveWords = "reviews.sensitiveWords"
    case flashPaymentMinutes = "flash.paymentMinutes"
    case groupBuyPaymentMinutes = "groupBuy.paymentMinutes"
    case settlementMonthly = "settlement.monthly"
    case settlementDelayDays = "settlement.delayDays"
    case settlementAutoConfirmDays = "settlement.autoConfirmDays"
    case settlementMerchantBearsChannelFee = "settlement.merchantBearsChannelFee"
    case channelFeeSandboxBasisPoints = "payments.sandboxFeeBasisPoints"
    case channelFeeWeChatBasisPoints = "payments.wechatFeeBasisPoints"
    case channelFeeAlipayBasisPoints = "payments.alipayFeeBasisPoints"
    case mediaVideoMaxMegabytes = "media.videoMaxMegabytes"
    case mediaVideoMaxSeconds = "media.videoMaxSeconds"
    case backupIntervalHours = "backup.intervalHours"
    case backupKeep = "backup.keep"

    public var definition: SettingDefinition { SettingsCatalog.definitions[self]! }
}

public enum SettingsCatalog {
    public static let definitions: [SettingKey: SettingDefinition] = {
        func def(_ key: SettingKey, _ type: SettingType, _ value: SettingValue, _ summary: String,
                 range: ClosedRange<Int>? = nil, maxLength: Int? = nil, allowsEmpty: Bool = false) -> (SettingKey, SettingDefinition) {
            (key, SettingDefinition(key: key, type: type, defaultValue: value, summary: summary, range: range, maxLength: maxLength,
                                    allowsEmpty: allowsEmpty))
        }
        return Dictionary(uniqueKeysWithValues: [
            def(.shopName, .string, .string("链城商城 ChainMall"), "Shop name shown on every page and message", maxLength: 60),
            def(.shopTimeZone, .timeZone, .string("Asia/Shanghai"), "Time zone for opening hours, reports and display"),
            def(.shopServicePhone, .string, .string("400-820-8820"), "Customer service number printed on slips", maxLength: 30),
            def(.unpaidOrderTimeoutMinutes, .integer, .integer(30), "Minutes before an unpaid order expires and releases stock", range: 1...1440),
            def(.autoConfirmDays, .integer, .integer(7), "Days after shipping before receipt is confirmed automatically", range: 1...30),
            def(.storeAcceptTimeoutMinutes, .integer, .integer(15), "Minutes a store has to accept an order before it is reallocated", range: 1...240),
            def(.allocationOpeningWindowMinutes, .integer, .integer(60), "A closed store that opens within this many minutes may still be allocated orders", range: 0...720),
            def(.awaitingReallocationMinutes, .integer, .integer(120), "Minutes an order no store can take waits for HQ or the shopper before it is cancelled and refunded", range: 10...2880),
            def(.afterSalesWindowDays, .integer, .integer(7), "Days after delivery during which after-sales can be requested", range: 0...90),
            def(.lowStockThreshold, .integer, .integer(10), "Default low-stock alert threshold per SKU and store", range: 0...1_000_000),
            def(.shippingFlatFeeFen, .integer, .integer(600), "Delivery fee in fen for merchants without their own rule", range: 0...100_000),
            def(.shippingFreeAboveFen, .integer, .integer(9_900), "Delivery is free when a merchant's goods reach this many fen (0: never free)", range: 0...100_000_000),
            def(.memberRegistrationOpen, .boolean, .boolean(true), "Whether new members can register"),
            def(.loginMaxFailures, .integer, .integer(5), "Failed logins allowed per account before it is throttled", range: 3...50),
            def(.loginLockMinutes, .integer, .integer(15), "Minutes a throttled login stays blocked", range: 1...1440),
            def(.paymentSandboxEnabled, .boolean, .boolean(true), "Offer the SANDBOX gateway (test payments, no money moves) at checkout"),
            def(.paymentWeChatEnabled, .boolean, .boolean(true), "Offer WeChat Pay at checkout (when its merchant keys are configured)"),
            def(.paymentAlipayEnabled, .boolean, .boolean(true), "Offer Alipay at checkout (when its keys are configured)"),
            def(.pointsEarnPerYuan, .integer, .integer(1), "Points a completed order earns per yuan of goods paid (before the level's multiplier; 0: none)", range: 0...1_000),
            def(.pointsRedeemPerYuan, .integer, .integer(100), "Points that pay ¥1 at checkout", range: 1...100_000),
            def(.pointsRedeemMaxShareBasisPoints, .integer, .integer(5_000), "The largest share of an order's goods points may pay, in basis points (5000 = half; 0: points cannot pay)", range: 0...10_000),
            def(.pointsExpiryYears, .integer, .integer(1), "Points expire at the end of this many calendar years after the year they were earned (0: never)", range: 0...10),
            def(.pointsSignInDaily, .integer, .integer(5), "Points for each day's sign-in", range: 0...10_000),
            def(.pointsSignInStreakBonus, .integer, .integer(20), "Extra points on the last day of each sign-in cycle", range: 0...100_000),
            def(.pointsSignInCycleDays, .integer, .integer(7), "Days in a sign-in cycle (the streak bonus comes on its last day)", range: 1...31),
            def(.pointsReview, .integer, .integer(10), "Points for an approved product review", range: 0...10_000),
            def(.pointsReviewPhotoBonus, .integer, .integer(10), "Extra points for an approved review with photos", range: 0...10_000),
            def(.memberLevelWindowDays, .integer, .integer(365), "Days of spending, orders and points that member levels are judged on", range: 30...1_095),
            def(.memberLevelDowngrades, .boolean, .boolean(true), "Whether members who no longer meet their level move down"),
            def(.memberLevelGraceDays, .integer, .integer(30), "Days a member keeps a level after falling below it, before moving down", range: 0...365),
            def(.memberDormantAfterDays, .integer, .integer(180), "Days without an order after which a member counts as dormant (沉睡) in segments", range: 30...1_095),
            def(.memberNewWithinDays, .integer, .integer(30), "Days after joining or a first order during which a member counts as new in segments", range: 1...365),
            def(.reviewWindowDays, .integer, .integer(30), "Days after delivery or pickup during which a line can be reviewed", range: 1...365),
            def(.reviewFollowUpDays, .integer, .integer(90), "Days after a review during which one follow-up review can be added", range: 1...365),
            def(.reviewSensitiveWords, .string, .string(""), "Words a review may not contain, separated by commas (, or ，)", maxLength: 4_000, allowsEmpty: true),
            def(.flashPaymentMinutes, .integer, .integer(5), "Minutes a flash-sale order has to be paid before it expires and its units go back on sale", range: 1...60),
            def(.groupBuyPaymentMinutes, .integer, .integer(5), "Minutes a group-buy order has to be paid before it expires and its place in the group is free again",
                range: 1...60),
            def(.settlementMonthly, .boolean, .boolean(false), "Whether merchants' settlement statements cover calendar months (otherwise Monday-to-Sunday weeks)"),
            def(.settlementDelayDays, .integer, .integer(3), "Days after a settlement period ends before its statements are issued (the N of T+N)", range: 0...30),
            def(.settlementAutoConfirmDays, .integer, .integer(7), "Days a merchant has to confirm a statement before it is confirmed automatically", range: 1...60),
            def(.settlementMerchantBearsChannelFee, .boolean, .boolean(true), "Whether payment providers' fees on a merchant's sales are deducted from its settlement (otherwise the platform bears them)"),
            def(.channelFeeSandboxBasisPoints, .integer, .integer(60), "The sandbox gateway's fee in basis points of each payment, as if it were real (60 = 0.6%)", range: 0...1_000),
            def(.channelFeeWeChatBasisPoints, .integer, .integer(60), "WeChat Pay's fee in basis points of each payment (60 = 0.6%)", range: 0...1_000),
            def(.channelFeeAlipayBasisPoints, .integer, .integer(60), "Alipay's fee in basis points of each payment (60 = 0.6%)", range: 0...1_000),
            def(.mediaVideoMaxMegabytes, .integer, .integer(50), "Largest product video, in megabytes",
                range: 1...AttachmentUploadPolicy.videoMegabytesCeiling),
            def(.mediaVideoMaxSeconds, .integer, .integer(180), "Longest product video, in seconds", range: 1...3_600),
            def(.backupIntervalHours, .integer, .integer(0), "Hours between scheduled backups of the database and uploaded files (0: none)", range: 0...720),
            def(.backupKeep, .integer, .integer(7), "Backups kept in the backup folder; older ones are deleted after each scheduled backup", range: 1...365),
        ])
    }()

    /// Values in force: the defaults overlaid with what was stored. Stored values that no longer
    /// validate (a range tightened in an upgrade) fall back to the default rather than break start-up.
    public static func resolve(stored: [String: SettingValue]) -> ResolvedSettings {
        var values: [SettingKey: SettingValue] = [:]
        for key in SettingKey.allCases {
            let definition = key.definition
            if let value = stored[key.rawValue], let valid = try? definition.validate(value) {
                values[key] = valid
            } else {
                values[key] = definition.defaultValue
            }
        }
        return ResolvedSettings(values: values)
    }
}

public struct ResolvedSettings: Sendable {
    public let values: [SettingKey: SettingValue]

    public subscript(key: SettingKey) -> SettingValue { values[key] ?? key.definition.defaultValue }

    public func string(_ key: SettingKey) -> String {
        if case .string(let s) = self[key] { return s }
        return key.definition.defaultValue.description
    }

    public func integer(_ key: SettingKey) -> Int {
        if case .integer(let i) = self[key] { return i }
        if case .integer(let i) = key.definition.defaultValue { return i }
        return 0
    }

    public func boolean(_ key: SettingKey) -> Bool {
        if case .boolean(let b) = self[key] { return b }
        return false
    }

    public var timeZone: TimeZone {
        TimeZone(identifier: string(.shopTimeZone)) ?? TimeZone(identifier: "Asia/Shanghai")!
    }
}
