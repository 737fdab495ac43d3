import Fluent
import Foundation

/// A member's address as the delivery pickers of quick purchases (points mall, flash sales)
/// offer it, default first. Only addresses with a map location: a store's delivery range is
/// judged from it, so the others could never be delivered to.
struct AddressChoice: Encodable, Sendable {
    let id: UUID
    let text: String

    static func deliverable(memberId: UUID, on db: any Database) async throws -> [AddressChoice] {
        try await MemberAddressModel.owned(by: memberId, on: db).sort(\.$isDefault, .descending).all()
            .filter { $0.latitude != nil && $0.longitude != nil }
            .compactMap { address in
                address.id.map { AddressChoice(id: $0, text: "\(address.contactName) \(address.city == address.province ? address.city : address.province + address.city)\(address.district)\(address.detail)") }
            }
    }
}
