//! The help overlay (the keys, the pane's own and its columns first, filtered
//! and scrolled) and the command palette, drawn from `app::learn::help`.

use crate::app::core::model::Pane;
use crate::app::learn::help::HelpEntry;

/// Column, meaning. Empty for panes whose columns need no words.
pub fn column_notes(pane: Pane) -> &'static [(&'static str, &'static str)] {
    match pane {
        Pane::Deployments => &[
            ("READY", "pods ready / pods wanted (3/3: all serving)"),
            (
                "UP-TO-DATE",
                "pods running the current template; lags during a rollout",
            ),
            (
                "AVAILABLE",
                "pods ready for minReadySeconds: what users can reach",
            ),
        ],
        Pane::Pods => &[
            ("READY", "containers ready / containers in the pod"),
            (
                "STATUS",
                "the phase, or why it waits: ContainerCreating, ErrImageNeverPull (imagePullPolicy: Never and the image is not in the cluster's engine: press e, then build), CrashLoopBackOff (it keeps exiting: l for its logs, p for the previous run's)",
            ),
            (
                "RESTARTS",
                "times a container was restarted; climbing means it crashes",
            ),
        ],
        Pane::Services => &[
            (
                "EXTERNAL-IP",
                "<pending>: a LoadBalancer waiting for an address (a cloud's balancer; on minikube, `minikube tunnel`); o still opens it through the NodePort",
            ),
            (
                "PORTS",
                "8000:31234/TCP: the Service's port, then the NodePort every node answers on",
            ),
        ],
        Pane::Containers => &[
            (
                "STATUS",
                "Up 5 minutes, or Exited (1): the exit code says how it ended",
            ),
            (
                "PORTS",
                "127.0.0.1:8000->8000/tcp: host address and port -> container port; o opens it",
            ),
        ],
        Pane::Forwards => &[
            (
                "POD",
                "the pod it reaches now; a Service's or Deployment's forward moves to another ready pod",
            ),
            (
                "CONN",
                "connections open / since it started; ★: kept in pilothouse.toml (K), starts with pilothouse",
            ),
        ],
        Pane::History => &[
            (
                "COMMAND",
                "what the action stands for; :export PATH writes the changes as a script",
            ),
            (
                "RESULT",
                "how it ended; failed ones stay as comments in the script",
            ),
        ],
        _ => &[],
    }
}

/// The help overlay or the palette, when one is open.
pub fn render(
    frame: &mut ratatui::Frame,
    model: &crate::app::core::model::Model,
    theme: &crate::theme::Theme,
) {
    use crate::app::core::model::Overlay;
    match &model.shared.overlay {
        Overlay::Help(view) => help_box(frame, model, view, theme),
        Overlay::Palette(view) => palette_box(frame, model, view, theme),
        _ => {}
    }
}

/// Words wrapped to `width` columns (a column note's meaning under its column).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

const KEYS_WIDTH: usize = 14;

