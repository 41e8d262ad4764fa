//! The Kubernetes panes: Deployments, Pods, Services, Events, with kubectl's
//! columns. They share the table widget and what an empty pane says.

use crate::app::core::model::Model;
use crate::app::kube::state::KubeConnection;
use crate::domain::humanize_duration;
use crate::domain::kube::{DeploymentRow, EventRow, PodRow, ServiceRow, short_age};
use crate::theme::Theme;
use crate::ui::panes::pane_block;
use crate::ui::table::{Column, TableView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Wrap};

/// Why a Kubernetes table is empty, and what to do.
fn empty<'a>(model: &Model, theme: &Theme, when_connected: &str) -> Line<'a> {
    let text = match &model.kube.connection {
        KubeConnection::Connecting => {
            return Line::from(Span::styled(" Connecting to the cluster…", theme.warn));
        }
        KubeConnection::Unavailable(reason) => {
            format!(" No cluster: {reason}. Start minikube, or try pilothouse --demo.")
        }
        KubeConnection::Rejected(reason) => {
            return Line::from(Span::styled(
                format!(" {reason}: renew them in the kubeconfig, or :ctx to use another context."),
                theme.error,
            ));
        }
        KubeConnection::Disconnected { reason, retry_in } => {
            return Line::from(Span::styled(
                format!(
                    " Disconnected: {reason}. Retrying in {}.",
                    humanize_duration(*retry_in).to_lowercase()
                ),
                theme.error,
            ));
        }
        KubeConnection::Connected(_) if !model.filter_of(model.shared.pane).is_empty() => {
            " Nothing matches the filter (esc clears it).".to_string()
        }
        KubeConnection::Connected(_) => format!(" {when_connected}"),
    };
    Line::from(Span::styled(text, theme.muted))
}

/// The selected row's reason line under the table, when it is not ready.
fn reason_line(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(diagnosis) = crate::layout::diagnosis(model) else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let line = Line::from(vec![
        Span::styled(" why ", theme.error),
        Span::raw(diagnosis.line()),
    ]);
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}

pub fn deployments(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [area, why] = crate::layout::kube_areas(area, model);
    reason_line(frame, why, model, theme);
    let now = model.shared.now;
    let columns = vec![
        Column::new("NAMESPACE", Constraint::Length(14), |d: &DeploymentRow| {
            Cell::from(d.namespace.clone())
        })
        .hide_below(90),
        Column::new("NAME", Constraint::Fill(1), |d: &DeploymentRow| {
            Cell::from(d.name.clone())
        }),
        Column::new("READY", Constraint::Length(7), |d: &DeploymentRow| {
            let style = if d.ready >= d.desired {
                theme.ok
            } else {
                theme.warn
            };
            Cell::from(Span::styled(format!("{}/{}", d.ready, d.desired), style))
        }),
        Column::new("UP-TO-DATE", Constraint::Length(10), |d: &DeploymentRow| {
            Cell::from(d.up_to_date.to_string())
        }),
        Column::new("AVAILABLE", Constraint::Length(9), |d: &DeploymentRow| {
            Cell::from(d.available.to_string())
        }),
        Column::new("AGE", Constraint::Length(7), move |d: &DeploymentRow| {
            Cell::from(short_age(d.created, now))
        }),
    ];
    TableView {
        block: pane_block("Deployments".into(), model, theme),
        columns,
        rows: &model.kube.deployments,
        state: &model.kube.deployments_table,
        empty: empty(model, theme, "No deployments yet. Apply a manifest: kubectl apply --server-side -f cookbook-deployment.yaml"),
    }
    .render(frame, area, theme);
}

