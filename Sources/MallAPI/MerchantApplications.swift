import Foundation
import MallCore

/// A store the applicant means to open; it becomes a store row when the application is approved.
public struct ApplicationStoreInput: Codable, Sendable, Equatable {
    public var name: String
    public var province: String
    public var city: String
    public var district: String
    public var address: String
    public var latitude: Double
    public var longitude: Double
    public var phone: String

    public init(name: String, province: String, city: String, district: String, address: String, latitude: Double,
                longitude: Double, phone: String) {
        self.name = name
        self.province = province
        self.city = city
        self.district = district
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.phone = phone
    }
}

/// `POST /merchant-applications` and the amendment (`PUT`) after changes were asked for.
public struct MerchantApplicationInput: Codable, Sendable {
    public var companyName: String
    public var creditCode: String
    public var legalRepresentative: String
    public var contactName: String
    public var contactPhone: String
    public var contactEmail: String?
    public var categoryId: UUID
    /// The brand the applicant sells, when it needs the owner's authorisation letter.
    public var brandName: String?
    public var description: String?
    public var bankAccount: BankAccount
    public var stores: [ApplicationStoreInput]

    public init(companyName: String, creditCode: String, legalRepresentative: String, contactName: String, contactPhone: String,
                contactEmail: String?, categoryId: UUID, brandName: String?, description: String?, bankAccount: BankAccount,
                stores: [ApplicationStoreInput]) {
        self.companyName = companyName
        self.creditCode = creditCode
        self.legalRepresentative = legalRepresentative
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.contactEmail = contactEmail
        self.categoryId = categoryId
        self.brandName = brandName
        self.description = description
        self.bankAccount = bankAccount
        self.stores = stores
    }
}

public struct ApplicationDocument: Codable, Sendable, Equatable {
    public var kind: ApplicationDocumentKind
    public var contentType: String
    public var byteCount: Int
    public var uploadedAt: Date

    public init(kind: ApplicationDocumentKind, contentType: String, byteCount: Int, uploadedAt: Date) {
        self.kind = kind
        self.contentType = contentType
        self.byteCount = byteCount
        self.uploadedAt = uploadedAt
    }
}

public struct MerchantApplication: Codable, Sendable {
    public var id: UUID
    public var status: MerchantApplicationStatus
    /// Why changes were asked for or why it was turned down.
    public var reason: String?
    public var companyName: String
    public var creditCode: String
    public var legalRepresentative: String
    public var contactName: String
    public var contactPhone: String
    public var contactEmail: String?
    public var categoryId: UUID
    public var brandName: String?
    public var description: String?
    /// The applicant sees the account number masked to its last four digits; reviewers see it whole.
    public var bankAccount: BankAccount
    public var stores: [ApplicationStoreInput]
    public var documents: [ApplicationDocument]
    /// Documents a reviewer needs before approving that are not uploaded yet.
    public var missingDocuments: [ApplicationDocumentKind]
    public var merchantId: UUID?
    public var createdAt: Date
    public var updatedAt: Date
    public var decidedAt: Date?

    public init(id: UUID, status: MerchantApplicationStatus, reason: String?, companyName: String, creditCode: String,
                legalRepresentative: String, contactName: String, contactPhone: String, contactEmail: String?, categoryId: UUID,
                brandName: String?, description: String?, bankAccount: BankAccount, stores: [ApplicationStoreInput],
                documents: [ApplicationDocument], missingDocuments: [ApplicationDocumentKind], merchantId: UUID?, createdAt: Date,
                updatedAt: Date, decidedAt: Date?) {
        self.id = id
        self.status = status
        self.reason = reason
        self.companyName = companyName
        self.creditCode = creditCode
        self.legalRepresentative = legalRepresentative
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.contactEmail = contactEmail
        self.categoryId = categoryId
        self.brandName = brandName
        self.description = description
        self.bankAccount = bankAccount
        self.stores = stores
        self.documents = documents
        self.missingDocuments = missingDocuments
        self.merchantId = merchantId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.decidedAt = decidedAt
    }
}

/// The answer to a new application: the token is shown once and is the only key to follow,
/// amend and add documents to it (header `X-Application-Token`).
public struct MerchantApplicationReceipt: Codable, Sendable {
    public var application: MerchantApplication
    public var followUpToken: String

    public init(application: MerchantApplication, followUpToken: String) {
        self.application = application
        self.followUpToken = followUpToken
    }
}

/// What the reviewer decides on approval: the merchant's code (its stores get `<code>-01`, …)
/// and, optionally, the admin's username (default `<code>.admin`) and the commission.
public struct MerchantApplicationApproval: Codable, Sendable {
    public var merchantCode: String
    public var adminUsername: String?
    public var commissionRateBasisPoints: Int?

    public init(merchantCode: String, adminUsername: String? = nil, commissionRateBasisPoints: Int? = nil) {
        self.merchantCode = merchantCode
        self.adminUsername = adminUsername
        self.commissionRateBasisPoints = commissionRateBasisPoints
    }
}

/// Approval's answer. `initialPassword` is shown this once; the admin must change it at the
/// first sign-in.
public struct MerchantApplicationApproved: Codable, Sendable {
    public var application: MerchantApplication
    public var merchant: Merchant
    public var adminUsername: String
    public var initialPassword: String
    public var stores: [Store]

    public init(application: MerchantApplication, merchant: Merchant, adminUsername: String, initialPassword: String, stores: [Store]) {
        self.application = application
        self.merchant = merchant
        self.adminUsername = adminUsername
        self.initialPassword = initialPassword
        self.stores = stores
    }
}

/// `PUT /admin/merchants/{id}/deposit`.
public struct MerchantDepositInput: Codable, Sendable {
    public var depositFen: Int64
    public var note: String?

    public init(depositFen: Int64, note: String? = nil) {
        self.depositFen = depositFen
        self.note = note
    }
}

/// `PUT /admin/merchants/{id}/shop`: the shop page's description and logo (a URL of an image the
/// merchant uploaded, `/files/img/…`); null clears either.
public struct MerchantShopInput: Codable, Sendable {
    public var description: String?
    public var logoUrl: String?

    public init(description: String?, logoUrl: String?) {
        self.description = description
        self.logoUrl = logoUrl
    }
}

/// A store as the shop page shows it: where it is and how to call it.
public struct ShopStore: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var address: String
    public var latitude: Double
    public var longitude: Double
    public var phone: String

    public init(id: UUID, name: String, address: String, latitude: Double, longitude: Double, phone: String) {
        self.id = id
        self.name = name
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.phone = phone
    }
}

/// `GET /merchants/{id}`: what anyone may see of a merchant (never its contact or bank data).
public struct MerchantShop: Codable, Sendable {
    public var id: UUID
    public var name: String
    public var logoUrl: String?
    public var description: String?
    /// Mean stars of the approved reviews of its goods on sale, one decimal; nil without reviews.
    public var rating: Double?
    public var reviewCount: Int
    public var productCount: Int
    public var followerCount: Int
    /// Whether the signed-in member follows it; nil for guests.
    public var followedByMe: Bool?
    public var stores: [ShopStore]

    public init(id: UUID, name: String, logoUrl: String?, description: String?, rating: Double?, reviewCount: Int, productCount: Int,
                followerCount: Int, followedByMe: Bool?, stores: [ShopStore]) {
        self.id = id
        self.name = name
        self.logoUrl = logoUrl
        self.description = description
        self.rating = rating
        self.reviewCount = reviewCount
        self.productCount = productCount
        self.followerCount = followerCount
        self.followedByMe = followedByMe
        self.stores = stores
    }
}
