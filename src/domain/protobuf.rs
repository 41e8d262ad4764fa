//! The protobuf wire form, read and written by hand for the few messages
//! pilothouse meets: Kubernetes' `k8s\0` envelope (the simulated API
//! server) and BuildKit's progress (`StatusResponse`, which the engine
//! streams in a BuildKit build's trace messages). A whole generated API
//! would be far larger than these few fields.

/// One field of a message: its number and its bytes (length-delimited) or
/// value (varint). 64- and 32-bit fields are skipped when read.
#[derive(Debug, PartialEq)]
pub enum Field<'a> {
    Bytes(u64, &'a [u8]),
    Varint(u64, u64),
}

fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The fields of one message, in order; None when it is not well formed.
pub fn fields(bytes: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < bytes.len() {
        let key = varint(bytes, &mut at)?;
        let (number, wire) = (key >> 3, key & 7);
        match wire {
            0 => out.push(Field::Varint(number, varint(bytes, &mut at)?)),
            2 => {
                let len = usize::try_from(varint(bytes, &mut at)?).ok()?;
                let end = at.checked_add(len).filter(|end| *end <= bytes.len())?;
                out.push(Field::Bytes(number, &bytes[at..end]));
                at = end;
            }
            1 => at = at.checked_add(8).filter(|end| *end <= bytes.len())?,
            5 => at = at.checked_add(4).filter(|end| *end <= bytes.len())?,
            _ => return None,
        }
    }
    Some(out)
}

/// The first length-delimited field numbered `number`.
pub fn bytes_of<'a>(fields: &[Field<'a>], number: u64) -> Option<&'a [u8]> {
    all_bytes(fields, number).next()
}

/// Every length-delimited field numbered `number` (a repeated field), in order.
pub fn all_bytes<'a, 'f>(
    fields: &'f [Field<'a>],
    number: u64,
) -> impl Iterator<Item = &'a [u8]> + 'f {
    fields.iter().filter_map(move |f| match f {
        Field::Bytes(n, bytes) if *n == number => Some(*bytes),
        _ => None,
    })
}

/// The field numbered `number` as text; empty when absent.
pub fn text_of(fields: &[Field<'_>], number: u64) -> String {
    bytes_of(fields, number)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// The varint field numbered `number`; 0 (protobuf's default) when absent.
pub fn varint_of(fields: &[Field<'_>], number: u64) -> u64 {
    fields
        .iter()
        .find_map(|f| match f {
            Field::Varint(n, value) if *n == number => Some(*value),
            _ => None,
        })
        .unwrap_or(0)
}

/// A message being written, field by field.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    fn put_varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    /// A length-delimited field: bytes, a string, or a message written before.
    pub fn bytes(mut self, number: u64, bytes: &[u8]) -> Self {
        self.put_varint((number << 3) | 2);
        self.put_varint(bytes.len() as u64);
        self.bytes.extend_from_slice(bytes);
        self
    }

    pub fn text(self, number: u64, text: &str) -> Self {
        self.bytes(number, text.as_bytes())
    }

    pub fn message(self, number: u64, message: Writer) -> Self {
        self.bytes(number, &message.bytes)
    }

    pub fn varint(mut self, number: u64, value: u64) -> Self {
        self.put_varint(number << 3);
        self.put_varint(value);
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let inner = Writer::default().text(1, "digest").varint(4, 1);
        let message = Writer::default()
            .message(1, inner.clone())
            .message(1, inner)
            .varint(3, 300)
            .finish();
        let read = fields(&message).expect("well formed");
        let repeated: Vec<_> = all_bytes(&read, 1).collect();
        assert_eq!(repeated.len(), 2);
        let inner = fields(repeated[0]).expect("inner");
        assert_eq!(text_of(&inner, 1), "digest");
        assert_eq!(varint_of(&inner, 4), 1);
        assert_eq!(varint_of(&read, 3), 300);
        assert_eq!(varint_of(&read, 9), 0);
    }

    #[test]
    fn cut_or_unknown_wire_types_are_not_well_formed() {
        let message = Writer::default().text(1, "abcdef").finish();
        assert_eq!(fields(&message[..4]), None);
        assert_eq!(fields(&[0x0b]), None, "wire type 3 (groups) is not read");
        assert_eq!(fields(&[0x09, 1, 2]), None, "a 64-bit field cut short");
    }
}
