import Fluent
import Foundation
import MallAPI

/// A member's points balance: the projection of `points_entries`, changed only by `PointsService`
/// in the same transaction as the entry that explains it.
final class PointsAccountModel: Model, @unchecked Sendable {
    static let schema = "points_accounts"

    @ID(key: .id) var id: UUID?

    @Field(key: "member_id") var memberId: UUID
    @Field(key: "balance") var balance: Int64
    @Field(key: "earned_total") var earnedTotal: Int64
    @Field(key: "last_seq") var lastSeq: Int64
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _memberId, _balance, _earnedTotal, _lastSeq, _updatedAt] }

    init() {}
}

final class PointsEntryModel: Model, @unchecked Sendable {
    static let schema = "points_entries"

    @ID(key: .id) var id: UUID?

    @Field(key: "member_id") var memberId: UUID
    /// 1, 2, 3 … per member, in the order the entries were committed.
    @Field(key: "seq") var seq: Int64
    @Field(key: "kind") var kind: String
    @Field(key: "points") var points: Int64
    @Field(key: "balance_after") var balanceAfter: Int64
    @OptionalField(key: "lot_remaining") var lotRemaining: Int64?
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "reference_type") var referenceType: String?
    @OptionalField(key: "reference_id") var referenceId: String?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "actor_staff_id") var actorStaffId: UUID?
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _memberId, _seq, _kind, _points, _balanceAfter, _lotRemaining, _expiresAt, _referenceType, _referenceId, _note, _actorStaffId,
         _idempotencyKey, _createdAt]
    }

    init() {}

    var dto: PointsEntry {
        PointsEntry(id: id!, kind: PointsEntryKind(rawValue: kind) ?? .adminGrant, points: points, balanceAfter: balanceAfter,
                    expiresAt: expiresAt, note: note, referenceType: referenceType, referenceId: referenceId, createdAt: createdAt)
    }
}

final class SignInModel: Model, @unchecked Sendable {
    static let schema = "sign_ins"

    @ID(key: .id) var id: UUID?

    @Field(key: "member_id") var memberId: UUID
    @Field(key: "day") var day: String
    @Field(key: "streak") var streak: Int
    @Field(key: "points") var points: Int
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _memberId, _day, _streak, _points, _createdAt] }

    init() {}
}
