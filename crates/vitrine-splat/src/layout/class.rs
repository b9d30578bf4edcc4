//! What the layout estimate assumes about an object from its class: the typical shape and
//! proportions that stand in for the depth a single photo does not show.

/// The shape family of an object, which decides how the layout estimate gives it volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectClass {
    /// A table or desk: a horizontal top on legs, seen from above when the camera is higher.
    Table,
    /// A bed: a low, deep horizontal surface.
    Bed,
    /// A chair: a seat with a back rest at its rear.
    Chair,
    /// A sofa or bench: a low, wide seat with a back rest.
    Sofa,
    /// A standing person: a rounded vertical body.
    Person,
    /// Anything else: a rounded vertical body standing where its box meets the ground.
    Other,
}

/// A horizontal surface an object offers (a table top, a seat) and what stands at its rear.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SupportShape {
    /// Typical height of the surface above the ground, in metres.
    pub(crate) height: f32,
    /// Depth of the surface as a fraction of the object's width, when the box cannot tell.
    pub(crate) depth_ratio: f32,
    /// Whether the box's top edge is the surface's far edge (a table) rather than the top of a
    /// back rest (a chair), so the surface's depth can be read from the box.
    pub(crate) depth_from_box_top: bool,
    /// Whether a vertical back rest rises at the surface's rear edge.
    pub(crate) back_rest: bool,
}

impl ObjectClass {
    /// The class for a detector label (COCO names and a few common synonyms); unknown labels
    /// are [`ObjectClass::Other`].
    pub fn from_label(label: &str) -> Self {
        match label.trim().to_ascii_lowercase().as_str() {
            "dining table" | "table" | "desk" | "counter" | "coffee table" => Self::Table,
            "bed" => Self::Bed,
            "chair" | "stool" | "armchair" => Self::Chair,
            "couch" | "sofa" | "bench" => Self::Sofa,
            "person" | "man" | "woman" | "child" | "people" => Self::Person,
            _ => Self::Other,
        }
    }

    /// Whether the class offers a horizontal surface (a table top, a seat) to stand things on.
    pub fn is_support(self) -> bool {
        self.support().is_some()
    }

    /// The support surface of tables, beds and seats; `None` for upright bodies.
    pub(crate) fn support(self) -> Option<SupportShape> {
        let shape = |height, depth_ratio, depth_from_box_top, back_rest| SupportShape {
            height,
            depth_ratio,
            depth_from_box_top,
            back_rest,
        };
        match self {
            Self::Table => Some(shape(0.75, 0.6, true, false)),
            Self::Bed => Some(shape(0.5, 1.3, true, false)),
            Self::Chair => Some(shape(0.45, 0.95, false, true)),
            Self::Sofa => Some(shape(0.42, 0.45, false, true)),
            Self::Person | Self::Other => None,
        }
    }

    /// Typical height in metres of an upright object whose whole height the box shows, used
    /// to estimate the camera height; `None` when the class varies too much.
    pub(crate) fn typical_height(self) -> Option<f32> {
        match self {
            Self::Person => Some(1.7),
            _ => None,
        }
    }

    /// Half-depth of an upright body's cross-section as a fraction of its half-width: a
    /// person's chest is about half as deep as the shoulders are wide; a generic object is
    /// taken as round.
    pub(crate) fn roundness(self) -> f32 {
        match self {
            Self::Person => 0.55,
            _ => 0.8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coco_labels_map_to_shape_families() {
        assert_eq!(ObjectClass::from_label("dining table"), ObjectClass::Table);
        assert_eq!(ObjectClass::from_label(" Chair "), ObjectClass::Chair);
        assert_eq!(ObjectClass::from_label("couch"), ObjectClass::Sofa);
        assert_eq!(ObjectClass::from_label("person"), ObjectClass::Person);
        assert_eq!(ObjectClass::from_label("dog"), ObjectClass::Other);
        assert!(ObjectClass::Table.support().is_some_and(|s| !s.back_rest));
        assert!(ObjectClass::Chair.support().is_some_and(|s| s.back_rest));
        assert!(ObjectClass::Person.support().is_none());
    }
}
