import MallCore
import Testing

@Suite("Specs and the SKU matrix")
struct SKUMatrixTests {
    let colour = SpecDefinition(name: "颜色", values: ["红", "蓝"])
    let size = SpecDefinition(name: "尺码", values: ["S", "M", "L"])

    func errors(_ specs: [SpecDefinition]) -> [FieldError] {
        do {
            _ = try SKUMatrix.combinations(specs)
            return []
        } catch let failure as ValidationFailure {
            return failure.errors
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    // MARK: - Combinations

    @Test("a product without specs has one default combination")
    func noSpecs() throws {
        let combinations = try SKUMatrix.combinations([])
        #expect(combinations == [SpecCombination(values: [])])
        #expect(combinations[0].key == "")
        #expect(combinations[0].title == "")
    }

    @Test("the matrix is the cartesian product, first spec varying slowest")
    func cartesianProduct() throws {
        let combinations = try SKUMatrix.combinations([colour, size])
        #expect(combinations.map(\.key) == [
            "颜色=红|尺码=S", "颜色=红|尺码=M", "颜色=红|尺码=L",
            "颜色=蓝|尺码=S", "颜色=蓝|尺码=M", "颜色=蓝|尺码=L",
        ])
        #expect(combinations.map(\.title) == ["红 / S", "红 / M", "红 / L", "蓝 / S", "蓝 / M", "蓝 / L"])
        #expect(combinations[4].values == [SpecValue(spec: "颜色", value: "蓝"), SpecValue(spec: "尺码", value: "M")])
    }

    @Test("a single spec gives one combination per value")
    func singleSpec() throws {
        let combinations = try SKUMatrix.combinations([SpecDefinition(name: "重量", values: ["500g", "1kg"])])
        #expect(combinations.map(\.key) == ["重量=500g", "重量=1kg"])
        #expect(combinations.map(\.title) == ["500g", "1kg"])
    }

    @Test("names and values are trimmed before they form keys")
    func trimming() throws {
        let combinations = try SKUMatrix.combinations([SpecDefinition(name: " 颜色 ", values: ["红 ", "\t蓝"])])
        #expect(combinations.map(\.key) == ["颜色=红", "颜色=蓝"])
    }

    @Test("limits: five specs, thirty values, six hundred SKUs")
    func limitsAccepted() throws {
        let thirty = SpecDefinition(name: "编号", values: (1...30).map { "#\($0)" })
        let twenty = SpecDefinition(name: "批次", values: (1...20).map { "B\($0)" })
        #expect(try SKUMatrix.combinations([thirty, twenty]).count == 600)
        let five = (1...5).map { SpecDefinition(name: "规格\($0)", values: ["甲", "乙"]) }
        #expect(try SKUMatrix.combinations(five).count == 32)
        let longest = SpecDefinition(name: String(repeating: "名", count: 20), values: [String(repeating: "值", count: 30)])
        #expect(try SKUMatrix.combinations([longest]).count == 1)
    }

