//! `git screenlink train --list`: past runs, one a line, with what eval said of each.

use crate::dataset::Store;
use crate::error::Result;
use crate::train;

pub(super) fn run(store: &Store) -> Result<i32> {
    let runs = train::list_runs(&store.dir);
    if runs.is_empty() {
        println!("No training runs yet in {}", train::runs_dir(&store.dir).display());
        return Ok(0);
    }
    println!(
        "{:<16} {:<12} {:>6} {:>6} {:>10} {:>9}  {:<12} {:>9} {:>9}  {:<9} adapters",
        "run", "status", "pairs", "iters", "train loss", "val loss", "loss curve", "chrF base", "chrF ft", "code loss"
    );
    for m in runs {
        let fmt = |x: Option<f64>, d: usize| x.map_or("-".into(), |x| format!("{x:.d$}"));
        let iters = m.losses.iter().map(|l| l.iter).max().unwrap_or(0);
        let run_dir = train::runs_dir(&store.dir).join(&m.run_id);
        let eval = crate::eval::Report::read(&run_dir);
        println!(
            "{:<16} {:<12} {:>6} {:>6} {:>10} {:>9}  {:<12} {:>9} {:>9}  {:<9} {}",
            m.run_id,
            train::shown_status(&run_dir, &m.status),
            m.dataset.usable,
            iters,
            fmt(m.final_train_loss, 3),
            fmt(m.final_val_loss, 3),
            train::chart::sparkline(&m.losses, 12),
            fmt(eval.as_ref().and_then(|e| e.base.chrf), 1),
            fmt(eval.as_ref().and_then(|e| e.adapter.chrf), 1),
            // What eval's pair-by-pair comparison says of the fine-tuned model's code loss.
            eval.as_ref().and_then(|e| e.comparison.get(crate::eval::CODE_LOSS)).map_or("-", |c| crate::messages::verdict_word(c.verdict)),
            m.adapter_path
        );
    }
    Ok(0)
}
