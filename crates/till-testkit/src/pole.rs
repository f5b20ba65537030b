//! A 2×20 pole display emulated for tests: [`screen`] plays the ESC/POS line-display commands
//! Till sends (written out here from the command set, independently of the encoder under test)
//! and gives back the two lines the customer would read.

use crate::printer::PC858_HIGH;
use serialport::{SerialPort, TTYPort};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Characters on a line.
const COLUMNS: usize = 20;

/// The two lines after the display was sent `bytes` (from switch-on). Text is read as PC858. A
/// command it does not know panics: a test must not pass over bytes nobody checked.
pub fn screen(bytes: &[u8]) -> [String; 2] {
    let blank = || vec![' '; COLUMNS];
    let mut cells = [blank(), blank()];
    let (mut x, mut y) = (0usize, 0usize);
    let at = |i: usize| -> u8 { *bytes.get(i).unwrap_or_else(|| panic!("a command cut short at byte {i}")) };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // ESC @: initialise (clears, cursor home); ESC t n: the code page.
            0x1B => match at(i + 1) {
                b'@' => {
                    cells = [blank(), blank()];
                    (x, y) = (0, 0);
                    i += 2;
                }
                b't' => {
                    assert_eq!(at(i + 2), 19, "the display is switched to PC858 (ESC t 19)");
                    i += 3;
                }
                other => panic!("unknown command ESC {other:#04x} at byte {i}"),
            },
            // US MD1: overwrite mode (what this emulator does); US $ x y: the cursor to column x, row y.
            0x1F => match at(i + 1) {
                0x01 => i += 2,
                b'$' => {
                    let (column, row) = (usize::from(at(i + 2)), usize::from(at(i + 3)));
                    assert!(
                        (1..=COLUMNS).contains(&column) && (1..=2).contains(&row),
                        "US $ {column} {row} is off the display"
                    );
                    (x, y) = (column - 1, row - 1);
                    i += 4;
                }
                other => panic!("unknown command US {other:#04x} at byte {i}"),
            },
            // CLR: clear, cursor home.
            0x0C => {
                cells = [blank(), blank()];
                (x, y) = (0, 0);
                i += 1;
            }
            b @ (0x00..=0x1F | 0x7F) => panic!("unexpected control byte {b:#04x} at byte {i}"),
            b => {
                cells[y][x] = if b < 0x80 { char::from(b) } else { PC858_HIGH[usize::from(b - 0x80)] };
                // Overwrite mode: past a line's end, the next line's start (the bottom one wraps to the top).
                x += 1;
                if x == COLUMNS {
                    (x, y) = (0, (y + 1) % 2);
                }
                i += 1;
            }
        }
    }
    cells.map(|line| line.into_iter().collect())
}

/// A pole display on a pseudo-terminal: Till opens [`PtyDisplay::path`] as it would open
/// `/dev/ttyUSB0`, and what it writes is kept (read from the terminal's other end by a thread).
pub struct PtyDisplay {
    path: PathBuf,
    received: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// Held open so the terminal outlives each time Till closes its end.
    _device: TTYPort,
}

impl PtyDisplay {
    pub fn open() -> PtyDisplay {
        let (mut master, device) = TTYPort::pair().expect("a pseudo-terminal");
        let path = PathBuf::from(device.name().expect("the pseudo-terminal's path"));
        master.set_timeout(Duration::from_millis(20)).expect("a read timeout");
        let (received, stop) = (Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicBool::new(false)));
        let reader = {
            let (received, stop) = (received.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut buffer = [0u8; 256];
                while !stop.load(Ordering::SeqCst) {
                    match master.read(&mut buffer) {
                        Ok(n) => {
                            received.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(&buffer[..n])
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
        };
        PtyDisplay { path, received, stop, reader: Some(reader), _device: device }
    }

    /// The device file to give Till (`customer_display.device`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every byte written so far.
    pub fn received(&self) -> Vec<u8> {
        self.received.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// What the display shows now.
    pub fn screen(&self) -> [String; 2] {
        screen(&self.received())
    }

    /// Waits (up to `limit`) until `done` holds for the screen; the screen either way.
    pub async fn wait_for(&self, limit: Duration, done: impl Fn(&[String; 2]) -> bool) -> [String; 2] {
        crate::poll(limit, || self.screen(), done).await
    }
}

impl Drop for PtyDisplay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positioned_lines_overwrite_what_was_there() {
        let mut bytes = vec![0x1B, b'@', 0x1F, 0x01, 0x1B, b't', 19, 0x0C];
        bytes.extend_from_slice(&[0x1F, b'$', 1, 2]);
        bytes.extend_from_slice(b"Total");
        bytes.extend_from_slice(&[0x1F, b'$', 15, 2, b'9', b',', b'5', b'0', b' ', 0xD5]);
        bytes.extend_from_slice(&[0x1F, b'$', 1, 1]);
        bytes.extend_from_slice(b"Gr\x81\xE1e");
        assert_eq!(screen(&bytes), ["Grüße               ".to_string(), "Total         9,50 €".to_string()]);
    }
}
