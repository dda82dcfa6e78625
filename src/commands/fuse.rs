//! `git screenlink fuse [RUN] [--gguf]`: a run's adapter fused into its base model after
//! training (`train --fuse` does it at the end of a run), and that model as one GGUF file
//! for llama.cpp and the tools built on it, or (`--lora`) the adapter as a GGUF LoRA adapter
//! beside the base model as GGUF. What is already there is used again.

use std::path::{Path, PathBuf};

use crate::cli::FuseArgs;
use crate::config::Settings;
use crate::dataset::Store;
use crate::error::{Error, Result};
use crate::fsutil::DirLock;
use crate::train::fuse::{self, DEQUANTIZED_DIR, FUSED_DIR};
use crate::train::{adapter_gguf, hub, Manifest};
use crate::{eval, messages, train};

pub fn run(args: &FuseArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &[])?;
    let repo = crate::pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let picked = eval::pick_run(&train::list_runs(&store.dir), args.run.as_deref(), eval::Purpose::Fuse)?;
    // One fuse of a run at a time: each writes the run's files through the same partial
    // names, and its run.json, so a second waits, then reads run.json again.
    let _run = DirLock::acquire_saying(&train::runs_dir(&store.dir).join(&picked.run_id), || eprintln!("{}", messages::fuse_waiting(&picked.run_id)))?;
    // Read again under the lock: a fuse we waited for wrote what it made into run.json.
    let mut manifest = train::list_runs(&store.dir).into_iter().find(|m| m.run_id == picked.run_id).unwrap_or(picked);
    if args.lora {
        return lora(args, &settings, &mut manifest, &train::runs_dir(&store.dir));
    }
    let run_dir = train::runs_dir(&store.dir).join(&manifest.run_id);
    let model = manifest.base_model().to_string();
    let adapters = PathBuf::from(&manifest.adapter_path);
    // The tokenizer is checked on what the model was trained on, besides its own texts.
    let trained_on = fuse::trained_on(Path::new(&manifest.dataset.export_dir));

    // A model fused before is used again, unless GGUF needs its weights whole.
    // (A directory of that name is whole: fuse_into renames it into place when done.)
    let fused_before = manifest.fused_path.as_deref().map(PathBuf::from).unwrap_or_else(|| run_dir.join(FUSED_DIR));
    let dequantized = run_dir.join(DEQUANTIZED_DIR);
    let target = match (train::is_model_dir(&fused_before), args.gguf && fuse::is_quantized(&fused_before)) {
        (false, _) => Target::Fuse(FUSED_DIR),
        (true, false) => Target::Ready(fused_before),
        (true, true) if train::is_model_dir(&dequantized) => Target::Ready(dequantized),
        (true, true) => Target::Fuse(DEQUANTIZED_DIR),
    };
    let gguf = args.gguf.then(|| fuse::gguf_path(&run_dir, &manifest.run_id, args.q8));

    if args.dry_run {
        println!("Run: {}\nBase model: {model}\nAdapters: {}", manifest.run_id, adapters.display());
        match &target {
            Target::Ready(f) => println!("Fused model: {} (already there)", f.display()),
            Target::Fuse(name) => println!(
                "Fuse: mlx_lm fuse --model {model} --adapter-path {} --save-path {}{}",
                adapters.display(),
                run_dir.join(name).display(),
                if args.gguf { " --dequantize" } else { "" }
            ),
        }
        if let Some(g) = &gguf {
            println!("GGUF: {} (python -c <src/train/to_gguf.py>{})", g.display(), if args.q8 { " --q8_0" } else { "" });
        }
        return Ok(0);
    }

    let launcher = train::find_mlx(&settings)?;
    let python = if args.gguf { Some(launcher.require_python()?) } else { None };
    let fused = match target {
        Target::Ready(f) => {
            eprintln!("git-screenlink: {} is fused already", f.display());
            if f == run_dir.join(FUSED_DIR) {
                manifest.fused_path = Some(f.display().to_string());
            }
            f
        }
        Target::Fuse(name) => {
            let base = base_dir(&model)?;
            // A refusal before the fuse, not after it (a 1.3B model takes minutes).
            if let Some(python) = &python {
                fuse::check_gguf(python, &base, &run_dir.join(FUSED_DIR), &trained_on)?;
            }
            // GGUF wants whole weights: a quantized base is dequantized as it is fused.
            let made = fuse::fuse_into(&launcher, &model, &adapters, &run_dir, name, args.gguf)?;
            if name == FUSED_DIR {
                // Said at once: a GGUF file that fails next leaves the fused model known.
                manifest.fused_path = Some(made.display().to_string());
                if manifest.status == "fuse failed" {
                    // `train --fuse` trained it whole and failed only here.
                    manifest.status = "completed".into();
                }
                super::train::write_manifest(&run_dir, &manifest)?;
            }
            made
        }
    };
    if let (Some(g), Some(python)) = (&gguf, &python) {
        fuse::write_gguf(python, &fused, g, args.q8, &trained_on)?;
        manifest.gguf_path = Some(g.display().to_string());
    }
    super::train::write_manifest(&run_dir, &manifest)?;

    // stdout holds the paths alone, for a script to read.
    println!("Fused model: {}", fused.display());
    if let Some(g) = &gguf {
        println!("GGUF: {}", g.display());
    }
    eprintln!("{}", messages::fused(&fused, gguf.as_deref()));
    Ok(0)
}

