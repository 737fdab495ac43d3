import Fluent
import Foundation
import MallCore

final class MerchantApplicationModel: Model, @unchecked Sendable {
    static let schema = "merchant_applications"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Enum(key: "status") var status: MerchantApplicationStatus
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "company_name") var companyName: String
    @Field(key: "credit_code") var creditCode: String
    @Field(key: "legal_representative") var legalRepresentative: String
    @Field(key: "contact_name") var contactName: String
    @Field(key: "contact_phone") var contactPhone: String
    @OptionalField(key: "contact_email") var contactEmail: String?
    @Field(key: "category_id") var categoryId: UUID
    @OptionalField(key: "brand_name") var brandName: String?
    @OptionalField(key: "description") var shopDescription: String?
    @Field(key: "bank_account_name") var bankAccountName: String
    @Field(key: "bank_name") var bankName: String
    @Field(key: "bank_branch") var bankBranch: String
    @Field(key: "bank_account_number") var bankAccountNumber: String
    /// `[ApplicationStoreInput]` as JSON.
    @Field(key: "stores") var storesJSON: String
    @OptionalField(key: "reviewer_staff_id") var reviewerStaffId: UUID?
    @OptionalField(key: "merchant_id") var merchantId: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _createdAt, _updatedAt, _status, _reason, _tokenHash, _companyName, _creditCode, _legalRepresentative, _contactName,
         _contactPhone, _contactEmail, _categoryId, _brandName, _shopDescription, _bankAccountName, _bankName, _bankBranch,
         _bankAccountNumber, _storesJSON, _reviewerStaffId, _merchantId, _decidedAt]
    }

    init() {}

    var lifecycle: MerchantApplicationLifecycle {
        get { MerchantApplicationLifecycle(status: status, reason: reason) }
        set {
            status = newValue.status
            reason = newValue.reason
        }
    }

    var bankAccount: BankAccount {
        BankAccount(accountName: bankAccountName, bankName: bankName, branchName: bankBranch, accountNumber: bankAccountNumber)
    }
}

/// A scanned paper of an application. Its file is in file storage but named by no media row, so
/// `/files/…` never serves it: only the application's routes do, to the applicant and reviewers.
final class MerchantApplicationDocumentModel: Model, @unchecked Sendable {
    static let schema = "merchant_application_documents"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "application_id") var applicationId: UUID
    @Enum(key: "kind") var kind: ApplicationDocumentKind
    @Field(key: "file_key") var fileKey: String
    @Field(key: "sha256") var sha256: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "byte_count") var byteCount: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _applicationId, _kind, _fileKey, _sha256, _contentType, _byteCount] }

    init() {}

    static func all(of applicationId: UUID, on db: any Database) async throws -> [MerchantApplicationDocumentModel] {
        try await query(on: db).filter(\.$applicationId == applicationId).sort(\.$kind).all()
    }
}
