//! Colours and marker shapes as plain data, independent of any drawing
//! library: the model catalogue names each model's colour and marker here,
//! and both renderers (egui in the window, plotters in files) translate them.

/// An sRGB colour, independent of any drawing library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A point marker's shape: with colour and dash it tells series apart, and
/// alone it still does for colour-blind viewers and greyscale prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    Circle,
    Square,
    Diamond,
    /// A triangle pointing up.
    Up,
    /// A triangle pointing down.
    Down,
    /// A triangle pointing left.
    Left,
    /// A triangle pointing right.
    Right,
    Cross,
    Plus,
    Asterisk,
}

/// A colour for a dark and for a light background: the same hue, deeper on
/// light, so lines keep their contrast on white slides and light themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThemedColor {
    pub dark: Rgb,
    pub light: Rgb,
}

impl ThemedColor {
    /// The colour on a dark or a light background.
    pub fn on(self, dark: bool) -> Rgb {
        if dark { self.dark } else { self.light }
    }
}
