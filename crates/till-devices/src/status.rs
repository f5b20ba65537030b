//! The printer's real-time status (DLE EOT n, Epson ESC/POS), and what a cashier is told.

/// `DLE EOT n`: n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor.
pub fn query(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}

/// The status queries Till asks, in order.
pub const QUERIES: [u8; 4] = [1, 2, 3, 4];

/// What the four status bytes said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrinterStatus {
    pub offline: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_near_end: bool,
    /// The drawer's switch (pin 3) reads open. Drawers differ in which level means open;
    /// Till reads high as open, the common wiring.
    pub drawer_open: bool,
    /// A cutter jam or another error the printer reports.
    pub error: bool,
}

/// A status byte has bit 1 and bit 4 set and bits 0 and 7 clear: anything else is not an
/// answer to DLE EOT (a printer that echoes, or another device on the port).
pub fn is_status_byte(byte: u8) -> bool {
    byte & 0b1001_0011 == 0b0001_0010
}

impl PrinterStatus {
    /// From the answers to DLE EOT 1, 2, 3 and 4, in that order.
    pub fn from_bytes(printer: u8, offline: u8, error: u8, paper: u8) -> PrinterStatus {
        let bit = |byte: u8, n: u8| byte & (1 << n) != 0;
        PrinterStatus {
            drawer_open: bit(printer, 2),
            offline: bit(printer, 3),
            cover_open: bit(offline, 2),
            paper_out: bit(offline, 5) || (bit(paper, 5) && bit(paper, 6)),
            paper_near_end: bit(paper, 2) && bit(paper, 3),
            error: bit(offline, 6) && (bit(error, 2) || bit(error, 3) || bit(error, 5) || bit(error, 6)),
        }
    }

    /// What stops a job from printing now, the most telling first.
    pub fn problem(&self) -> Option<Problem> {
        if self.cover_open {
            Some(Problem::CoverOpen)
        } else if self.paper_out {
            Some(Problem::PaperOut)
        } else if self.error {
            Some(Problem::Error)
        } else if self.offline {
            Some(Problem::Offline)
        } else {
            None
        }
    }
}

/// Why the printer cannot print now, in words a cashier understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    PaperOut,
    CoverOpen,
    Offline,
    Error,
    /// Connected, but no answer within the timeout.
    NotAnswering,
    /// The connection failed (host unreachable, device missing, queue refused); `detail` says
    /// which setting and what the system said.
    Unreachable {
        detail: String,
    },
    /// The connection dropped in the middle of a job: it is sent again, whole.
    Disconnected,
    /// The print spool itself (the disk) failed: jobs may not survive a restart.
    Spool {
        detail: String,
    },
}

impl Problem {
    /// A closed list of codes for the screen to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::PaperOut => "paper_out",
            Problem::CoverOpen => "cover_open",
            Problem::Offline => "offline",
            Problem::Error => "error",
            Problem::NotAnswering => "not_answering",
            Problem::Unreachable { .. } => "unreachable",
            Problem::Disconnected => "disconnected",
            Problem::Spool { .. } => "spool",
        }
    }

    /// "Printer: out of paper".
    pub fn words(&self) -> String {
        match self {
            Problem::PaperOut => "Printer: out of paper".into(),
            Problem::CoverOpen => "Printer: cover open".into(),
            Problem::Offline => "Printer: offline".into(),
            Problem::Error => "Printer: error (a paper jam or the cutter): open the cover and clear it".into(),
            Problem::NotAnswering => "Printer: not answering (is it switched on?)".into(),
            Problem::Unreachable { detail } => format!("Printer: cannot be reached ({detail})"),
            Problem::Disconnected => "Printer: connection lost while printing".into(),
            Problem::Spool { detail } => format!("Printing: cannot keep receipts on disk ({detail})"),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: u8 = 0b0001_0010;

    #[test]
    fn each_status_bit_reads_as_its_problem() {
        assert_eq!(PrinterStatus::from_bytes(OK, OK, OK, OK).problem(), None);
        assert_eq!(PrinterStatus::from_bytes(OK | 0x08, OK | 0x04, OK, OK).problem(), Some(Problem::CoverOpen));
        assert_eq!(PrinterStatus::from_bytes(OK | 0x08, OK | 0x20, OK, OK | 0x60).problem(), Some(Problem::PaperOut));
        assert_eq!(PrinterStatus::from_bytes(OK | 0x08, OK, OK, OK).problem(), Some(Problem::Offline));
        let near = PrinterStatus::from_bytes(OK, OK, OK, OK | 0x0C);
        assert!(near.paper_near_end && near.problem().is_none());
        assert!(PrinterStatus::from_bytes(OK | 0x04, OK, OK, OK).drawer_open);
        assert_eq!(Problem::PaperOut.words(), "Printer: out of paper");
    }

    #[test]
    fn only_status_shaped_bytes_are_answers() {
        assert!(is_status_byte(0x12) && is_status_byte(0x16) && is_status_byte(0x7E));
        assert!(!is_status_byte(0x00) && !is_status_byte(0x10) && !is_status_byte(0xFF) && !is_status_byte(b'A'));
    }
}
