/// One selling dimension of a product, such as 颜色 with 红, 蓝 or 尺码 with S, M, L.
public struct SpecDefinition: Codable, Hashable, Sendable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// One spec's chosen value inside a combination.
public struct SpecValue: Codable, Hashable, Sendable {
    public var spec: String
    public var value: String

    public init(spec: String, value: String) {
        self.spec = spec
        self.value = value
    }
}

/// One cell of the SKU matrix: a value for every spec, in spec order.
public struct SpecCombination: Codable, Hashable, Sendable {
    public var values: [SpecValue]
    /// Identifies the combination across edits, e.g. `颜色=红|尺码=M`; it is what existing SKUs
    /// are matched on, so it depends only on names and values, never on positions.
    public var key: String
    /// What a shopper sees, e.g. `红 / M`.
    public var title: String

    /// Derives `key` and `title` from the values so the three can never disagree.
    public init(values: [SpecValue]) {
        self.values = values
        key = values.map { "\($0.spec)=\($0.value)" }.joined(separator: "|")
        title = values.map(\.value).joined(separator: " / ")
    }
}

/// An SKU already stored for the product, as far as reconciliation needs to know it.
public struct ExistingSKU: Hashable, Sendable {
    public var key: String
    /// Sold at least once; such an SKU is referenced by orders and must never be deleted.
    public var hasSales: Bool
    public var enabled: Bool

    public init(key: String, hasSales: Bool, enabled: Bool) {
        self.key = key
        self.hasSales = hasSales
        self.enabled = enabled
    }
}

/// What to do to a product's SKUs after its specs changed. Every existing key lands in exactly
/// one of `keep`, `reenable`, `disable` or `delete`; `create` holds the combinations that have
/// no SKU yet. Lists follow the desired order, or the existing order for retired SKUs.
public struct SKUReconciliation: Equatable, Sendable {
    public var create: [SpecCombination]
    /// Still wanted and already enabled: nothing to do but keep price and stock.
    public var keep: [String]
    /// Wanted again after having been disabled: switch back on, with its old history.
    public var reenable: [String]
    /// No longer wanted but sold before: kept for order history and disabled, never deleted.
    /// Includes SKUs that are already disabled, so setting `enabled = false` is idempotent.
    public var disable: [String]
    /// No longer wanted and never sold: safe to remove.
    public var delete: [String]

    public init(create: [SpecCombination] = [], keep: [String] = [], reenable: [String] = [], disable: [String] = [], delete: [String] = []) {
        self.create = create
        self.keep = keep
        self.reenable = reenable
        self.disable = disable
        self.delete = delete
    }
}

/// Turns a product's specs into its SKUs, and a change of specs into SKU changes.
public enum SKUMatrix {
    /// The limits keep the SKU editor usable and a variant picker readable; they are public so
    /// forms can show them before the merchant hits them.
    public static let maximumSpecs = 5
    /// Values per spec.
    public static let maximumValuesPerSpec = 30
    /// SKUs per product, i.e. the size of the cartesian product.
    public static let maximumCombinations = 600
    /// Characters in a spec name.
    public static let maximumNameLength = 20
    /// Characters in a spec value.
    public static let maximumValueLength = 30

