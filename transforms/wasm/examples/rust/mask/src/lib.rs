//! An example ferry WebAssembly transformation in Rust (standard library
//! only): masks personal data in the listed top-level fields of a record's
//! value, as the Go example does. A string becomes the replacement ("****"
//! by default), except that an e-mail address keeps its domain; a number
//! becomes 0; other values, and values that are not objects, pass unchanged.
//!
//! Build: cargo build --release --target wasm32-wasip1
//! Config: transforms.x.config.fields=email,phone  transforms.x.config.replacement=****
//! ABI: docs/wasm-abi.md.

mod json;

use std::cell::RefCell;

struct State {
    input: Vec<u8>,
    output: Vec<u8>,
    fields: Vec<String>,
    replacement: String,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State {
        input: Vec::new(),
        output: Vec::new(),
        fields: Vec::new(),
        replacement: "****".into(),
    });
}

/// ferry_alloc: a buffer for the host to write the next input into.
#[no_mangle]
pub extern "C" fn ferry_alloc(size: i32) -> i32 {
    STATE.with(|st| {
        let mut st = st.borrow_mut();
        st.input.clear();
        st.input.resize(size.max(0) as usize, 0);
        st.input.as_mut_ptr() as i32
    })
}

/// Keeps `out` for the host and packs its address and length.
fn result(st: &mut State, out: Vec<u8>) -> i64 {
    st.output = out;
    ((st.output.as_ptr() as u32 as i64) << 32) | st.output.len() as i64
}

fn error(st: &mut State, msg: &str) -> i64 {
    let out = format!("{{\"error\":{}}}", json::quote(msg)).into_bytes();
    result(st, out)
}

/// ferry_configure: the module's keys as a JSON object of strings.
#[no_mangle]
pub extern "C" fn ferry_configure(_ptr: i32, len: i32) -> i64 {
    STATE.with(|st| {
        let st = &mut *st.borrow_mut();
        let input = st.input[..len as usize].to_vec();
        let members = match json::members(&input, 0) {
            Ok(m) => m,
            Err(e) => return error(st, &format!("config: {e}")),
        };
        for m in members {
            let v = json::unescape(&input[m.start + 1..m.end - 1]);
            match m.key.as_str() {
                "fields" => st.fields = v.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect(),
                "replacement" => st.replacement = v,
                _ => {}
            }
        }
        if st.fields.is_empty() {
            return error(st, "config key fields is required: the value fields to mask, comma-separated");
        }
        0
    })
}

/// ferry_transform: the record line in, the masked record line out.
#[no_mangle]
pub extern "C" fn ferry_transform(_ptr: i32, len: i32) -> i64 {
    STATE.with(|st| {
        let st = &mut *st.borrow_mut();
        match mask(st, len as usize) {
            Ok(out) => result(st, out),
            Err(e) => error(st, &format!("not a record line: {e}")),
        }
    })
}

fn mask(st: &State, len: usize) -> Result<Vec<u8>, String> {
    let s = &st.input[..len];
    let mut out = Vec::with_capacity(len + 16);
    let mut copied = 0;
    for top in json::members(s, 0)? {
        if top.key != "value" || s[top.start] != b'{' {
            continue;
        }
        for m in json::members(s, top.start)? {
            if !st.fields.iter().any(|f| *f == m.key) {
                continue;
            }
            let masked = match s[m.start] {
                b'"' => {
                    let text = json::unescape(&s[m.start + 1..m.end - 1]);
                    match text.rfind('@') {
                        Some(at) if at > 0 => json::quote(&(st.replacement.clone() + &text[at..])),
                        _ => json::quote(&st.replacement),
                    }
                }
                b'-' | b'0'..=b'9' => "0".to_string(),
                _ => continue,
            };
            out.extend_from_slice(&s[copied..m.start]);
            out.extend_from_slice(masked.as_bytes());
            copied = m.end;
        }
    }
    out.extend_from_slice(&s[copied..]);
    Ok(out)
}
