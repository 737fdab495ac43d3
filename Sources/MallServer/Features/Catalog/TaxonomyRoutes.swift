import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The platform's shared catalogue structure: the category tree, brands, tags and spec templates.
struct TaxonomyRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("categories", use: tree)
        routes.post("categories", use: createCategory)
        routes.patch("categories", ":categoryId", use: updateCategory)
        routes.delete("categories", ":categoryId", use: deleteCategory)
        routes.get("brands", use: brands)
        routes.post("brands", use: createBrand)
        routes.get("tags", use: tags)
        routes.get("spec-templates", use: specTemplates)
        routes.post("spec-templates", use: createSpecTemplate)
        routes.put("spec-templates", ":templateId", use: updateSpecTemplate)
        routes.delete("spec-templates", ":templateId", use: deleteSpecTemplate)
    }

    func tree(req: Request) async throws -> [CategoryNode] {
        _ = try req.reach(.catalogView)
        return try await Self.tree(on: req.db)
    }

    static func tree(on db: any Database) async throws -> [CategoryNode] {
        let all = try await CategoryModel.query(on: db).sort(\.$sortOrder).sort(\.$name).all()
        let children = Dictionary(grouping: all, by: \.parentId)
        func build(_ parent: UUID?) -> [CategoryNode] {
            (children[parent] ?? []).map { category in
                CategoryNode(id: category.id!, name: category.name, parentId: category.parentId, sortOrder: category.sortOrder,
                             icon: category.icon, depth: category.depth, children: build(category.id))
            }
        }
        return build(nil)
    }

    func createCategory(req: Request) async throws -> Response {
        try req.authorize(.catalogEdit, on: .platform)
        let input = try req.content.decode(CategoryInput.self)
        var errors = FieldErrorCollector()
        let name = errors.collect { try TextRule.check(input.name, field: "name", max: 20) }
        if let icon = input.icon, !ProductService.isImageURL(icon) { errors.add("icon", "must be an https URL or a /files/ path") }
        if let sort = input.sortOrder { errors.range(sort, Self.sortOrders, "sortOrder") }
        try errors.throwIfAny()
        let category = CategoryModel()
        category.id = UUID()
        category.name = name!
        category.sortOrder = input.sortOrder ?? 0
        category.icon = input.icon
        try await req.db.writeTransaction { db in
            try await Self.place(category, under: input.parentId, on: db)
            try await category.create(on: db)
            try await req.audit.record(on: db, action: "category.create", owner: .platform, targetType: "category",
                                       targetId: category.id!.uuidString, after: ["name": category.name, "path": category.path])
        }
        return try Response.json(CategoryNode(id: category.id!, name: category.name, parentId: category.parentId, sortOrder: category.sortOrder,
                                              icon: category.icon, depth: category.depth, children: []), status: .created)
    }

    /// Renaming is simple; moving rewrites the path of the whole subtree and refuses cycles.
    /// Positions among siblings; 0 first.
    static let sortOrders = 0...100_000

    func updateCategory(req: Request) async throws -> [CategoryNode] {
        try req.authorize(.catalogEdit, on: .platform)
        guard let id = req.parameters.get("categoryId", as: UUID.self), let category = try await CategoryModel.find(id, on: req.db) else {
            throw MallError.notFound("No such category.")
        }
        let input = try req.content.decode(CategoryUpdate.self)
        var errors = FieldErrorCollector()
        if let name = input.name, let checked = errors.collect({ try TextRule.check(name, field: "name", max: 20) }) { category.name = checked }
        if let sort = input.sortOrder, errors.range(sort, Self.sortOrders, "sortOrder") { category.sortOrder = sort }
        if let icon = input.icon, !icon.isEmpty, !ProductService.isImageURL(icon) { errors.add("icon", "must be an https URL or a /files/ path") }
        try errors.throwIfAny()
        if let icon = input.icon { category.icon = icon.isEmpty ? nil : icon }
        try await req.db.writeTransaction { db in
            if input.parentId != nil || input.moveToRoot == true {
                let oldPath = category.path
                try await Self.place(category, under: input.moveToRoot == true ? nil : input.parentId, on: db)
                let descendants = try await CategoryModel.query(on: db).filter(\.$path =~ oldPath).filter(\.$id != id).all()
                for child in descendants {
                    child.path = category.path + child.path.dropFirst(oldPath.count)
                    child.depth = child.path.split(separator: "/").count - 1
                    try await child.update(on: db)
                }
            }
            try await category.update(on: db)
            try await req.audit.record(on: db, action: "category.update", owner: .platform, targetType: "category",
                                       targetId: id.uuidString, after: ["name": category.name, "path": category.path])
        }
        return try await Self.tree(on: req.db)
    }

    func deleteCategory(req: Request) async throws -> HTTPStatus {
        try req.authorize(.catalogEdit, on: .platform)
        guard let id = req.parameters.get("categoryId", as: UUID.self), let category = try await CategoryModel.find(id, on: req.db) else {
            throw MallError.notFound("No such category.")
        }
        try await req.db.writeTransaction { db in
            if try await CategoryModel.query(on: db).filter(\.$parentId == id).count() > 0 {
                throw MallError.conflict("The category has subcategories; move or delete them first.")
            }
            let products = try await ProductModel.query(on: db).filter(\.$categoryId == id).count()
            if products > 0 { throw MallError.conflict("\(products) products are in this category; move them first.") }
            try await category.delete(on: db)
            try await req.audit.record(on: db, action: "category.delete", owner: .platform, targetType: "category", targetId: id.uuidString,
                                       before: ["name": category.name])
        }
        return .noContent
    }

    static func place(_ category: CategoryModel, under parentId: UUID?, on db: any Database) async throws {
        guard let parentId else {
            category.parentId = nil
            category.path = "/\(category.id!.uuidString)/"
            category.depth = 0
            return
        }
        guard let parent = try await CategoryModel.find(parentId, on: db) else {
            throw ValidationFailure(field: "parentId", message: "is not a category")
        }
        if parent.path.contains("/\(category.id!.uuidString)/") {
            throw ValidationFailure(field: "parentId", message: "cannot be the category itself or one of its descendants")
        }
        category.parentId = parentId
        category.path = parent.path + "\(category.id!.uuidString)/"
        category.depth = parent.depth + 1
    }

    func brands(req: Request) async throws -> [Brand] {
        _ = try req.reach(.catalogView)
        return try await BrandModel.query(on: req.db).sort(\.$name).all().map { Brand(id: $0.id!, name: $0.name, logoUrl: $0.logoURL) }
    }

    func createBrand(req: Request) async throws -> Response {
        try req.authorize(.catalogEdit, on: .platform)
        let input = try req.content.decode(NamedInput.self)
        let brand = BrandModel()
        brand.name = try TextRule.check(input.name, field: "name", max: 40)
        brand.logoURL = input.logoUrl
        try await req.db.writeTransaction { db in
            if try await BrandModel.query(on: db).filter(\.$name == brand.name).first() != nil {
                throw ValidationFailure(field: "name", message: "is already a brand")
            }
            try await brand.create(on: db)
            try await req.audit.record(on: db, action: "brand.create", owner: .platform, targetType: "brand", targetId: brand.id!.uuidString,
                                       after: ["name": brand.name])
        }
        return try Response.json(Brand(id: brand.id!, name: brand.name, logoUrl: brand.logoURL), status: .created)
    }

    func tags(req: Request) async throws -> [Tag] {
        _ = try req.reach(.catalogView)
        return try await TagModel.query(on: req.db).sort(\.$name).all().map { Tag(id: $0.id!, name: $0.name) }
    }

    func specTemplates(req: Request) async throws -> [SpecTemplate] {
        _ = try req.reach(.catalogView)
        return try await SpecTemplateModel.query(on: req.db).sort(\.$name).all().map(\.dto)
    }

    func createSpecTemplate(req: Request) async throws -> Response {
        try req.authorize(.catalogEdit, on: .platform)
        let input = try req.content.decode(SpecTemplateInput.self)
        let template = SpecTemplateModel()
        template.name = try Self.checkedTemplateName(input)
        template.specsJSON = try JSONText.encode(input.specs)
        try await req.db.writeTransaction { db in
            if try await SpecTemplateModel.query(on: db).filter(\.$name == template.name).first() != nil {
                throw ValidationFailure(field: "name", message: "is already a template")
            }
            try await template.create(on: db)
            try await req.audit.record(on: db, action: "spec_template.create", owner: .platform, targetType: "spec_template",
                                       targetId: template.id!.uuidString, after: input.specs)
        }
        return try Response.json(template.dto, status: .created)
    }

    /// The template's name once its specs make a valid SKU matrix; every problem at once otherwise.
    static func checkedTemplateName(_ input: SpecTemplateInput) throws -> String {
        var errors = FieldErrorCollector()
        let name = errors.collect { try TextRule.check(input.name, field: "name", max: 30) }
        if input.specs.isEmpty { errors.add("specs", "must have at least one spec") }
        errors.collect { _ = try SKUMatrix.combinations(input.specs) }
        try errors.throwIfAny()
        guard let name else { throw ValidationFailure(field: "name", message: "is required") }
        return name
    }

    /// Renames a template or changes its specs; products already made from it keep theirs.
    func updateSpecTemplate(req: Request) async throws -> SpecTemplate {
        try req.authorize(.catalogEdit, on: .platform)
        guard let id = req.parameters.get("templateId", as: UUID.self), let template = try await SpecTemplateModel.find(id, on: req.db) else {
            throw MallError.notFound("No such spec template.")
        }
        let input = try req.content.decode(SpecTemplateInput.self)
        let name = try Self.checkedTemplateName(input)
        let before = template.dto
        try await req.db.writeTransaction { db in
            if try await SpecTemplateModel.query(on: db).filter(\.$name == name).filter(\.$id != id).first() != nil {
                throw ValidationFailure(field: "name", message: "is already a template")
            }
            template.name = name
            template.specsJSON = try JSONText.encode(input.specs)
            try await template.update(on: db)
            try await req.audit.record(on: db, action: "spec_template.update", owner: .platform, targetType: "spec_template",
                                       targetId: id.uuidString, before: before, after: template.dto)
        }
        return template.dto
    }

    func deleteSpecTemplate(req: Request) async throws -> HTTPStatus {
        try req.authorize(.catalogEdit, on: .platform)
        guard let id = req.parameters.get("templateId", as: UUID.self), let template = try await SpecTemplateModel.find(id, on: req.db) else {
            throw MallError.notFound("No such spec template.")
        }
        try await req.db.writeTransaction { db in
            try await template.delete(on: db)
            try await req.audit.record(on: db, action: "spec_template.delete", owner: .platform, targetType: "spec_template", targetId: id.uuidString)
        }
        return .noContent
    }
}

extension SpecTemplateModel {
    var dto: SpecTemplate {
        SpecTemplate(id: id!, name: name, specs: (try? JSONDecoder().decode([SpecDefinition].self, from: Data(specsJSON.utf8))) ?? [])
    }
}
