//! The built-in tools, one per file; this module only lists them.

pub mod adjust_image;
pub mod annotate;
pub mod aspect;
pub mod blur_faces;
pub mod blur_faces_video;
pub mod combine_images;
pub mod compare_images;
pub mod contact_sheet;
pub mod convert_image;
pub mod crop;
pub mod cut_video;
pub mod describe_image;
pub mod detect_faces;
pub mod detect_objects;
pub mod detect_open_vocab;
pub mod edit_image;
pub mod estimate_depth;
pub mod extract_audio;
pub mod extract_frames;
pub mod extract_page;
pub mod flip;
pub mod frames_to_video;
pub mod grayscale;
pub mod image_info;
pub mod images_to_pdf;
pub mod mask_convert;
pub mod mask_ops;
pub mod ocr;
pub mod overlay_image;
pub mod page_to_pdf;
pub mod pdf_info;
pub mod reconstruct_3d;
pub mod redact_document;
pub mod redact_image;
pub mod redact_phi;
pub mod remove_background;
pub mod render_pdf_page;
pub mod resize;
pub mod rotate;
pub mod screenshot_page;
pub mod strip_metadata;
pub mod thumbnail;
pub mod tile_image;
pub mod transcode_video;
pub mod trim_video;
pub mod video_thumbnail;

use std::sync::Arc;

use crate::tool::Tool;

/// One instance of every built-in tool, in the catalog's order.
pub fn all() -> Vec<Arc<dyn Tool>> {
    vec![
        Arc::new(detect_faces::DetectFaces),
        Arc::new(redact_image::RedactImage),
        Arc::new(blur_faces::BlurFaces),
        Arc::new(ocr::Ocr),
        Arc::new(redact_phi::RedactPhi),
        Arc::new(crop::Crop),
        Arc::new(resize::Resize),
        Arc::new(thumbnail::Thumbnail),
        Arc::new(aspect::Aspect),
        Arc::new(grayscale::Grayscale),
        Arc::new(rotate::Rotate),
        Arc::new(flip::Flip),
        Arc::new(adjust_image::AdjustImage),
        Arc::new(convert_image::ConvertImage),
        Arc::new(strip_metadata::StripMetadata),
        Arc::new(image_info::ImageInfo),
        Arc::new(compare_images::CompareImages),
        Arc::new(redact_document::RedactDocument),
        Arc::new(describe_image::DescribeImage),
        Arc::new(overlay_image::OverlayImage),
        Arc::new(combine_images::CombineImages),
        Arc::new(tile_image::TileImage),
        Arc::new(mask_ops::MaskOps),
        Arc::new(mask_convert::MaskToImage),
        Arc::new(mask_convert::ImageToMask),
        Arc::new(detect_objects::DetectObjects),
        Arc::new(annotate::Annotate),
        Arc::new(remove_background::RemoveBackground),
        Arc::new(trim_video::TrimVideo),
        Arc::new(cut_video::CutVideo),
        Arc::new(transcode_video::TranscodeVideo),
        Arc::new(frames_to_video::FramesToVideo),
        Arc::new(extract_frames::ExtractFrames),
        Arc::new(contact_sheet::ContactSheet),
        Arc::new(extract_audio::ExtractAudio),
        Arc::new(video_thumbnail::VideoThumbnail),
        Arc::new(blur_faces_video::BlurFacesVideo),
        Arc::new(render_pdf_page::RenderPdfPage),
        Arc::new(images_to_pdf::ImagesToPdf),
        Arc::new(pdf_info::PdfInfo),
        Arc::new(estimate_depth::EstimateDepth),
        Arc::new(detect_open_vocab::DetectOpenVocab),
        Arc::new(reconstruct_3d::Reconstruct3d),
        Arc::new(edit_image::EditImage),
        Arc::new(edit_image::GenerateImage),
        Arc::new(screenshot_page::ScreenshotPage),
        Arc::new(page_to_pdf::PageToPdf),
        Arc::new(extract_page::ExtractPage),
    ]
}
