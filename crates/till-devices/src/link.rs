//! Sending bytes to the printer and asking its status, over each kind of connection, with a
//! timeout on every step: a printer that never answers costs the timeout, never a hang.

use crate::settings::{Connection, PrinterSettings};
use crate::status::{self, PrinterStatus, Problem};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// The printer at the end of a connection.
#[derive(Debug, Clone)]
pub struct Link {
    settings: PrinterSettings,
}

impl Link {
    pub fn new(settings: PrinterSettings) -> Link {
        Link { settings }
    }

    pub fn settings(&self) -> &PrinterSettings {
        &self.settings
    }

    /// Sends a whole job. An error leaves it unknown how much printed: the caller sends the job
    /// again, whole (it starts with `ESC @`, so a half-printed job never garbles the next).
    pub async fn send(&self, bytes: &[u8]) -> Result<(), Problem> {
        let wait = self.settings.timeout;
        match &self.settings.connection {
            Connection::Network { host, port } => {
                let mut stream = connect(host, *port, wait).await?;
                // A write that the printer never drains (its buffer full, paper out) times out.
                let write = async {
                    stream.write_all(bytes).await?;
                    stream.flush().await?;
                    stream.shutdown().await
                };
                match timeout(wait, write).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return Err(Problem::Disconnected),
                    Err(_) => return Err(Problem::NotAnswering),
                }
                // A small job fits in the sockets' buffers, so the writes succeed even when the
                // printer drops the connection half-way. Its side tells: a printer that took
                // the whole job closes after ours (or keeps quiet); one that dropped it with
                // bytes unread resets the connection.
                let drain = async {
                    let mut discard = [0u8; 64];
                    // Status bytes a printer sends on its own (ASB) are read past.
                    while stream.read(&mut discard).await? > 0 {}
                    Ok::<(), std::io::Error>(())
                };
                match timeout(wait, drain).await {
                    Ok(Ok(())) | Err(_) => Ok(()),
                    Ok(Err(_)) => Err(Problem::Disconnected),
                }
            }
            Connection::Usb { device } => {
                let device = device.clone();
                let bytes = bytes.to_vec();
                blocking(wait, move || {
                    let mut file = open_device(&device, "printer.device")?;
                    file.write_all(&bytes).and_then(|()| file.flush()).map_err(|_| Problem::Disconnected)
                })
                .await
            }
            Connection::Serial { device, baud } => {
                let (device, baud) = (device.clone(), *baud);
                let bytes = bytes.to_vec();
                blocking(wait, move || {
                    let mut port = open_serial(&device, baud, wait, "printer.device")?;
                    port.write_all(&bytes).and_then(|()| port.flush()).map_err(|_| Problem::Disconnected)
                })
                .await
            }
            Connection::Cups { queue } => cups(queue, bytes, wait).await,
        }
    }

    /// Asks DLE EOT 1..4. `Ok(None)`: this connection cannot carry an answer (a CUPS queue,
    /// or `ask_status = false`).
    pub async fn status(&self) -> Result<Option<PrinterStatus>, Problem> {
        if !self.settings.ask_status {
            return Ok(None);
        }
        let wait = self.settings.timeout;
        let answers = match &self.settings.connection {
            Connection::Network { host, port } => {
                let mut stream = connect(host, *port, wait).await?;
                let mut answers = [0u8; 4];
                for (answer, n) in answers.iter_mut().zip(status::QUERIES) {
                    let exchange = async {
                        stream.write_all(&status::query(n)).await?;
                        stream.read_u8().await
                    };
                    *answer = match timeout(wait, exchange).await {
                        Ok(Ok(byte)) => byte,
                        Ok(Err(_)) => return Err(Problem::Disconnected),
                        Err(_) => return Err(Problem::NotAnswering),
                    };
                }
                answers
            }
            Connection::Usb { device } => {
                let device = device.clone();
                blocking(wait, move || {
                    let mut file = open_device(&device, "printer.device")?;
                    ask(&mut file)
                })
                .await?
            }
            Connection::Serial { device, baud } => {
                let (device, baud) = (device.clone(), *baud);
                blocking(wait, move || {
                    let mut port = open_serial(&device, baud, wait, "printer.device")?;
                    ask(&mut port)
                })
                .await?
            }
            Connection::Cups { .. } => return Ok(None),
        };
        if !answers.iter().all(|byte| status::is_status_byte(*byte)) {
            return Err(Problem::Unreachable {
                detail: format!("{} answers, but not as an ESC/POS printer", self.settings.connection),
            });
        }
        Ok(Some(PrinterStatus::from_bytes(answers[0], answers[1], answers[2], answers[3])))
    }
}

