//! What corescope prints and draws from text it was given: an escape
//! sequence in an argument or a file name never reaches the terminal or an
//! SVG raw, and a huge argument is cut in the error line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{corescope, stderr};

#[test]
fn an_escape_sequence_and_a_huge_argument_are_shown_escaped_and_cut() {
    let hostile = format!("\u{1b}[31m{}", "9".repeat(8000));
    let out = corescope(&["sweep", "--workers", &hostile]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}'), "raw escape printed: {err:?}");
    assert!(err.contains("\\u{1b}"), "{err}");
    assert!(err.contains("more characters"), "{err}");
    assert!(err.len() < 2000, "{} bytes", err.len());
}

#[test]
fn a_file_name_with_an_escape_makes_a_well_formed_report() {
    let dir = tempfile::tempdir().unwrap();
    let first = common::saved_sweep(dir.path(), "plain", &[]);
    let second = common::saved_sweep(dir.path(), "odd\u{1b}[1mname", &[]);
    let out_dir = dir.path().join("report");
    let out = corescope(&[
        "report",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut svgs = 0;
    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r'),
                "{} holds a control character",
                path.display()
            );
            svgs += 1;
        }
    }
    assert!(svgs > 0);
    let markdown = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(!markdown.contains('\u{1b}'));
}
