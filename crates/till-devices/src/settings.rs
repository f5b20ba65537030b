//! The `[printer]`, `[drawer]` and `[customer_display]` sections of the device file
//! (`/etc/till/device.toml`), as IT writes them and as Till uses them.
//!
//! ```toml
//! [printer]
//! connection = "network"     # "network", "usb", "serial" or "cups"
//! host = "192.168.1.50"      # network
//! port = 9100                # network; default 9100
//! device = "/dev/usb/lp0"    # usb, serial
//! baud = 19200               # serial; default 19200
//! queue = "receipts"         # cups: a raw queue (`lp -d receipts -o raw`)
//! paper = "80mm"             # "80mm" (42 columns, default) or "58mm" (32 columns)
//! code_page = "PC858"        # default PC858: € and Western European letters
//! logo = 1                   # optional: the printer's stored (NV) logo, key 1..255
//! timeout_ms = 3000          # connect, write and status answers; default 3000
//! ask_status = true          # false for a printer that cannot answer DLE EOT (a one-way USB clone)
//!
//! [drawer]
//! pin = 2                    # 2 or 5: the printer's drawer port pin
//! pulse_ms = 100             # on-time of the kick; default 100 (2..510)
//! ask_to_close = false       # the screen asks to close an open drawer before the next sale
//! realtime = true            # default true: the kick is DLE DC4 (opens even while out of
//!                            # paper); false for a printer without it (ESC p, waits for paper)
//!
//! [customer_display]
//! kind = "window"            # "window" (a second window) or "pole" (2×20 on a serial port)
//! device = "/dev/ttyUSB0"    # pole
//! baud = 9600                # pole; default 9600
//! ```
//!
//! A section that cannot be read (a typo'd key, a word where a number belongs) never makes the
//! device file unreadable: it is kept as [`Section::Unreadable`] and reported by the device
//! check and the register's status, naming the setting, while the till starts and sells.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::PathBuf;
use std::time::Duration;

/// A device file section, or why it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section<T> {
    Read(T),
    Unreadable(String),
}

impl<T> Section<T> {
    /// Whether this section would be lost by writing the file again (only read sections are
    /// written back).
    pub fn is_unreadable(section: &Option<Section<T>>) -> bool {
        matches!(section, Some(Section::Unreadable(_)))
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Section<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        Ok(match T::deserialize(value) {
            Ok(section) => Section::Read(section),
            Err(error) => Section::Unreadable(error.message().trim().to_string()),
        })
    }
}

impl<T: Serialize> Serialize for Section<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Section::Read(section) => section.serialize(serializer),
            Section::Unreadable(_) => serializer.serialize_none(),
        }
    }
}

/// `[printer]` as written. The device screen reads and sends the same shape (`PrinterChoice`
/// in the UI); [`checked`] says by name what is wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(rename = "PrinterChoice")]
pub struct PrinterSection {
    pub connection: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baud: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_page: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_status: Option<bool>,
}

/// `[drawer]` as written; the device screen's `DrawerChoice`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(rename = "DrawerChoice")]
pub struct DrawerSection {
    pub pin: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulse_ms: Option<u16>,
    #[serde(default)]
    pub ask_to_close: bool,
    /// Absent in device files written before it existed: read as `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime: Option<bool>,
}

/// Why a `[drawer]` without a `[printer]` cannot be used: the drawer is kicked through the
/// printer's port. Said in these words by tillctl's doctor, the app's printer status and the
/// device screen alike.
pub const DRAWER_NEEDS_PRINTER: &str = "the drawer opens through the receipt printer's port: set up the printer too";

/// `[customer_display]` as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerDisplaySection {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baud: Option<u32>,
}

/// A setting Till cannot use, named as IT wrote it (`printer.code_page`), with what to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct SettingError {
    pub setting: String,
    pub problem: String,
}

fn bad(setting: &str, problem: impl Into<String>) -> SettingError {
    SettingError { setting: setting.to_string(), problem: problem.into() }
}

/// How Till reaches the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Raw TCP ("port 9100", JetDirect).
    Network {
        host: String,
        port: u16,
    },
    /// The USB printer class's device file.
    Usb {
        device: PathBuf,
    },
    Serial {
        device: PathBuf,
        baud: u32,
    },
    /// A CUPS queue that passes bytes through (`lp -d QUEUE -o raw`); it reports no status.
    Cups {
        queue: String,
    },
}

impl std::fmt::Display for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Connection::Network { host, port } => write!(f, "{host}:{port}"),
            Connection::Usb { device } => write!(f, "{}", device.display()),
            Connection::Serial { device, baud } => write!(f, "{} at {baud} baud", device.display()),
            Connection::Cups { queue } => write!(f, "CUPS queue {queue}"),
        }
    }
}

