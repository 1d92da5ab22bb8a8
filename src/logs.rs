//! Reading the server log (and other logs of the core) from its end.
//!
//! A long-running server's log can grow to gigabytes; showing its last lines must not read it
//! all. `Backwards` reads a file's lines newest first, in chunks that grow from 16 KiB to 1 MiB,
//! so the cost depends on how far back a reader looks, not on the file's size. On it: the last
//! lines of a file (quoted by start-up errors), and for people, the last lines that match a level
//! and a text; plus the lines appended since an earlier read (for `--follow`).
//!
//! A log line belongs to an entry: a header line that names a level (`26/01/02 10:00:00 WARN
//! Foo: ...`), followed by continuation lines (a stack trace, a printed query plan) that carry
//! the header's level. Filtering by level keeps whole entries; filtering by text keeps the lines
//! that contain it. A search for something rare stops after `max_scan` bytes and says so.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::errors::{CoreError, Result};

const FIRST_CHUNK: u64 = 16 * 1024;
const LARGEST_CHUNK: u64 = 1024 * 1024;
/// How far back `last_lines` reads, for a pathological log with enormous lines: the oldest line
/// returned is then cut at its start.
const LAST_LINES_SCAN: u64 = 16 * 1024 * 1024;

/// Log levels, in increasing severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    /// Parses a level word as log4j writes it; `WARNING` (the JVM's own warnings) counts as WARN.
    pub fn parse(word: &str) -> Option<Level> {
        Some(match word {
            "TRACE" => Level::Trace,
            "DEBUG" => Level::Debug,
            "INFO" => Level::Info,
            "WARN" | "WARNING" => Level::Warn,
            "ERROR" => Level::Error,
            "FATAL" => Level::Fatal,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }
}

/// A line that starts a log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub level: Level,
    /// The lines after it (up to the next header) belong to its entry. Not so for the JVM's own
    /// `WARNING: ...` lines: the JVM prefixes every line of a warning, so a line after one is
    /// not part of it (Spark's `Using Spark's default log4j profile`, printed to stderr before
    /// its logger exists, is no warning).
    pub continues: bool,
}

/// The header a line is, or None for a continuation line.
///
/// A header does not start with whitespace and has a level word among its first four words
/// (`yy/MM/dd HH:mm:ss LEVEL`, `WARNING: ...`, or other common layouts). Spark's JSON layout
/// (`{"ts":...,"level":"WARN",...}`) is recognised too, and so is the JVM's report of an uncaught
/// exception (`Exception in thread "main" ...`), which bypasses the logger: an ERROR.
pub fn header(line: &str) -> Option<Header> {
    let entry = |level| Header {
        level,
        continues: true,
    };
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    if line.starts_with("WARNING: ") {
        return Some(Header {
            level: Level::Warn,
            continues: false,
        });
    }
    if line.starts_with("Exception in thread ") {
        return Some(entry(Level::Error));
    }
    if line.starts_with('{') {
        let rest = &line[line.find("\"level\":\"")? + 9..];
        return Level::parse(&rest[..rest.find('"')?]).map(entry);
    }
    line.split_whitespace()
        .take(4)
        .find_map(|word| Level::parse(word.trim_end_matches(':')))
        .map(entry)
}

/// The level a header line names, or None for a continuation line.
pub fn header_level(line: &str) -> Option<Level> {
    header(line).map(|h| h.level)
}

/// The level of each line read forward: a header's own, and its entry's for the lines after it
/// (None after a header whose entry is one line, and before the first header).
#[derive(Debug, Default, Clone, Copy)]
pub struct Entries {
    /// The level continuation lines get now.
    pub level: Option<Level>,
}

impl Entries {
    pub fn level_of(&mut self, line: &str) -> Option<Level> {
        match header(line) {
            Some(h) => {
                self.level = h.continues.then_some(h.level);
                Some(h.level)
            }
            None => self.level,
        }
    }
}

/// Which lines to keep.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Keep entries of this level and above.
    pub min_level: Option<Level>,
    /// Keep lines that contain this text (compared case-insensitively).
    pub grep: Option<String>,
}

impl Filter {
    /// Whether `n` counts entries rather than lines: with a level filter (and no text filter,
    /// which keeps single lines), so that `-n 3 --level ERROR` is three whole errors, never a
    /// stack trace without the line that says what failed.
    pub fn counts_entries(&self) -> bool {
        self.min_level.is_some() && self.grep.is_none()
    }