    @Test("each broken rule names its field")
    func fieldErrors() {
        #expect(errors((1...6).map { SpecDefinition(name: "规格\($0)", values: ["甲"]) }).map(\.field) == ["specs"])
        #expect(errors([SpecDefinition(name: "  ", values: ["甲"])]) == [FieldError(field: "specs[0].name", message: "must not be empty")])
        #expect(errors([SpecDefinition(name: String(repeating: "名", count: 21), values: ["甲"])])
            == [FieldError(field: "specs[0].name", message: "must be at most 20 characters")])
        #expect(errors([colour, SpecDefinition(name: "颜色", values: ["黑"])])
            == [FieldError(field: "specs[1].name", message: "repeats the name of specs[0]")])
        #expect(errors([SpecDefinition(name: "颜色", values: [])])
            == [FieldError(field: "specs[0].values", message: "must have between 1 and 30 values")])
        #expect(errors([SpecDefinition(name: "编号", values: (1...31).map(String.init))]).map(\.field) == ["specs[0].values"])
        #expect(errors([colour, SpecDefinition(name: "尺码", values: ["S", "M", ""])])
            == [FieldError(field: "specs[1].values[2]", message: "must not be empty")])
        #expect(errors([SpecDefinition(name: "尺码", values: ["S", "s"])])
            == [FieldError(field: "specs[0].values[1]", message: "repeats specs[0].values[0]")], "values differ by more than case")
        #expect(errors([SpecDefinition(name: "尺码", values: [String(repeating: "大", count: 31)])]).map(\.message) == ["must be at most 30 characters"])
        #expect(errors([SpecDefinition(name: "a=b", values: ["x|y"])]) == [
            FieldError(field: "specs[0].name", message: "must not contain '=' or '|'"),
            FieldError(field: "specs[0].values[0]", message: "must not contain '=' or '|'"),
        ])
        let thirty = (1...30).map { "#\($0)" }
        #expect(errors([SpecDefinition(name: "甲", values: thirty), SpecDefinition(name: "乙", values: thirty)])
            == [FieldError(field: "specs", message: "would make 900 SKUs; at most 600 are allowed")])
    }

    @Test("all problems are reported in one go")
    func manyErrors() {
        let fields = errors([
            SpecDefinition(name: "", values: ["红", "红"]),
            SpecDefinition(name: "尺码", values: []),
            SpecDefinition(name: "尺码", values: ["M", " "]),
        ]).map(\.field)
        #expect(fields == ["specs[0].name", "specs[0].values[1]", "specs[1].values", "specs[2].name", "specs[2].values[1]"])
    }

    @Test("generated matrices have product-many unique keys in spec order")
    func matrixProperties() throws {
        var random = CatalogTestRandom(seed: 42)
        for _ in 0..<200 {
            let specs = (0..<Int.random(in: 0...4, using: &random)).map { index in
                SpecDefinition(name: "规格\(index)", values: (0..<Int.random(in: 1...4, using: &random)).map { "值\($0)" })
            }
            let combinations = try SKUMatrix.combinations(specs)
            #expect(combinations.count == specs.reduce(1) { $0 * $1.values.count })
            #expect(Set(combinations.map(\.key)).count == combinations.count)
            #expect(try SKUMatrix.combinations(specs) == combinations, "stable")
            for combination in combinations {
                #expect(combination.values.map(\.spec) == specs.map(\.name))
            }
        }
    }

    // MARK: - Reconciliation

    func combination(_ colour: String, _ size: String) -> SpecCombination {
        SpecCombination(values: [SpecValue(spec: "颜色", value: colour), SpecValue(spec: "尺码", value: size)])
    }

    @Test("new combinations are created, sold SKUs are disabled, unsold ones deleted")
    func reconcileScenario() {
        let existing = [
            ExistingSKU(key: "颜色=红|尺码=S", hasSales: true, enabled: true),
            ExistingSKU(key: "颜色=红|尺码=M", hasSales: false, enabled: true),
            ExistingSKU(key: "颜色=蓝|尺码=S", hasSales: true, enabled: false),
            ExistingSKU(key: "颜色=蓝|尺码=M", hasSales: false, enabled: false),
            ExistingSKU(key: "颜色=绿|尺码=S", hasSales: true, enabled: true),
            ExistingSKU(key: "颜色=绿|尺码=M", hasSales: true, enabled: false),
        ]
        let desired = [combination("红", "S"), combination("蓝", "S"), combination("蓝", "M"), combination("黄", "S")]

        let plan = SKUMatrix.reconcile(existing: existing, desired: desired)

        #expect(plan == SKUReconciliation(
            create: [combination("黄", "S")],
            keep: ["颜色=红|尺码=S"],
            reenable: ["颜色=蓝|尺码=S", "颜色=蓝|尺码=M"],
            disable: ["颜色=绿|尺码=S", "颜色=绿|尺码=M"],
            delete: ["颜色=红|尺码=M"]
        ))
    }

    @Test("adding the first spec retires the default SKU the same way")
    func fromDefaultSKU() throws {
        let desired = try SKUMatrix.combinations([colour])
        let sold = SKUMatrix.reconcile(existing: [ExistingSKU(key: "", hasSales: true, enabled: true)], desired: desired)
        #expect(sold == SKUReconciliation(create: desired, disable: [""]))
        let unsold = SKUMatrix.reconcile(existing: [ExistingSKU(key: "", hasSales: false, enabled: true)], desired: desired)
        #expect(unsold == SKUReconciliation(create: desired, delete: [""]))
    }

    @Test("reordering values keeps every SKU; renaming a spec replaces them")
    func reorderAndRename() throws {
        let existing = try SKUMatrix.combinations([colour, size]).map { ExistingSKU(key: $0.key, hasSales: false, enabled: true) }
        let reordered = try SKUMatrix.combinations([SpecDefinition(name: "颜色", values: ["蓝", "红"]), size])
        let plan = SKUMatrix.reconcile(existing: existing, desired: reordered)
        #expect(plan.keep.count == 6 && plan.create.isEmpty && plan.delete.isEmpty)

        let renamed = try SKUMatrix.combinations([SpecDefinition(name: "颜色分类", values: ["红", "蓝"]), size])
        let renamePlan = SKUMatrix.reconcile(existing: existing, desired: renamed)
        #expect(renamePlan.create.count == 6 && renamePlan.delete.count == 6 && renamePlan.keep.isEmpty)
    }

    @Test("every existing SKU gets exactly one fate and sold SKUs are never deleted")
    func reconcileProperties() {
        var random = CatalogTestRandom(seed: 99)
        let universe = ["红", "蓝", "绿", "黑"].flatMap { c in ["S", "M", "L"].map { combination(c, $0) } }
        for _ in 0..<500 {
            let existing = universe.filter { _ in Bool.random(using: &random) }.map {
                ExistingSKU(key: $0.key, hasSales: Bool.random(using: &random), enabled: Bool.random(using: &random))
            }
            let desired = universe.filter { _ in Bool.random(using: &random) }

            let plan = SKUMatrix.reconcile(existing: existing, desired: desired)

            let fates = plan.keep + plan.reenable + plan.disable + plan.delete
            #expect(fates.sorted() == existing.map(\.key).sorted())
            #expect((plan.keep + plan.reenable + plan.create.map(\.key)).sorted() == desired.map(\.key).sorted())
            let sold = Set(existing.filter(\.hasSales).map(\.key))
            #expect(sold.isDisjoint(with: plan.delete))
            #expect(Set(plan.create.map(\.key)).isDisjoint(with: existing.map(\.key)))
        }
    }

    @Test("duplicate keys count once, and one sold copy protects the key")
    func duplicates() {
        let wanted = SpecCombination(values: [SpecValue(spec: "x", value: "1")])
        let plan = SKUMatrix.reconcile(
            existing: [
                ExistingSKU(key: "a", hasSales: false, enabled: true), ExistingSKU(key: "a", hasSales: true, enabled: true),
                ExistingSKU(key: "b", hasSales: false, enabled: true), ExistingSKU(key: "b", hasSales: false, enabled: true),
                ExistingSKU(key: "x=1", hasSales: false, enabled: true), ExistingSKU(key: "x=1", hasSales: false, enabled: false),
            ],
            desired: [wanted, wanted]
        )
        #expect(plan == SKUReconciliation(reenable: ["x=1"], disable: ["a"], delete: ["b"]))
    }
}
