//! screenpipe as a source of transcriptions: its SQLite database (read-only) or its REST API,
//! and the grouping of transcription rows into discussions.

pub mod api;
pub mod db;
pub mod discussion;
pub mod time;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Settings, SourceKind};
use crate::error::{Error, Kind, Result};

/// One transcription row, whichever source it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcription {
    /// `audio_transcriptions.id` from the database; the audio chunk id from the API,
    /// which returns about one row per chunk.
    pub id: i64,
    pub timestamp: DateTime<Utc>,
    pub text: String,
    pub speaker: Option<String>,
    /// `true`: a microphone (the user); `false`: system output (the others on a call).
    /// `None` in databases older than the column.
    pub is_input: Option<bool>,
}

impl Transcription {
    /// The one order rows are kept in everywhere: by time, ties by id.
    pub fn order_key(&self) -> (DateTime<Utc>, i64) {
        (self.timestamp, self.id)
    }
}

/// Row count and time span of what a source holds, for `status`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub rows: u64,
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
}

/// A readable source of transcriptions.
pub trait Source {
    /// `db` or `api`.
    fn kind(&self) -> &'static str;
    /// The file path or URL, for messages.
    fn location(&self) -> String;
    /// Rows with `start <= timestamp < end`, oldest first.
    fn read(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Vec<Transcription>>;
    fn summary(&self) -> Result<Summary>;
    /// When the newest row was said (`None`: the source holds none), cheaper than
    /// [`summary`](Self::summary) where the source can tell: the hook asks it on every
    /// commit that found no talk at all.
    fn newest(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.summary()?.newest)
    }
    /// Rows per UTC day (by each row's own date, to the day) in `[start, end)`, to plan
    /// reading a long span in blocks; empty when the source cannot count cheaply (the API),
    /// which reads the span at once.
    fn rows_per_day(&self, _start: DateTime<Utc>, _end: DateTime<Utc>) -> Result<Vec<(chrono::NaiveDate, u64)>> {
        Ok(Vec::new())
    }
}

/// Open the source `screenlink.source` asks for. `auto`: the database when it opens and
/// reads, else the API when it answers, else one error naming both attempts.
pub fn open(settings: &Settings) -> Result<Box<dyn Source>> {
    match settings.source.value {
        SourceKind::Db => Ok(Box::new(db::DbSource::open(settings)?)),
        SourceKind::Api => Ok(Box::new(api::ApiSource::connect(settings)?)),
        SourceKind::Auto => match db::DbSource::open(settings) {
            Ok(db) => Ok(Box::new(db)),
            Err(db_err) => match api::ApiSource::connect(settings) {
                Ok(api) => Ok(Box::new(api)),
                Err(api_err) => Err(Error::new(
                    Kind::Source,
                    format!("no screenpipe source could be read: the database said \"{}\"; the API said \"{}\"", db_err.message, api_err.message),
                )
                .hint(db_err.hint.unwrap_or_else(|| "start screenpipe, or set screenlink.screenpipeDb".into()))),
            },
        },
    }
}

/// Whether a source whose newest row is `newest` (`None`: it holds none) has recorded
/// nothing since the window of a commit made `at` opened, `window_days` before it: a
/// screenpipe that stopped recording, not a quiet week.
pub fn silent(newest: Option<DateTime<Utc>>, at: DateTime<Utc>, window_days: u32) -> bool {
    newest.is_none_or(|t| t < at - chrono::Duration::days(i64::from(window_days)))
}

/// The distinct error for an empty range, for commands that need rows.
pub fn no_rows(source: &dyn Source, start: DateTime<Utc>, end: DateTime<Utc>) -> Error {
    Error::new(
        Kind::Source,
        format!("screenpipe has no audio transcriptions between {} and {} ({})", time::format(start), time::format(end), source.location()),
    )
    .hint("check that screenpipe records audio, or widen the window with screenlink.timeWindowDays")
}
