import Fluent
import Foundation
import MallCore
import SQLKit

/// The bigram index of product search text (`product_search_grams`), which answers two-character
/// keywords from an index on both databases (see `SearchGrams`).
enum ProductSearchGrams {
    static let table = "product_search_grams"

    static func write(productId: UUID, text: String, on db: any Database) async throws {
        try await db.sql.delete(from: table).where("product_id", .equal, productId).run()
        let grams = SearchGrams.bigrams(of: text)
        guard !grams.isEmpty else { return }
        var insert = db.sql.insert(into: table).columns("gram", "product_id")
        for gram in grams { insert = insert.values(SQLBind(gram), SQLBind(productId)) }
        try await insert.run()
    }
}

/// Keeps the bigram index in step with every product written through Fluent, in the writer's
/// transaction.
struct ProductSearchGramsMaintainer: AsyncModelMiddleware {
    func create(model: ProductModel, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        try await ProductSearchGrams.write(productId: model.id!, text: model.searchText, on: db)
    }

    func update(model: ProductModel, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        let changes = ChangedKeys()
        model.input(to: changes)
        let textChanged = changes.keys.contains(model.$searchText.key)
        try await next.update(model, on: db)
        if textChanged { try await ProductSearchGrams.write(productId: model.id!, text: model.searchText, on: db) }
    }
}

/// The field keys a model will write on its next save (FluentKit hands only changed fields to
/// its input).
final class ChangedKeys: DatabaseInput {
    var keys: Set<FieldKey> = []

    func set(_ value: DatabaseQuery.Value, at key: FieldKey) {
        keys.insert(key)
    }
}
