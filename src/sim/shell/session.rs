//! An interactive built-in shell over a byte stream. With a terminal
//! (`-it`) the client's terminal is raw, so the shell does what a pty's
//! line discipline would: echo, backspace, ctrl-c, ctrl-d, CRLF line ends,
//! and a prompt. Without one it reads lines and prints only their output.

use super::commands;
use super::machine::{Machine, ShellState, Written};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The shell ended with this code; nothing follows.
    Exit(i32),
}

pub struct Session {
    machine: Machine,
    state: ShellState,
    tty: bool,
    line: Vec<u8>,
    /// Inside an escape sequence (arrow keys and the like), which the shell ignores.
    escape: Escape,
    ended: bool,
    /// Files written since the caller last took them.
    writes: Vec<Written>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    Started,
    Sequence,
}

impl Session {
    pub fn new(machine: Machine, tty: bool) -> Self {
        let state = ShellState::new(&machine);
        Self {
            machine,
            state,
            tty,
            line: Vec::new(),
            escape: Escape::None,
            ended: false,
            writes: Vec::new(),
        }
    }

    /// The files written since the last call, for the caller to keep.
    pub fn take_writes(&mut self) -> Vec<Written> {
        std::mem::take(&mut self.writes)
    }

    /// Whether it speaks to a terminal.
    pub fn tty(&self) -> bool {
        self.tty
    }

    pub fn ended(&self) -> bool {
        self.ended
    }

    /// What it shows before any input: the prompt, on a terminal.
    pub fn start(&self) -> Vec<Output> {
        if self.tty {
            vec![Output::Stdout(self.prompt())]
        } else {
            Vec::new()
        }
    }

    fn prompt(&self) -> Vec<u8> {
        format!("{} # ", self.state.cwd).into_bytes()
    }

    /// Input from the client; what it answers.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Output> {
        let mut outputs = Vec::new();
        for &byte in bytes {
            if self.ended {
                break;
            }
            if self.tty {
                self.terminal_byte(byte, &mut outputs);
            } else if byte == b'\n' {
                self.run(&mut outputs);
            } else {
                self.line.push(byte);
            }
        }
        merge(outputs)
    }

    /// The client closed its input: a last unfinished line runs, and the shell ends.
    pub fn end_of_input(&mut self) -> Vec<Output> {
        let mut outputs = Vec::new();
        if self.ended {
            return outputs;
        }
        if !self.line.is_empty() && !self.tty {
            self.run(&mut outputs);
        }
        if !self.ended {
            self.ended = true;
            outputs.push(Output::Exit(0));
        }
        outputs
    }

    fn terminal_byte(&mut self, byte: u8, outputs: &mut Vec<Output>) {
        match (self.escape, byte) {
            (Escape::Started, b'[' | b'O') => {
                self.escape = Escape::Sequence;
                return;
            }
            (Escape::Started, _) => {
                self.escape = Escape::None;
                return;
            }
            (Escape::Sequence, 0x40..=0x7e) => {
                self.escape = Escape::None;
                return;
            }
            (Escape::Sequence, _) => return,
            (Escape::None, _) => {}
        }
        match byte {
            0x1b => self.escape = Escape::Started,
            b'\r' | b'\n' => {
                outputs.push(Output::Stdout(b"\r\n".to_vec()));
                self.run(outputs);
                if !self.ended {
                    outputs.push(Output::Stdout(self.prompt()));
                }
            }
            0x7f | 0x08 if !self.line.is_empty() => {
                // Drop a whole character: its continuation bytes, then its lead byte.
                while let Some(byte) = self.line.pop() {
                    if byte & 0xc0 != 0x80 {
                        break;
                    }
                }
                outputs.push(Output::Stdout(b"\x08 \x08".to_vec()));
            }
            // Nothing to erase.
            0x7f | 0x08 => {}
            0x03 => {
                self.line.clear();
                outputs.push(Output::Stdout(b"^C\r\n".to_vec()));
                outputs.push(Output::Stdout(self.prompt()));
            }
            0x04 if self.line.is_empty() => {
                outputs.push(Output::Stdout(b"\r\n".to_vec()));
                self.ended = true;
                outputs.push(Output::Exit(0));
            }
            byte if byte >= 0x20 && byte != 0x7f || byte == b'\t' => {
                self.line.push(byte);
                outputs.push(Output::Stdout(vec![byte]));
            }
            _ => {}
        }
    }

    fn run(&mut self, outputs: &mut Vec<Output>) {
        let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
        let mut ran = commands::run_line(&self.machine, &mut self.state, &line);
        for written in &ran.writes {
            self.machine.apply(written);
        }
        self.writes.append(&mut ran.writes);
        let shape = |bytes: Vec<u8>| {
            if self.tty { crlf(&bytes) } else { bytes }
        };
        if !ran.stdout.is_empty() {
            outputs.push(Output::Stdout(shape(ran.stdout)));
        }
        if !ran.stderr.is_empty() {
            outputs.push(Output::Stderr(shape(ran.stderr)));
        }
        if ran.exit {
            self.ended = true;
            outputs.push(Output::Exit(ran.code));
        }
    }
}

/// `\n` -> `\r\n`, as a terminal's output processing would.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Neighbouring outputs of one stream joined, so each answer is one message.
fn merge(outputs: Vec<Output>) -> Vec<Output> {
    let mut merged: Vec<Output> = Vec::with_capacity(outputs.len());
    for output in outputs {
        match (merged.last_mut(), output) {
            (Some(Output::Stdout(a)), Output::Stdout(b)) => a.extend(b),
            (Some(Output::Stderr(a)), Output::Stderr(b)) => a.extend(b),
            (_, output) => merged.push(output),
        }
    }
    merged
}
