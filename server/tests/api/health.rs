//! Health and metrics: `/healthz`, `/readyz` and `/metrics` as a load balancer and Prometheus see
//! them.

use crate::helpers::{backends, contains_full_id_number, spawn_app, spawn_node, Backend};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_health_and_metrics_for_the_internal_network_only() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        assert_eq!(app.get_text("/healthz").await, (200, "ok".to_string()));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while app.get_text("/readyz").await.0 != 200 {
            assert!(std::time::Instant::now() < deadline, "{backend:?}: ready once the index caught up");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        for path in ["/policies", "/policies", "/no-such-page"] {
            app.get_text(path).await;
        }
        let (status, text) = app.get_text("/metrics").await;
        assert_eq!(status, 200);
        assert!(
            text.contains("portal_http_requests_total{area=\"policies\",method=\"GET\",status=\"2xx\"} 2"),
            "{backend:?}:\n{text}"
        );
        assert!(text.contains("portal_http_requests_total{area=\"other\",method=\"GET\",status=\"4xx\"} 1"), "{text}");
        assert!(
            text.contains(
                "portal_http_request_seconds_bucket{area=\"policies\",method=\"GET\",status=\"2xx\",le=\"+Inf\"} 2"
            ),
            "{text}"
        );
        let demo_cases: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE status IN ('open', 'accepted', 'info_requested')")
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        assert!(text.contains(&format!("portal_cases_open {demo_cases}\n")), "{text}");
        let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(&app.db.pool).await.unwrap();
        assert!(
            text.contains(&format!("portal_payment_lines {lines}\n"))
                && text.contains("portal_sms_messages{status=")
                && text.contains("portal_search_ready 1")
        );
        assert!(text.contains("portal_database_up 1") && !contains_full_id_number(&text));

        let through_balancer =
            app.client.get(app.url("/metrics")).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
        assert_eq!(through_balancer.status().as_u16(), 404, "the public never sees the metrics");
    }
}

/// SIGTERM, as a service manager or a rolling deploy sends it: the request in flight is answered
/// in full, no new connection is taken, and the process ends cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_signal_finishes_the_request_in_flight() {
    let mut node = spawn_node(Backend::Sqlite).await;
    // A slow client: the request's head and half its body are in, the rest comes later.
    let mut stream = tokio::net::TcpStream::connect(node.addr).await.unwrap();
    let head = format!(
        "POST /settings/text-size HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\nConnection: close\r\n\r\nsize=la",
        node.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    node.signal_stop();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(tokio::net::TcpStream::connect(node.addr).await.is_err(), "no new connections once stopping");
    assert!(node.wait_stopped(Duration::from_millis(100)).await.is_none(), "still serving the request in flight");

    stream.write_all(b"rge").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await.expect("answered").unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 303") && answer.contains("text_size=large"), "{answer}");
    let status = node.wait_stopped(Duration::from_secs(10)).await.expect("the process ends");
    assert!(status.success(), "{status}");
    let log = std::fs::read_to_string(node.dir().join("server.log")).unwrap();
    assert!(log.contains("shutting down"), "{log}");
}
