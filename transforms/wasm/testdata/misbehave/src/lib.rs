//! Misbehaves as a record asks, for the bad-input tests of ferry's
//! WebAssembly transformation: the record's value, or its value's "mode"
//! field, is one of the modes below as a JSON string ("trap", "loop", ...); any other record comes back as it
//! went in. Exports ferry_alloc, ferry_transform and ferry_test (no
//! configure).

use std::cell::RefCell;
use std::hint::black_box;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = RefCell::new(Vec::new());
    static OUTPUT: RefCell<Vec<u8>> = RefCell::new(Vec::new());
    static HOARD: RefCell<Vec<Vec<u8>>> = RefCell::new(Vec::new());
}

#[no_mangle]
pub extern "C" fn ferry_alloc(size: i32) -> i32 {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        b.resize(size.max(0) as usize, 0);
        b.as_mut_ptr() as i32
    })
}

fn keep(out: Vec<u8>) -> i64 {
    OUTPUT.with(|o| {
        *o.borrow_mut() = out;
        let o = o.borrow();
        ((o.as_ptr() as u32 as i64) << 32) | o.len() as i64
    })
}

/// The mode a record asks for: its value's "mode" field, or its value, when
/// a JSON string; found in one scan each, so serving an ordinary record
/// costs little (the echo is the benchmark's measure of the call itself).
fn asked(input: &[u8]) -> &[u8] {
    for key in [&b"\"mode\":\""[..], &b"\"value\":\""[..]] {
        if let Some(at) = input.windows(key.len()).position(|w| w[0] == b'"' && w == key) {
            let rest = &input[at + key.len()..];
            return &rest[..rest.iter().position(|&c| c == b'"').unwrap_or(0)];
        }
    }
    b""
}

#[no_mangle]
pub extern "C" fn ferry_transform(_ptr: i32, len: i32) -> i64 {
    let input: Vec<u8> = INPUT.with(|b| b.borrow()[..len as usize].to_vec());
    misbehave(&input).unwrap_or_else(|| keep(input))
}

/// ferry_test: misbehaves the same way; any other record matches.
#[no_mangle]
pub extern "C" fn ferry_test(_ptr: i32, len: i32) -> i64 {
    let input: Vec<u8> = INPUT.with(|b| b.borrow()[..len as usize].to_vec());
    misbehave(&input).unwrap_or_else(|| keep(b"true".to_vec()))
}

/// The result of a misbehaving record, or None for a record to serve.
fn misbehave(input: &[u8]) -> Option<i64> {
    let asked = asked(input);
    let mode = |name: &str| asked == name.as_bytes();
    if mode("trap") {
        core::arch::wasm32::unreachable();
    }
    if mode("loop") {
        let mut n = 0u64;
        loop {
            n = black_box(n.wrapping_add(1));
        }
    }
    if mode("memory") {
        loop {
            HOARD.with(|h| h.borrow_mut().push(black_box(vec![1u8; 1 << 20])));
        }
    }
    if mode("panic") {
        panic!("the record asked for a panic");
    }
    if mode("exit") {
        std::process::exit(3);
    }
    if mode("garbage") {
        return Some(keep(b"this is not JSON".to_vec()));
    }
    if mode("notarecord") {
        return Some(keep(b"[1,2,3]".to_vec()));
    }
    if mode("outside") {
        return Some((0x7fff_0000i64 << 32) | 100);
    }
    if mode("huge") {
        return Some(keep(vec![b' '; 2 << 20]));
    }
    if mode("nothing") {
        return Some(0);
    }
    if mode("refuse") {
        return Some(keep(br#"{"error":"this record is refused"}"#.to_vec()));
    }
    None
}
