//! `mend comments pull URL`: brings the pending comments of a remote
//! `mend comments serve` into this site's inbox, over HTTPS with a bearer
//! token. Each is written durably here before the server is told it may
//! forget it, so a comment is in one inbox or both, never in none.
//!
//! Not for the server side (`intake`) nor moderation.

use std::path::Path;
use std::time::Duration;

use super::{Ack, Batch};
use crate::comments::inbox::{Inbox, is_valid_id};
use crate::comments::moderate::is_article_path;
use crate::error::{Error, Result};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Pulls every pending comment from the intake at `url`; how many came.
pub(crate) fn pull(root: &Path, url: &str, token: &str) -> Result<usize> {
    let fail = |message: String| Error::Pull {
        url: url.to_string(),
        message,
    };
    let parsed = url::Url::parse(url).map_err(|e| fail(format!("not a URL ({e})")))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return Err(fail(
            "the token would travel in the clear; use an https:// address (http:// only to this machine)".into(),
        ));
    }
    let base = url.trim_end_matches('/');
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {token}");
    let inbox = Inbox::of_site(root);
    let mut total = 0;
    loop {
        let mut response = agent
            .get(format!("{base}/inbox"))
            .header("Authorization", &auth)
            .call()
            .map_err(|e| fail(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| fail(e.to_string()))?;
        if status != 200 {
            return Err(fail(format!(
                "the server answered {status}: {}",
                body.trim()
            )));
        }
        let batch: Batch = serde_json::from_str(&body)
            .map_err(|e| fail(format!("the answer is not a list of comments ({e})")))?;
        if batch.submissions.is_empty() {
            return Ok(total);
        }
        let mut ids = Vec::new();
        for submission in &batch.submissions {
            if !is_valid_id(&submission.id) || !is_article_path(&submission.article) {
                return Err(fail(format!(
                    "comment `{}` names no article of a site (`{}`); nothing more was taken",
                    submission.id, submission.article
                )));
            }
            match inbox.store(submission) {
                Ok(()) => total += 1,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(source) => {
                    return Err(Error::Write {
                        path: inbox.path_of(&submission.id),
                        source,
                    });
                }
            }
            ids.push(submission.id.clone());
        }
        let ack = serde_json::to_string(&Ack { ids }).expect("plain data serializes");
        let mut response = agent
            .post(format!("{base}/inbox/ack"))
            .header("Authorization", &auth)
            .content_type("application/json")
            .send(ack)
            .map_err(|e| fail(e.to_string()))?;
        let answer = response.body_mut().read_to_string().unwrap_or_default();
        let removed = serde_json::from_str::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v["removed"].as_u64())
            .unwrap_or(0);
        if response.status().as_u16() != 200 || removed == 0 {
            return Err(fail(format!(
                "the server did not forget the comments it sent ({}: {}); they are safe here, and pulling again will not copy them twice",
                response.status().as_u16(),
                answer.trim()
            )));
        }
    }
}
