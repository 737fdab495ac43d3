import Foundation
import MallCore

extension ProductModel {
    var lifecycle: ProductLifecycle {
        get { ProductLifecycle(status: ProductStatus(rawValue: status) ?? .draft, onShelf: onShelf, rejectionReason: rejectionReason) }
        set {
            status = newValue.status.rawValue
            onShelf = newValue.onShelf
            rejectionReason = newValue.rejectionReason
        }
    }

    var specs: [SpecDefinition] {
        get { (try? JSONDecoder().decode([SpecDefinition].self, from: Data(specsJSON.utf8))) ?? [] }
        set { specsJSON = String(decoding: (try? JSONEncoder.api.encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

}
