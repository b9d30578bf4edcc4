//! Web pages as inputs, without becoming an SSRF proxy.
//!
//! # Layout
//! - [`address`]: which IP addresses must never be reached (a pure function).
//! - [`guard`]: name resolution plus that check, and connecting to exactly the checked address;
//!   the server's URL fetcher and the browser's proxy both use it.
//! - [`proxy`]: the forward proxy (plain HTTP and `CONNECT`) Chromium is pointed at.
//! - [`browser`]: headless Chromium, started on demand and kept warm, driven over the
//!   DevTools protocol: screenshots, PDFs, readable text, links and images.
//! - `cdp`: the DevTools client over `--remote-debugging-pipe`.
//!
//! This crate depends on no other Vitrine crate, so both the server and the tools use it.

pub mod address;
pub mod browser;
mod cdp;
mod error;
pub mod guard;
pub mod proxy;

pub use address::{Forbidden, classify};
pub use browser::{
    Browser, BrowserConfig, ExtractLimits, Extracted, Link, PageFacts, PageImage, Paper, Pdf,
    Screenshot, Viewport, chromium_flags,
};
pub use error::WebError;
pub use guard::{Guard, GuardError, HostResolver, ResolveFuture, StaticResolver, SystemResolver};
pub use proxy::{Proxy, ProxyStats};