pub fn pods(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [area, why] = crate::layout::kube_areas(area, model);
    reason_line(frame, why, model, theme);
    let now = model.shared.now;
    let columns = vec![
        Column::new("NAMESPACE", Constraint::Length(14), |p: &PodRow| {
            Cell::from(p.namespace.clone())
        })
        .hide_below(90),
        Column::new("NAME", Constraint::Fill(1), |p: &PodRow| {
            Cell::from(p.name.clone())
        }),
        Column::new("READY", Constraint::Length(6), |p: &PodRow| {
            Cell::from(format!("{}/{}", p.ready, p.containers))
        }),
        Column::new("STATUS", Constraint::Length(18), |p: &PodRow| {
            let style = match p.status.as_str() {
                "Running" | "Completed" => theme.ok,
                _ if p.is_failing() => theme.error,
                _ => theme.warn,
            };
            Cell::from(Span::styled(p.status.clone(), style))
        }),
        Column::new("RESTARTS", Constraint::Length(8), |p: &PodRow| {
            Cell::from(p.restarts.to_string())
        }),
        Column::new("AGE", Constraint::Length(7), move |p: &PodRow| {
            Cell::from(short_age(p.created, now))
        }),
        Column::new("NODE", Constraint::Length(10), |p: &PodRow| {
            Cell::from(p.node.clone())
        })
        .hide_below(110),
    ];
    TableView {
        block: pane_block(
            match &model.kube.pods_of {
                Some((_, deployment)) => format!("Pods of deployment {deployment} (esc: back)"),
                None => "Pods".into(),
            },
            model,
            theme,
        ),
        columns,
        rows: &model.kube.pods,
        state: &model.kube.pods_table,
        empty: empty(model, theme, "No pods."),
    }
    .render(frame, area, theme);
}

pub fn services(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [area, why] = crate::layout::kube_areas(area, model);
    reason_line(frame, why, model, theme);
    let now = model.shared.now;
    let columns = vec![
        Column::new("NAMESPACE", Constraint::Length(14), |s: &ServiceRow| {
            Cell::from(s.namespace.clone())
        })
        .hide_below(100),
        Column::new("NAME", Constraint::Fill(1), |s: &ServiceRow| {
            Cell::from(s.name.clone())
        }),
        Column::new("TYPE", Constraint::Length(12), |s: &ServiceRow| {
            Cell::from(s.kind.clone())
        }),
        Column::new("CLUSTER-IP", Constraint::Length(13), |s: &ServiceRow| {
            Cell::from(s.cluster_ip.clone())
        }),
        Column::new("EXTERNAL-IP", Constraint::Length(11), |s: &ServiceRow| {
            let style = if s.external_ip == "<pending>" {
                theme.warn
            } else {
                theme.text
            };
            Cell::from(Span::styled(s.external_ip.clone(), style))
        }),
        Column::new("PORT(S)", Constraint::Fill(1), |s: &ServiceRow| {
            Cell::from(s.ports.clone())
        }),
        Column::new("AGE", Constraint::Length(7), move |s: &ServiceRow| {
            Cell::from(short_age(s.created, now))
        }),
    ];
    TableView {
        block: pane_block("Services".into(), model, theme),
        columns,
        rows: &model.kube.services,
        state: &model.kube.services_table,
        empty: empty(model, theme, "No services. Expose a deployment: kubectl expose deployment NAME --type=LoadBalancer --port=8000"),
    }
    .render(frame, area, theme);
}

pub fn events(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let now = model.shared.now;
    let columns = vec![
        Column::new("LAST SEEN", Constraint::Length(9), move |e: &EventRow| {
            Cell::from(short_age(e.last_seen, now))
        }),
        Column::new("TYPE", Constraint::Length(7), |e: &EventRow| {
            if e.warning {
                Cell::from(Span::styled("Warning", theme.error))
            } else {
                Cell::from(Span::styled("Normal", theme.muted))
            }
        }),
        Column::new("REASON", Constraint::Length(18), |e: &EventRow| {
            Cell::from(e.reason.clone())
        }),
        Column::new("OBJECT", Constraint::Length(34), |e: &EventRow| {
            Cell::from(e.object.clone())
        })
        .hide_below(100),
        Column::new("MESSAGE", Constraint::Fill(1), |e: &EventRow| {
            Cell::from(e.message.clone())
        }),
    ];
    TableView {
        block: pane_block("Events (newest first)".into(), model, theme),
        columns,
        rows: &model.kube.events,
        state: &model.kube.events_table,
        empty: empty(model, theme, "No events."),
    }
    .render(frame, area, theme);
}