/// One line of the help list, before it is styled: the list is planned whole
/// (its length bounds the scroll) but only the lines on screen are built.
enum HelpLine<'a> {
    Blank,
    Heading(std::borrow::Cow<'static, str>),
    Entry(&'a HelpEntry),
    /// A column, or "" under it, and a wrapped part of its meaning.
    Note(&'static str, String),
}

/// `?`: one list, the pane's own keys and its columns first, then the keys
/// that work everywhere, then the other panes'; filtered by what is typed,
/// scrolled with the arrows.
fn help_box(
    frame: &mut ratatui::Frame,
    model: &crate::app::core::model::Model,
    view: &crate::app::learn::help::HelpView,
    theme: &crate::theme::Theme,
) {
    use crate::app::learn::help::{entries, matches};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Clear, Paragraph};
    let area = super::overlay::centered(frame.area(), 116, frame.area().height.saturating_sub(2));
    frame.render_widget(Clear, area);
    let title = if view.filter.is_empty() {
        "Keys · type to filter · ↑↓ scroll · Esc closes".to_string()
    } else {
        format!("Keys /{}▏ · Esc clears", view.filter)
    };
    let block = super::overlay::boxed(&title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let pane = model.shared.pane;
    let shown: Vec<HelpEntry> = entries(&model.view.keymap, pane)
        .into_iter()
        .filter(|e| matches(e, &view.filter))
        .collect();
    let (own, others): (Vec<&HelpEntry>, Vec<&HelpEntry>) =
        shown.iter().partition(|e| e.context == pane.context());
    let mut plan: Vec<HelpLine> = Vec::new();
    plan_entries(&mut plan, &own);
    plan_notes(&mut plan, pane, &view.filter, width);
    plan_entries(&mut plan, &others);
    let visible = inner.height as usize;
    let top = view.scroll.min(plan.len().saturating_sub(visible));
    let mut lines: Vec<Line> = plan
        .into_iter()
        .skip(top)
        .take(visible)
        .map(|line| styled(line, theme))
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(" No key matches {:?}. Backspace or Esc.", view.filter),
            theme.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn styled(line: HelpLine, theme: &crate::theme::Theme) -> ratatui::text::Line<'static> {
    use ratatui::text::{Line, Span};
    match line {
        HelpLine::Blank => Line::default(),
        HelpLine::Heading(title) => Line::from(Span::styled(title, theme.header)),
        HelpLine::Entry(entry) => {
            let mut spans = vec![
                Span::styled(format!(" {:<KEYS_WIDTH$} ", entry.keys), theme.key),
                Span::styled(format!("{:<34}", entry.description), theme.text),
            ];
            if !entry.stands_for.is_empty() {
                spans.push(Span::styled(
                    format!(" $ {}", entry.stands_for),
                    theme.muted,
                ));
            }
            Line::from(spans)
        }
        HelpLine::Note(label, part) => Line::from(vec![
            Span::styled(format!(" {label:<KEYS_WIDTH$} "), theme.key),
            Span::styled(part, theme.text),
        ]),
    }
}

/// Entries under a heading for each context, a blank line between groups.
fn plan_entries<'a>(plan: &mut Vec<HelpLine<'a>>, entries: &[&'a HelpEntry]) {
    let mut heading = None;
    for entry in entries {
        if heading != Some(entry.context) {
            if !plan.is_empty() {
                plan.push(HelpLine::Blank);
            }
            plan.push(HelpLine::Heading(entry.context.title().into()));
            heading = Some(entry.context);
        }
        plan.push(HelpLine::Entry(entry));
    }
}

/// The pane's columns that match the filter, each meaning wrapped under its column.
fn plan_notes(
    plan: &mut Vec<HelpLine>,
    pane: crate::app::core::model::Pane,
    filter: &str,
    width: usize,
) {
    let notes: Vec<_> = column_notes(pane)
        .iter()
        .filter(|(column, meaning)| crate::app::learn::help::note_matches(column, meaning, filter))
        .collect();
    if notes.is_empty() {
        return;
    }
    if !plan.is_empty() {
        plan.push(HelpLine::Blank);
    }
    plan.push(HelpLine::Heading(
        format!("{} columns", pane.title()).into(),
    ));
    let text_width = width.saturating_sub(KEYS_WIDTH + 2).max(20);
    for (column, meaning) in notes {
        for (index, part) in wrap(meaning, text_width).into_iter().enumerate() {
            let label = if index == 0 { *column } else { "" };
            plan.push(HelpLine::Note(label, part));
        }
    }
}

/// `ctrl-p`: every action that runs something, with its key, pane and command
/// line, filtered by what is typed; the chosen one is marked.
fn palette_box(
    frame: &mut ratatui::Frame,
    model: &crate::app::core::model::Model,
    view: &crate::app::learn::help::PaletteView,
    theme: &crate::theme::Theme,
) {
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Clear, Paragraph};
    let entries = crate::app::learn::help::palette_entries(
        &model.view.keymap,
        model.shared.pane,
        &view.filter,
    );
    let height = (entries.len() as u16 + 4).clamp(6, frame.area().height.saturating_sub(2));
    let area = super::overlay::centered(frame.area(), 110, height);
    frame.render_widget(Clear, area);
    let block = super::overlay::boxed(
        "Actions · type to filter · ↑↓ choose · enter runs · Esc",
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", theme.key),
        Span::styled(format!("{}▏", view.filter), theme.text),
    ])];
    let rows = (inner.height as usize).saturating_sub(1);
    let selected = view.selected.min(entries.len().saturating_sub(1));
    let first = selected.saturating_sub(rows.saturating_sub(1));
    for (index, entry) in entries.iter().enumerate().skip(first).take(rows) {
        let chosen = index == selected;
        let style = if chosen { theme.selected } else { theme.text };
        let marker = if chosen { "▶ " } else { "  " };
        let pane =
            crate::app::learn::help::pane_of(entry.context).map_or("everywhere", |p| p.title());
        let mut spans = vec![
            Span::styled(format!("{marker}{:<10} ", entry.keys), theme.key),
            Span::styled(format!("{:<30} ", entry.description), style),
            Span::styled(format!("{pane:<12} "), theme.muted),
        ];
        if !entry.stands_for.is_empty() {
            spans.push(Span::styled(format!("$ {}", entry.stands_for), theme.muted));
        }
        lines.push(Line::from(spans));
    }
    if entries.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  No action matches {:?}.", view.filter),
            theme.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