/// Paper width, as characters on a line of the printer's font A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// 80 mm: 42 columns.
    Mm80,
    /// 58 mm: 32 columns.
    Mm58,
}

impl Paper {
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm80 => 42,
            Paper::Mm58 => 32,
        }
    }
}

/// The code pages Till prints in: the OEM pages receipt printers carry that cover a store's
/// letters. PC858 is PC850 with € (Western Europe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePage {
    Pc858,
    Pc850,
    Pc437,
    Pc852,
}

impl CodePage {
    const NAMES: &'static [(&'static str, CodePage)] = &[
        ("PC858", CodePage::Pc858),
        ("PC850", CodePage::Pc850),
        ("PC437", CodePage::Pc437),
        ("PC852", CodePage::Pc852),
    ];

    pub fn parse(text: &str) -> Option<CodePage> {
        let wanted = text.trim().to_ascii_uppercase();
        CodePage::NAMES.iter().find(|(name, _)| *name == wanted).map(|(_, page)| *page)
    }

    pub fn name(self) -> &'static str {
        CodePage::NAMES.iter().find(|(_, page)| *page == self).map_or("PC858", |(name, _)| name)
    }

    pub(crate) fn escpos(self) -> escpos::utils::PageCode {
        use escpos::utils::PageCode;
        match self {
            CodePage::Pc858 => PageCode::PC858,
            CodePage::Pc850 => PageCode::PC850,
            CodePage::Pc437 => PageCode::PC437,
            CodePage::Pc852 => PageCode::PC852,
        }
    }

    /// Text in this page; a character it lacks becomes '?'.
    pub(crate) fn encode(self, text: &str) -> Vec<u8> {
        use oem_cp::code_table::{
            ENCODING_TABLE_CP437, ENCODING_TABLE_CP850, ENCODING_TABLE_CP852, ENCODING_TABLE_CP858,
        };
        let table = match self {
            CodePage::Pc858 => &ENCODING_TABLE_CP858,
            CodePage::Pc850 => &ENCODING_TABLE_CP850,
            CodePage::Pc437 => &ENCODING_TABLE_CP437,
            CodePage::Pc852 => &ENCODING_TABLE_CP852,
        };
        oem_cp::encode_string_lossy(text, table)
    }
}

/// The receipt printer, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSettings {
    pub connection: Connection,
    pub paper: Paper,
    pub code_page: CodePage,
    /// The key of a logo stored in the printer (NV graphics), printed at the top of receipts.
    pub logo: Option<u8>,
    /// For connecting, each write, and each status answer: a printer that never answers costs
    /// at most this, never a hang.
    pub timeout: Duration,
    /// Ask DLE EOT before each job and after a failure. Off for a printer that cannot answer
    /// (some USB clones only take data): its problems then show only as failed writes.
    pub ask_status: bool,
}

/// The drawer's port pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawerPin {
    Pin2,
    Pin5,
}

/// The cash drawer, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerSettings {
    pub pin: DrawerPin,
    /// The kick's on-time, in the printer's 2 ms units (1..=255).
    pub pulse_units: u8,
    pub ask_to_close: bool,
    /// Kick with the real-time pulse, `DLE DC4 1 m t`, which Epson-compatible printers carry out
    /// as it arrives, even while offline for paper end or an open cover: the cashier can give
    /// change while the receipt waits for paper. Its pulse is in 100 ms steps (`pulse_ms` is
    /// rounded up to the next one, at most 800 ms). `false` is for a printer without the
    /// command (Epson lists e.g. the TM-L60II, TM-P60, TM-U210 and TM-U230 as lacking it):
    /// the kick is then `ESC p m t1 t2`, which the printer takes from its print buffer, so it
    /// waits for paper like a receipt.
    pub realtime: bool,
}

impl DrawerSettings {
    /// The real-time pulse's on-time in its 100 ms steps: the configured one rounded up, 1..=8.
    pub fn realtime_steps(&self) -> u8 {
        let on_ms = u16::from(self.pulse_units) * 2;
        u8::try_from(on_ms.div_ceil(100).clamp(1, 8)).unwrap_or(8)
    }

    /// The pulse the drawer gets, in ms, and the command that sends it, in IT's words.
    pub fn kick_words(&self) -> String {
        if self.realtime {
            format!("{} ms pulse (DLE DC4: opens even while out of paper)", u16::from(self.realtime_steps()) * 100)
        } else {
            format!("{} ms pulse (ESC p: waits for paper)", u16::from(self.pulse_units) * 2)
        }
    }
}

