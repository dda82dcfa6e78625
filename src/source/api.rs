//! screenpipe's REST API (`GET /search?content_type=audio`), for when its database cannot
//! be read directly (encrypted vault, compressed storage, macOS's exclusive lock).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{time, Source, Summary, Transcription};
use crate::config::{Settings, SCREENPIPE_API_KEY_ENV};
use crate::error::{Error, Kind, Result};

/// Rows asked for per request.
pub const PAGE_SIZE: usize = 500;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

pub struct ApiSource {
    base: String,
    api_key: Option<String>,
    agent: ureq::Agent,
}

#[derive(Debug, Deserialize)]
struct Page {
    data: Vec<Item>,
    pagination: Pagination,
}

#[derive(Debug, Deserialize)]
struct Pagination {
    total: i64,
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(rename = "type")]
    kind: String,
    content: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct Audio {
    chunk_id: i64,
    transcription: String,
    timestamp: String,
    #[serde(default)]
    device_type: Option<String>,
    #[serde(default)]
    speaker: Option<Speaker>,
}

#[derive(Debug, Deserialize)]
struct Speaker {
    #[serde(default)]
    name: Option<String>,
}

impl ApiSource {
    /// Connect and check that the API answers (one tiny search).
    pub fn connect(settings: &Settings) -> Result<ApiSource> {
        let key = std::env::var(SCREENPIPE_API_KEY_ENV).ok().filter(|k| !k.is_empty());
        let source = ApiSource::new(&settings.screenpipe_url.value, key);
        let now = Utc::now();
        source.page(now - chrono::Duration::minutes(1), now, 1, 0)?;
        Ok(source)
    }

    pub fn new(base: &str, api_key: Option<String>) -> ApiSource {
        let agent = ureq::Agent::config_builder().timeout_connect(Some(CONNECT_TIMEOUT)).timeout_global(Some(REQUEST_TIMEOUT)).build().into();
        ApiSource { base: base.trim_end_matches('/').to_string(), api_key, agent }
    }

    fn page(&self, start: DateTime<Utc>, end: DateTime<Utc>, limit: usize, offset: usize) -> Result<Page> {
        let url = format!("{}/search", self.base);
        let mut req = self
            .agent
            .get(&url)
            .query("content_type", "audio")
            .query("start_time", time::format(start))
            .query("end_time", time::format(end))
            .query("limit", limit.to_string())
            .query("offset", offset.to_string());
        if let Some(key) = &self.api_key {
            req = req.header("Authorization", format!("Bearer {key}"));
        }
        let resp = req.call().map_err(|e| self.http_error(e))?;
        resp.into_body().read_json::<Page>().map_err(|e| {
            Error::new(Kind::Source, format!("screenpipe API at {} sent a response we cannot read: {e}", self.base))
                .hint("check that screenlink.screenpipeUrl points at screenpipe (default http://localhost:3030)")
        })
    }

    fn http_error(&self, e: ureq::Error) -> Error {
        let base = &self.base;
        match e {
            ureq::Error::StatusCode(401) | ureq::Error::StatusCode(403) => {
                Error::new(Kind::Source, format!("screenpipe API at {base} refused the request (HTTP 401/403: API key missing or wrong)"))
                    .hint(format!("set {SCREENPIPE_API_KEY_ENV} to the key shown in screenpipe's settings"))
            }
            ureq::Error::StatusCode(code) => Error::new(Kind::Source, format!("screenpipe API at {base} answered HTTP {code}"))
                .hint("check screenpipe's logs, or read the database instead with `git config screenlink.source db`"),
            ureq::Error::Timeout(_) => {
                Error::new(Kind::Source, format!("screenpipe API at {base} did not answer in time")).hint("check that screenpipe is running and not busy")
            }
            other => Error::new(Kind::Source, format!("screenpipe API at {base} is not answering: {other}"))
                .hint("start screenpipe, set screenlink.screenpipeUrl to where it listens, or use the database (`git config screenlink.source db`)"),
        }
    }
}

impl Source for ApiSource {
    fn kind(&self) -> &'static str {
        "api"
    }

    fn location(&self) -> String {
        self.base.clone()
    }

    fn read(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Vec<Transcription>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.page(start, end, PAGE_SIZE, offset)?;
            let n = page.data.len();
            for item in page.data.into_iter().filter(|i| i.kind == "Audio") {
                let Ok(a) = serde_json::from_value::<Audio>(item.content) else { continue };
                let Some(timestamp) = time::parse(&a.timestamp) else { continue };
                if timestamp < start || timestamp >= end {
                    continue;
                }
                out.push(Transcription {
                    id: a.chunk_id,
                    timestamp,
                    text: a.transcription,
                    speaker: a.speaker.and_then(|s| s.name).filter(|n| !n.trim().is_empty()),
                    is_input: a.device_type.map(|t| t.eq_ignore_ascii_case("input")),
                });
            }
            offset += n;
            if n == 0 || offset as i64 >= page.pagination.total {
                break;
            }
        }
        out.sort_by_key(Transcription::order_key);
        out.dedup_by(|a, b| a.id == b.id && a.text == b.text);
        Ok(out)
    }

    fn summary(&self) -> Result<Summary> {
        // The API has no count endpoint: the last 30 days' total is what it can tell cheaply.
        let now = Utc::now();
        let page = self.page(now - chrono::Duration::days(30), now, 1, 0)?;
        let newest = page.data.first().and_then(|i| serde_json::from_value::<Audio>(i.content.clone()).ok()).and_then(|a| time::parse(&a.timestamp));
        Ok(Summary { rows: page.pagination.total.max(0) as u64, oldest: None, newest })
    }

    /// The newest of the last 30 days; with none there, not known (older talk may exist),
    /// which the hook then does not read as screenpipe holding nothing.
    fn newest(&self) -> Result<Option<DateTime<Utc>>> {
        match self.summary()?.newest {
            Some(t) => Ok(Some(t)),
            None => Err(Error::new(Kind::Source, "screenpipe's API holds no audio of the last 30 days and cannot say when it has")),
        }
    }
}
