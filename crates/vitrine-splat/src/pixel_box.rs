//! [`PixelBox`]: an integer pixel rectangle inside an image, shared by the mask refinement and
//! the layout estimate.

use image::GrayImage;

/// An integer pixel box `[x0, x1) × [y0, y1)` inside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PixelBox {
    pub(crate) x0: u32,
    pub(crate) y0: u32,
    pub(crate) x1: u32,
    pub(crate) y1: u32,
}

impl PixelBox {
    /// Rounds and clamps `[x0, y0, x1, y1]` to the image; `None` if not finite or empty.
    pub(crate) fn clamped(b: &[f32; 4], width: u32, height: u32) -> Option<Self> {
        if b.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let clamp = |v: f32, max: u32| v.round().clamp(0.0, max as f32) as u32;
        let x0 = clamp(b[0].min(b[2]), width);
        let x1 = clamp(b[0].max(b[2]), width);
        let y0 = clamp(b[1].min(b[3]), height);
        let y1 = clamp(b[1].max(b[3]), height);
        (x1 > x0 && y1 > y0).then_some(Self { x0, y0, x1, y1 })
    }

    pub(crate) fn width(&self) -> u32 {
        self.x1 - self.x0
    }

    pub(crate) fn height(&self) -> u32 {
        self.y1 - self.y0
    }

    /// The bounds of the pixels ≥ 128 of `mask` inside this box, if any.
    pub(crate) fn shrunk_to(&self, mask: &GrayImage) -> Option<Self> {
        let mut bounds: Option<Self> = None;
        for y in self.y0..self.y1 {
            for x in self.x0..self.x1 {
                if mask.get_pixel(x, y).0[0] >= 128 {
                    let b = bounds.get_or_insert(Self {
                        x0: x,
                        y0: y,
                        x1: x + 1,
                        y1: y + 1,
                    });
                    b.x0 = b.x0.min(x);
                    b.x1 = b.x1.max(x + 1);
                    b.y0 = b.y0.min(y);
                    b.y1 = b.y1.max(y + 1);
                }
            }
        }
        bounds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn boxes_are_clamped_and_empty_ones_refused() {
        let b = PixelBox::clamped(&[-5.0, 10.4, 30.6, 200.0], 20, 100).expect("overlaps");
        assert_eq!(
            b,
            PixelBox {
                x0: 0,
                y0: 10,
                x1: 20,
                y1: 100
            }
        );
        assert!(PixelBox::clamped(&[5.0, 5.0, 5.0, 9.0], 20, 20).is_none());
        assert!(PixelBox::clamped(&[f32::NAN, 0.0, 1.0, 1.0], 20, 20).is_none());
    }

    #[test]
    fn a_box_shrinks_to_its_mask() {
        let mut mask = GrayImage::new(10, 10);
        mask.put_pixel(3, 4, Luma([255]));
        mask.put_pixel(6, 2, Luma([200]));
        mask.put_pixel(9, 9, Luma([255])); // outside the box
        let b = PixelBox::clamped(&[0.0, 0.0, 8.0, 8.0], 10, 10).expect("box");
        let shrunk = b.shrunk_to(&mask).expect("two pixels inside");
        assert_eq!(
            shrunk,
            PixelBox {
                x0: 3,
                y0: 2,
                x1: 7,
                y1: 5
            }
        );
        assert_eq!(b.shrunk_to(&GrayImage::new(10, 10)), None);
    }
}