/// The directory of a run's base model: mlx-lm reads it offline, as every mlx-lm
/// git-screenlink starts.
fn base_dir(model: &str) -> Result<PathBuf> {
    if train::is_local_model(model) {
        train::require_model_dir(Path::new(model), "the run's base model moved: put it back where run.json names it")?;
        Ok(PathBuf::from(model))
    } else {
        hub::require_here(model, messages::MODEL_NOT_HERE_HINT)
    }
}

/// `--lora`: the run's adapter as a GGUF LoRA adapter in its run dir, and its base model as
/// GGUF in the runs dir's shared folder, written once for every run of that base (a quantized
/// base dequantized first, as `--gguf` fuses it). Nothing is fused.
fn lora(args: &FuseArgs, settings: &Settings, manifest: &mut Manifest, runs_dir: &Path) -> Result<i32> {
    let run_dir = runs_dir.join(&manifest.run_id);
    let (model, adapters) = (manifest.base_model().to_string(), PathBuf::from(&manifest.adapter_path));
    let trained_on = fuse::trained_on(Path::new(&manifest.dataset.export_dir));
    let base = base_dir(&model)?;
    let base_gguf = adapter_gguf::base_path(runs_dir, &model, &base, args.q8);
    let lora = adapter_gguf::lora_path(&run_dir, &manifest.run_id);
    if args.dry_run {
        println!("Run: {}\nBase model: {model}\nAdapters: {}", manifest.run_id, adapters.display());
        println!("GGUF base: {} ({})", base_gguf.display(), if base_gguf.is_file() { "already there" } else { "to write" });
        println!("GGUF LoRA: {} (python -c <src/train/to_gguf.py> --lora)", lora.display());
        return Ok(0);
    }

    let launcher = train::find_mlx(settings)?;
    let python = launcher.require_python()?;
    // Refusals first, before minutes of writing: the base (its tokenizer on what the run
    // trained on), then the adapter, which is small.
    fuse::check_gguf(&python, &base, &run_dir.join(FUSED_DIR), &trained_on)?;
    adapter_gguf::write_lora(&python, &adapters, &base, &lora)?;
    let bases = base_gguf.parent().expect("in the bases dir");
    std::fs::create_dir_all(bases).map_err(|e| Error::io(format!("creating {}", bases.display()), e))?;
    // One writer of a base at a time: a second run's fuse waits, then finds it written.
    let _writing = adapter_gguf::lock_base(&base_gguf)?;
    if base_gguf.is_file() {
        eprintln!("git-screenlink: {} is written already", base_gguf.display());
    } else if fuse::is_quantized(&base) {
        // Removed when done, or when this fails: the GGUF file is what is kept.
        let whole = tempfile::Builder::new()
            .prefix(".dequantized")
            .tempdir_in(bases)
            .map_err(|e| Error::io(format!("making a directory in {}", bases.display()), e))?;
        let whole = whole.path().join("model");
        adapter_gguf::dequantize(&launcher, &base, &whole)?;
        fuse::write_gguf(&python, &whole, &base_gguf, args.q8, &trained_on)?;
    } else {
        fuse::write_gguf(&python, &base, &base_gguf, args.q8, &trained_on)?;
    }
    manifest.gguf_lora_path = Some(lora.display().to_string());
    manifest.gguf_base_path = Some(base_gguf.display().to_string());
    super::train::write_manifest(&run_dir, manifest)?;

    // stdout holds the paths alone, for a script to read.
    println!("GGUF base: {}\nGGUF LoRA: {}", base_gguf.display(), lora.display());
    eprintln!("{}", messages::lora_written(&base_gguf, &lora));
    Ok(0)
}

enum Target {
    /// A whole fused model, already on disk.
    Ready(PathBuf),
    /// To fuse into this directory of the run.
    Fuse(&'static str),
}
