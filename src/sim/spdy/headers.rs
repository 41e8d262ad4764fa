//! SPDY/3 header blocks: pairs of length-prefixed names and values,
//! compressed with zlib over the whole connection (one stream of deflate
//! each way, sync-flushed at every block) with SPDY/3's preset dictionary.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use std::sync::OnceLock;

/// The header names and values the dictionary begins with, each of them
/// preceded by its length as four big-endian bytes (SPDY/3, section 2.6.10.1).
const DICTIONARY_WORDS: &[&str] = &[
    "options",
    "head",
    "post",
    "put",
    "delete",
    "trace",
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "connection",
    "content-base",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "location",
    "max-forwards",
    "pragma",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "retry-after",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "method",
    "get",
    "status",
    "200 OK",
    "version",
    "HTTP/1.1",
    "url",
    "public",
    "set-cookie",
    "keep-alive",
    "origin",
];

/// What follows the words, as plain text: status codes and phrases, dates, types.
const DICTIONARY_TAIL: &str = concat!(
    "100101201202205206300302303304305306307402405406407408409410411412413414",
    "415416417502504505203 Non-Authoritative Information204 No Content",
    "301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden",
    "404 Not Found500 Internal Server Error501 Not Implemented",
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec",
    " 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,",
    "image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,",
    "text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch",
    "charset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
);

fn dictionary() -> &'static [u8] {
    static DICTIONARY: OnceLock<Vec<u8>> = OnceLock::new();
    DICTIONARY.get_or_init(|| {
        let mut bytes = Vec::new();
        for word in DICTIONARY_WORDS {
            bytes.extend_from_slice(&(word.len() as u32).to_be_bytes());
            bytes.extend_from_slice(word.as_bytes());
        }
        bytes.extend_from_slice(DICTIONARY_TAIL.as_bytes());
        bytes
    })
}

/// One direction's header compression state (it lasts the connection).
pub struct Codec {
    inflate: Decompress,
    deflate: Compress,
    deflate_ready: bool,
}

impl Default for Codec {
    fn default() -> Self {
        Self {
            inflate: Decompress::new(true),
            deflate: Compress::new(Compression::default(), true),
            deflate_ready: false,
        }
    }
}

impl Codec {
    /// The pairs of a header block the client sent (names lower-case; a
    /// value holding several, NUL-separated, is kept as one).
    pub fn decode(&mut self, block: &[u8]) -> Result<Vec<(String, String)>, String> {
        let plain = self.inflate_block(block)?;
        parse_pairs(&plain)
    }

    fn inflate_block(&mut self, block: &[u8]) -> Result<Vec<u8>, String> {
        let mut plain = Vec::with_capacity(block.len() * 4);
        let mut input = block;
        loop {
            let before_in = self.inflate.total_in();
            plain.reserve(4096);
            match self
                .inflate
                .decompress_vec(input, &mut plain, FlushDecompress::Sync)
            {
                Ok(Status::Ok | Status::BufError | Status::StreamEnd) => {}
                Err(e) if e.needs_dictionary().is_some() => {
                    self.inflate
                        .set_dictionary(dictionary())
                        .map_err(|e| format!("the SPDY header dictionary: {e}"))?;
                }
                Err(e) => return Err(format!("a SPDY header block does not inflate: {e}")),
            }
            let used = (self.inflate.total_in() - before_in) as usize;
            input = &input[used..];
            if input.is_empty() && plain.len() < plain.capacity() {
                return Ok(plain);
            }
        }
    }

    /// A header block to send: the pairs, compressed and sync-flushed.
    pub fn encode(&mut self, pairs: &[(&str, &str)]) -> Result<Vec<u8>, String> {
        if !self.deflate_ready {
            self.deflate
                .set_dictionary(dictionary())
                .map_err(|e| format!("the SPDY header dictionary: {e}"))?;
            self.deflate_ready = true;
        }
        let mut plain = Vec::new();
        plain.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
        for (name, value) in pairs {
            for text in [name, value] {
                plain.extend_from_slice(&(text.len() as u32).to_be_bytes());
                plain.extend_from_slice(text.as_bytes());
            }
        }
        let mut out = Vec::with_capacity(plain.len() + 64);
        let mut input = plain.as_slice();
        loop {
            let before_in = self.deflate.total_in();
            out.reserve(256);
            self.deflate
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .map_err(|e| format!("a SPDY header block does not deflate: {e}"))?;
            input = &input[(self.deflate.total_in() - before_in) as usize..];
            // Flushed when the input is taken and the output did not fill up.
            if input.is_empty() && out.len() < out.capacity() {
                return Ok(out);
            }
        }
    }
}

fn parse_pairs(plain: &[u8]) -> Result<Vec<(String, String)>, String> {
    let count_bytes: [u8; 4] = plain
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .ok_or("a SPDY header block without its count")?;
    let mut at = 4usize;
    let mut next = |what: &str| -> Result<&[u8], String> {
        let length = plain
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
            .ok_or_else(|| format!("a SPDY header block ends before its {what}"))?
            as usize;
        let text = plain
            .get(at + 4..at + 4 + length)
            .ok_or_else(|| format!("a SPDY header block ends inside its {what}"))?;
        at += 4 + length;
        Ok(text)
    };
    let mut pairs = Vec::new();
    for _ in 0..u32::from_be_bytes(count_bytes) {
        let name = String::from_utf8_lossy(next("name")?).to_ascii_lowercase();
        let value = String::from_utf8_lossy(next("value")?).into_owned();
        pairs.push((name, value));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_spdy3s() {
        // SPDY/3's dictionary: 1423 bytes, Adler-32 0xe3c6a7c2 (what a
        // zlib stream with FDICT names, and what Go's reader checks).
        assert_eq!(dictionary().len(), 1423);
        let mut probe = Compress::new(Compression::default(), true);
        assert_eq!(probe.set_dictionary(dictionary()).ok(), Some(0xe3c6_a7c2));
    }

    #[test]
    fn blocks_round_trip_over_one_connection() {
        let mut sender = Codec::default();
        let mut receiver = Codec::default();
        for request in ["1", "2", "3"] {
            let block = sender
                .encode(&[
                    ("streamtype", "data"),
                    ("port", "8000"),
                    ("requestid", request),
                ])
                .expect("encoded");
            assert_eq!(
                receiver.decode(&block).expect("decoded"),
                vec![
                    ("streamtype".to_string(), "data".to_string()),
                    ("port".to_string(), "8000".to_string()),
                    ("requestid".to_string(), request.to_string()),
                ]
            );
        }
        let empty = sender.encode(&[]).expect("encoded");
        assert_eq!(receiver.decode(&empty), Ok(Vec::new()));
        assert!(
            parse_pairs(&[0, 0, 0, 1, 0, 0, 0, 9, b'a'])
                .unwrap_err()
                .contains("inside")
        );
    }
}
