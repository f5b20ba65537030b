//! An emulated ESC/POS network printer and a decoder of what it was sent, for tests.
//!
//! [`EmulatedPrinter`] listens on loopback like a printer's port 9100: it keeps the bytes of
//! each job, answers DLE EOT status queries, carries out DLE DC4 real-time drawer pulses as they
//! arrive (even out of paper or with the cover open, as an Epson printer does), and can be
//! switched into a fault (paper out, cover open, a connection closed mid-job, or a printer that
//! never answers). [`decode`] turns the
//! bytes back into the paper: lines of text, cuts, drawer kicks, sizes and the code page, so a
//! test reads like the receipt.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the emulated printer does wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    PaperOut,
    CoverOpen,
    /// Takes this many bytes of a job, then drops the connection (a cable pulled, a power cut).
    CloseMidJob {
        after: usize,
    },
    /// Accepts connections and never reads or answers.
    Silent,
}

#[derive(Default)]
struct Inner {
    fault: Option<Fault>,
    /// What reached the paper, in order: the bytes of every connection that was not a fault's,
    /// and each real-time pulse (`DLE DC4 1 m t`) the moment it arrived, fault or not.
    printed: Vec<u8>,
    /// Job bytes that arrived while the printer could not print (no paper, cover open).
    lost: Vec<u8>,
    /// Connections the printer dropped mid-job.
    dropped: usize,
    status_queries: usize,
    paper_near_end: bool,
    drawer_open: bool,
    /// Connections held open by a silent printer (never read).
    held: Vec<TcpStream>,
}

/// A printer on 127.0.0.1, gone when dropped.
pub struct EmulatedPrinter {
    port: u16,
    inner: Arc<Mutex<Inner>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for EmulatedPrinter {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock(inner: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl EmulatedPrinter {
    pub async fn start() -> EmulatedPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the emulated printer");
        let port = listener.local_addr().expect("its port").port();
        let inner = Arc::new(Mutex::new(Inner { fault: Some(Fault::None), ..Inner::default() }));
        let shared = inner.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        EmulatedPrinter { port, inner, server }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn set_fault(&self, fault: Fault) {
        let mut inner = lock(&self.inner);
        inner.fault = Some(fault);
        if fault != Fault::Silent {
            inner.held.clear();
        }
    }

    pub fn set_paper_near_end(&self, near: bool) {
        lock(&self.inner).paper_near_end = near;
    }

    pub fn set_drawer_open(&self, open: bool) {
        lock(&self.inner).drawer_open = open;
    }

    /// Everything printed so far.
    pub fn printed(&self) -> Vec<u8> {
        lock(&self.inner).printed.clone()
    }

    pub fn paper(&self) -> Paper {
        decode(&self.printed())
    }

    pub fn lost(&self) -> Vec<u8> {
        lock(&self.inner).lost.clone()
    }

    pub fn dropped(&self) -> usize {
        lock(&self.inner).dropped
    }

    pub fn status_queries(&self) -> usize {
        lock(&self.inner).status_queries
    }

    /// Waits (up to `limit`) until `done` holds for the paper; the paper either way.
    pub async fn wait_for(&self, limit: Duration, done: impl Fn(&Paper) -> bool) -> Paper {
        crate::poll(limit, || self.paper(), done).await
    }

    /// Waits (up to `limit`) until `done` holds for the printer's counters.
    pub async fn wait_until(&self, limit: Duration, done: impl Fn(&EmulatedPrinter) -> bool) -> bool {
        let start = tokio::time::Instant::now();
        while start.elapsed() <= limit {
            if done(self) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

const OK_STATUS: u8 = 0b0001_0010;

fn status_byte(inner: &Inner, n: u8) -> u8 {
    let fault = inner.fault.unwrap_or(Fault::None);
    let paper_out = fault == Fault::PaperOut;
    let cover_open = fault == Fault::CoverOpen;
    let offline = paper_out || cover_open;
    let set = |flag: bool, bits: u8| if flag { bits } else { 0 };
    OK_STATUS
        | match n {
            1 => set(offline, 0x08) | set(inner.drawer_open, 0x04),
            2 => set(cover_open, 0x04) | set(paper_out, 0x20),
            4 => set(inner.paper_near_end || paper_out, 0x0C) | set(paper_out, 0x60),
            _ => 0,
        }
}

async fn serve(mut stream: TcpStream, inner: Arc<Mutex<Inner>>) {
    if lock(&inner).fault == Some(Fault::Silent) {
        lock(&inner).held.push(stream);
        return;
    }
    let mut job: Vec<u8> = Vec::new();
    let mut buffer = [0u8; 4096];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let read = match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buffer[..read]);
        // Status queries are answered at once; everything else is the job.
        let mut i = 0;
        while i < pending.len() {
            if pending[i] == 0x10 && pending.get(i + 1) == Some(&0x04) {
                let Some(&n) = pending.get(i + 2) else { break };
                let answer = {
                    let mut inner = lock(&inner);
                    inner.status_queries += 1;
                    status_byte(&inner, n)
                };
                if stream.write_all(&[answer]).await.is_err() {
                    return;
                }
                i += 3;
                continue;
            }
            if pending[i] == 0x10 && pending.get(i + 1) == Some(&0x14) {
                // DLE DC4 1 m t: the drawer is pulsed now, before the rest of the job and with
                // no paper or the cover open (only a printer in an error state ignores it).
                let Some(pulse) = pending.get(i..i + 5) else { break };
                lock(&inner).printed.extend_from_slice(pulse);
                i += 5;
                continue;
            }
            if pending[i] == 0x10 && i + 1 == pending.len() {
                break;
            }
            job.push(pending[i]);
            i += 1;
            let fault = lock(&inner).fault;
            if let Some(Fault::CloseMidJob { after }) = fault {
                if job.len() >= after {
                    // Reset, not a polite close: what a pulled cable or a power cut looks like
                    // to the sender once it talks again.
                    #[allow(deprecated)]
                    stream.set_linger(Some(Duration::ZERO)).ok();
                    let mut inner = lock(&inner);
                    inner.dropped += 1;
                    inner.printed.extend_from_slice(&job);
                    return;
                }
            }
        }
        pending.drain(..i);
    }
    let mut inner = lock(&inner);
    match inner.fault {
        Some(Fault::PaperOut | Fault::CoverOpen) => inner.lost.extend_from_slice(&job),
        _ => inner.printed.extend_from_slice(&job),
    }
}

/// One thing on the paper, or done by the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A printed line; `big` when it was double width and height, `bold` when emphasised.
    Line {
        text: String,
        big: bool,
        bold: bool,
    },
    Cut,
    /// A drawer kick: the pin (2 or 5) and the pulse's on-time in ms; `realtime` for
    /// DLE DC4 1 m t (carried out at once), not ESC p (from the print buffer).
    Kick {
        pin: u8,
        on_ms: u16,
        realtime: bool,
    },
    /// ESC t: the code page number (19 is PC858).
    CodePage(u8),
    /// FS p: a stored logo by its key.
    Logo(u8),
    /// GS ( k: a QR code's text.
    Qr(String),
    Init,
}

/// What the printer was sent, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paper {
    pub items: Vec<Item>,
}

impl Paper {
    pub fn lines(&self) -> Vec<String> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Line { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// The paper as text, one line each, right-trimmed.
    pub fn text(&self) -> String {
        self.lines().iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n")
    }

    pub fn big_lines(&self) -> Vec<String> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Line { text, big: true, .. } => Some(text.trim().to_string()),
                _ => None,
            })
            .collect()
    }

