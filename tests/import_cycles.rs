//! No import cycle in `src/` (ARCHITECTURE.md, "Invariants"): a file A that
//! uses B while B, directly or through other files, uses A.
//!
//! The check reads the sources as text. Each file is a module (`src/a/b.rs`
//! and `src/a/b/mod.rs` are `crate::a::b`); a path that file names (`use`
//! trees, and `crate::`/`super::`/`self::` paths in code, also through names
//! it imported) is resolved to the file that defines it, looking through
//! `pub use` re-exports. `mod` declarations and re-exports are structure,
//! not use, so a folder's `mod.rs` that only declares and re-exports is no
//! link in a chain. Test-only modules (`#[cfg(test)] mod …`, inline or in
//! their own file) are left out: nothing imports them, and a pane's snapshot
//! test that draws the whole screen is no dependency of the program.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// One module path, `["crate", "app", "model"]`.
type ModPath = Vec<String>;

struct SourceFile {
    module: ModPath,
    /// Child modules declared under `#[cfg(test)]`.
    test_children: Vec<String>,
    /// `pub use` re-exports: the name it is seen by here -> the full path it stands for.
    reexports: HashMap<String, ModPath>,
    /// Every path this file uses, made absolute.
    uses: Vec<ModPath>,
}

#[test]
fn src_has_no_import_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = read_tree(&root);
    assert!(
        files.len() > 50,
        "the check read only {} files under {}",
        files.len(),
        root.display()
    );
    let graph = file_graph(&files);
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    assert!(
        edges > 100,
        "only {edges} uses were found: the parser is broken"
    );
    let cycles = cycles(&graph);
    assert!(
        cycles.is_empty(),
        "import cycles in src/ (each line: files that use each other, one path shown):\n{}",
        cycles.join("\n")
    );
}

/// The checker itself finds what it must: a use through a re-export, an
/// alias, a `super::` path, and a cycle of three files.
#[test]
fn the_checker_sees_a_cycle_through_reexports_and_aliases() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(path, text).expect("the file is written");
    };
    write("lib.rs", "pub mod a;\npub mod c;\n");
    write("a/mod.rs", "mod b;\nmod d;\npub use b::Thing;\n");
    // b -> c through an alias, c -> d through a re-export and a path in code, d -> b by super.
    write(
        "a/b.rs",
        "use crate::c;\npub struct Thing;\nfn f() { c::go(); }\n",
    );
    write(
        "c.rs",
        "// use crate::a::b; in a comment is no use\nlet s = \"crate::a::b\";\npub fn go() { crate::a::d::run(); }\n",
    );
    write("a/d.rs", "pub fn run() { let _ = super::Thing; }\n");
    let graph = file_graph(&read_tree(dir.path()));
    let found = cycles(&graph);
    assert_eq!(found.len(), 1, "one cycle: {found:?}");
    for file in ["a/b.rs", "c.rs", "a/d.rs"] {
        assert!(found[0].contains(file), "{file} is in {}", found[0]);
    }
    assert!(!found[0].contains("mod.rs"), "{}", found[0]);

    // Break one link: no cycle, though test code (inline or in a file of its
    // own) still closes it: nothing imports tests.
    write(
        "a/d.rs",
        "pub fn run() {}\n#[cfg(test)]\nmod tests {\n    use super::super::Thing;\n}\n#[cfg(test)]\nmod checks;\n",
    );
    write("a/d/checks.rs", "use crate::a::b::Thing;\n");
    assert!(cycles(&file_graph(&read_tree(dir.path()))).is_empty());
}

fn read_tree(root: &Path) -> BTreeMap<PathBuf, SourceFile> {
    let mut paths = Vec::new();
    collect_rs(root, &mut paths);
    let mut files: BTreeMap<PathBuf, SourceFile> = paths
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(root).ok()?.to_path_buf();
            let module = module_of(&relative)?;
            let text = std::fs::read_to_string(&path).ok()?;
            Some((relative, parse(module, &text)))
        })
        .collect();
    let test_modules: BTreeSet<ModPath> = files
        .values()
        .flat_map(|file| {
            file.test_children.iter().map(|child| {
                let mut path = file.module.clone();
                path.retain(|s| s != "<main>");
                path.push(child.clone());
                path
            })
        })
        .collect();
    files.retain(|_, file| !test_modules.contains(&file.module));
    files
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `lib.rs` is the crate; `main.rs` is the binary, which names the library by
/// its crate name, so both are read as the one crate here.
fn module_of(relative: &Path) -> Option<ModPath> {
    let mut module = vec!["crate".to_string()];
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let (last, dirs) = parts.split_last()?;
    module.extend(dirs.iter().cloned());
    let stem = last.strip_suffix(".rs")?;
    if !(dirs.is_empty() && (stem == "lib" || stem == "main")) && stem != "mod" {
        module.push(stem.to_string());
    }
    if dirs.is_empty() && stem == "main" {
        module.push("<main>".to_string());
    }
    Some(module)
}

