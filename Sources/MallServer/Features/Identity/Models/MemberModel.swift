import Fluent
import Foundation
import MallCore

final class MemberModel: Model, @unchecked Sendable {
    static let schema = "members"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @OptionalField(key: "mobile") var mobile: String?
    @OptionalField(key: "email") var email: String?
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "nickname") var nickname: String
    @OptionalField(key: "avatar_url") var avatarURL: String?
    @Enum(key: "gender") var gender: Gender
    @OptionalField(key: "birthday") var birthday: String?
    @Field(key: "status") var status: String
    /// Member level code (e.g. `gold`): which level prices the member pays. nil: none.
    @OptionalField(key: "level") var level: String?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _mobile, _email, _passwordHash, _nickname, _avatarURL, _gender, _birthday, _status, _level] }

    init() {}

    init(id: UUID? = nil, mobile: String?, email: String?, passwordHash: String, nickname: String) {
        self.id = id
        self.mobile = mobile
        self.email = email
        self.passwordHash = passwordHash
        self.nickname = nickname
        self.gender = .unspecified
        self.status = "active"
    }

    static func find(login: MemberLogin, on db: any Database) async throws -> MemberModel? {
        switch login {
        case .mobile(let number): try await query(on: db).filter(\.$mobile == number.digits).first()
        case .email(let address): try await query(on: db).filter(\.$email == address.value).first()
        }
    }
}

final class MemberAddressModel: Model, @unchecked Sendable {
    static let schema = "member_addresses"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "member_id") var memberId: UUID
    @Field(key: "contact_name") var contactName: String
    @Field(key: "phone") var phone: String
    @Field(key: "province") var province: String
    @Field(key: "city") var city: String
    @Field(key: "district") var district: String
    @Field(key: "detail") var detail: String
    @OptionalField(key: "latitude") var latitude: Double?
    @OptionalField(key: "longitude") var longitude: Double?
    @Field(key: "is_default") var isDefault: Bool

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _memberId, _contactName, _phone, _province, _city, _district, _detail, _latitude, _longitude, _isDefault] }

    init() {}

    static func owned(by memberId: UUID, on db: any Database) -> QueryBuilder<MemberAddressModel> {
        query(on: db).filter(\.$memberId == memberId)
    }
}
