// Ready-made prompts and response schemas: the Orion artifacts announcement's
// three (as its pydantic models generate them), then everyday ones.

const ref = (name, kind) => ({
  properties: { id: { pattern: `^${kind}_\\w{6}$`, title: "Id", type: "string" } },
  required: ["id"], title: name, type: "object",
});

export const EXAMPLES = [
  {
    id: "redaction",
    label: "Redaction (announcement)",
    prompt: "Blur all faces and remove any PHI from this image.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: {
        redacted_image: { $ref: "#/$defs/ImageRef", description: "Image with sensitive regions removed" },
        notes: { title: "Notes", type: "string" },
      },
      required: ["redacted_image", "notes"], title: "RedactionResult", type: "object",
    },
  },
  {
    id: "recon",
    label: "3D reconstruction (announcement)",
    prompt: "Generate a 3D reconstruction of the dog in the image.",
    schema: {
      $defs: { ReconRef: ref("ReconRef", "recon") },
      properties: { recon_path: { $ref: "#/$defs/ReconRef", description: "3D reconstruction artifact (SPZ format)" } },
      required: ["recon_path"], title: "Recon3DResponse", type: "object",
    },
  },
  {
    id: "try-on",
    label: "Virtual try-on (announcement; needs an images provider)",
    prompt: "You are provided with two images: one of a dress (the first image) and one of a person (the second image). "
      + "Generate highly realistic virtual try-on by seamlessly compositing the dress onto the person, ensuring natural fit "
      + "and alignment, and that the person appears fully and appropriately dressed. Provide exactly 3 images (9:16 aspect ratio) "
      + "as output: one from the front, one from the back, and one from the side.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: {
        front: { $ref: "#/$defs/ImageRef", description: "Front view (9:16)" },
        back: { $ref: "#/$defs/ImageRef", description: "Back view (9:16)" },
        side: { $ref: "#/$defs/ImageRef", description: "Side view (9:16)" },
      },
      required: ["front", "back", "side"], title: "GeneratedImagesResponse", type: "object",
    },
  },
  {
    id: "grayscale",
    label: "Grayscale copy",
    prompt: "Convert this photo to grayscale.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: { image: { $ref: "#/$defs/ImageRef", description: "The grayscale image" } },
      required: ["image"], title: "GrayscaleResult", type: "object",
    },
  },
  {
    id: "faces",
    label: "Count faces",
    prompt: "How many faces are in this image?",
    schema: {
      properties: { face_count: { type: "integer", description: "Number of faces" } },
      required: ["face_count"], title: "FaceCount", type: "object",
    },
  },
  {
    id: "text",
    label: "Read the text (OCR)",
    prompt: "What text is in this image?",
    schema: null,
  },
  {
    id: "video-thumbnail",
    label: "Video thumbnail",
    prompt: "Give me a thumbnail of this video.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: { thumbnail: { $ref: "#/$defs/ImageRef", description: "A representative frame" } },
      required: ["thumbnail"], title: "VideoThumbnail", type: "object",
    },
  },
  {
    id: "pdf-page",
    label: "Render a PDF page",
    prompt: "Render page 1 of this PDF as an image.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: { page: { $ref: "#/$defs/ImageRef", description: "Page 1 as an image" } },
      required: ["page"], title: "RenderedPage", type: "object",
    },
  },
];
