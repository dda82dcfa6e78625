//! `git screenlink eval [RUN] --against OTHER_RUN`: RUN's fine-tuned model against OTHER_RUN's,
//! pair by pair on the commits both held out, from the two runs' `eval.json` (`eval::against`).

use crate::dataset::Store;
use crate::error::{Error, Kind, Result};
use crate::eval::{self, Report};
use crate::{messages, train};

pub fn run(store: &Store, run_id: &str, other: &str, json: bool) -> Result<i32> {
    let runs = train::runs_dir(&store.dir);
    train::runs::named(&store.dir, other)?;
    if other == run_id {
        return Err(Error::new(Kind::Usage, format!("run {run_id} against itself compares nothing")).hint("name another run (`git screenlink train --list`)"));
    }
    let read = |id: &str| {
        Report::read(&runs.join(id)).ok_or_else(|| Error::new(Kind::Usage, messages::not_evaluated(id)).hint(format!("`git screenlink eval {id}` first")))
    };
    let (a, b) = (read(run_id)?, read(other)?);
    // The same budget and measures as each run's own comparison with its base model.
    let r = eval::against::between(&a, &b);
    if json {
        let measures: serde_json::Map<String, serde_json::Value> =
            r.measures.iter().map(|(k, (ma, mb, c))| (k.to_string(), serde_json::json!({"run": ma, "against": mb, "comparison": c}))).collect();
        let out = serde_json::json!({
            "run": run_id, "against": other, "pairs": r.pairs, "only_run": r.only_a, "only_against": r.only_b,
            "measures": measures,
            "left_out": r.left_out.iter().map(|(m, why)| serde_json::json!({"measure": m, "why": why})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
        return Ok(0);
    }
    println!("{}", messages::against_head(run_id, other, r.pairs, r.only_a, r.only_b));
    for (a, b) in [(&a, run_id), (&b, other)] {
        if !a.complete {
            println!("Note: {}", messages::not_evaluated_whole(b));
        }
    }
    if r.pairs == 0 {
        return Err(
            Error::new(Kind::Usage, messages::no_common_pairs(run_id, other)).hint("evaluate runs whose test splits overlap (`git screenlink eval RUN`)")
        );
    }
    println!();
    println!("{:<18} {:>16} {:>16} {:>10}  {:<18} verdict", "", run_id, other, "difference", "interval");
    for m in &eval::MEASURES {
        let Some((ma, mb, c)) = r.measures.get(m.key) else { continue };
        let d = m.digits;
        let interval = c.low.zip(c.high).map_or(String::new(), |(l, h)| format!("[{l:+.d$}, {h:+.d$}]"));
        println!(
            "{:<18} {:>16} {:>16} {:>10}  {interval:<18} {}",
            m.name,
            format!("{ma:.d$}"),
            format!("{mb:.d$}"),
            format!("{:+.d$}", c.difference),
            messages::verdict_of(c, &format!("run {run_id}"))
        );
    }
    for (measure, why) in &r.left_out {
        println!("{measure}: not compared, {why}");
    }
    Ok(0)
}