    /// `grep_lower` is `grep`, lowercased once by the caller.
    fn keeps(&self, level: Option<Level>, line: &str, grep_lower: Option<&str>) -> bool {
        if let Some(min) = self.min_level {
            if !level.is_some_and(|l| l >= min) {
                return false;
            }
        }
        match grep_lower {
            Some(text) => line.to_lowercase().contains(text),
            None => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The level of the entry the line belongs to; None before the first header.
    pub level: Option<Level>,
    pub text: String,
}

/// Lines read from a log, and where a later read continues.
#[derive(Debug, Default)]
pub struct Excerpt {
    pub lines: Vec<LogLine>,
    /// Byte offset where reading stopped: pass it to `read_since` to get what comes after.
    pub end: u64,
    /// The file's identity (inode), to notice that it was replaced by a new log.
    pub file_id: u64,
    /// The level in force at `end` (that of the last entry), for continuation lines after it.
    pub last_level: Option<Level>,
    /// Bytes read to produce this excerpt.
    pub scanned: u64,
    /// There is more than this excerpt covers: a backwards search gave up after `max_scan` bytes
    /// without finding all the lines asked for, or a forward read stopped at `max_bytes`.
    pub truncated: bool,
}

fn line_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The lines of a file, newest first, read backwards from its end in growing chunks.
pub struct Backwards {
    file: File,
    len: u64,
    file_id: u64,
    /// Where the next chunk (backwards) ends; 0 once the file's start was read.
    pos: u64,
    chunk: u64,
    scanned: u64,
    max_scan: u64,
    /// The chunk read last, with the carry it completed.
    block: Vec<u8>,
    /// Complete lines of `block` not handed out yet, oldest first.
    lines: Vec<Range<usize>>,
    /// The part of a line at the start of the chunk read last: its beginning lies further back,
    /// in the chunk read next.
    carry: Vec<u8>,
}

impl Backwards {
    /// Opens `path` for reading at most about `max_scan` bytes back (within one chunk). `None`
    /// when there is no such file.
    pub fn open(path: &Path, max_scan: u64) -> io::Result<Option<Backwards>> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        Ok(Some(Backwards {
            file,
            len: meta.len(),
            file_id: meta.ino(),
            pos: meta.len(),
            chunk: FIRST_CHUNK,
            scanned: 0,
            max_scan,
            block: Vec::new(),
            lines: Vec::new(),
            carry: Vec::new(),
        }))
    }

    /// The next line back (lossy UTF-8, its line break removed); `None` at the file's start or
    /// once `max_scan` bytes were read.
    pub fn next_line(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(range) = self.lines.pop() {
                return Ok(Some(line_text(&self.block[range])));
            }
            if self.pos == 0 || self.scanned >= self.max_scan {
                return Ok(None);
            }
            self.read_chunk()?;
        }
    }

    fn read_chunk(&mut self) -> io::Result<()> {
        let at_end = self.pos == self.len;
        let size = self.chunk.min(self.pos);
        self.pos -= size;
        self.file.seek(SeekFrom::Start(self.pos))?;
        let mut block = vec![0u8; size as usize];
        self.file.read_exact(&mut block)?;
        self.scanned += size;
        self.chunk = (self.chunk * 2).min(LARGEST_CHUNK);
        block.append(&mut self.carry);
        if at_end && block.last() == Some(&b'\n') {
            // The file's final line break ends the last line; it does not start an empty one.
            block.pop();
        }
        let mut start = 0;
        let mut lines = Vec::new();
        for (i, _) in block.iter().enumerate().filter(|(_, b)| **b == b'\n') {
            lines.push(start..i);
            start = i + 1;
        }
        lines.push(start..block.len());
        // The oldest line may be cut at the chunk's start, unless the chunk starts the file.
        if self.pos > 0 {
            let first = lines.remove(0);
            self.carry = block[first].to_vec();
        }
        self.block = block;
        self.lines = lines;
        Ok(())
    }

    /// Whether the file's start was read: no line is older than those handed out.
    fn reached_start(&self) -> bool {
        self.pos == 0
    }

