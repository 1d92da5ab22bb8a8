//! Tailing the server log by reading backwards from its end.
//!
//! A long-running server's log can grow to gigabytes; showing its last lines must not read it
//! all. We read fixed-size blocks from the end until we have seen enough line breaks.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

const BLOCK: u64 = 16 * 1024;
/// Upper bound on what one call reads, for a pathological log with enormous lines: the first
/// returned line is then cut at its start.
const MAX_READ: u64 = 16 * 1024 * 1024;

/// The last `n` lines of `path` (lossy UTF-8, line breaks removed). Missing file: empty.
pub fn tail_log(path: &Path, n: usize) -> io::Result<Vec<String>> {
    tail_counting(path, n).map(|(lines, _)| lines)
}

/// `tail_log`, also returning how many bytes were read (for tests of the cost).
fn tail_counting(path: &Path, n: usize) -> io::Result<(Vec<String>, u64)> {
    if n == 0 {
        return Ok((Vec::new(), 0));
    }
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let len = file.seek(SeekFrom::End(0))?;
    let mut pos = len;
    // Blocks in reverse order of reading; joined once at the end.
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    let mut newlines = 0usize;
    let mut read_total = 0u64;
    while pos > 0 && newlines < n && read_total < MAX_READ {
        let size = BLOCK.min(pos);
        pos -= size;
        file.seek(SeekFrom::Start(pos))?;
        let mut block = vec![0u8; size as usize];
        file.read_exact(&mut block)?;
        read_total += size;
        // The file's final line break ends the last line; it does not start an empty one.
        let counted = if pos + size == len && block.last() == Some(&b'\n') {
            &block[..block.len() - 1]
        } else {
            &block[..]
        };
        newlines += counted.iter().filter(|&&b| b == b'\n').count();
        blocks.push(block);
    }
    let mut data = Vec::with_capacity(read_total as usize);
    for block in blocks.iter().rev() {
        data.extend_from_slice(block);
    }
    if data.is_empty() {
        return Ok((Vec::new(), read_total));
    }
    if data.last() == Some(&b'\n') {
        data.pop();
    }
    let mut lines: Vec<String> = data
        .rsplit(|&b| b == b'\n')
        .take(n)
        .map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            String::from_utf8_lossy(line).into_owned()
        })
        .collect();
    lines.reverse();
    Ok((lines, read_total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tail_of(content: &[u8], n: usize) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        std::fs::write(&p, content).unwrap();
        tail_log(&p, n).unwrap()
    }

    #[test]
    fn small_files() {
        assert_eq!(tail_of(b"a\nb\nc\n", 2), ["b", "c"]);
        assert_eq!(tail_of(b"a\nb\nc", 2), ["b", "c"]);
        assert_eq!(tail_of(b"a\nb\nc\n", 10), ["a", "b", "c"]);
        assert_eq!(tail_of(b"a\r\nb\r\n", 5), ["a", "b"]);
        assert_eq!(tail_of(b"a\n\nb\n", 2), ["", "b"]);
        assert_eq!(tail_of(b"\n", 3), [""]);
        assert_eq!(tail_of(b"", 3), Vec::<String>::new());
        assert_eq!(tail_of(b"one", 0), Vec::<String>::new());
        assert_eq!(tail_of(b"bad \xff byte\n", 1), ["bad \u{fffd} byte"]);
    }

    #[test]
    fn missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(tail_log(&dir.path().join("nope"), 5).unwrap().is_empty());
    }

    #[test]
    fn line_spanning_blocks() {
        let long = "x".repeat(BLOCK as usize * 2 + 7);
        let content = format!("first\n{long}\nlast\n");
        assert_eq!(tail_of(content.as_bytes(), 2), [long.as_str(), "last"]);
        assert_eq!(tail_of(content.as_bytes(), 3)[0], "first");
    }

    #[test]
    fn large_file_reads_only_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.log");
        let mut f = std::io::BufWriter::new(File::create(&p).unwrap());
        let lines = 100_000;
        for i in 0..lines {
            writeln!(f, "INFO line number {i:06} of a fairly long server log").unwrap();
        }
        f.flush().unwrap();
        drop(f);
        let size = std::fs::metadata(&p).unwrap().len();
        assert!(size > 4_000_000, "{size}");
        let (tail, read) = tail_counting(&p, 20).unwrap();
        assert_eq!(tail.len(), 20);
        assert_eq!(
            tail[19],
            format!(
                "INFO line number {:06} of a fairly long server log",
                lines - 1
            )
        );
        assert_eq!(
            tail[0],
            format!(
                "INFO line number {:06} of a fairly long server log",
                lines - 20
            )
        );
        assert!(read <= BLOCK, "read {read} bytes of {size}");
    }
}
