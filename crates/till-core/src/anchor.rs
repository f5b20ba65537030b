//! The journal anchor each receipt and each Z prints as a QR code: the register's chain, the
//! entry's position and the entry's hash. Each entry's hash covers every entry before it, so a
//! receipt a customer kept, or a Z in the manager's binder, pins the whole chain up to there:
//! an owner who deletes or edits an earlier entry and re-chains everything after it changes
//! that hash, and `tillctl journal verify --anchors FILE` reports it.
//!
//! The text is what a phone's QR scanner shows, one anchor per line of an auditor's file:
//! `TILL1;R;<receipt number>;<chain>;<seq>;<hash>` or `TILL1;Z;<Z number>;<chain>;<seq>;<hash>`.

use qrcode::{Color, EcLevel, QrCode};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

const VERSION: &str = "TILL1";

/// Which printed document an anchor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorOf {
    /// A sale's or refund's receipt, by number.
    Receipt(String),
    /// A register's Z report, by number.
    Z(i64),
}

/// A point of a journal chain, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalAnchor {
    pub of: AnchorOf,
    pub chain: Uuid,
    pub seq: i64,
    pub hash: String,
}

/// Why a line of an anchors file is not an anchor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Till anchor (TILL1;R|Z;number;chain;seq;hash, as a receipt's or Z's QR code reads)")]
pub struct NotAnAnchor(pub String);

impl JournalAnchor {
    pub fn text(&self) -> String {
        let (kind, number) = match &self.of {
            AnchorOf::Receipt(number) => ("R", number.clone()),
            AnchorOf::Z(number) => ("Z", number.to_string()),
        };
        format!("{VERSION};{kind};{number};{};{};{}", self.chain, self.seq, self.hash)
    }

    pub fn parse(text: &str) -> Result<JournalAnchor, NotAnAnchor> {
        let bad = || NotAnAnchor(text.to_string());
        let parts: Vec<&str> = text.trim().split(';').collect();
        let [VERSION, kind, number, chain, seq, hash] = parts.as_slice() else { return Err(bad()) };
        let of = match *kind {
            "R" if !number.is_empty() && number.len() <= 64 => AnchorOf::Receipt((*number).to_string()),
            "Z" => AnchorOf::Z(number.parse().map_err(|_| bad())?),
            _ => return Err(bad()),
        };
        let hash_ok = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        if !hash_ok || seq < 1 {
            return Err(bad());
        }
        Ok(JournalAnchor { of, chain: chain.parse().map_err(|_| bad())?, seq, hash: (*hash).to_string() })
    }

    /// The anchor as screens and prints show it.
    pub fn printed(&self) -> PrintedAnchor {
        let text = self.text();
        PrintedAnchor { qr_svg: qr_svg(&text), text }
    }
}

/// An anchor as a receipt or Z shows it: its text and its QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrintedAnchor {
    pub text: String,
    /// An SVG image (black modules on white, a 4-module quiet zone), drawn from `text`.
    pub qr_svg: String,
}

/// `text` as a QR code in SVG: one path, a `M x,y h n v1 h -n z` run per row of dark modules
/// (what [`qr_modules_from_svg`] reads back). Error correction M: a receipt's thermal print
/// may fade or crease.
pub fn qr_svg(text: &str) -> String {
    // A 150-character anchor fits easily; an error here means a text no receipt makes.
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                path.push_str(&format!("M{},{}h{}v1h-{}z", start + 4, y + 4, x - start, x - start));
            } else {
                x += 1;
            }
        }
    }
    let size = width + 8;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    )
}

/// The modules an SVG of [`qr_svg`] draws (`true` = dark), quiet zone included: for tests that
/// decode what a screen shows, as a scanner would.
pub fn qr_modules_from_svg(svg: &str) -> Option<Vec<Vec<bool>>> {
    let size: usize = svg.split("viewBox=\"0 0 ").nth(1)?.split(' ').next()?.parse().ok()?;
    let path = svg.split(" d=\"").nth(1)?.split('"').next()?;
    let mut grid = vec![vec![false; size]; size];
    for run in path.split('M').filter(|r| !r.is_empty()) {
        let (x, rest) = run.split_once(',')?;
        let (y, rest) = rest.split_once('h')?;
        let n = rest.split_once('v')?.0;
        let (x, y, n): (usize, usize, usize) = (x.parse().ok()?, y.parse().ok()?, n.parse().ok()?);
        for cell in grid.get_mut(y)?.get_mut(x..x + n)? {
            *cell = true;
        }
    }
    Some(grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor(of: AnchorOf) -> JournalAnchor {
        JournalAnchor { of, chain: Uuid::now_v7(), seq: 42, hash: "ab".repeat(32) }
    }

    #[test]
    fn the_text_reads_back_as_the_same_anchor() {
        for a in [anchor(AnchorOf::Receipt("DT-R1-000002".into())), anchor(AnchorOf::Z(7))] {
            assert_eq!(JournalAnchor::parse(&a.text()), Ok(a.clone()));
            assert_eq!(JournalAnchor::parse(&format!("  {}\n", a.text())), Ok(a));
        }
    }

    #[test]
    fn anything_else_is_refused() {
        let good = anchor(AnchorOf::Z(7)).text();
        for bad in [
            String::new(),
            good.replace("TILL1", "TILL2"),
            good.replace(";Z;", ";X;"),
            good.replace(";7;", ";seven;"),
            good.replace(";42;", ";0;"),
            good.replace(&"ab".repeat(32), &"AB".repeat(32)),
            good.replace(&"ab".repeat(32), "ab"),
            format!("{good};extra"),
        ] {
            assert!(JournalAnchor::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_svg_draws_every_module_of_the_code() {
        let text = anchor(AnchorOf::Receipt("DT-R1-000002".into())).text();
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
        let grid = qr_modules_from_svg(&qr_svg(&text)).unwrap();
        let width = code.width();
        assert_eq!(grid.len(), width + 8);
        for (i, color) in code.to_colors().iter().enumerate() {
            assert_eq!(grid[i / width + 4][i % width + 4], *color == Color::Dark, "module {i}");
        }
        assert!(grid[0].iter().chain(grid[width + 7].iter()).all(|dark| !dark), "the quiet zone is white");
    }
}
