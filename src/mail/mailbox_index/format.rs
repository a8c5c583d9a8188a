//! The index file's bytes: a magic line, a version, a checksum of the
//! rest, then addresses, messages and sources, little-endian throughout.
//! Anything that does not decode exactly (cut short, a bit flipped, an
//! older version) decodes to nothing, and the index is rebuilt.

use super::{Address, FolderState, ImapState, Index, MaildirState, Record, Source, SourceState};

const MAGIC: &[u8; 20] = b"intro mailbox index\n";
const VERSION: u32 = 1;
const HEADER: usize = MAGIC.len() + 4 + 8;

pub(super) fn encode(index: &Index) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(
        HEADER + index.messages.len() * 40 + index.recipients.len() * 4,
    ));
    w.0.extend_from_slice(MAGIC);
    w.u32(VERSION);
    w.u64(0); // the checksum, filled in below
    w.len(index.addresses.len());
    for a in &index.addresses {
        w.str(&a.email);
        w.str(&a.name);
    }
    w.len(index.messages.len());
    for r in &index.messages {
        w.u16(r.source);
        w.i64(r.date);
        w.u32(r.from);
        w.u64(r.thread);
        w.u64(r.id);
        w.u32(r.recipients_at);
        w.u16(r.recipients_len);
    }
    w.len(index.recipients.len());
    for &n in &index.recipients {
        w.u32(n);
    }
    w.len(index.sources.len());
    for s in &index.sources {
        w.str(&s.key);
        match &s.state {
            SourceState::Maildir(m) => {
                w.0.push(0);
                for f in &m.folders {
                    w.i64(f.mtime);
                    w.len(f.names.len());
                    for &n in &f.names {
                        w.u64(n);
                    }
                }
            }
            SourceState::Imap(i) => {
                w.0.push(1);
                w.u32(i.uid_validity);
                w.u32(i.uid_next);
            }
        }
    }
    let sum = checksum(&w.0[HEADER..]);
    w.0[HEADER - 8..HEADER].copy_from_slice(&sum.to_le_bytes());
    w.0
}

pub(super) fn decode(bytes: &[u8]) -> Option<Index> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let mut r = Reader(rest);
    if r.u32()? != VERSION {
        return None;
    }
    let sum = r.u64()?;
    if checksum(r.0) != sum {
        return None;
    }
    let mut index = Index::default();
    let n = r.len()?;
    index.addresses.reserve(n);
    for _ in 0..n {
        index.addresses.push(Address {
            email: r.str()?,
            name: r.str()?,
        });
    }
    let n = r.len()?;
    index.messages.reserve(n);
    for _ in 0..n {
        index.messages.push(Record {
            source: r.u16()?,
            date: r.i64()?,
            from: r.u32()?,
            thread: r.u64()?,
            id: r.u64()?,
            recipients_at: r.u32()?,
            recipients_len: r.u16()?,
        });
    }
    let n = r.len()?;
    index.recipients.reserve(n);
    for _ in 0..n {
        index.recipients.push(r.u32()?);
    }
    let n = r.len()?;
    for _ in 0..n {
        let key = r.str()?;
        let state = match r.u8()? {
            0 => {
                let mut m = MaildirState::default();
                for f in &mut m.folders {
                    let mtime = r.i64()?;
                    let count = r.len()?;
                    let mut names = Vec::with_capacity(count);
                    for _ in 0..count {
                        names.push(r.u64()?);
                    }
                    *f = FolderState { mtime, names };
                }
                SourceState::Maildir(m)
            }
            1 => SourceState::Imap(ImapState {
                uid_validity: r.u32()?,
                uid_next: r.u32()?,
            }),
            _ => return None,
        };
        index.sources.push(Source { key, state });
    }
    if !r.0.is_empty() {
        return None;
    }
    // Every number must point inside the tables, so nothing later indexes
    // out of bounds.
    let addresses = index.addresses.len();
    let sources = index.sources.len();
    let in_range = |n: u32| (n as usize) < addresses;
    let sound = index.recipients.iter().all(|&n| in_range(n))
        && index.messages.iter().all(|m| {
            (m.from == super::NOBODY || in_range(m.from))
                && usize::from(m.source) < sources
                && (m.recipients_at as usize)
                    .checked_add(usize::from(m.recipients_len))
                    .is_some_and(|end| end <= index.recipients.len())
        });
    sound.then_some(index)
}

/// A fast 64-bit checksum (words folded with a multiply), enough to tell
/// a damaged file from a sound one.
fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes(c.try_into().unwrap_or_default());
        h = (h ^ word).wrapping_mul(0x0100_0000_01b3).rotate_left(23);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

struct Writer(Vec<u8>);

impl Writer {
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        let bytes = &s.as_bytes()[..s.len().min(usize::from(u16::MAX))];
        self.u16(u16::try_from(bytes.len()).unwrap_or(u16::MAX));
        self.0.extend_from_slice(bytes);
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take()?))
    }
    /// A count, checked against what is left so a damaged one cannot ask
    /// for a huge allocation.
    fn len(&mut self) -> Option<usize> {
        let n = self.u32()? as usize;
        (n <= self.0.len()).then_some(n)
    }
    fn str(&mut self) -> Option<String> {
        let n = usize::from(self.u16()?);
        if n > self.0.len() {
            return None;
        }
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ParsedEnvelope, Person};
    use super::*;

    fn sample() -> Index {
        let mut index = Index::default();
        let s = index.source(
            "/mail/INBOX",
            SourceState::Maildir(MaildirState {
                folders: [
                    FolderState {
                        mtime: 5,
                        names: vec![1, 2],
                    },
                    FolderState {
                        mtime: 0,
                        names: vec![3],
                    },
                ],
            }),
        );
        index.source(
            "me@imap:993/INBOX",
            SourceState::Imap(ImapState {
                uid_validity: 9,
                uid_next: 42,
            }),
        );
        index.add(
            s,
            &ParsedEnvelope {
                date: Some(7),
                from: Some(Person {
                    email: "ada@x".into(),
                    name: "Ada Lovelace".into(),
                }),
                recipients: vec![Person {
                    email: "me@x".into(),
                    name: String::new(),
                }],
                thread: 11,
                id: 12,
            },
            0,
        );
        index
    }

    #[test]
    fn what_is_written_reads_back() {
        let index = sample();
        let back = decode(&encode(&index)).unwrap();
        assert_eq!(back.addresses, index.addresses);
        assert_eq!(back.messages, index.messages);
        assert_eq!(back.recipients, index.recipients);
        assert_eq!(back.sources, index.sources);
    }

    #[test]
    fn a_damaged_or_foreign_file_reads_as_nothing() {
        let bytes = encode(&sample());
        for cut in [0, 10, HEADER, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        for at in [HEADER - 1, HEADER + 3, bytes.len() - 2] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x40;
            assert!(decode(&flipped).is_none(), "bit flipped at {at}");
        }
        let mut newer = bytes.clone();
        newer[MAGIC.len()] = 2;
        assert!(decode(&newer).is_none());
        assert!(decode(b"{\"version\": 1}").is_none());
    }
}
