import MallCore
import Testing

@Suite("Stock changes")
struct StockChangeTests {
    @Test("only changes that add stock apply to any level, so they may be applied in bulk")
    func alwaysApplies() throws {
        for kind in [StockMovementKind.receipt, .transferIn, .return] {
            let change = try StockChange.movement(kind, quantity: 5)
            #expect(change.alwaysApplies, "\(kind)")
            #expect(change.applied(to: StockLevel(onHand: 0, reserved: 0)) == StockLevel(onHand: 5, reserved: 0))
        }
        for kind in [StockMovementKind.outbound, .transferOut, .reserve, .release, .commit] {
            #expect(!(try StockChange.movement(kind, quantity: 5)).alwaysApplies, "\(kind)")
        }
        #expect(try StockChange.movement(.adjustment, quantity: 3).alwaysApplies, "a positive adjustment only adds")
        #expect(!(try StockChange.movement(.adjustment, quantity: -3)).alwaysApplies)
        #expect(try StockChange.movement(.reserve, quantity: 5).applied(to: StockLevel(onHand: 4, reserved: 0)) == nil)
    }

    @Test("movements of any size, Int.min and Int.max included, are refused with a field error or built within the limit")
    func extremeQuantities() throws {
        let limit = StockChange.maximumQuantity
        for kind in StockMovementKind.allCases {
            for quantity in [Int.min, Int.min + 1, -limit - 1, -limit, -1, 0, 1, limit, limit + 1, Int.max] {
                do {
                    let change = try StockChange.movement(kind, quantity: quantity, field: "delta")
                    #expect(abs(change.onHandDelta) <= limit && abs(change.reservedDelta) <= limit, "\(kind) \(quantity)")
                    #expect(change.minimumAvailable >= 0 && change.minimumReserved >= 0)
                } catch let failure as ValidationFailure {
                    #expect(failure.errors.map(\.field) == ["delta"], "\(kind) \(quantity)")
                }
            }
        }
        #expect(throws: ValidationFailure.self) { try StockChange.movement(.adjustment, quantity: Int.min) }
        #expect(try StockChange.movement(.adjustment, quantity: -limit).onHandDelta == -limit)
    }

    @Test("levels at the edges of Int take no change and report saturated availability instead of trapping")
    func extremeLevels() throws {
        let receipt = try StockChange.movement(.receipt, quantity: 5)
        #expect(receipt.applied(to: StockLevel(onHand: .max, reserved: 0)) == nil)
        #expect(try StockChange.movement(.reserve, quantity: 1).applied(to: StockLevel(onHand: .max, reserved: .min)) == nil)
        #expect(StockLevel(onHand: .max, reserved: -1).available == .max)
        #expect(StockLevel(onHand: .min, reserved: 1).available == .min)
        #expect(receipt.applied(to: StockLevel(onHand: 10, reserved: 2)) == StockLevel(onHand: 15, reserved: 2))
    }
}