#[cfg(test)]
mod tests {
    use crate::app::core::event::{Event, KubeEvent};
    use crate::app::update;
    use crate::ui::testing::*;
    use std::time::Duration;

    #[test]
    fn kubernetes_panes_states() {
        for (w, h) in SIZES {
            for (key, name) in [
                ('5', "deployments"),
                ('6', "pods"),
                ('7', "services"),
                ('8', "events"),
            ] {
                snap!(
                    format!("{name}_populated_{w}x{h}"),
                    &on_pane(with_cluster(), key),
                    w,
                    h
                );
                snap!(
                    format!("{name}_no_cluster_{w}x{h}"),
                    &on_pane(without_cluster(connected(empty_model())), key),
                    w,
                    h
                );
            }
            let mut down = on_pane(with_cluster(), '6');
            update(
                &mut down,
                Event::Kube(KubeEvent::Disconnected {
                    reason: "cannot reach https://192.168.49.2:8443: connection refused".into(),
                    retry_in: Duration::from_secs(4),
                }),
            );
            snap!(format!("pods_disconnected_keeps_rows_{w}x{h}"), &down, w, h);
            let mut throttled = on_pane(with_cluster(), '6');
            update(
                &mut throttled,
                Event::Kube(KubeEvent::WatchTrouble(
                    "watching pods: 429 Too Many Requests: Too many requests, please try again later. (retry after 1 s)".into(),
                )),
            );
            snap!(
                format!("pods_watch_trouble_named_{w}x{h}"),
                &throttled,
                w,
                h
            );
        }
        snap!(
            "pods_connecting_80x24",
            &on_pane(connected(empty_model()), '6'),
            80,
            24
        );
    }

    #[test]
    fn yaml_view() {
        let mut model = on_pane(with_cluster(), '7');
        press_str(&mut model, "y");
        snap!("yaml_loading_80x24", &model, 80, 24);
        let yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: cookbook-recipe\n  managedFields: '(folded: 2 entries)'\nspec:\n  type: LoadBalancer\n  ports:\n  - nodePort: 31234\n    port: 8000\n    protocol: TCP\nstatus:\n  loadBalancer: {}\n";
        update(
            &mut model,
            Event::YamlLoaded {
                title: "service/cookbook-recipe -n default".into(),
                text: Ok(yaml.into()),
            },
        );
        snap!("yaml_service_120x40", &model, 120, 40);
    }

    #[test]
    fn reason_lines_under_the_selected_row() {
        // Pods: the missing image (fourth row: big-batch, 2xkqp, h8w4z, q5m7d).
        let mut pods = on_pane(with_trouble(), '6');
        press_str(&mut pods, "gjjj");
        for (w, h) in SIZES {
            snap!(format!("pods_reason_missing_image_{w}x{h}"), &pods, w, h);
        }
        // The scheduler's sentence wraps at 80 columns.
        press_str(&mut pods, "g");
        snap!("pods_reason_unschedulable_80x24", &pods, 80, 24);
        let deployments = on_pane(with_trouble(), '5');
        snap!("deployments_reason_120x40", &deployments, 120, 40);
        let services = on_pane(with_trouble(), '7');
        snap!("services_reason_no_endpoints_120x40", &services, 120, 40);
    }

    #[test]
    fn pods_filter_by_status() {
        let mut model = on_pane(with_cluster(), '6');
        press_str(&mut model, "/never\n");
        assert_eq!(model.kube.pods_table.view.len(), 1);
        snap!("pods_filtered_120x40", &model, 120, 40);
    }
}
