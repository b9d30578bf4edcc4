//! The SPZ format (Niantic's compressed gaussian splats), versions 1 to 3: one gzip stream
//! holding a 16-byte header and the attribute streams column-wise. We write version 3 and read
//! versions 1 to 3.

mod header;
mod quantize;
mod read;
mod write;

pub use header::{FLAG_ANTIALIASED, FLAG_EXTENSIONS, SPZ_MAGIC, SpzHeader};
pub use read::{read_spz, read_spz_header};
pub use write::{SpzWriteOptions, choose_fractional_bits, write_spz};
