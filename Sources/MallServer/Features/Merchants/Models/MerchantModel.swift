import Fluent
import Foundation
import MallCore

final class MerchantModel: Model, @unchecked Sendable {
    static let schema = "merchants"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Enum(key: "kind") var kind: MerchantKind
    @Enum(key: "status") var status: MerchantStatus
    @Field(key: "contact_name") var contactName: String
    @Field(key: "contact_phone") var contactPhone: String
    @OptionalField(key: "contact_email") var contactEmail: String?
    @Field(key: "commission_rate_bp") var commissionRateBasisPoints: Int
    /// The merchant's own `ShippingRule` as JSON; nil: the shop-wide settings apply.
    @OptionalField(key: "shipping_rule") var shippingRuleJSON: String?
    /// The unified social credit code from its application; nil for merchants created by hand.
    @OptionalField(key: "credit_code") var creditCode: String?
    /// The deposit (保证金) the merchant has lodged with the platform, in fen.
    @Field(key: "deposit_fen") var depositFen: Int64
    /// The shop page's words and logo (a `/files/…` image URL), both the merchant's to write.
    @OptionalField(key: "description") var shopDescription: String?
    @OptionalField(key: "logo_url") var logoURL: String?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _code, _name, _kind, _status, _contactName, _contactPhone, _contactEmail, _commissionRateBasisPoints, _shippingRuleJSON, _creditCode, _depositFen, _shopDescription, _logoURL] }

    init() {}

    init(id: UUID? = nil, code: String, name: String, kind: MerchantKind, status: MerchantStatus, contactName: String,
         contactPhone: String, contactEmail: String?, commissionRateBasisPoints: Int) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.status = status
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.contactEmail = contactEmail
        self.commissionRateBasisPoints = commissionRateBasisPoints
        self.depositFen = 0
    }

    var merchantID: MerchantID { MerchantID(id!) }

    static func find(code: String, on db: any Database) async throws -> MerchantModel? {
        try await query(on: db).filter(\.$code == code).first()
    }
}

/// A member following a merchant's shop.
final class MerchantFollowModel: Model, @unchecked Sendable {
    static let schema = "merchant_follows"

    @ID(key: .id) var id: UUID?

    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _merchantId, _memberId, _createdAt] }

    init() {}

    init(merchantId: UUID, memberId: UUID, createdAt: Date) {
        self.merchantId = merchantId
        self.memberId = memberId
        self.createdAt = createdAt
    }
}
