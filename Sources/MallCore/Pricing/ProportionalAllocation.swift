/// Splits an amount over parts in proportion to their weights, exactly to the fen.
///
/// Every order discount is spread back over the order's lines with this, and partial refunds
/// use the same function to work out what each returned line gives back, so the two always
/// agree.
public enum ProportionalAllocation {
    /// Splits `total` over `weights` by the largest-remainder method.
    ///
    /// Each part first gets its exact share rounded down to the fen; the fen left over go one
    /// each to the parts with the largest remainders, ties going to the earlier part. So:
    ///
    /// - the result has one amount per weight and they sum to `total` exactly;
    /// - the same input always gives the same output (ties never depend on anything but order);
    /// - when `0 <= total <= sum(weights)`, no part ever receives more than its own weight, so
    ///   a discount allocated by line amounts can never push a line below zero;
    /// - a part with weight zero receives nothing, unless every weight is zero, in which case
    ///   the total is split evenly (leftover fen again going to the earlier parts).
    ///
    /// A negative `total` is split as its magnitude and negated, so refunds written as negative
    /// amounts allocate the same way as charges.
    ///
    /// - Precondition: every weight is non-negative and in `total`'s currency, the weights'
    ///   sum fits in `Int64`, and `weights` is non-empty unless `total` is zero. Breaking these
    ///   is a programming error, as with `Money`'s own arithmetic.
    public static func allocate(total: Money, weights: [Money]) -> [Money] {
        precondition(weights.allSatisfy { $0.currency == total.currency }, "weights must be in \(total.currency)")
        return allocate(total: total.minorUnits, weights: weights.map(\.minorUnits))
            .map { Money(minorUnits: $0, currency: total.currency) }
    }

    /// The same split on bare minor units; the pricing engine works in fen internally.
    static func allocate(total: Int64, weights: [Int64]) -> [Int64] {
        precondition(weights.allSatisfy { $0 >= 0 }, "weights must not be negative")
        guard !weights.isEmpty else {
            precondition(total == 0, "cannot allocate \(total) over no parts")
            return []
        }
        guard total != 0 else { return Array(repeating: 0, count: weights.count) }
        if total < 0 {
            precondition(total != .min, "total is out of range")
            return allocate(total: -total, weights: weights).map { -$0 }
        }

        var sum: Int64 = 0
        for weight in weights {
            let (next, overflow) = sum.addingReportingOverflow(weight)
            precondition(!overflow, "weights are too large to add up")
            sum = next
        }
        // Nothing to be proportional to: every part counts the same.
        let effective = sum == 0 ? Array(repeating: Int64(1), count: weights.count) : weights
        let denominator = sum == 0 ? Int64(weights.count) : sum

        var shares: [Int64] = []
        var remainders: [Int64] = []
        shares.reserveCapacity(weights.count)
        remainders.reserveCapacity(weights.count)
        for weight in effective {
            // total × weight can exceed Int64 long before either does; the quotient cannot,
            // since weight <= denominator means it is at most total.
            let product = total.multipliedFullWidth(by: weight)
            let (quotient, remainder) = denominator.dividingFullWidth(product)
            shares.append(quotient)
            remainders.append(remainder)
        }

        // The leftover is the sum of the dropped fractions, so it is smaller than the number of
        // parts that dropped one: every fen handed out below goes to a part with a remainder.
        let leftover = total - shares.reduce(0, +)
        let order = weights.indices.sorted { a, b in
            remainders[a] != remainders[b] ? remainders[a] > remainders[b] : a < b
        }
        for index in order.prefix(Int(leftover)) {
            shares[index] += 1
        }
        return shares
    }
}
