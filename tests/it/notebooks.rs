//! Jupyter notebooks in a commit: a pair holds the cells' code as the author wrote it, not the
//! notebook's JSON, its outputs or its metadata; a commit that only ran the cells again adds no
//! code.

use git_screenlink::commits::{select, SkipReason};

use crate::commits::{all, code, commit};
use crate::env::{OutputExt, TestEnv};

/// A cell's code, as the author wrote it.
const SOURCE: [&str; 6] = [
    "import psycopg2",
    "conn = psycopg2.connect(host=\"db.internal\", password=\"Pc8kQ2xLm7\")",
    "rows = conn.execute(\"SELECT region, total FROM sales\").fetchall()",
    "by_region = {r: t for r, t in rows}",
    "print(f\"{len(by_region)} regions\\n\")",
    "plot(by_region)",
];

/// A notebook as Jupyter writes it (one source line per line, indent 1), its cells run.
fn notebook(count: u32, printed: &str) -> String {
    let items: Vec<String> = SOURCE.iter().map(|l| format!("    {}", serde_json::to_string(&format!("{l}\n")).unwrap())).collect();
    format!(
        "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"execution_count\": {count},\n   \"metadata\": {{}},\n   \"outputs\": [\n    {{\n     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n     \"text\": [\n      \"Requirement already satisfied: nvidia-cusolver-cu12==11.4.5.107 in ./venv/site-packages (11.4.5.107)\\n\",\n      \"{printed}\\n\"\n     ]\n    }}\n   ],\n   \"source\": [\n{}\n   ]\n  }}\n ],\n \"metadata\": {{\"kernelspec\": {{\"name\": \"python3\"}}}},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n",
        items.join(",\n")
    )
}

#[test]
fn a_notebooks_pair_holds_its_cells_code() {
    let env = TestEnv::new();
    commit(&env, "src/base.py", code(6, "base").as_bytes(), "Initial code", &[]);
    commit(&env, "analysis.ipynb", notebook(1, "12 regions").as_bytes(), "Plot sales by region", &[]);
    commit(&env, "analysis.ipynb", notebook(2, "14 regions").as_bytes(), "Run the analysis again", &[]);
    let repo = git2::Repository::open(&env.repo).unwrap();
    let sel = select(&repo, &all(10), 5).unwrap();

    let plot = sel.commits.iter().find(|c| c.subject == "Plot sales by region").expect("the notebook's code is kept");
    let plot = git_screenlink::commits::with_code(&repo, plot, 5).unwrap().unwrap();
    let lines: Vec<&str> = plot.files.iter().flat_map(|f| &f.added).map(String::as_str).collect();
    assert_eq!(lines, SOURCE, "the code, decoded, and nothing of the outputs or the JSON");
    // What the pair is checked for is the code: the password is found where it is written.
    let found = git_screenlink::secrets::scan(&lines.join("\n"));
    assert_eq!(found.iter().map(|f| f.kind).collect::<Vec<_>>(), ["assigned_secret"], "{found:?}");

    // Run again: new outputs and an execution count, no code.
    assert!(sel.commits.iter().all(|c| c.subject != "Run the analysis again"), "a re-run adds no code");
    assert_eq!(sel.skipped.get(&SkipReason::Generated), Some(&1), "{:?}", sel.skipped);
}

#[test]
fn a_notebook_saved_in_another_layout_adds_no_code() {
    let env = TestEnv::new();
    commit(&env, "src/base.py", code(6, "base").as_bytes(), "Initial code", &[]);
    let nb = notebook(1, "12 regions");
    commit(&env, "analysis.ipynb", nb.as_bytes(), "Plot sales by region", &[]);
    // Another editor's indent: every line of the file changes, none of the code.
    let wider: String = nb.lines().map(|l| format!("{}{l}\n", &l[..l.len() - l.trim_start().len()])).collect();
    commit(&env, "analysis.ipynb", wider.as_bytes(), "Save with VS Code", &[]);
    // A cell edited: its new line is the code the commit adds.
    let edited = wider.replace("plot(by_region)", "plot(by_region, kind=\\\"bar\\\")");
    assert_ne!(edited, wider);
    commit(&env, "analysis.ipynb", edited.as_bytes(), "Plot regions as bars", &[]);
    let repo = git2::Repository::open(&env.repo).unwrap();
    let sel = select(&repo, &all(10), 1).unwrap();
    assert_eq!(sel.skipped.get(&SkipReason::Formatting), Some(&1), "{:?}", sel.skipped);
    let bars = sel.commits.iter().find(|c| c.subject == "Plot regions as bars").expect("an edited cell is code");
    let bars = git_screenlink::commits::with_code(&repo, bars, 1).unwrap().unwrap();
    assert_eq!(bars.files[0].added, ["plot(by_region, kind=\"bar\")"]);
}

#[test]
fn backfill_writes_a_notebooks_code_with_its_password_redacted() {
    let env = TestEnv::new();
    env.talk(&[
        ("2026-03-01T10:00:00+00:00", "can you plot sales by region from the sales table, a notebook is fine, we need the totals per region"),
        ("2026-03-01T10:00:30+00:00", "yes I will query region and total from sales in a notebook and plot by region"),
    ]);
    commit(&env, "analysis.ipynb", notebook(1, "12 regions").as_bytes(), "Plot sales by region", &[]);
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let text = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap();
    let pairs: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(pairs.len(), 1, "{text}");
    let output = pairs[0]["output"].as_str().unwrap();
    assert!(output.contains("// file: analysis.ipynb\nimport psycopg2\n"), "{output}");
    assert!(output.contains("password=\"[REDACTED:assigned_secret]\")"), "{output}");
    for json in ["\"source\"", "\"outputs\"", "Requirement already", "\\n\","] {
        assert!(!output.contains(json), "{json} in {output}");
    }
}
