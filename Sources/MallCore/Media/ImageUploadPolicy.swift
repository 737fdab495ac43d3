/// What the mall accepts as a product image, beyond being a real JPEG, PNG or WebP.
public enum ImageUploadPolicy {
    /// 5 MB (5 × 1024 × 1024 bytes): plenty for a product photo, small enough to keep pages fast.
    public static let maxByteCount = 5 * 1024 * 1024

    /// A few kilobytes of PNG or WebP can declare a canvas of billions of pixels that every
    /// browser and thumbnailer must then allocate ("decompression bomb"); the caps keep a single
    /// image under about 160 MB of RGBA once decoded.
    public static let maxSide = 10_000
    public static let maxPixelCount = 40_000_000

    /// New images one member may upload in 24 hours (review photos: six a review leaves room
    /// for ten reviews a day). Uploading bytes the member uploaded before does not count.
    public static let memberUploadsPerDay = 60

    /// Throws `ValidationFailure` on `file` when the image is too large to accept.
    public static func check(_ image: ImageInfo) throws {
        if image.byteCount > maxByteCount {
            throw ValidationFailure(field: "file", message: "is larger than 5 MB")
        }
        if image.width > maxSide || image.height > maxSide {
            throw ValidationFailure(field: "file", message: "is \(image.width)×\(image.height) pixels; images may be at most \(maxSide) pixels on a side")
        }
        if image.width * image.height > maxPixelCount {
            throw ValidationFailure(field: "file", message: "is \(image.width)×\(image.height) pixels; images may have at most 40 million pixels")
        }
    }
}
