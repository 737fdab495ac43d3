import Fluent
import Foundation
import MallCore

extension QueryBuilder {
    /// Limits a query of merchant- or store-owned rows to what an access reach covers. Every
    /// scoped list goes through here so that forgetting a tenant filter takes effort.
    /// `storeField` nil means the rows belong to merchants only.
    func scoped(to reach: AccessReach, merchantField: FieldKey = "merchant_id", storeField: FieldKey? = "store_id") -> Self {
        guard case .limited(let merchants, let stores) = reach else { return self }
        func path(_ key: FieldKey) -> DatabaseQuery.Field { .extendedPath([key], schema: Model.schemaOrAlias, space: Model.spaceIfNotAliased) }
        func ids(_ values: [UUID]) -> DatabaseQuery.Value { .array(values.map { .bind($0) }) }
        return group(.or) { group in
            group.filter(path(merchantField), .subset(inverse: false), ids(merchants.map(\.rawValue)))
            if let storeField {
                group.filter(path(storeField), .subset(inverse: false), ids(stores.map(\.rawValue)))
            }
        }
    }
}