    pub fn cuts(&self) -> usize {
        self.items.iter().filter(|i| **i == Item::Cut).count()
    }

    pub fn kicks(&self) -> Vec<(u8, u16)> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Kick { pin, on_ms, .. } => Some((*pin, *on_ms)),
                _ => None,
            })
            .collect()
    }

    pub fn qr_codes(&self) -> Vec<String> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Qr(text) => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// How many lines read exactly `text` (trimmed).
    pub fn count(&self, text: &str) -> usize {
        self.lines().iter().filter(|l| l.trim() == text).count()
    }

    /// Whether some line holds `text`.
    pub fn has(&self, text: &str) -> bool {
        self.lines().iter().any(|l| l.contains(text))
    }

    /// The line that starts with `label` (trimmed of the gap), if any: `row("Total")`.
    pub fn row(&self, label: &str) -> Option<String> {
        self.lines().into_iter().find(|l| l.starts_with(label)).map(|l| l[label.len()..].trim().to_string())
    }
}

/// PC858's upper half (0x80..=0xFF): PC850 with the euro sign at 0xD5. Written out from the
/// code page's chart, independently of the encoder under test.
pub(crate) const PC858_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', 'ø', '£', 'Ø', '×', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '®', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', 'Á', 'Â', 'À', '©', '╣', '║', '╗', '╝', '¢', '¥', '┐', //
    '└', '┴', '┬', '├', '─', '┼', 'ã', 'Ã', '╚', '╔', '╩', '╦', '╠', '═', '╬', '¤', //
    'ð', 'Ð', 'Ê', 'Ë', 'È', '€', 'Í', 'Î', 'Ï', '┘', '┌', '█', '▄', '¦', 'Ì', '▀', //
    'Ó', 'ß', 'Ô', 'Ò', 'õ', 'Õ', 'µ', 'þ', 'Þ', 'Ú', 'Û', 'Ù', 'ý', 'Ý', '¯', '´', //
    '\u{ad}', '±', '‗', '¾', '¶', '§', '÷', '¸', '°', '¨', '·', '¹', '³', '²', '■', '\u{a0}',
];