/// The customer display, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerDisplaySettings {
    Window,
    Pole { device: PathBuf, baud: u32 },
}

pub const DEFAULT_PORT: u16 = 9100;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(3000);

impl PrinterSection {
    pub fn settings(&self) -> Result<PrinterSettings, SettingError> {
        let text = |value: &Option<String>, setting: &str, why: &str| -> Result<String, SettingError> {
            match value.as_deref().map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v.to_string()),
                _ => Err(bad(setting, format!("missing: {why}"))),
            }
        };
        let connection = match self.connection.trim() {
            "network" => {
                let host = text(&self.host, "printer.host", "the printer's address, like host = \"192.168.1.50\"")?;
                let port = self.port.unwrap_or(DEFAULT_PORT);
                if port == 0 {
                    return Err(bad("printer.port", "0 is not a port: leave it out for 9100"));
                }
                Connection::Network { host, port }
            }
            "usb" => Connection::Usb {
                device: text(
                    &self.device,
                    "printer.device",
                    "the USB printer's device file, like device = \"/dev/usb/lp0\"",
                )?
                .into(),
            },
            "serial" => {
                let baud = self.baud.unwrap_or(19200);
                if !(1200..=921_600).contains(&baud) {
                    return Err(bad(
                        "printer.baud",
                        format!("{baud} is not a serial speed (9600, 19200, 38400, 115200)"),
                    ));
                }
                Connection::Serial {
                    device: text(&self.device, "printer.device", "the serial port, like device = \"/dev/ttyS0\"")?
                        .into(),
                    baud,
                }
            }
            "cups" => Connection::Cups {
                queue: text(&self.queue, "printer.queue", "the CUPS raw queue's name, like queue = \"receipts\"")?,
            },
            other => {
                return Err(bad(
                    "printer.connection",
                    format!("{other:?} is not a connection: write \"network\", \"usb\", \"serial\" or \"cups\""),
                ))
            }
        };
        let paper = match self.paper.as_deref().map(str::trim) {
            None | Some("80mm") => Paper::Mm80,
            Some("58mm") => Paper::Mm58,
            Some(other) => {
                return Err(bad("printer.paper", format!("{other:?} is not a paper width: write \"80mm\" or \"58mm\"")))
            }
        };
        let code_page = match &self.code_page {
            None => CodePage::Pc858,
            Some(name) => CodePage::parse(name).ok_or_else(|| {
                let known: Vec<&str> = CodePage::NAMES.iter().map(|(n, _)| *n).collect();
                bad(
                    "printer.code_page",
                    format!("{name:?} is not a code page Till prints: write one of {}", known.join(", ")),
                )
            })?,
        };
        if self.logo == Some(0) {
            return Err(bad("printer.logo", "0 is not a logo key: the printer's stored logos are 1..255"));
        }
        let timeout = match self.timeout_ms {
            None => DEFAULT_TIMEOUT,
            Some(ms) if (100..=60_000).contains(&ms) => Duration::from_millis(ms),
            Some(ms) => {
                return Err(bad(
                    "printer.timeout_ms",
                    format!("{ms} is out of range: write 100..60000 (3000 if unsure)"),
                ))
            }
        };
        Ok(PrinterSettings {
            connection,
            paper,
            code_page,
            logo: self.logo,
            timeout,
            ask_status: self.ask_status.unwrap_or(true),
        })
    }
}

impl DrawerSection {
    pub fn settings(&self) -> Result<DrawerSettings, SettingError> {
        let pin = match self.pin {
            2 => DrawerPin::Pin2,
            5 => DrawerPin::Pin5,
            other => {
                return Err(bad(
                    "drawer.pin",
                    format!("{other} is not a drawer pin: write 2 or 5 (the drawer's manual says which)"),
                ))
            }
        };
        let pulse_ms = self.pulse_ms.unwrap_or(100);
        if !(2..=510).contains(&pulse_ms) {
            return Err(bad("drawer.pulse_ms", format!("{pulse_ms} is out of range: write 2..510 (100 if unsure)")));
        }
        let pulse_units = u8::try_from(pulse_ms / 2).unwrap_or(u8::MAX);
        Ok(DrawerSettings {
            pin,
            pulse_units,
            ask_to_close: self.ask_to_close,
            realtime: self.realtime.unwrap_or(true),
        })
    }
}

