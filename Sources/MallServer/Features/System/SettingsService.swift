import Fluent
import Foundation
import MallAPI
import MallCore

enum SettingsService {
    static func stored(on db: any Database) async throws -> [SettingModel] {
        try await SettingModel.query(on: db).all()
    }

    static func resolved(on db: any Database) async throws -> ResolvedSettings {
        let rows = try await stored(on: db)
        var values: [String: SettingValue] = [:]
        for row in rows {
            if let value = try? JSONDecoder().decode(SettingValue.self, from: Data(row.valueJSON.utf8)) {
                values[row.key] = value
            }
        }
        return SettingsCatalog.resolve(stored: values)
    }

    static func list(on db: any Database) async throws -> [Setting] {
        let rows = Dictionary(try await stored(on: db).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let resolved = try await resolved(on: db)
        return SettingKey.allCases.map { key in
            let definition = key.definition
            return Setting(key: key.rawValue, type: definition.type, value: resolved[key], defaultValue: definition.defaultValue,
                           summary: definition.summary, updatedAt: rows[key.rawValue]?.updatedAt)
        }
    }

    /// Validates every value first, then writes them all; the caller supplies the transaction.
    static func update(_ values: [String: SettingValue], by staffId: UUID?, now: Date, on db: any Database) async throws {
        var errors = FieldErrorCollector()
        var valid: [(SettingKey, SettingValue)] = []
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let key = SettingKey(rawValue: name) else {
                errors.add("values.\(name)", "is not a setting")
                continue
            }
            if let checked = errors.collect({ try key.definition.validate(value) }) { valid.append((key, checked)) }
        }
        if values.isEmpty { errors.add("values", "must name at least one setting") }
        try errors.throwIfAny()
        for (key, value) in valid {
            let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            if let row = try await SettingModel.query(on: db).filter(\.$key == key.rawValue).first() {
                row.valueJSON = json
                row.updatedAt = now
                row.updatedBy = staffId
                try await row.update(on: db)
            } else {
                let row = SettingModel()
                row.key = key.rawValue
                row.valueJSON = json
                row.updatedAt = now
                row.updatedBy = staffId
                try await row.create(on: db)
            }
        }
    }
}
