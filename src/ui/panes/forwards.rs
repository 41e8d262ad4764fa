//! Forwards: every port-forward the cockpit runs, the pod it reaches now,
//! its state, connections and bytes. Not a numbered tab: `P` or `:forwards`.

use crate::app::core::model::Model;
use crate::app::forwards::ForwardRow;
use crate::domain::forward::ForwardState;
use crate::domain::humanize_size;
use crate::theme::Theme;
use crate::ui::panes::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let columns = vec![
        Column::new("TARGET", Constraint::Fill(4), |f: &ForwardRow| {
            let mut spans = vec![Span::raw(f.spec.target())];
            if f.spec.namespace != "default" {
                spans.push(Span::styled(
                    format!(" -n {}", f.spec.namespace),
                    theme.muted,
                ));
            }
            if f.kept {
                spans.push(Span::styled(" ★", theme.key));
            }
            Cell::from(Line::from(spans))
        }),
        Column::new("LOCAL", Constraint::Length(15), |f: &ForwardRow| {
            Cell::from(Span::styled(
                format!("127.0.0.1:{}", f.spec.local_port),
                theme.key,
            ))
        }),
        Column::new("REMOTE", Constraint::Length(6), |f: &ForwardRow| {
            Cell::from(f.spec.remote_port.to_string())
        })
        .hide_below(100),
        Column::new("POD", Constraint::Fill(4), |f: &ForwardRow| {
            Cell::from(f.pod.clone().unwrap_or_else(|| "-".to_string()))
        }),
        Column::new("STATE", Constraint::Fill(4), |f: &ForwardRow| {
            let style = match f.state {
                ForwardState::Active => theme.ok,
                ForwardState::Waiting(_) => theme.warn,
                ForwardState::Ended(_) => theme.error,
            };
            Cell::from(Span::styled(f.state.label(), style))
        }),
        Column::new("CONN", Constraint::Length(6), |f: &ForwardRow| {
            Cell::from(format!("{}/{}", f.stats.open, f.stats.total))
        }),
        Column::new("IN/OUT", Constraint::Length(17), |f: &ForwardRow| {
            Cell::from(format!(
                "{} / {}",
                humanize_size(f.stats.bytes_in),
                humanize_size(f.stats.bytes_out)
            ))
        })
        .hide_below(100),
    ];
    TableView {
        block: pane_block("Forwards".to_string(), model, theme).title_bottom(Span::styled(
            " on 127.0.0.1 only; ★ kept in pilothouse.toml; CONN: open/total ",
            theme.muted,
        )),
        columns,
        rows: &model.forwards.rows,
        state: &model.forwards.table,
        empty: Line::from(Span::styled(
            " No forwards. F on a pod, deployment or service starts one (kubectl port-forward).",
            theme.muted,
        )),
    }
    .render(frame, area, theme);
}

#[cfg(test)]
mod tests {
    use crate::app::forwards::ForwardRow;
    use crate::domain::forward::{ForwardKind, ForwardSpec, ForwardState, ForwardStats};
    use crate::ui::testing::*;

    fn spec(kind: ForwardKind, name: &str, local: u16, remote: u16) -> ForwardSpec {
        ForwardSpec {
            namespace: "default".into(),
            kind,
            name: name.into(),
            local_port: local,
            remote_port: remote,
        }
    }

    pub(crate) fn with_forwards() -> crate::app::core::model::Model {
        let mut model = connected(empty_model());
        press_str(&mut model, "P");
        let rows = [
            (
                spec(ForwardKind::Service, "cookbook-recipe", 8080, 8000),
                Some("cookbook-recipe-7d4b9c6f5-x2k8p"),
                ForwardState::Active,
                ForwardStats {
                    open: 1,
                    total: 12,
                    bytes_in: 18_400,
                    bytes_out: 2_100,
                },
                true,
            ),
            (
                spec(ForwardKind::Deployment, "cookbook-recipe", 8081, 8000),
                None,
                ForwardState::Waiting("no ready pod".into()),
                ForwardStats::default(),
                false,
            ),
            (
                spec(ForwardKind::Pod, "web-5f7c8d9b4-q9z7t", 9000, 8000),
                Some("web-5f7c8d9b4-q9z7t"),
                ForwardState::Ended("its pod is gone".into()),
                ForwardStats {
                    open: 0,
                    total: 3,
                    bytes_in: 900,
                    bytes_out: 300,
                },
                false,
            ),
        ];
        for (i, (spec, pod, state, stats, kept)) in rows.into_iter().enumerate() {
            model.forwards.rows.push(ForwardRow {
                id: i as u64 + 1,
                spec,
                pod: pod.map(str::to_string),
                state,
                stats,
                kept,
            });
        }
        model.forwards.rebuild();
        model
    }

    #[test]
    fn forwards_pane_states() {
        for (w, h) in SIZES {
            let mut empty = connected(empty_model());
            press_str(&mut empty, "P");
            snap!(&format!("forwards_empty_{w}x{h}"), &empty, w, h);
            snap!(
                &format!("forwards_populated_{w}x{h}"),
                &with_forwards(),
                w,
                h
            );
        }
    }
}
