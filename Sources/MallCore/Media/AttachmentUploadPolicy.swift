/// What the mall accepts as a product video or document, beyond being a real MP4, WebM or PDF.
public enum AttachmentUploadPolicy {
    /// The most the `media.videoMaxMegabytes` setting may allow: an upload is held in memory
    /// while it is checked, so the ceiling bounds what one request can cost.
    public static let videoMegabytesCeiling = 200
    /// 20 MB: a long manual with pictures.
    public static let maxDocumentByteCount = 20 * 1024 * 1024
    public static let maxTitleLength = 60
    /// Videos and documents together, per product.
    public static let maxPerProduct = 10

    /// Throws `ValidationFailure` on `file` when the video is larger or longer than the settings
    /// allow, or the document larger than 20 MB.
    public static func check(_ info: AttachmentInfo, maxVideoMegabytes: Int, maxVideoSeconds: Int) throws {
        if info.format.isVideo {
            if info.byteCount > maxVideoMegabytes * 1024 * 1024 {
                throw ValidationFailure(field: "file", message: "is larger than \(maxVideoMegabytes) MB")
            }
            if let duration = info.durationMilliseconds, duration > maxVideoSeconds * 1000 {
                throw ValidationFailure(field: "file", message: "is longer than \(maxVideoSeconds) seconds")
            }
        } else if info.byteCount > maxDocumentByteCount {
            throw ValidationFailure(field: "file", message: "is larger than 20 MB")
        }
    }
}