impl CustomerDisplaySection {
    pub fn settings(&self) -> Result<CustomerDisplaySettings, SettingError> {
        match self.kind.trim() {
            "window" => Ok(CustomerDisplaySettings::Window),
            "pole" => {
                let device = match self.device.as_deref().map(str::trim) {
                    Some(d) if !d.is_empty() => PathBuf::from(d),
                    _ => {
                        return Err(bad(
                            "customer_display.device",
                            "missing: the pole display's serial port, like \"/dev/ttyUSB0\"",
                        ))
                    }
                };
                Ok(CustomerDisplaySettings::Pole { device, baud: self.baud.unwrap_or(9600) })
            }
            other => {
                Err(bad("customer_display.kind", format!("{other:?} is not a display: write \"window\" or \"pole\"")))
            }
        }
    }
}

/// A section's settings, or the error naming what is wrong (an unreadable section is reported
/// under the section's name).
pub fn checked<T, S>(
    section: &Option<Section<T>>,
    name: &str,
    settings: impl Fn(&T) -> Result<S, SettingError>,
) -> Option<Result<S, SettingError>> {
    section.as_ref().map(|s| match s {
        Section::Read(read) => settings(read),
        Section::Unreadable(why) => Err(bad(name, why.clone())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printer(toml_text: &str) -> Result<PrinterSettings, SettingError> {
        let section: PrinterSection = toml::from_str(toml_text).map_err(|e| bad("printer", e.to_string()))?;
        section.settings()
    }

    #[test]
    fn each_bad_setting_is_named() {
        for (text, setting) in [
            ("connection = \"bluetooth\"", "printer.connection"),
            ("connection = \"network\"", "printer.host"),
            ("connection = \"usb\"", "printer.device"),
            ("connection = \"cups\"", "printer.queue"),
            ("connection = \"serial\"\ndevice = \"/dev/ttyS0\"\nbaud = 7", "printer.baud"),
            ("connection = \"network\"\nhost = \"p\"\ncode_page = \"PC999\"", "printer.code_page"),
            ("connection = \"network\"\nhost = \"p\"\npaper = \"A4\"", "printer.paper"),
            ("connection = \"network\"\nhost = \"p\"\nlogo = 0", "printer.logo"),
            ("connection = \"network\"\nhost = \"p\"\ntimeout_ms = 5", "printer.timeout_ms"),
        ] {
            assert_eq!(printer(text).unwrap_err().setting, setting, "{text}");
        }
        assert_eq!(DrawerSection { pin: 3, ..DrawerSection::default() }.settings().unwrap_err().setting, "drawer.pin");
        assert_eq!(
            DrawerSection { pin: 2, pulse_ms: Some(600), ..DrawerSection::default() }.settings().unwrap_err().setting,
            "drawer.pulse_ms"
        );
    }

    #[test]
    fn defaults_are_port_9100_80mm_pc858() {
        let settings = printer("connection = \"network\"\nhost = \"10.0.0.9\"").unwrap();
        assert_eq!(settings.connection, Connection::Network { host: "10.0.0.9".into(), port: 9100 });
        assert_eq!(settings.paper.columns(), 42);
        assert_eq!(settings.code_page, CodePage::Pc858);
        let drawer = DrawerSection { pin: 5, ..DrawerSection::default() }.settings().unwrap();
        assert_eq!((drawer.pin, drawer.pulse_units, drawer.realtime), (DrawerPin::Pin5, 50, true));
    }

    /// A `[drawer]` written before `realtime` existed still reads (as the real-time kick) and is
    /// written back as it was; `realtime = false` chooses ESC p.
    #[test]
    fn a_drawer_section_without_realtime_stays_valid() {
        let old: DrawerSection = toml::from_str("pin = 2\npulse_ms = 100\nask_to_close = true\n").unwrap();
        assert_eq!(old.realtime, None);
        assert!(old.settings().unwrap().realtime);
        assert_eq!(toml::to_string(&old).unwrap(), "pin = 2\npulse_ms = 100\nask_to_close = true\n");
        let escp: DrawerSection = toml::from_str("pin = 5\nrealtime = false\n").unwrap();
        assert!(!escp.settings().unwrap().realtime);
        assert!(toml::to_string(&escp).unwrap().contains("realtime = false"));
    }

    #[test]
    fn an_unreadable_section_is_kept_not_fatal() {
        #[derive(Deserialize)]
        struct File {
            printer: Option<Section<PrinterSection>>,
        }
        let file: File = toml::from_str("[printer]\nconection = \"network\"\n").unwrap();
        let error = checked(&file.printer, "printer", PrinterSection::settings).unwrap().unwrap_err();
        assert_eq!(error.setting, "printer");
        assert!(error.problem.contains("conection"), "{error}");
    }
}