async fn connect(host: &str, port: u16, wait: Duration) -> Result<TcpStream, Problem> {
    match timeout(wait, TcpStream::connect((host, port))).await {
        Ok(Ok(stream)) => {
            // Small jobs go out at once; Nagle would hold the status queries back.
            stream.set_nodelay(true).ok();
            Ok(stream)
        }
        Ok(Err(e)) => Err(Problem::Unreachable { detail: format!("printer.host {host}:{port}: {e}") }),
        Err(_) => Err(Problem::Unreachable {
            detail: format!("printer.host {host}:{port}: no answer in {} ms", wait.as_millis()),
        }),
    }
}

fn open_device(device: &Path, setting: &str) -> Result<std::fs::File, Problem> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(device)
        .map_err(|e| Problem::Unreachable { detail: format!("{setting} {}: {e}", device.display()) })
}

/// `setting` names the device file's setting in the error (`printer.device`).
fn open_serial(
    device: &Path,
    baud: u32,
    wait: Duration,
    setting: &str,
) -> Result<Box<dyn serialport::SerialPort>, Problem> {
    serialport::new(device.to_string_lossy(), baud)
        .timeout(wait)
        .open()
        .map_err(|e| Problem::Unreachable { detail: format!("{setting} {}: {e}", device.display()) })
}

/// A serial device kept open between writes (the pole display: opening a USB serial adapter
/// can toggle its lines, and a display shows each scan). A write that fails closes it; the next
/// write opens it again, sending `preamble` first (a display that was unplugged has lost its
/// set-up).
pub(crate) struct SerialLine {
    device: std::path::PathBuf,
    baud: u32,
    wait: Duration,
    setting: &'static str,
    port: Option<Box<dyn serialport::SerialPort>>,
}

impl SerialLine {
    pub(crate) fn new(device: std::path::PathBuf, baud: u32, wait: Duration, setting: &'static str) -> SerialLine {
        SerialLine { device, baud, wait, setting, port: None }
    }

    /// Writes `bytes` (after `preamble` when the device had to be opened), within the timeout.
    pub(crate) async fn write(&mut self, preamble: &[u8], bytes: &[u8]) -> Result<(), Problem> {
        let (device, baud, wait, setting) = (self.device.clone(), self.baud, self.wait, self.setting);
        let open = self.port.take();
        let mut job = if open.is_some() { Vec::new() } else { preamble.to_vec() };
        job.extend_from_slice(bytes);
        let port = blocking(wait, move || {
            let mut port = match open {
                Some(port) => port,
                None => open_serial(&device, baud, wait, setting)?,
            };
            port.write_all(&job).and_then(|()| port.flush()).map_err(|_| Problem::Disconnected)?;
            Ok(port)
        })
        .await?;
        self.port = Some(port);
        Ok(())
    }
}

/// DLE EOT 1..4 over a device that reads back (USB printer class, serial).
fn ask(port: &mut (impl Read + Write)) -> Result<[u8; 4], Problem> {
    let mut answers = [0u8; 4];
    for (answer, n) in answers.iter_mut().zip(status::QUERIES) {
        port.write_all(&status::query(n)).map_err(|_| Problem::Disconnected)?;
        let mut one = [0u8; 1];
        match port.read(&mut one) {
            Ok(1) => *answer = one[0],
            Ok(_) => return Err(Problem::NotAnswering),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Err(Problem::NotAnswering),
            Err(_) => return Err(Problem::Disconnected),
        }
    }
    Ok(answers)
}

/// A device file's blocking I/O on tokio's blocking pool, given up after `wait` (a USB read
/// from a printer that never answers can block its thread; the till moves on regardless).
async fn blocking<T: Send + 'static>(
    wait: Duration,
    work: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    match timeout(wait, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(Problem::Unreachable { detail: format!("the printer's I/O failed: {join}") }),
        Err(_) => Err(Problem::NotAnswering),
    }
}

/// `lp -d QUEUE -o raw`, the job on its standard input.
async fn cups(queue: &str, bytes: &[u8], wait: Duration) -> Result<(), Problem> {
    let unreachable = |detail: String| Problem::Unreachable { detail: format!("printer.queue {queue}: {detail}") };
    let mut child = tokio::process::Command::new("lp")
        .args(["-d", queue, "-o", "raw"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| unreachable(format!("cannot run lp: {e}")))?;
    let mut stdin = child.stdin.take().ok_or_else(|| unreachable("lp took no input".into()))?;
    let run = async {
        stdin.write_all(bytes).await?;
        drop(stdin);
        child.wait_with_output().await
    };
    match timeout(wait, run).await {
        Ok(Ok(output)) if output.status.success() => Ok(()),
        Ok(Ok(output)) => Err(unreachable(String::from_utf8_lossy(&output.stderr).trim().to_string())),
        Ok(Err(e)) => Err(unreachable(e.to_string())),
        Err(_) => Err(Problem::NotAnswering),
    }
}
