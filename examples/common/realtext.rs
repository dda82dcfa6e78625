//! The real-text projects the examples read (`../shared/realtext`'s four, which the shipped
//! weights were fitted on, and the ones `tools/realtext_oak.py` and `tools/realtext_bears.py`
//! build, which no weight saw), by their folder names.

/// Fitted on (leave one out when judging them).
pub const FITTED: [&str; 4] = ["wicket", "accumulo", "log4j2", "mng"];
/// Never fitted on.
pub const UNSEEN: [&str; 4] = ["oak", "spoon", "sdc", "traccar"];