/// Comments, string and char literals blanked, so what is left is code.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && matches!(next, Some('#') | Some('"'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match chars.get(j) {
                    None => break,
                    Some('"') if (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some(_) => j += 1,
                }
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{7f}') or a lifetime ('a): only the literal is skipped.
            let close = if next == Some('\\') {
                chars[i + 2..]
                    .iter()
                    .position(|&ch| ch == '\'')
                    .map(|p| i + 2 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token::PathSep);
            i += 2;
        } else if c.is_whitespace() || c.is_ascii_digit() {
            i += 1;
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// An import: the names a `use` brings in, each with the path it stands for,
/// relative to the module it is written in.
struct UseItem {
    path: Vec<String>,
    /// The name it is known by here (`None` for a glob).
    name: Option<String>,
}

/// Expands one `use` tree starting at `tokens[at]`; returns the items and the index after it.
fn use_tree(tokens: &[Token], mut at: usize, prefix: &[String], out: &mut Vec<UseItem>) -> usize {
    let mut path = prefix.to_vec();
    loop {
        match tokens.get(at) {
            Some(Token::Ident(name)) => {
                path.push(name.clone());
                at += 1;
                if tokens.get(at) == Some(&Token::PathSep) {
                    at += 1;
                    continue;
                }
                let mut alias = name.clone();
                if tokens.get(at) == Some(&Token::Ident("as".into())) {
                    if let Some(Token::Ident(new)) = tokens.get(at + 1) {
                        alias = new.clone();
                    }
                    at += 2;
                }
                if alias == "self" {
                    path.pop();
                    alias = path.last().cloned().unwrap_or_default();
                }
                out.push(UseItem {
                    path,
                    name: Some(alias),
                });
                return at;
            }
            Some(Token::Punct('*')) => {
                out.push(UseItem { path, name: None });
                return at + 1;
            }
            Some(Token::Punct('{')) => {
                at += 1;
                loop {
                    match tokens.get(at) {
                        Some(Token::Punct('}')) => return at + 1,
                        Some(Token::Punct(',')) => at += 1,
                        None => return at,
                        Some(_) => at = use_tree(tokens, at, &path, out),
                    }
                }
            }
            _ => return at,
        }
    }
}

/// Resolves `crate`, `super` and `self` against the module a path is written in.
fn absolute(path: &[String], module: &[String]) -> Option<ModPath> {
    let mut base: ModPath = module.to_vec();
    let mut rest = path;
    match rest.first()?.as_str() {
        "crate" | "pilothouse" => {
            base = vec!["crate".into()];
            rest = &rest[1..];
        }
        "self" => rest = &rest[1..],
        "super" => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    // main.rs's own module is the crate root's sibling; its `crate::` is the library here.
    base.retain(|s| s != "<main>");
    base.extend(rest.iter().cloned());
    Some(base)
}

fn parse(module: ModPath, text: &str) -> SourceFile {
    let tokens = tokens(&code_only(text));
    let mut reexports = HashMap::new();
    let mut uses = Vec::new();
    // Names brought in by `use` (or child modules), for paths that start with them.
    let mut aliases: HashMap<String, ModPath> = HashMap::new();
    // Inline modules (`mod tests { ... }`) move `self` and `super`: the stack of (name, brace depth).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut test_children = Vec::new();
    let here = |inline: &[(String, usize)]| {
        let mut m = module.clone();
        m.extend(inline.iter().map(|(n, _)| n.clone()));
        m
    };
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            // `#[cfg(test)] mod name;` or `#[cfg(test)] mod name { … }`: test code, left out.
            Token::Punct('#') if is_cfg_test(&tokens[i..]) => {
                let mut j = i + 7;
                while matches!(tokens.get(j), Some(Token::Ident(w)) if w == "pub")
                    || tokens.get(j) == Some(&Token::Punct('('))
                    || tokens.get(j) == Some(&Token::Punct(')'))
                    || matches!(tokens.get(j), Some(Token::Ident(w)) if w == "crate" || w == "super")
                {
                    j += 1;
                }
                if matches!(tokens.get(j), Some(Token::Ident(w)) if w == "mod")
                    && let Some(Token::Ident(name)) = tokens.get(j + 1)
                {
                    if tokens.get(j + 2) == Some(&Token::Punct('{')) {
                        i = skip_block(&tokens, j + 2);
                    } else {
                        if inline.is_empty() {
                            test_children.push(name.clone());
                        }
                        i = j + 2;
                    }
                    continue;
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let Some(Token::Ident(name)) = tokens.get(i + 1) {
                    let mut child = here(&inline);
                    child.push(name.clone());
                    aliases.insert(name.clone(), child);
                    if tokens.get(i + 2) == Some(&Token::Punct('{')) {
                        inline.push((name.clone(), depth));
                        depth += 1;
                        i += 3;
                        continue;
                    }
                }
            }
            Token::Ident(word) if word == "use" => {
                let public = i > 0 && matches!(&tokens[i - 1], Token::Ident(p) if p == "pub")
                    || (i > 3 && tokens[i - 1] == Token::Punct(')'));
                let mut items = Vec::new();
                let end = use_tree(&tokens, i + 1, &[], &mut items);
                let current = here(&inline);
                for item in items {
                    // `use child::Thing` (2018 paths) starts at a child module or an imported name.
                    let Some(path) = absolute(&item.path, &current).or_else(|| {
                        let mut full = aliases.get(item.path.first()?)?.clone();
                        full.extend(item.path[1..].iter().cloned());
                        Some(full)
                    }) else {
                        continue;
                    };
                    if let Some(name) = &item.name {
                        aliases.insert(name.clone(), path.clone());
                        if public && inline.is_empty() {
                            reexports.insert(name.clone(), path.clone());
                            continue;
                        }
                    }
                    uses.push(path);
                }
                i = end;
                continue;
            }
            Token::Ident(first) => {
                let after_sep = i > 0 && tokens[i - 1] == Token::PathSep;
                if !after_sep && tokens.get(i + 1) == Some(&Token::PathSep) {
                    let mut path = vec![first.clone()];
                    let mut j = i + 1;
                    while tokens.get(j) == Some(&Token::PathSep) {
                        match tokens.get(j + 1) {
                            Some(Token::Ident(segment)) => path.push(segment.clone()),
                            _ => break,
                        }
                        j += 2;
                    }
                    let resolved = absolute(&path, &here(&inline)).or_else(|| {
                        let base = aliases.get(first)?;
                        let mut full = base.clone();
                        full.extend(path[1..].iter().cloned());
                        Some(full)
                    });
                    if let Some(full) = resolved {
                        uses.push(full);
                    }
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    SourceFile {
        module,
        test_children,
        reexports,
        uses,
    }
}

/// `#[cfg(test)]` at the start of these tokens.
fn is_cfg_test(tokens: &[Token]) -> bool {
    let want = [
        Token::Punct('#'),
        Token::Punct('['),
        Token::Ident("cfg".into()),
        Token::Punct('('),
        Token::Ident("test".into()),
        Token::Punct(')'),
        Token::Punct(']'),
    ];
    tokens.len() >= want.len() && tokens[..want.len()] == want
}

/// The index after the block that opens at `tokens[open]`.
fn skip_block(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (offset, token) in tokens[open..].iter().enumerate() {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return open + offset + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The file a path lands in: the deepest file module on it, followed through
/// that file's re-exports.
fn resolve<'a>(
    path: &[String],
    by_module: &'a HashMap<ModPath, (&'a PathBuf, &'a SourceFile)>,
    hops: usize,
) -> Option<&'a PathBuf> {
    let (length, (file, source)) = (1..=path.len())
        .rev()
        .find_map(|n| by_module.get(&path[..n]).map(|entry| (n, *entry)))?;
    if hops < 16
        && let Some(name) = path.get(length)
        && let Some(target) = source.reexports.get(name)
    {
        let mut through = target.clone();
        through.extend(path[length + 1..].iter().cloned());
        return resolve(&through, by_module, hops + 1).or(Some(file));
    }
    Some(file)
}

fn file_graph(files: &BTreeMap<PathBuf, SourceFile>) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let by_module: HashMap<ModPath, (&PathBuf, &SourceFile)> = files
        .iter()
        .map(|(path, source)| (source.module.clone(), (path, source)))
        .collect();
    files
        .iter()
        .map(|(path, source)| {
            let targets = source
                .uses
                .iter()
                .filter_map(|used| resolve(used, &by_module, 0))
                .filter(|target| *target != path)
                .cloned()
                .collect();
            (path.clone(), targets)
        })
        .collect()
}

/// Each group of files that reach each other (Tarjan's strongly connected
/// components), as one line with one cycle through them spelled out.
fn cycles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<String> {
    struct Walk<'a> {
        graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: HashMap<&'a PathBuf, usize>,
        low: HashMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        groups: Vec<Vec<&'a PathBuf>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a PathBuf) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut group = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    group.push(top);
                    if top == node {
                        break;
                    }
                }
                if group.len() > 1 {
                    self.groups.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.groups
        .iter()
        .map(|group| {
            let members: BTreeSet<&PathBuf> = group.iter().copied().collect();
            let start = *members.iter().next().expect("a group has members");
            let path = cycle_through(graph, &members, start);
            let shown: Vec<String> = path.iter().map(|p| p.display().to_string()).collect();
            let all: Vec<String> = members.iter().map(|p| p.display().to_string()).collect();
            format!(
                "{} -> {} (all of {}: {})",
                shown.join(" -> "),
                start.display(),
                members.len(),
                all.join(", ")
            )
        })
        .collect()
}

/// The shortest way from `start` back to itself inside its group (breadth first).
fn cycle_through<'a>(
    graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
    members: &BTreeSet<&'a PathBuf>,
    start: &'a PathBuf,
) -> Vec<&'a PathBuf> {
    let mut came_from: HashMap<&PathBuf, &PathBuf> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.get(node).into_iter().flatten() {
            if !members.contains(next) {
                continue;
            }
            if next == start {
                let mut path = vec![node];
                let mut at = node;
                while let Some(prev) = came_from.get(at) {
                    path.push(prev);
                    at = prev;
                }
                path.reverse();
                return path;
            }
            if next != start && !came_from.contains_key(next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    vec![start]
}
