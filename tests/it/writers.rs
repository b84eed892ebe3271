//! Every command that writes a file, in one table, held to the one writer's rules
//! (`qkv::atomic`): a FIFO, a device node, a directory and a destination whose directory is
//! missing are refused and left as they were; a symbolic link is followed (the file it
//! points to is replaced, the link stays a link) and the file keeps its permission bits; an
//! existing regular file is replaced only when asked (`--force`, `save!`, `>!`), except by
//! an export, which is written again as often as it is asked for.

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

use crate::util::{Qkv, TINY_MODEL, text};

/// One command that writes a file.
struct Writer {
    /// What the table row is called in a failure message.
    name: &'static str,
    /// The extension its file takes.
    ext: &'static str,
    /// Whether an existing regular file is refused without being forced.
    refuses_existing: bool,
    /// Runs the command in `dir`, writing `target`, forced (`--force`, `save!`) or not.
    run: fn(dir: &Path, target: &Path, force: bool) -> Output,
}

/// One update of a tiny model, no progress lines.
const ONE_UPDATE: &[&str] = &["--steps", "1", "--batch", "2", "--every", "0"];

fn cli(dir: &Path, args: &[&str]) -> Output {
    Qkv::new(args).dir(dir).within(120).output()
}

fn repl(dir: &Path, script: &str) -> Output {
    Qkv::new(&["repl"])
        .dir(dir)
        .env("QKV_HISTORY", dir.join("history.txt"))
        .stdin(script.as_bytes())
        .within(120)
        .output()
}

fn bang(force: bool) -> &'static str {
    if force { "!" } else { "" }
}

fn p(target: &Path) -> &str {
    target.to_str().unwrap()
}

const WRITERS: &[Writer] = &[
    Writer {
        name: "save (REPL)",
        ext: "yaml",
        refuses_existing: true,
        run: |dir, t, force| repl(dir, &format!("save{} {}\n", bang(force), p(t))),
    },
    Writer {
        name: "qkv export",
        ext: "npz",
        refuses_existing: false,
        run: |dir, t, force| {
            let mut a = vec!["export", "-o", p(t)];
            if force {
                a.push("--force");
            }
            cli(dir, &a)
        },
    },
    Writer {
        name: "qkv plot",
        ext: "md",
        refuses_existing: true,
        run: |dir, t, force| {
            let mut a = vec!["plot", "--show", "enc.0.attn.weights[0]", "-o", p(t)];
            if force {
                a.push("--force");
            }
            cli(dir, &a)
        },
    },
    Writer {
        name: "checkpoint save (REPL)",
        ext: "safetensors",
        refuses_existing: true,
        run: |dir, t, force| repl(dir, &format!("checkpoint save{} {}\n", bang(force), p(t))),
    },
    Writer {
        name: "qkv train -o",
        ext: "safetensors",
        refuses_existing: true,
        run: |dir, t, force| {
            let mut a = vec!["train", "-o", p(t)];
            a.extend_from_slice(TINY_MODEL);
            a.extend_from_slice(ONE_UPDATE);
            if force {
                a.push("--force");
            }
            cli(dir, &a)
        },
    },
    Writer {
        name: "> file (REPL)",
        ext: "md",
        refuses_existing: true,
        run: |dir, t, force| repl(dir, &format!("show embed.sum >{} {}\n", bang(force), p(t))),
    },
];

/// What the command printed, for failure messages.
fn said(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

/// A device node in `dir` (the null device's numbers, 1:3), or `None` where this user may
/// not make one (mknod needs root; CI runs as root).
fn device_node(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    let path = dir.join(name);
    let made = Command::new("mknod")
        .arg(&path)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    made.then_some(path)
}

#[test]
fn every_writer_follows_the_one_writers_rules() {
    for w in WRITERS {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let name = |stem: &str| format!("{stem}.{}", w.ext);

        // A FIFO: refused even when forced (and never opened: that would block).
        let fifo = d.join(name("fifo"));
        crate::util::mkfifo(&fifo);
        let o = (w.run)(d, &fifo, true);
        let meta = fs::symlink_metadata(&fifo).unwrap();
        assert!(
            meta.file_type().is_fifo(),
            "{}: the FIFO was replaced: {}",
            w.name,
            said(&o)
        );
        assert!(
            said(&o).contains("FIFO"),
            "{}: no word of the FIFO: {}",
            w.name,
            said(&o)
        );

        // A device node: refused even when forced.
        if let Some(dev) = device_node(d, &name("dev")) {
            let o = (w.run)(d, &dev, true);
            let meta = fs::symlink_metadata(&dev).unwrap();
            assert!(
                meta.file_type().is_char_device(),
                "{}: the device node was replaced: {}",
                w.name,
                said(&o)
            );
            assert!(
                said(&o).contains("device"),
                "{}: no word of the device: {}",
                w.name,
                said(&o)
            );
        }

        // A directory: refused, left empty.
        let sub = d.join(name("sub"));
        fs::create_dir(&sub).unwrap();
        let o = (w.run)(d, &sub, true);
        assert!(sub.is_dir(), "{}: {}", w.name, said(&o));
        assert_eq!(
            fs::read_dir(&sub).unwrap().count(),
            0,
            "{}: wrote into the directory: {}",
            w.name,
            said(&o)
        );
        assert!(
            said(&o).contains("directory"),
            "{}: no word of the directory: {}",
            w.name,
            said(&o)
        );

        // A destination whose directory does not exist: refused, nothing made.
        let dangling = d.join("nodir").join(name("x"));
        let o = (w.run)(d, &dangling, true);
        assert!(!d.join("nodir").exists(), "{}: {}", w.name, said(&o));
        assert!(
            said(&o).contains("nodir"),
            "{}: the message does not name the directory: {}",
            w.name,
            said(&o)
        );

        // A link to a 0600 file: the file is replaced, the link stays, the bits are kept.
        let real = d.join(name("real"));
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
        let link = d.join(name("link"));
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let o = (w.run)(d, &link, true);
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{}: the link was replaced: {}",
            w.name,
            said(&o)
        );
        assert_ne!(
            fs::read(&real).unwrap(),
            b"old",
            "{}: the linked file was not written: {}",
            w.name,
            said(&o)
        );
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o600,
            "{}: the permission bits changed",
            w.name
        );

        // An existing regular file: replaced only when asked (an export always).
        let existing = d.join(name("notes"));
        fs::write(&existing, "my notes").unwrap();
        let o = (w.run)(d, &existing, false);
        let kept = fs::read(&existing).unwrap() == b"my notes";
        assert_eq!(
            kept,
            w.refuses_existing,
            "{}: existing file kept = {kept}: {}",
            w.name,
            said(&o)
        );
        if w.refuses_existing {
            assert!(
                said(&o).contains("exist"),
                "{}: the refusal does not say the file exists: {}",
                w.name,
                said(&o)
            );
        }
    }
}
