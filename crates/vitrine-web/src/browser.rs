//! Headless Chromium, started on demand, kept warm, and recycled.
//!
//! One browser process serves every page; each page gets its own browser
//! context (no cookies or cache shared between requests) and is closed when its
//! capture is done. At most [`BrowserConfig::max_pages`] pages are open at once,
//! each under [`BrowserConfig::page_timeout`]; after
//! [`BrowserConfig::recycle_after`] pages the process is replaced, which bounds
//! its memory.
//!
//! Chromium's sandbox stays on. When the server runs as root, the browser runs
//! as [`BrowserConfig::user`] (`vitrine-browser`, created by `scripts/setup.sh`)
//! because Chromium refuses to sandbox itself as root; its user-namespace
//! sandbox then works without a setuid helper.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, Semaphore};
use url::Url;

use crate::cdp::Cdp;
use crate::error::WebError;
use crate::guard::Guard;
use crate::proxy::Proxy;

/// How the browser is started and bounded.
#[derive(Debug, Clone)]
pub struct BrowserConfig {
    /// The Chromium executable.
    pub executable: PathBuf,
    /// The user the browser runs as when the server runs as root.
    pub user: String,
    /// Pages open at once; further requests wait.
    pub max_pages: usize,
    /// Time for loading; a page still loading then is stopped and captured as it is.
    pub load_timeout: Duration,
    /// Time for one whole page, load and capture.
    pub page_timeout: Duration,
    /// Pages served before the browser process is replaced.
    pub recycle_after: usize,
    /// Tallest full-page capture, in CSS pixels.
    pub max_page_height: u32,
}

impl Default for BrowserConfig {
    fn default() -> Self {
        BrowserConfig {
            executable: PathBuf::from("chromium"),
            user: "vitrine-browser".to_owned(),
            max_pages: 2,
            load_timeout: Duration::from_millis(22_500),
            page_timeout: Duration::from_secs(30),
            recycle_after: 50,
            max_page_height: 16_384,
        }
    }
}

/// A viewport: size, pixel ratio, and whether the page sees a phone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Width in CSS pixels.
    pub width: u32,
    /// Height in CSS pixels.
    pub height: u32,
    /// Device pixels per CSS pixel.
    pub scale: f64,
    /// Mobile emulation (touch, mobile user agent, meta viewport).
    pub mobile: bool,
}

impl Viewport {
    /// A desktop browser window.
    pub const DESKTOP: Viewport = Viewport {
        width: 1280,
        height: 800,
        scale: 1.0,
        mobile: false,
    };
    /// A tablet in portrait.
    pub const TABLET: Viewport = Viewport {
        width: 820,
        height: 1180,
        scale: 2.0,
        mobile: true,
    };
    /// A phone in portrait.
    pub const PHONE: Viewport = Viewport {
        width: 390,
        height: 844,
        scale: 3.0,
        mobile: true,
    };

    /// A preset by name: `desktop`, `tablet`, `phone` (also `mobile`).
    pub fn preset(name: &str) -> Option<Viewport> {
        match name.trim().to_ascii_lowercase().as_str() {
            "desktop" | "laptop" => Some(Viewport::DESKTOP),
            "tablet" | "ipad" => Some(Viewport::TABLET),
            "phone" | "mobile" | "iphone" => Some(Viewport::PHONE),
            _ => None,
        }
    }
}

/// A PNG of a page.
#[derive(Debug, Clone)]
pub struct Screenshot {
    /// The PNG bytes.
    pub png: Vec<u8>,
    /// What was loaded.
    pub page: PageFacts,
}

/// A PDF of a page.
#[derive(Debug, Clone)]
pub struct Pdf {
    /// The PDF bytes.
    pub pdf: Vec<u8>,
    /// What was loaded.
    pub page: PageFacts,
}

/// A link on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The absolute URL.
    pub url: String,
    /// Its text (or `title`/`aria-label`), trimmed.
    pub title: String,
}

/// An image the page loaded.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// Where it came from.
    pub url: String,
    /// Its MIME type as the browser saw it.
    pub mime_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A page's readable content.
