//! SPDY/3.1 framing, as kubectl's port-forward speaks it (through
//! moby/spdystream): control frames (SYN_STREAM, SYN_REPLY, RST_STREAM,
//! SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE) and data frames, read
//! from a byte buffer and written to bytes. Header blocks are compressed
//! by `headers.rs`.

/// Every control frame starts with the control bit and version 3.
const CONTROL_VERSION: [u8; 2] = [0x80, 0x03];
const HEADER_LEN: usize = 8;
/// A frame's length is 24 bits; spdystream's own limit is far below it.
pub const MAX_PAYLOAD: usize = 0x00ff_ffff;

pub const FLAG_FIN: u8 = 0x01;

pub const TYPE_SYN_STREAM: u16 = 1;
pub const TYPE_SYN_REPLY: u16 = 2;
pub const TYPE_RST_STREAM: u16 = 3;
pub const TYPE_PING: u16 = 6;
pub const TYPE_GOAWAY: u16 = 7;

/// RST_STREAM status: the stream was refused (an unknown or unacceptable stream).
pub const RST_REFUSED_STREAM: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Control {
        kind: u16,
        flags: u8,
        payload: Vec<u8>,
    },
    Data {
        stream: u32,
        flags: u8,
        payload: Vec<u8>,
    },
}

/// The next whole frame at the front of `buffer` (removed from it), or None
/// until enough bytes have come.
pub fn take_frame(buffer: &mut Vec<u8>) -> Result<Option<Frame>, String> {
    if buffer.len() < HEADER_LEN {
        return Ok(None);
    }
    let length =
        usize::from(buffer[5]) << 16 | usize::from(buffer[6]) << 8 | usize::from(buffer[7]);
    if buffer.len() < HEADER_LEN + length {
        return Ok(None);
    }
    let flags = buffer[4];
    let payload = buffer[HEADER_LEN..HEADER_LEN + length].to_vec();
    let head = [buffer[0], buffer[1], buffer[2], buffer[3]];
    buffer.drain(..HEADER_LEN + length);
    if head[0] & 0x80 != 0 {
        if head[..2] != CONTROL_VERSION {
            return Err(format!(
                "SPDY version {} is not spoken here (3 is)",
                u16::from_be_bytes([head[0] & 0x7f, head[1]])
            ));
        }
        Ok(Some(Frame::Control {
            kind: u16::from_be_bytes([head[2], head[3]]),
            flags,
            payload,
        }))
    } else {
        Ok(Some(Frame::Data {
            stream: u32::from_be_bytes(head) & 0x7fff_ffff,
            flags,
            payload,
        }))
    }
}

fn header(first: [u8; 4], flags: u8, length: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + length);
    bytes.extend_from_slice(&first);
    bytes.push(flags);
    bytes.extend_from_slice(&(length as u32).to_be_bytes()[1..]);
    bytes
}

pub fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let kind = kind.to_be_bytes();
    let mut bytes = header(
        [CONTROL_VERSION[0], CONTROL_VERSION[1], kind[0], kind[1]],
        flags,
        payload.len(),
    );
    bytes.extend_from_slice(payload);
    bytes
}

/// Data frames of at most `MAX_PAYLOAD` bytes each; an empty one carries only FIN.
pub fn data(stream: u32, fin: bool, payload: &[u8]) -> Vec<u8> {
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![&[]]
    } else {
        payload.chunks(MAX_PAYLOAD).collect()
    };
    let last = chunks.len() - 1;
    let mut bytes = Vec::with_capacity(payload.len() + HEADER_LEN * chunks.len());
    for (i, chunk) in chunks.into_iter().enumerate() {
        let flags = if fin && i == last { FLAG_FIN } else { 0 };
        bytes.extend(header(
            (stream & 0x7fff_ffff).to_be_bytes(),
            flags,
            chunk.len(),
        ));
        bytes.extend_from_slice(chunk);
    }
    bytes
}

/// A big-endian u32 at `at` in a payload, with the top bit cleared (stream ids).
pub fn stream_id(payload: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = payload.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes) & 0x7fff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_wait_for_their_bytes() {
        let mut buffer = control(TYPE_PING, 0, &7u32.to_be_bytes());
        buffer.extend(data(3, true, b"hello"));
        let whole = buffer.clone();
        buffer.truncate(14);
        let mut partial = buffer.clone();
        assert_eq!(
            take_frame(&mut partial),
            Ok(Some(Frame::Control {
                kind: TYPE_PING,
                flags: 0,
                payload: 7u32.to_be_bytes().to_vec()
            }))
        );
        assert_eq!(
            take_frame(&mut partial),
            Ok(None),
            "two bytes of the next frame"
        );
        let mut buffer = whole;
        take_frame(&mut buffer).expect("ping").expect("whole");
        assert_eq!(
            take_frame(&mut buffer),
            Ok(Some(Frame::Data {
                stream: 3,
                flags: FLAG_FIN,
                payload: b"hello".to_vec()
            }))
        );
        assert!(buffer.is_empty());
        let mut spdy2 = vec![0x80, 0x02, 0, 1, 0, 0, 0, 0];
        assert!(take_frame(&mut spdy2).unwrap_err().contains("version 2"));
    }

    #[test]
    fn an_empty_fin_is_one_frame() {
        assert_eq!(data(5, true, b""), vec![0, 0, 0, 5, FLAG_FIN, 0, 0, 0]);
    }
}