    /// Once `next_line` gave `None` before the file's start: the oldest line read, without its
    /// beginning, which lies before where reading stopped.
    fn cut_line(&self) -> Option<String> {
        (self.pos > 0).then(|| line_text(&self.carry))
    }
}

/// The last `n` lines of `path`, oldest first (lossy UTF-8, line breaks removed). Missing file:
/// none.
pub fn last_lines(path: &Path, n: usize) -> Result<Vec<String>> {
    let read = || -> io::Result<Vec<String>> {
        let Some(mut back) = Backwards::open(path, LAST_LINES_SCAN)? else {
            return Ok(Vec::new());
        };
        let mut lines = Vec::new();
        while lines.len() < n {
            match back.next_line()? {
                Some(line) => lines.push(line),
                None => {
                    lines.extend(back.cut_line());
                    break;
                }
            }
        }
        lines.reverse();
        Ok(lines)
    };
    read().map_err(|e| read_error(path, e))
}

fn read_error(path: &Path, e: io::Error) -> CoreError {
    CoreError::io_at("read the log", path, e)
}

/// Collects matches while lines arrive newest first.
struct Collector<'a> {
    filter: &'a Filter,
    grep_lower: Option<String>,
    n: usize,
    /// Matches so far, newest first.
    found: Vec<LogLine>,
    /// Whole entries kept so far, when `n` counts entries (`Filter::counts_entries`).
    entries: usize,
    /// Continuation lines (newest first) whose header is further back; at most `n` when `n`
    /// counts lines.
    pending: Vec<String>,
    /// The level continuation lines at the end of the log get, once the newest header is seen.
    last_level: Option<Option<Level>>,
}

impl Collector<'_> {
    fn done(&self) -> bool {
        if self.filter.counts_entries() {
            self.entries >= self.n
        } else {
            self.found.len() >= self.n
        }
    }

    fn keep(&mut self, level: Option<Level>, text: String) {
        if !self.done() && self.filter.keeps(level, &text, self.grep_lower.as_deref()) {
            self.found.push(LogLine { level, text });
        }
    }

    fn line(&mut self, text: String) {
        match header(&text) {
            Some(h) => {
                let carried = h.continues.then_some(h.level);
                self.last_level.get_or_insert(carried);
                let pending = std::mem::take(&mut self.pending);
                if self.filter.counts_entries() {
                    // The entry comes whole or not at all (lines after a one-line entry have no
                    // level, and no level filter keeps them).
                    if !self.done() && self.filter.keeps(Some(h.level), &text, None) {
                        let lines = if h.continues { pending } else { Vec::new() };
                        self.found.extend(lines.into_iter().map(|text| LogLine {
                            level: carried,
                            text,
                        }));
                        self.found.push(LogLine {
                            level: Some(h.level),
                            text,
                        });
                        self.entries += 1;
                    }
                    return;
                }
                for continuation in pending {
                    self.keep(carried, continuation);
                }
                self.keep(Some(h.level), text);
            }
            None if self.filter.counts_entries() || self.pending.len() < self.n => {
                self.pending.push(text)
            }
            // Older continuation lines than `n` newer ones can never be among the last `n`.
            None => {}
        }
    }

    /// At the start of the file: lines before the first header have no level.
    fn finish_at_start(&mut self) {
        for continuation in std::mem::take(&mut self.pending) {
            self.keep(None, continuation);
        }
    }
}

/// The last `n` lines of `path` that `filter` keeps, oldest first. Reads backwards in growing
/// chunks and stops once it has them, or after `max_scan` bytes. Missing file: empty excerpt.
pub fn tail(path: &Path, n: usize, filter: &Filter, max_scan: u64) -> Result<Excerpt> {
    let read = || -> io::Result<Excerpt> {
        let Some(mut back) = Backwards::open(path, max_scan)? else {
            return Ok(Excerpt::default());
        };
        let mut state = Collector {
            filter,
            grep_lower: filter.grep.as_ref().map(|g| g.to_lowercase()),
            n,
            found: Vec::new(),
            entries: 0,
            pending: Vec::new(),
            last_level: None,
        };
        while !state.done() {
            match back.next_line()? {
                Some(text) => state.line(text),
                None => break,
            }
        }
        let reached_start = back.reached_start();
        if reached_start {
            state.finish_at_start();
        }
        let truncated = !reached_start && !state.done();
        let mut lines = state.found;
        lines.reverse();
        Ok(Excerpt {
            lines,
            end: back.len,
            file_id: back.file_id,
            last_level: state.last_level.flatten(),
            scanned: back.scanned,
            truncated,
        })
    };
    read().map_err(|e| read_error(path, e))
}