#[derive(Debug, Clone)]
pub struct Extracted {
    /// The visible text.
    pub text: String,
    /// Its links, in document order, without duplicates.
    pub links: Vec<Link>,
    /// The images it loaded.
    pub images: Vec<PageImage>,
    /// What was loaded.
    pub page: PageFacts,
}

/// Facts about a loaded page.
#[derive(Debug, Clone, Default)]
pub struct PageFacts {
    /// The URL after redirects.
    pub final_url: String,
    /// `document.title`.
    pub title: String,
    /// Whether loading was stopped at the load time limit.
    pub cut_at_time_limit: bool,
    /// Requests the guard refused while this browser ran this page.
    pub refused_requests: u64,
}

/// What to extract at most.
#[derive(Debug, Clone, Copy)]
pub struct ExtractLimits {
    /// Characters of text.
    pub max_text_chars: usize,
    /// Links.
    pub max_links: usize,
    /// Images.
    pub max_images: usize,
    /// Bytes of one image.
    pub max_image_bytes: usize,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits {
            max_text_chars: 100_000,
            max_links: 200,
            max_images: 20,
            max_image_bytes: 20 << 20,
        }
    }
}

/// Paper for PDFs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paper {
    /// Width in inches.
    pub width: f64,
    /// Height in inches.
    pub height: f64,
}

impl Paper {
    /// ISO A4.
    pub const A4: Paper = Paper {
        width: 8.27,
        height: 11.69,
    };
    /// US Letter.
    pub const LETTER: Paper = Paper {
        width: 8.5,
        height: 11.0,
    };
}

struct Running {
    cdp: Cdp,
    proxy: Proxy,
    child: Mutex<Child>,
    served: AtomicUsize,
    // Removed when the browser is dropped; the profile lives here.
    _profile: tempfile::TempDir,
}

impl Running {
    fn usable(&self, recycle_after: usize) -> bool {
        self.cdp.is_open() && self.served.load(Ordering::Relaxed) < recycle_after
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.try_lock() {
            let _ = child.start_kill();
        }
    }
}

/// The shared browser.
pub struct Browser {
    config: BrowserConfig,
    guard: Guard,
    running: Mutex<Option<Arc<Running>>>,
    pages: Semaphore,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("config", &self.config)
            .field("guard", &self.guard)
            .finish()
    }
}

/// An open page: its target, session and context, closed by [`Browser::close`].
struct Page {
    running: Arc<Running>,
    context: String,
    target: String,
    session: String,
    refused_before: u64,
}

impl Browser {
    /// A browser that starts on first use; every request it makes passes `guard`.
    pub fn new(config: BrowserConfig, guard: Guard) -> Browser {
        let pages = Semaphore::new(config.max_pages.max(1));
        Browser {
            config,
            guard,
            running: Mutex::new(None),
            pages,
        }
    }

    /// The settings it runs with.
    pub fn config(&self) -> &BrowserConfig {
        &self.config
    }

    /// The browser's process id, once started (for memory measurements).
    pub async fn pid(&self) -> Option<u32> {
        let running = self.running.lock().await.clone()?;
        let child = running.child.lock().await;
        child.id()
    }

    /// A PNG of `url` at `viewport`, the whole page when `full_page`.
    pub async fn screenshot(
        &self,
        url: &str,
        viewport: Viewport,
        full_page: bool,
    ) -> Result<Screenshot, WebError> {
        let max_height = self.config.max_page_height;
        self.with_page(url, viewport, |cdp, session| async move {
            let mut params = json!({ "format": "png" });
            if full_page {
                let metrics = cdp
                    .call(Some(&session), "Page.getLayoutMetrics", json!({}))
                    .await?;
                let size = &metrics["cssContentSize"];
                let height = size["height"]
                    .as_f64()
                    .ok_or(WebError::Unexpected("Page.getLayoutMetrics"))?
                    .ceil()
                    .clamp(1.0, f64::from(max_height));
                params["captureBeyondViewport"] = Value::Bool(true);
                params["clip"] = json!({
                    "x": 0, "y": 0,
                    "width": f64::from(viewport.width),
                    "height": height,
                    "scale": 1,
                });
            }
            let shot = cdp
                .call(Some(&session), "Page.captureScreenshot", params)
                .await?;
            decode_data(&shot, "Page.captureScreenshot")
        })
        .await
        .map(|(png, page)| Screenshot { png, page })
    }

