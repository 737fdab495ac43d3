import Fluent
import SQLKit

/// Keyword search indexes. Both databases answer the same question — "does the lower-cased
/// search text contain the query?" — so results are identical; only the index differs.
/// SQLite: an FTS5 table with the trigram tokenizer (kept in step by triggers), which serves
/// LIKE '%…%' from its index. PostgreSQL: a pg_trgm GIN index on the column itself.
struct CreateProductSearch: AsyncMigration {
    var name: String { "002_CreateProductSearch" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        if database.isPostgres {
            // Extensions are database-wide; pinning it to `public` keeps the operator class reachable
            // from any schema (deployments that use one schema per tenant or per test).
            try await sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public").run()
            try await sql.raw("CREATE INDEX products_search_trgm ON products USING gin (search_text public.gin_trgm_ops)").run()
        } else {
            try await sql.raw("CREATE VIRTUAL TABLE product_search USING fts5(product_id UNINDEXED, body, tokenize = 'trigram')").run()
            try await sql.raw("""
                CREATE TRIGGER product_search_insert AFTER INSERT ON products BEGIN
                    INSERT INTO product_search (product_id, body) VALUES (new.id, new.search_text);
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER product_search_update AFTER UPDATE OF search_text ON products BEGIN
                    UPDATE product_search SET body = new.search_text WHERE product_id = new.id;
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER product_search_delete AFTER DELETE ON products BEGIN
                    DELETE FROM product_search WHERE product_id = old.id;
                END
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        if database.isPostgres {
            try await database.sql.raw("DROP INDEX IF EXISTS products_search_trgm").run()
        } else {
            for trigger in ["product_search_insert", "product_search_update", "product_search_delete"] {
                try await database.sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: trigger)").run()
            }
            try await database.sql.raw("DROP TABLE IF EXISTS product_search").run()
        }
    }
}