/// The complete lines appended to `path` after byte `offset` that `filter` keeps. `level` is the
/// level in force at `offset` (`Excerpt::last_level` of the previous read). When the file is
/// not the one read before (`file_id` differs, or it is shorter than `offset`: the server was
/// restarted and its log replaced), reading starts over at its beginning. At most `max_bytes`
/// are read per call; the rest comes with the next call.
pub fn read_since(
    path: &Path,
    offset: u64,
    file_id: u64,
    level: Option<Level>,
    filter: &Filter,
    max_bytes: u64,
) -> Result<Excerpt> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Excerpt::default()),
        Err(e) => return Err(read_error(path, e)),
    };
    read_from(file, offset, file_id, level, filter, max_bytes).map_err(|e| read_error(path, e))
}

fn read_from(
    mut file: File,
    offset: u64,
    file_id: u64,
    level: Option<Level>,
    filter: &Filter,
    max_bytes: u64,
) -> io::Result<Excerpt> {
    let meta = file.metadata()?;
    let (len, id) = (meta.len(), meta.ino());
    let (offset, level) = if id != file_id || len < offset {
        (0, None)
    } else {
        (offset, level)
    };
    let mut entries = Entries { level };
    file.seek(SeekFrom::Start(offset))?;
    let mut data = Vec::new();
    file.take(max_bytes.min(len - offset))
        .read_to_end(&mut data)?;
    // Only complete lines: a line still being written is read whole next time.
    let complete = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let grep_lower = filter.grep.as_ref().map(|g| g.to_lowercase());
    let mut lines = Vec::new();
    if complete > 0 {
        // Without the final '\n', which ends the last line rather than starting a new one.
        for part in data[..complete - 1].split(|&b| b == b'\n') {
            let text = line_text(part);
            let level = entries.level_of(&text);
            if filter.keeps(level, &text, grep_lower.as_deref()) {
                lines.push(LogLine { level, text });
            }
        }
    }
    Ok(Excerpt {
        lines,
        end: offset + complete as u64,
        file_id: id,
        last_level: entries.level,
        scanned: data.len() as u64,
        truncated: offset + (data.len() as u64) < len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const SAMPLE: &str = "\
WARNING: Using incubator modules: jdk.incubator.vector
Using Spark's default log4j profile
26/01/02 10:00:00 INFO SparkContext: Running Spark version 4.0.1
26/01/02 10:00:01 WARN NativeCodeLoader: Unable to load native-hadoop library
26/01/02 10:00:02 INFO Executor: plan {
  root {
  }
}
26/01/02 10:00:03 ERROR Executor: Exception in task 0.0
java.lang.ArithmeticException: divide by zero
\tat Foo.bar(Foo.java:1)
26/01/02 10:00:04 INFO DAGScheduler: Job 1 failed
";

    fn write(content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.log");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    fn texts(excerpt: &Excerpt) -> Vec<&str> {
        excerpt.lines.iter().map(|l| l.text.as_str()).collect()
    }

    fn level(min: Level) -> Filter {
        Filter {
            min_level: Some(min),
            grep: None,
        }
    }

    #[test]
    fn headers_and_continuations() {
        assert_eq!(
            header_level("26/01/02 10:00:01 WARN Foo: x"),
            Some(Level::Warn)
        );
        assert_eq!(header_level("WARNING: Using incubator"), Some(Level::Warn));
        assert_eq!(
            header_level("2026-01-02T10:00:00.000Z ERROR [main] Foo - x"),
            Some(Level::Error)
        );
        assert_eq!(
            header_level(r#"{"ts":"2026-01-02","level":"INFO","msg":"x"}"#),
            Some(Level::Info)
        );
        assert_eq!(
            header_level("Exception in thread \"main\" org.apache.spark.SparkException: x"),
            Some(Level::Error)
        );
        assert_eq!(header_level("\tat Foo.bar(Foo.java:1)"), None);
        assert_eq!(header_level("  level: ERROR"), None);
        assert_eq!(header_level("java.lang.ArithmeticException: x"), None);
        assert_eq!(header_level("plan {"), None);
        // Only the first words count: a message that mentions ERROR later is not a header.
        assert_eq!(header_level("the task failed with ERROR code"), None);
    }

    #[test]
    fn tail_without_filter_gives_levels() {
        let (_d, path) = write(SAMPLE);
        let out = tail(&path, 4, &Filter::default(), u64::MAX).unwrap();
        assert_eq!(
            texts(&out),
            [
                "26/01/02 10:00:03 ERROR Executor: Exception in task 0.0",
                "java.lang.ArithmeticException: divide by zero",
                "\tat Foo.bar(Foo.java:1)",
                "26/01/02 10:00:04 INFO DAGScheduler: Job 1 failed",
            ]
        );
        let levels: Vec<_> = out.lines.iter().map(|l| l.level).collect();
        assert_eq!(
            levels,
            [
                Some(Level::Error),
                Some(Level::Error),
                Some(Level::Error),
                Some(Level::Info)
            ]
        );
        assert_eq!(out.end, SAMPLE.len() as u64);
        assert_eq!(out.last_level, Some(Level::Info));
        assert!(!out.truncated);
    }

    #[test]
    fn level_filter_keeps_whole_entries_at_and_above() {
        let (_d, path) = write(SAMPLE);
        let out = tail(&path, 50, &level(Level::Warn), u64::MAX).unwrap();
        assert_eq!(
            texts(&out),
            [
                // The JVM's WARNING: lines are entries of one line: the line after it is not.
                "WARNING: Using incubator modules: jdk.incubator.vector",
                "26/01/02 10:00:01 WARN NativeCodeLoader: Unable to load native-hadoop library",
                "26/01/02 10:00:03 ERROR Executor: Exception in task 0.0",
                "java.lang.ArithmeticException: divide by zero",
                "\tat Foo.bar(Foo.java:1)",
            ]
        );
        let out = tail(&path, 50, &level(Level::Error), u64::MAX).unwrap();
        assert_eq!(out.lines.len(), 3);
        assert!(out.lines.iter().all(|l| l.level == Some(Level::Error)));
        // With a level filter, -n counts entries: the last one comes whole, header included.
        let out = tail(&path, 1, &level(Level::Error), u64::MAX).unwrap();
        assert_eq!(
            texts(&out),
            [
                "26/01/02 10:00:03 ERROR Executor: Exception in task 0.0",
                "java.lang.ArithmeticException: divide by zero",
                "\tat Foo.bar(Foo.java:1)"
            ]
        );
        let out = tail(&path, 2, &level(Level::Warn), u64::MAX).unwrap();
        assert_eq!(out.lines.len(), 4, "{:?}", texts(&out));
        assert!(out.lines[0].text.contains("WARN NativeCodeLoader"));
    }

    #[test]
    fn a_jvm_warning_is_an_entry_of_one_line() {
        let mut entries = Entries::default();
        let levels: Vec<_> = SAMPLE.lines().map(|l| entries.level_of(l)).collect();
        assert_eq!(&levels[..3], [Some(Level::Warn), None, Some(Level::Info)]);
        let (_d, path) = write(SAMPLE);
        let all = tail(&path, 50, &Filter::default(), u64::MAX).unwrap();
        assert_eq!(all.lines[1].text, "Using Spark's default log4j profile");
        assert_eq!(all.lines[1].level, None);
        // Read forward (follow), the same.
        let from_start = read_since(&path, 0, all.file_id, None, &level(Level::Warn), u64::MAX);
        let texts: Vec<String> = from_start
            .unwrap()
            .lines
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert!(
            !texts.iter().any(|t| t.starts_with("Using Spark")),
            "{texts:?}"
        );
    }

    #[test]
    fn grep_is_case_insensitive_and_combines_with_level() {
        let (_d, path) = write(SAMPLE);
        let grep = |text: &str, min: Option<Level>| Filter {
            min_level: min,
            grep: Some(text.into()),
        };
        let out = tail(&path, 50, &grep("executor", None), u64::MAX).unwrap();
        assert_eq!(out.lines.len(), 2);
        let out = tail(&path, 50, &grep("EXECUTOR", Some(Level::Error)), u64::MAX).unwrap();
        assert_eq!(
            texts(&out),
            ["26/01/02 10:00:03 ERROR Executor: Exception in task 0.0"]
        );
        let out = tail(&path, 50, &grep("nothing like this", None), u64::MAX).unwrap();
        assert!(out.lines.is_empty() && !out.truncated);
    }

    #[test]
    fn missing_and_empty_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = tail(&dir.path().join("nope"), 5, &Filter::default(), u64::MAX).unwrap();
        assert!(out.lines.is_empty());
        let (_d, path) = write("");
        assert!(tail(&path, 5, &Filter::default(), u64::MAX)
            .unwrap()
            .lines
            .is_empty());
        let (_d, path) = write("no newline at the end");
        assert_eq!(
            texts(&tail(&path, 5, &Filter::default(), u64::MAX).unwrap()),
            ["no newline at the end"]
        );
    }

    /// A log of `lines` INFO lines with one WARN entry (and its continuation line) `warn_at`
    /// lines before the end.
    fn big_log(lines: usize, warn_at: usize) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let mut f = std::io::BufWriter::new(File::create(&path).unwrap());
        for i in 0..lines {
            if i == lines - warn_at {
                writeln!(f, "26/01/02 10:00:00 WARN Foo: the needle {i}").unwrap();
                writeln!(f, "  continuation of the needle").unwrap();
            }
            writeln!(
                f,
                "26/01/02 10:00:00 INFO Foo: line number {i:07} of a long log"
            )
            .unwrap();
        }
        f.flush().unwrap();
        (dir, path)
    }

    #[test]
    fn filtered_tail_reads_only_as_far_back_as_the_matches() {
        let (_d, path) = big_log(200_000, 100);
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size > 9_000_000, "{size}");
        let out = tail(&path, 10, &level(Level::Warn), 64 << 20).unwrap();
        assert_eq!(out.lines.len(), 2);
        assert!(out.lines[0].text.contains("the needle"));
        assert_eq!(out.lines[1].level, Some(Level::Warn));
        // It had to read back to the file's start to be sure there is nothing older.
        assert!(!out.truncated);
        assert_eq!(out.scanned, size);
        // Enough matches near the end (one entry: the needle and its continuation): only the
        // end is read.
        let out = tail(&path, 1, &level(Level::Warn), 64 << 20).unwrap();
        assert_eq!(out.lines.len(), 2);
        assert!(out.scanned <= FIRST_CHUNK, "read {} of {size}", out.scanned);
        let unfiltered = tail(&path, 20, &Filter::default(), 64 << 20).unwrap();
        assert_eq!(unfiltered.lines.len(), 20);
        assert!(unfiltered.scanned <= FIRST_CHUNK);
    }

    #[test]
    fn a_rare_match_stops_at_the_scan_limit_and_says_so() {
        let (_d, path) = big_log(200_000, 150_000);
        let size = std::fs::metadata(&path).unwrap().len();
        let out = tail(&path, 10, &level(Level::Warn), 1 << 20).unwrap();
        assert!(out.lines.is_empty());
        assert!(out.truncated);
        // The limit is honoured to within one chunk.
        assert!(
            out.scanned < (1 << 20) + LARGEST_CHUNK,
            "{} of {size}",
            out.scanned
        );
    }

    #[test]
    fn chunk_boundaries_do_not_cut_lines() {
        let long = "y".repeat(FIRST_CHUNK as usize + 5);
        let content = format!("26/01/02 ERROR A: start\n{long}\n26/01/02 INFO B: end\n");
        let (_d, path) = write(&content);
        let out = tail(&path, 3, &Filter::default(), u64::MAX).unwrap();
        assert_eq!(
            texts(&out),
            [
                "26/01/02 ERROR A: start",
                long.as_str(),
                "26/01/02 INFO B: end"
            ]
        );
        assert_eq!(out.lines[1].level, Some(Level::Error));
    }

    #[test]
    fn read_since_returns_complete_new_lines_and_carries_the_level() {
        let (_d, path) = write("26/01/02 ERROR A: boom\n");
        let first = tail(&path, 10, &Filter::default(), u64::MAX).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        write!(
            f,
            "\tat Foo.bar\n26/01/02 INFO B: fine\n26/01/02 WARN C: half"
        )
        .unwrap();
        let next = read_since(
            &path,
            first.end,
            first.file_id,
            first.last_level,
            &level(Level::Error),
            u64::MAX,
        )
        .unwrap();
        assert_eq!(texts(&next), ["\tat Foo.bar"]);
        let all = read_since(
            &path,
            first.end,
            first.file_id,
            first.last_level,
            &Filter::default(),
            u64::MAX,
        )
        .unwrap();
        assert_eq!(texts(&all), ["\tat Foo.bar", "26/01/02 INFO B: fine"]);
        writeln!(f, " done").unwrap();
        let last = read_since(
            &path,
            all.end,
            all.file_id,
            all.last_level,
            &Filter::default(),
            u64::MAX,
        )
        .unwrap();
        assert_eq!(texts(&last), ["26/01/02 WARN C: half done"]);
        assert_eq!(last.lines[0].level, Some(Level::Warn));
        let nothing = read_since(
            &path,
            last.end,
            last.file_id,
            None,
            &Filter::default(),
            u64::MAX,
        )
        .unwrap();
        assert!(nothing.lines.is_empty());
        assert_eq!(nothing.end, last.end);
    }

    #[test]
    fn read_since_starts_over_in_a_replaced_log() {
        let (dir, path) = write("old line one\nold line two\n");
        let first = tail(&path, 10, &Filter::default(), u64::MAX).unwrap();
        std::fs::rename(&path, dir.path().join("server.log.1")).unwrap();
        std::fs::write(&path, "new\n").unwrap();
        let next = read_since(
            &path,
            first.end,
            first.file_id,
            None,
            &Filter::default(),
            u64::MAX,
        )
        .unwrap();
        assert_eq!(texts(&next), ["new"]);
    }

    fn last_of(content: &[u8], n: usize) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        std::fs::write(&p, content).unwrap();
        last_lines(&p, n).unwrap()
    }

    #[test]
    fn last_lines_of_small_files() {
        assert_eq!(last_of(b"a\nb\nc\n", 2), ["b", "c"]);
        assert_eq!(last_of(b"a\nb\nc", 2), ["b", "c"]);
        assert_eq!(last_of(b"a\nb\nc\n", 10), ["a", "b", "c"]);
        assert_eq!(last_of(b"a\r\nb\r\n", 5), ["a", "b"]);
        assert_eq!(last_of(b"a\n\nb\n", 2), ["", "b"]);
        assert_eq!(last_of(b"\n", 3), [""]);
        assert_eq!(last_of(b"", 3), Vec::<String>::new());
        assert_eq!(last_of(b"one", 0), Vec::<String>::new());
        assert_eq!(last_of(b"bad \xff byte\n", 1), ["bad \u{fffd} byte"]);
        let dir = tempfile::tempdir().unwrap();
        assert!(last_lines(&dir.path().join("nope"), 5).unwrap().is_empty());
    }

    #[test]
    fn last_lines_spanning_chunks() {
        let long = "x".repeat(FIRST_CHUNK as usize * 2 + 7);
        let content = format!("first\n{long}\nlast\n");
        assert_eq!(last_of(content.as_bytes(), 2), [long.as_str(), "last"]);
        assert_eq!(last_of(content.as_bytes(), 3)[0], "first");
    }

    #[test]
    fn last_lines_of_a_large_file_read_only_the_end() {
        let (_d, path) = big_log(200_000, 100);
        let size = std::fs::metadata(&path).unwrap().len();
        let last = last_lines(&path, 20).unwrap();
        assert_eq!(last.len(), 20);
        assert_eq!(
            last[19],
            "26/01/02 10:00:00 INFO Foo: line number 0199999 of a long log"
        );
        let mut back = Backwards::open(&path, LAST_LINES_SCAN).unwrap().unwrap();
        for _ in 0..20 {
            back.next_line().unwrap().unwrap();
        }
        assert!(
            back.scanned <= FIRST_CHUNK,
            "read {} of {size}",
            back.scanned
        );
    }

    #[test]
    fn a_line_longer_than_the_scan_comes_cut_at_its_start() {
        let long = format!("start{}end", "z".repeat(LAST_LINES_SCAN as usize * 2));
        let (_d, path) = write(&format!("{long}\nlast\n"));
        let last = last_lines(&path, 3).unwrap();
        assert_eq!(last.len(), 2);
        assert!(last[0].ends_with("zend") && !last[0].starts_with("start"));
        assert_eq!(last[1], "last");
    }
}