    /// A PDF of `url` printed on `paper`, with backgrounds.
    pub async fn pdf(&self, url: &str, paper: Paper, landscape: bool) -> Result<Pdf, WebError> {
        self.with_page(url, Viewport::DESKTOP, |cdp, session| async move {
            let printed = cdp
                .call(
                    Some(&session),
                    "Page.printToPDF",
                    json!({
                        "printBackground": true,
                        "landscape": landscape,
                        "paperWidth": paper.width,
                        "paperHeight": paper.height,
                    }),
                )
                .await?;
            decode_data(&printed, "Page.printToPDF")
        })
        .await
        .map(|(pdf, page)| Pdf { pdf, page })
    }

    /// The text, links and images of `url`.
    pub async fn extract(&self, url: &str, limits: ExtractLimits) -> Result<Extracted, WebError> {
        self.with_page(url, Viewport::DESKTOP, |cdp, session| async move {
            let script = format!(
                "({EXTRACT_SCRIPT})({}, {})",
                limits.max_text_chars, limits.max_links
            );
            let evaluated = cdp
                .call(
                    Some(&session),
                    "Runtime.evaluate",
                    json!({ "expression": script, "returnByValue": true }),
                )
                .await?;
            let value = &evaluated["result"]["value"];
            let text = value["text"].as_str().unwrap_or_default().to_owned();
            let links = value["links"]
                .as_array()
                .map(|links| {
                    links
                        .iter()
                        .filter_map(|link| {
                            Some(Link {
                                url: link["url"].as_str()?.to_owned(),
                                title: link["title"].as_str().unwrap_or_default().to_owned(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let order: Vec<String> = value["images"]
                .as_array()
                .map(|urls| {
                    urls.iter()
                        .filter_map(|url| url.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let images = page_images(&cdp, &session, &order, limits).await?;
            Ok((text, links, images))
        })
        .await
        .map(|((text, links, images), page)| Extracted {
            text,
            links,
            images,
            page,
        })
    }

    /// Opens `url`, runs `capture` on it, and closes it, all under the page time limit.
    async fn with_page<T, F, Fut>(
        &self,
        url: &str,
        viewport: Viewport,
        capture: F,
    ) -> Result<(T, PageFacts), WebError>
    where
        F: FnOnce(CdpHandle, String) -> Fut,
        Fut: std::future::Future<Output = Result<T, WebError>>,
    {
        let parsed = check_url(url)?;
        // The page's own address is checked here too, so a refused URL gets a clear error
        // rather than the browser's generic proxy failure (or a blank page).
        let host = parsed.host_str().unwrap_or_default();
        match self.guard.resolve(host).await {
            Ok(_) => {}
            Err(source @ crate::guard::GuardError::Refused { .. }) => {
                return Err(WebError::Refused {
                    url: url.to_owned(),
                    source,
                });
            }
            Err(other) => {
                return Err(WebError::Load {
                    url: url.to_owned(),
                    message: other.to_string(),
                });
            }
        }
        let seconds = self.config.page_timeout.as_secs();
        let timed_out = || WebError::Timeout {
            url: url.to_owned(),
            seconds,
        };
        let _permit = tokio::time::timeout(self.config.page_timeout, self.pages.acquire())
            .await
            .map_err(|_| timed_out())?
            .map_err(|_| WebError::BrowserGone)?;
        let page = self.open(viewport).await?;
        let work = async {
            let cut = self.navigate(&page, parsed.as_str()).await?;
            let handle = CdpHandle(Arc::clone(&page.running));
            let result = capture(handle, page.session.clone()).await?;
            let facts = self.facts(&page, cut).await?;
            Ok::<_, WebError>((result, facts))
        };
        let result = tokio::time::timeout(self.config.page_timeout, work).await;
        self.close(&page).await;
        result.map_err(|_| timed_out())?
    }

    /// A fresh context and target, attached, with downloads denied and `viewport` set.
    async fn open(&self, viewport: Viewport) -> Result<Page, WebError> {
        let running = self.running().await?;
        running.served.fetch_add(1, Ordering::Relaxed);
        let cdp = &running.cdp;
        let context = cdp
            .call(None, "Target.createBrowserContext", json!({}))
            .await?["browserContextId"]
            .as_str()
            .ok_or(WebError::Unexpected("Target.createBrowserContext"))?
            .to_owned();
        cdp.call(
            None,
            "Browser.setDownloadBehavior",
            json!({ "behavior": "deny", "browserContextId": context }),
        )
        .await?;
        let target = cdp
            .call(
                None,
                "Target.createTarget",
                json!({ "url": "about:blank", "browserContextId": context }),
            )
            .await?["targetId"]
            .as_str()
            .ok_or(WebError::Unexpected("Target.createTarget"))?
            .to_owned();
        let session = cdp
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target, "flatten": true }),
            )
            .await?["sessionId"]
            .as_str()
            .ok_or(WebError::Unexpected("Target.attachToTarget"))?
            .to_owned();
        let refused_before = running.proxy.stats().refused();
        let page = Page {
            running: Arc::clone(&running),
            context,
            target,
            session,
            refused_before,
        };
        let setup = async {
            let session = Some(page.session.as_str());
            cdp.call(session, "Page.enable", json!({})).await?;
            cdp.call(
                session,
                "Emulation.setDeviceMetricsOverride",
                json!({
                    "width": viewport.width,
                    "height": viewport.height,
                    "deviceScaleFactor": viewport.scale,
                    "mobile": viewport.mobile,
                }),
            )
            .await?;
            if viewport.mobile {
                cdp.call(
                    session,
                    "Emulation.setTouchEmulationEnabled",
                    json!({ "enabled": true }),
                )
                .await?;
            }
            Ok::<_, WebError>(())
        };
        if let Err(error) = setup.await {
            self.close(&page).await;
            return Err(error);
        }
        Ok(page)
    }

    /// Navigates and waits for `load`; returns whether loading was cut at the time limit.
    async fn navigate(&self, page: &Page, url: &str) -> Result<bool, WebError> {
        let cdp = &page.running.cdp;
        let session = Some(page.session.as_str());
        let mut events = cdp.subscribe();
        let navigated = cdp
            .call(session, "Page.navigate", json!({ "url": url }))
            .await?;
        if let Some(error) = navigated["errorText"].as_str() {
            let refused = page.running.proxy.stats().refused() > page.refused_before;
            return Err(WebError::Load {
                url: url.to_owned(),
                message: if refused {
                    format!("{error} (its address is refused by the SSRF guard)")
                } else {
                    error.to_owned()
                },
            });
        }
        let loaded = async {
            loop {
                match events.recv().await {
                    Ok(event)
                        if event.method == "Page.loadEventFired"
                            && event.session.as_deref() == session =>
                    {
                        return;
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        };
        let cut = tokio::time::timeout(self.config.load_timeout, loaded)
            .await
            .is_err();
        if cut {
            cdp.call(session, "Page.stopLoading", json!({})).await?;
        }
        // One frame, so what loaded is also painted.
        cdp.call(
            session,
            "Runtime.evaluate",
            json!({
                "expression": "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(1))))",
                "awaitPromise": true,
            }),
        )
        .await?;
        Ok(cut)
    }

    async fn facts(&self, page: &Page, cut: bool) -> Result<PageFacts, WebError> {
        let cdp = &page.running.cdp;
        let evaluated = cdp
            .call(
                Some(&page.session),
                "Runtime.evaluate",
                json!({
                    "expression": "({ url: location.href, title: document.title })",
                    "returnByValue": true,
                }),
            )
            .await?;
        let value = &evaluated["result"]["value"];
        Ok(PageFacts {
            final_url: value["url"].as_str().unwrap_or_default().to_owned(),
            title: value["title"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            cut_at_time_limit: cut,
            refused_requests: page
                .running
                .proxy
                .stats()
                .refused()
                .saturating_sub(page.refused_before),
        })
    }

    /// Closes the target and disposes of its context; failures only mean the browser is gone.
    async fn close(&self, page: &Page) {
        let cdp = &page.running.cdp;
        let closing = async {
            let _ = cdp
                .call(
                    None,
                    "Target.closeTarget",
                    json!({ "targetId": page.target }),
                )
                .await;
            let _ = cdp
                .call(
                    None,
                    "Target.disposeBrowserContext",
                    json!({ "browserContextId": page.context }),
                )
                .await;
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), closing).await;
    }

    /// The running browser, started (or replaced) if needed.
    async fn running(&self) -> Result<Arc<Running>, WebError> {
        let mut slot = self.running.lock().await;
        if let Some(running) = slot.as_ref()
            && running.usable(self.config.recycle_after)
        {
            return Ok(Arc::clone(running));
        }
        // The old process (if any) exits once its last page is closed and the Arc drops.
        let running = Arc::new(self.launch().await?);
        *slot = Some(Arc::clone(&running));
        Ok(running)
    }

    async fn launch(&self) -> Result<Running, WebError> {
        let executable = self.config.executable.display().to_string();
        let launch_error = |message: String| WebError::Launch {
            executable: executable.clone(),
            message,
        };
        let proxy = Proxy::start(self.guard.clone())
            .await
            .map_err(|error| launch_error(format!("cannot start the proxy: {error}")))?;
        let profile = tempfile::Builder::new()
            .prefix("vitrine-browser-")
            .tempdir()
            .map_err(|error| launch_error(format!("cannot create a profile directory: {error}")))?;
        let as_user = if running_as_root() {
            let (uid, gid) = lookup_user(&self.config.user).ok_or_else(|| {
                launch_error(format!(
                    "the server runs as root and Chromium's sandbox cannot; the user `{}` it would run the browser as does not exist",
                    self.config.user
                ))
            })?;
            std::os::unix::fs::chown(profile.path(), Some(uid), Some(gid))
                .map_err(|error| launch_error(format!("cannot hand the profile over: {error}")))?;
            Some((uid, gid))
        } else {
            None
        };
        let home = profile.path().to_path_buf();
        let mut command = Command::new("/bin/sh");
        // fd 3 and 4 are the DevTools pipe; the shell moves our stdin/stdout pipes there and
        // execs, so no unsafe pre-exec code is needed.
        command
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#)
            .arg(&self.config.executable)
            .args(chromium_flags(&home, proxy.address()))
            .arg("about:blank")
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .current_dir(&home)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some((uid, gid)) = as_user {
            command.uid(uid).gid(gid);
        }
        let mut child = command
            .spawn()
            .map_err(|error| launch_error(error.to_string()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(launch_error("no pipe to the browser".into()));
        };
        let cdp = Cdp::new(stdin, stdout);
        // The first answer proves the browser is up (and its sandbox did not abort it).
        let version = tokio::time::timeout(
            Duration::from_secs(30),
            cdp.call(None, "Browser.getVersion", json!({})),
        )
        .await;
        match version {
            Ok(Ok(version)) => {
                tracing::info!(
                    product = version["product"].as_str().unwrap_or_default(),
                    proxy = %proxy.address(),
                    "browser started"
                );
            }
            Ok(Err(_)) | Err(_) => {
                let _ = child.start_kill();
                return Err(launch_error(
                    "it exited or did not answer on its DevTools pipe (is its sandbox usable here?)"
                        .into(),
                ));
            }
        }
        Ok(Running {
            cdp,
            proxy,
            child: Mutex::new(child),
            served: AtomicUsize::new(0),
            _profile: profile,
        })
    }
}

/// The flags Chromium runs with; every one is explained in the README's web section.
pub fn chromium_flags(profile: &std::path::Path, proxy: std::net::SocketAddr) -> Vec<String> {
    vec![
        "--headless".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-extensions".into(),
        "--mute-audio".into(),
        "--hide-scrollbars".into(),
        format!("--user-data-dir={}", profile.join("profile").display()),
        "--remote-debugging-pipe".into(),
        // Every request, loopback included, goes through the guarded proxy.
        format!("--proxy-server=http://{proxy}"),
        "--proxy-bypass-list=<-loopback>".into(),
        // WebRTC would otherwise send UDP around the proxy.
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp".into(),
        "--webrtc-ip-handling-policy=disable_non_proxied_udp".into(),
    ]
}

/// A handle a capture closure holds on the page's browser connection.
struct CdpHandle(Arc<Running>);

impl std::ops::Deref for CdpHandle {
    type Target = Cdp;
    fn deref(&self) -> &Cdp {
        &self.0.cdp
    }
}

fn check_url(url: &str) -> Result<Url, WebError> {
    let parsed = Url::parse(url.trim()).map_err(|error| WebError::InvalidUrl {
        url: url.to_owned(),
        message: error.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(WebError::Scheme(url.to_owned()));
    }
    Ok(parsed)
}

fn decode_data(answer: &Value, method: &'static str) -> Result<Vec<u8>, WebError> {
    let data = answer["data"]
        .as_str()
        .ok_or(WebError::Unexpected(method))?;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| WebError::Unexpected(method))
}

/// The images the page loaded, in document order first, read from the browser's cache
/// (nothing is fetched again).
async fn page_images(
    cdp: &Cdp,
    session: &str,
    order: &[String],
    limits: ExtractLimits,
) -> Result<Vec<PageImage>, WebError> {
    let tree = cdp
        .call(Some(session), "Page.getResourceTree", json!({}))
        .await?;
    let mut found: Vec<(String, String, String)> = Vec::new();
    collect_images(&tree["frameTree"], &mut found);
    found.sort_by_key(|(_, url, _)| order.iter().position(|o| o == url).unwrap_or(usize::MAX));
    let mut images = Vec::new();
    for (frame, url, mime_type) in found {
        if images.len() >= limits.max_images {
            break;
        }
        let Ok(content) = cdp
            .call(
                Some(session),
                "Page.getResourceContent",
                json!({ "frameId": frame, "url": url }),
            )
            .await
        else {
            continue;
        };
        let Some(text) = content["content"].as_str() else {
            continue;
        };
        let bytes = if content["base64Encoded"].as_bool() == Some(true) {
            match base64::engine::general_purpose::STANDARD.decode(text) {
                Ok(bytes) => bytes,
                Err(_) => continue,
            }
        } else {
            text.as_bytes().to_vec()
        };
        if bytes.is_empty() || bytes.len() > limits.max_image_bytes {
            continue;
        }
        images.push(PageImage {
            url,
            mime_type,
            bytes,
        });
    }
    Ok(images)
}

fn collect_images(frame_tree: &Value, found: &mut Vec<(String, String, String)>) {
    let frame = frame_tree["frame"]["id"].as_str().unwrap_or_default();
    for resource in frame_tree["resources"].as_array().into_iter().flatten() {
        if resource["type"] == "Image"
            && let Some(url) = resource["url"].as_str()
            && (url.starts_with("http://") || url.starts_with("https://"))
            && !found.iter().any(|(_, known, _)| known == url)
        {
            found.push((
                frame.to_owned(),
                url.to_owned(),
                resource["mimeType"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    for child in frame_tree["childFrames"].as_array().into_iter().flatten() {
        collect_images(child, found);
    }
}

/// Text, links and image order, computed in the page.
const EXTRACT_SCRIPT: &str = r#"(maxText, maxLinks) => {
  const clean = s => (s || "").replace(/\s+/g, " ").trim();
  const text = (document.body ? document.body.innerText : "").slice(0, maxText);
  const seen = new Set();
  const links = [];
  for (const a of document.querySelectorAll("a[href]")) {
    if (links.length >= maxLinks) break;
    let url;
    try { url = new URL(a.getAttribute("href"), document.baseURI); } catch (e) { continue; }
    if (url.protocol !== "http:" && url.protocol !== "https:") continue;
    url.hash = "";
    const href = url.href;
    if (seen.has(href)) continue;
    seen.add(href);
    links.push({ url: href, title: clean(a.innerText) || clean(a.getAttribute("title")) || clean(a.getAttribute("aria-label")) });
  }
  const images = Array.from(document.images, img => img.currentSrc || img.src);
  return { text, links, images };
}"#;

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

/// `(uid, gid)` of `name` from `/etc/passwd`.
fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some((uid, gid))
    })
}