    /// Checks the specs and returns the cartesian product of their values, first spec varying
    /// slowest (红/S, 红/M, 蓝/S, 蓝/M). No specs give one default combination whose key and
    /// title are empty, so a product without variants still has exactly one SKU.
    ///
    /// Rules: at most 5 specs; names non-empty, at most 20 characters and unique; each spec has
    /// 1–30 values, each non-empty, at most 30 characters and unique within the spec; at most
    /// 600 combinations. Names and values are trimmed, compared case-insensitively for
    /// uniqueness, and may not contain '=' or '|', which delimit SKU keys. Every broken rule is
    /// reported at once in a `ValidationFailure` with fields like `specs[1].values[2]`.
    public static func combinations(_ specs: [SpecDefinition]) throws -> [SpecCombination] {
        var errors = FieldErrorCollector()
        errors.require(specs.count <= maximumSpecs, "specs", "must have at most \(maximumSpecs) specs")

        var cleanSpecs: [SpecDefinition] = []
        var seenNames: [String: Int] = [:]
        for (specIndex, spec) in specs.enumerated() {
            let field = "specs[\(specIndex)]"
            let name = errors.collect { try checkLabel(spec.name, field: "\(field).name", max: maximumNameLength) }
            if let name {
                if let first = seenNames[name.lowercased()] {
                    errors.add("\(field).name", "repeats the name of specs[\(first)]")
                } else {
                    seenNames[name.lowercased()] = specIndex
                }
            }
            // Filled in even when the name is bad, so values still line up; errors stop us before use.
            cleanSpecs.append(SpecDefinition(name: name ?? "", values: []))
            errors.require((1...maximumValuesPerSpec).contains(spec.values.count), "\(field).values",
                           "must have between 1 and \(maximumValuesPerSpec) values")
            var seenValues: [String: Int] = [:]
            for (valueIndex, raw) in spec.values.enumerated() {
                let valueField = "\(field).values[\(valueIndex)]"
                guard let value = errors.collect({ try checkLabel(raw, field: valueField, max: maximumValueLength) }) else { continue }
                if let first = seenValues[value.lowercased()] {
                    errors.add(valueField, "repeats \(field).values[\(first)]")
                } else {
                    seenValues[value.lowercased()] = valueIndex
                    cleanSpecs[cleanSpecs.count - 1].values.append(value)
                }
            }
        }
        if specs.count <= maximumSpecs, specs.allSatisfy({ (1...maximumValuesPerSpec).contains($0.values.count) }) {
            // At most 30^5, so the product cannot overflow once the counts are in range.
            let count = specs.reduce(1) { $0 * $1.values.count }
            errors.require(count <= maximumCombinations, "specs",
                           "would make \(count) SKUs; at most \(maximumCombinations) are allowed")
        }
        try errors.throwIfAny()

        var result: [[SpecValue]] = [[]]
        for spec in cleanSpecs {
            result = result.flatMap { prefix in spec.values.map { prefix + [SpecValue(spec: spec.name, value: $0)] } }
        }
        return result.map(SpecCombination.init(values:))
    }

    /// Compares the SKUs a product has with the combinations it should have.
    ///
    /// Keys are matched exactly. An SKU that has been sold is never deleted, because order lines
    /// and after-sales records point at it; it is disabled instead and re-enabled if its
    /// combination comes back. Duplicate keys on either side count once.
    public static func reconcile(existing: [ExistingSKU], desired: [SpecCombination]) -> SKUReconciliation {
        var plan = SKUReconciliation()
        var existingByKey: [String: ExistingSKU] = [:]
        for sku in existing {
            // Duplicates should not exist, but if they do the merge errs on the safe side: one
            // sold copy protects the key from deletion, one disabled copy asks for re-enabling.
            if var merged = existingByKey[sku.key] {
                merged.hasSales = merged.hasSales || sku.hasSales
                merged.enabled = merged.enabled && sku.enabled
                existingByKey[sku.key] = merged
            } else {
                existingByKey[sku.key] = sku
            }
        }
        var desiredKeys: Set<String> = []
        for combination in desired where desiredKeys.insert(combination.key).inserted {
            switch existingByKey[combination.key] {
            case nil: plan.create.append(combination)
            case let sku? where sku.enabled: plan.keep.append(sku.key)
            case let sku?: plan.reenable.append(sku.key)
            }
        }
        var retired: Set<String> = []
        for sku in existing where !desiredKeys.contains(sku.key) && retired.insert(sku.key).inserted {
            if existingByKey[sku.key]!.hasSales {
                plan.disable.append(sku.key)
            } else {
                plan.delete.append(sku.key)
            }
        }
        return plan
    }

    private static func checkLabel(_ raw: String, field: String, max: Int) throws -> String {
        let label = try TextRule.check(raw, field: field, max: max)
        if label.contains("=") || label.contains("|") {
            throw ValidationFailure(field: field, message: "must not contain '=' or '|'")
        }
        return label
    }
}