/// Decodes ESC/POS bytes (the commands Till sends) into [`Paper`]. Text is read as PC858.
/// A command it does not know panics: a test must not pass over bytes nobody checked.
pub fn decode(bytes: &[u8]) -> Paper {
    let mut items = Vec::new();
    let mut line = String::new();
    let (mut big, mut bold, mut line_big, mut line_bold) = (false, false, false, false);
    let end_line = |items: &mut Vec<Item>, line: &mut String, line_big: &mut bool, line_bold: &mut bool| {
        items.push(Item::Line { text: std::mem::take(line), big: *line_big, bold: *line_bold });
        *line_big = false;
        *line_bold = false;
    };
    let mut i = 0;
    let at = |i: usize| -> u8 { *bytes.get(i).unwrap_or_else(|| panic!("a command cut short at byte {i}")) };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x0A => {
                end_line(&mut items, &mut line, &mut line_big, &mut line_bold);
                i += 1;
            }
            0x1B => {
                let command = at(i + 1);
                match command {
                    b'@' => {
                        // A job cut off mid-line does not run into the next one.
                        if !line.is_empty() {
                            end_line(&mut items, &mut line, &mut line_big, &mut line_bold);
                        }
                        items.push(Item::Init);
                        (big, bold) = (false, false);
                        i += 2;
                    }
                    b't' => {
                        items.push(Item::CodePage(at(i + 2)));
                        i += 3;
                    }
                    b'a' => i += 3,
                    b'E' => {
                        bold = at(i + 2) & 1 == 1;
                        i += 3;
                    }
                    b'd' => {
                        end_line(&mut items, &mut line, &mut line_big, &mut line_bold);
                        for _ in 1..at(i + 2) {
                            items.push(Item::Line { text: String::new(), big: false, bold: false });
                        }
                        i += 3;
                    }
                    b'p' => {
                        let pin = if at(i + 2) & 1 == 1 { 5 } else { 2 };
                        items.push(Item::Kick { pin, on_ms: u16::from(at(i + 3)) * 2, realtime: false });
                        i += 5;
                    }
                    other => panic!("unknown command ESC {other:#04x} at byte {i}"),
                }
            }
            0x1D => {
                let command = at(i + 1);
                match command {
                    b'!' => {
                        big = at(i + 2) != 0;
                        i += 3;
                    }
                    b'V' => {
                        items.push(Item::Cut);
                        i += if matches!(at(i + 2), 65 | 66) { 4 } else { 3 };
                    }
                    b'(' if at(i + 2) == b'k' => {
                        let length = usize::from(at(i + 3)) + 256 * usize::from(at(i + 4));
                        let parameters = &bytes[i + 5..i + 5 + length];
                        // cn 49 (QR), fn 80: store the data.
                        if parameters.len() >= 3 && parameters[0] == 49 && parameters[1] == 80 {
                            items.push(Item::Qr(String::from_utf8_lossy(&parameters[3..]).into_owned()));
                        }
                        i += 5 + length;
                    }
                    other => panic!("unknown command GS {other:#04x} at byte {i}"),
                }
            }
            0x10 if at(i + 1) == 0x14 => {
                assert_eq!(at(i + 2), 1, "DLE DC4 {} is not the pulse (fn 1) at byte {i}", at(i + 2));
                let pin = match at(i + 3) {
                    0 => 2,
                    1 => 5,
                    other => panic!("DLE DC4 1: no connector pin {other} at byte {i}"),
                };
                let steps = at(i + 4);
                assert!((1..=8).contains(&steps), "DLE DC4 1: pulse {steps} is out of 1..=8 at byte {i}");
                items.push(Item::Kick { pin, on_ms: u16::from(steps) * 100, realtime: true });
                i += 5;
            }
            0x1C if at(i + 1) == b'p' => {
                items.push(Item::Logo(at(i + 2)));
                i += 4;
            }
            0x00..=0x1F | 0x7F => panic!("unexpected control byte {b:#04x} at byte {i}"),
            0x20..=0x7E => {
                line.push(char::from(b));
                line_big |= big;
                line_bold |= bold;
                i += 1;
            }
            high => {
                line.push(PC858_HIGH[usize::from(high - 0x80)]);
                line_big |= big;
                line_bold |= bold;
                i += 1;
            }
        }
    }
    if !line.is_empty() {
        end_line(&mut items, &mut line, &mut line_big, &mut line_bold);
    }
    Paper { items }
}
