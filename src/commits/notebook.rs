//! Jupyter notebooks: what a commit adds to a `.ipynb` is JSON, and the code in it is the
//! cells' `source` strings, one per line, quotes escaped (`"    pw = \"…\"\n",`). A pair keeps
//! each line of a cell's source as the author wrote it, decoded; the rest of the file is a
//! run's printout, images, HTML and metadata, which a model learns no code from, and is left
//! out (a commit that adds nothing else, a re-run, is skipped as generated).

/// Whether a path is a notebook's.
fn is_notebook(path: &str) -> bool {
    path.ends_with(".ipynb")
}

/// The notebooks a diff has read, by blob: each is parsed once for all its lines.
#[derive(Default)]
pub struct Notebooks(std::collections::HashMap<git2::Oid, Option<Vec<Option<String>>>>);

impl Notebooks {
    /// What line `lineno` (1-based) of the file `path` in `blob` holds: `Some(Some(code))` a
    /// cell's code, `Some(None)` no code, `None` when it is not read as a notebook.
    pub fn line(&mut self, repo: &git2::Repository, path: &str, blob: git2::Oid, lineno: Option<u32>) -> Option<Option<&str>> {
        if !is_notebook(path) {
            return None;
        }
        let lines = self.0.entry(blob).or_insert_with(|| std::str::from_utf8(repo.find_blob(blob).ok()?.content()).ok().and_then(source_lines)).as_ref()?;
        Some(lineno.and_then(|n| lines.get((n as usize).checked_sub(1)?)?.as_deref()))
    }
}

/// For each line of a notebook's text, in order, the code it holds: the decoded text of a
/// line of a cell's source (its own line ends removed), `None` for every other line. `None`
/// for the whole when the text is not written one source line per line (a notebook on one
/// line, or not one): it is then read as any other file.
pub fn source_lines(text: &str) -> Option<Vec<Option<String>>> {
    let mut lines = Vec::new();
    let mut in_source = false;
    let mut any_source = false;
    for line in text.lines() {
        let t = line.trim();
        let code = if in_source {
            in_source = !t.starts_with(']');
            in_source.then(|| decoded(t)).flatten()
        } else {
            match t.strip_prefix("\"source\":").map(str::trim) {
                Some("[") => {
                    (in_source, any_source) = (true, true);
                    None
                }
                // A source written as one string: its lines, joined.
                Some(one) if one.starts_with('"') => {
                    any_source = true;
                    decoded(one)
                }
                _ => None,
            }
        };
        lines.push(code);
    }
    any_source.then_some(lines)
}

/// A JSON string item (`"x = 1\n",`), decoded, without its line end.
fn decoded(item: &str) -> Option<String> {
    let item = item.strip_suffix(',').unwrap_or(item);
    let s: String = serde_json::from_str(item).ok()?;
    Some(s.strip_suffix('\n').unwrap_or(&s).to_string())
}

#[cfg(test)]
mod tests {
    use super::source_lines;

    #[test]
    fn a_cells_source_is_its_code_and_the_rest_is_not() {
        let nb = r##"{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "Requirement already satisfied: torch in ./venv (2.3.1)\n"
     ]
    }
   ],
   "source": [
    "import os\n",
    "conn = connect(password=\"Pc8kQ2xLm7\")\n",
    "print(\"a\\tb\")"
   ]
  },
  {
   "cell_type": "markdown",
   "source": "# Title\nSome text"
  }
 ]
}"##;
        let lines = source_lines(nb).unwrap();
        assert_eq!(lines.len(), nb.lines().count());
        let code: Vec<&str> = lines.iter().flatten().map(String::as_str).collect();
        assert_eq!(code, ["import os", "conn = connect(password=\"Pc8kQ2xLm7\")", "print(\"a\\tb\")", "# Title\nSome text"]);
        let printout = nb.lines().position(|l| l.contains("Requirement")).unwrap();
        assert_eq!(lines[printout], None);
        // Minified, or not a notebook's JSON: read as any file.
        assert!(source_lines(&nb.replace('\n', "")).is_none());
        assert!(source_lines("{\"a\": 1}\n").is_none());
    }
}
