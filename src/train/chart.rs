//! A picture of a run: train and validation loss by iteration as an SVG (plotters), and a
//! one-line sparkline for `train --list`.

use std::path::Path;

use plotters::prelude::*;

use super::Loss;
use crate::error::{Error, Kind, Result};

pub const FILE_NAME: &str = "loss.svg";

/// Write the loss chart of a run to `path`; nothing when no loss was read.
pub fn write_svg(losses: &[Loss], title: &str, path: &Path) -> Result<bool> {
    let train: Vec<(f64, f64)> = losses.iter().filter_map(|l| l.train.map(|t| (l.iter as f64, t))).collect();
    let val: Vec<(f64, f64)> = losses.iter().filter_map(|l| l.val.map(|v| (l.iter as f64, v))).collect();
    if train.is_empty() && val.is_empty() {
        return Ok(false);
    }
    let all = train.iter().chain(&val);
    let x_max = all.clone().map(|p| p.0).fold(1.0, f64::max);
    let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let pad = ((hi - lo) * 0.1).max(0.01);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| Error::new(Kind::Io, format!("drawing the loss chart: {e}"));
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0.0..x_max, (lo - pad).max(0.0)..hi + pad)
            .map_err(|e| draw(&e))?;
        chart.configure_mesh().x_desc("iteration").y_desc("loss").draw().map_err(|e| draw(&e))?;
        for (points, colour, name) in [(&train, BLUE, "train"), (&val, RED, "validation")] {
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(2)))
                .map_err(|e| draw(&e))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
        }
        chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw().map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))?;
    }
    crate::fsutil::write_atomic(path, &svg)?;
    Ok(true)
}

/// Train loss (else validation loss) as a line of block characters, lowest ▁ to highest █,
/// at most `width` wide (later points sampled).
pub fn sparkline(losses: &[Loss], width: usize) -> String {
    let mut ys: Vec<f64> = losses.iter().filter_map(|l| l.train).collect();
    if ys.is_empty() {
        ys = losses.iter().filter_map(|l| l.val).collect();
    }
    if ys.is_empty() || width == 0 {
        return String::new();
    }
    let picked: Vec<f64> = if ys.len() <= width { ys } else { (0..width).map(|i| ys[i * (ys.len() - 1) / (width - 1).max(1)]).collect() };
    let (lo, hi) = picked.iter().fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(*y), hi.max(*y)));
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    picked.iter().map(|y| if hi > lo { BARS[(((y - lo) / (hi - lo)) * 7.0).round() as usize] } else { BARS[3] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loss(iter: u32, train: Option<f64>, val: Option<f64>) -> Loss {
        Loss { iter, train, val }
    }

    #[test]
    fn the_sparkline_falls_with_the_loss() {
        let l = [loss(1, Some(4.0), None), loss(2, Some(3.0), Some(3.5)), loss(3, Some(2.0), None), loss(4, Some(1.0), None)];
        assert_eq!(sparkline(&l, 10), "█▆▃▁");
        assert_eq!(sparkline(&l, 2), "█▁");
        assert_eq!(sparkline(&[loss(5, None, Some(2.0))], 10), "▄");
        assert_eq!(sparkline(&[], 10), "");
    }

    #[test]
    fn the_chart_is_an_svg_with_both_curves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loss.svg");
        let l = [loss(1, Some(4.0), Some(4.2)), loss(5, Some(2.0), Some(2.5)), loss(10, Some(1.0), Some(1.9))];
        assert!(write_svg(&l, "run 1", &path).unwrap());
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(svg.contains("iteration") && svg.contains("validation") && svg.contains("run 1"));
        assert!(svg.matches("<polyline").count() >= 2, "two curves: {svg}");
        assert!(!write_svg(&[], "empty", &dir.path().join("none.svg")).unwrap());
    }
}
