//! Output sizes: fitting inside a bounding side, and the even sizes H.264 in yuv420p needs.

/// Scales `(width, height)` down so neither side exceeds `max_side`, keeping the aspect ratio.
/// Never scales up; never returns a zero side.
pub(crate) fn fit_within(width: u32, height: u32, max_side: Option<u32>) -> (u32, u32) {
    let Some(max_side) = max_side else {
        return (width.max(1), height.max(1));
    };
    let longest = width.max(height);
    if longest <= max_side || longest == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(max_side) / f64::from(longest);
    let scaled = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, max_side);
    (scaled(width), scaled(height))
}

/// Like [`fit_within`], then rounds each side down to an even number (at least 2), because
/// H.264 with 4:2:0 chroma cannot encode odd sizes.
pub(crate) fn fit_within_even(width: u32, height: u32, max_side: Option<u32>) -> (u32, u32) {
    let (width, height) = fit_within(width, height, max_side);
    let even = |side: u32| (side & !1).max(2);
    (even(width), even(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_longest_side_and_keeps_the_aspect_ratio() {
        assert_eq!(fit_within(1920, 1080, Some(512)), (512, 288));
        assert_eq!(fit_within(1080, 1920, Some(512)), (288, 512));
        assert_eq!(fit_within(320, 240, Some(512)), (320, 240));
        assert_eq!(fit_within(320, 240, None), (320, 240));
        assert_eq!(fit_within(10_000, 1, Some(100)), (100, 1));
    }

    #[test]
    fn even_sizes_round_down() {
        assert_eq!(fit_within_even(321, 241, None), (320, 240));
        assert_eq!(fit_within_even(1, 1, None), (2, 2));
        assert_eq!(fit_within_even(1920, 1080, Some(500)), (500, 280));
    }
}
