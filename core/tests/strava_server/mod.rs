//! A local server following the Strava API v3 contract (OAuth token endpoint, athlete
//! activities with paging, activity streams, rate-limit headers and 429s), shared by the
//! core and CLI tests (`#[path]`-included). Strava itself cannot be reached from tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Distinct token strings, so tests can look for them on disk and in output.
pub const ACCESS_1: &str = "a1-strava-access-token-first";
pub const REFRESH_1: &str = "r1-strava-refresh-token-first";
pub const ACCESS_2: &str = "a2-strava-access-token-second";
pub const REFRESH_2: &str = "r2-strava-refresh-token-second";
pub const GOOD_CODE: &str = "good-code";

pub struct ServerState {
    pub usage15: u64,
    pub force_429: u64,
    /// Every request: "METHOD target body".
    pub requests: Vec<String>,
    pub activities: Vec<serde_json::Value>,
    /// `expires_at` of the tokens the code exchange hands out (unix s).
    pub code_token_expires_at: i64,
}

impl Default for ServerState {
    fn default() -> Self {
        ServerState {
            usage15: 0,
            force_429: 0,
            requests: vec![],
            activities: vec![],
            code_token_expires_at: 4_000_000_000,
        }
    }
}

pub fn serve(state: Arc<Mutex<ServerState>>) -> (String, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let h = std::thread::spawn(move || {
        for _ in 0..200 {
            let Ok((s, _)) = l.accept() else { break };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let mut len = 0usize;
            let mut auth = String::new();
            loop {
                let mut h = String::new();
                r.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap_or(("", ""));
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap();
                }
                if k.eq_ignore_ascii_case("authorization") {
                    auth = v.trim().to_string();
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            let body = String::from_utf8(body).unwrap();
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            if target == "/shutdown" {
                break;
            }
            let mut st = state.lock().unwrap();
            st.requests.push(format!("{} {target} {body}", line.split_whitespace().next().unwrap()));
            st.usage15 += 1;
            let (status, json) = if target == "/oauth/token" {
                if body.contains("grant_type=authorization_code")
                    && body.contains(&format!("code={GOOD_CODE}"))
                {
                    (
                        200,
                        serde_json::json!({"token_type":"Bearer","expires_at": st.code_token_expires_at,"expires_in":21600,"refresh_token":REFRESH_1,"access_token":ACCESS_1,"athlete":{"id":134815}}),
                    )
                } else if body.contains("grant_type=refresh_token")
                    && (body.contains(&format!("refresh_token={REFRESH_1}"))
                        || body.contains(&format!("refresh_token={REFRESH_2}")))
                {
                    (
                        200,
                        serde_json::json!({"token_type":"Bearer","access_token":ACCESS_2,"expires_at":4_000_000_000i64,"expires_in":21600,"refresh_token":REFRESH_2}),
                    )
                } else {
                    (
                        400,
                        serde_json::json!({"message":"Bad Request","errors":[{"resource":"AuthorizationCode","field":"code","code":"invalid"}]}),
                    )
                }
            } else if !(auth == format!("Bearer {ACCESS_1}") || auth == format!("Bearer {ACCESS_2}")) {
                (
                    401,
                    serde_json::json!({"message":"Authorization Error","errors":[{"resource":"Athlete","field":"access_token","code":"invalid"}]}),
                )
            } else if st.force_429 > 0 && target.starts_with("/api/v3/athlete/activities") {
                st.force_429 -= 1;
                st.usage15 = 600;
                (429, serde_json::json!({"message":"Rate Limit Exceeded"}))
            } else if let Some(q) = target.strip_prefix("/api/v3/athlete/activities?") {
                let page: usize =
                    q.split('&').find_map(|kv| kv.strip_prefix("page=")).unwrap().parse().unwrap();
                let per: usize =
                    q.split('&').find_map(|kv| kv.strip_prefix("per_page=")).unwrap().parse().unwrap();
                // `after` (unix s): only activities that started later, as Strava does.
                let after: i64 = q
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("after="))
                    .map_or(i64::MIN, |v| v.parse().unwrap());
                let start = |a: &serde_json::Value| {
                    chrono::DateTime::parse_from_rfc3339(a["start_date"].as_str().unwrap())
                        .unwrap()
                        .timestamp()
                };
                let items: Vec<_> = st
                    .activities
                    .iter()
                    .filter(|a| start(a) > after)
                    .skip((page - 1) * per)
                    .take(per)
                    .cloned()
                    .collect();
                (200, serde_json::Value::Array(items))
            } else if target.starts_with("/api/v3/activities/")
                && target.contains("/streams?keys=time,heartrate,latlng,distance,altitude,cadence")
                && target.ends_with("key_by_type=true")
            {
                let t: Vec<u64> = (0..=600).step_by(10).collect();
                (
                    200,
                    serde_json::json!({
                        "time": {"data": t, "series_type":"distance","original_size":61,"resolution":"high"},
                        "heartrate": {"data": t.iter().map(|_| 150).collect::<Vec<_>>(), "series_type":"distance","original_size":61,"resolution":"high"},
                        "latlng": {"data": t.iter().map(|i| [53.8 + *i as f64 * 1e-5, -1.55]).collect::<Vec<_>>(), "series_type":"distance","original_size":61,"resolution":"high"},
                    }),
                )
            } else {
                (404, serde_json::json!({"message":"Record Not Found"}))
            };
            let usage = st.usage15;
            if status == 429 {
                st.usage15 = 0; // the window resets for whoever waited for it
            }
            drop(st);
            let b = json.to_string();
            let reason = match status {
                200 => "OK",
                400 => "Bad Request",
                401 => "Unauthorized",
                429 => "Too Many Requests",
                _ => "Not Found",
            };
            let mut s = s;
            write!(
                s,
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nX-RateLimit-Limit: 600,30000\r\nX-RateLimit-Usage: {usage},{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
                usage + 100,
                b.len()
            )
            .unwrap();
        }
    });
    (url, h)
}

pub fn shutdown(url: &str) {
    let mut s = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    let _ = s.write_all(b"GET /shutdown HTTP/1.1\r\nHost: x\r\n\r\n");
}

pub fn strava_activity(id: i64, start: &str, elapsed: u64, kind: &str) -> serde_json::Value {
    serde_json::json!({"resource_state":2,"athlete":{"id":134815,"resource_state":1},"name":"Lunch Run","distance":4835.4,"moving_time":elapsed - 30,
        "elapsed_time":elapsed,"total_elevation_gain":12.0,"type":kind,"sport_type":kind,"id":id,"start_date":start,"start_date_local":start,
        "timezone":"(GMT+00:00) Europe/London","manual":false,"average_heartrate":150.0,"max_heartrate":171.0})
}
