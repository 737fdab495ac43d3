import Foundation

/// 搭配购: what makes a product combination a bundle a shop may offer.
public enum BundleRules {
    public static let products = 2...5
    public static let nameLength = 1...60

    /// Field errors of a bundle: a name, two to five different products, and a price above zero
    /// that saves the shopper something against the products' cheapest prices together
    /// (`regularPriceFen`, nil while the products are unknown).
    public static func check(name: String, priceFen: Int64, productIds: [UUID], regularPriceFen: Int64?) -> FieldErrorCollector {
        var errors = FieldErrorCollector()
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        errors.require(nameLength.contains(trimmed.count), "name", "must be 1 to 60 characters")
        errors.require(products.contains(productIds.count), "productIds", "must list 2 to 5 products")
        errors.require(Set(productIds).count == productIds.count, "productIds", "must not list a product twice")
        if errors.range(priceFen, 1...InputLimits.priceFen.upperBound, "priceFen"), let regularPriceFen {
            errors.require(priceFen < regularPriceFen, "priceFen", "must be less than the products' prices together (\(regularPriceFen) fen)")
        }
        return errors
    }
}
