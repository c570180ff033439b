//! Just enough JSON to walk a record line without a parser crate: the
//! positions of an object's members, and strings unescaped and escaped.

/// Skips spaces at `i`.
pub fn ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// The end of the string starting at `i` (its opening quote).
pub fn string_end(s: &[u8], mut i: usize) -> Result<usize, String> {
    i += 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err("unterminated string".into())
}

/// The end of the value starting at `i`.
pub fn value_end(s: &[u8], i: usize) -> Result<usize, String> {
    let i = ws(s, i);
    match s.get(i) {
        Some(b'"') => string_end(s, i),
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < s.len() {
                match s[j] {
                    b'"' => {
                        j = string_end(s, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err("unterminated object or array".into())
        }
        Some(_) => {
            let mut j = i;
            while j < s.len() && !matches!(s[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            Ok(j)
        }
        None => Err("missing value".into()),
    }
}

/// One member of an object: its key (unescaped) and its value's byte range.
pub struct Member {
    pub key: String,
    pub start: usize,
    pub end: usize,
}

/// The members of the object starting at `i`.
pub fn members(s: &[u8], i: usize) -> Result<Vec<Member>, String> {
    let mut i = ws(s, i);
    if s.get(i) != Some(&b'{') {
        return Err("not an object".into());
    }
    let mut out = Vec::new();
    i = ws(s, i + 1);
    if s.get(i) == Some(&b'}') {
        return Ok(out);
    }
    loop {
        if s.get(i) != Some(&b'"') {
            return Err("expected a key".into());
        }
        let kend = string_end(s, i)?;
        let key = unescape(&s[i + 1..kend - 1]);
        i = ws(s, kend);
        if s.get(i) != Some(&b':') {
            return Err("expected ':'".into());
        }
        let start = ws(s, i + 1);
        let end = value_end(s, start)?;
        out.push(Member { key, start, end });
        i = ws(s, end);
        match s.get(i) {
            Some(b',') => i = ws(s, i + 1),
            Some(b'}') => return Ok(out),
            _ => return Err("expected ',' or '}'".into()),
        }
    }
}

/// The text of a JSON string body (no quotes); \u escapes outside ASCII become U+FFFD.
pub fn unescape(b: &[u8]) -> String {
    let mut out = String::new();
    let text = String::from_utf8_lossy(b);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(c.unwrap_or('\u{fffd}'));
            }
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// `s` as a JSON string, quotes included.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
