//! The window and a file drawn from one chart layout, compared as images:
//! the window's egui output is tessellated as egui would hand it to the GPU
//! and rasterised here (no GPU, no display), the file is plotters' PNG of
//! the same size. Each image is read back as pixels: its plot area, where
//! its tick labels land, and where each series runs. Those places, as
//! fractions of each image's own plot area, must agree within a tolerance
//! (not pixel for pixel: fonts, margins and line widths differ).
//!
//! Series are recoloured to pure key colours first, so each can be found by
//! its colour in either image; the legend is left out (its place is checked
//! in `gui_charts.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use corescope::chart::layout::Layout;
use corescope::chart::{Chart, ChartKind, build};
use corescope::export::plot::{self, ImageFormat, PlotStyle};
use corescope::gui::chart_view;
use corescope::results::ResultSet;
use egui::epaint::{Primitive, Vertex};
use egui::{Color32, ImageData, TextureId};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

/// Series colours, one per series, that nothing else in either image uses.
const KEYS: [(u8, u8, u8); 3] = [(255, 0, 0), (0, 0, 255), (0, 190, 0)];

/// The egui plot's background: a colour neither text nor a series.
const PLOT_FILL: Color32 = Color32::from_rgb(255, 236, 190);

/// An RGB image, rows top to bottom.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

impl Image {
    fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.rgb[y * self.width + x]
    }

    fn save_png(&self, path: &std::path::Path) {
        let file = std::fs::File::create(path).unwrap();
        let mut encoder = png::Encoder::new(file, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let bytes: Vec<u8> = self.rgb.iter().flatten().copied().collect();
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&bytes)
            .unwrap();
    }
}

/// A texture egui handed out (the font atlas), premultiplied RGBA.
struct Texture {
    size: [usize; 2],
    pixels: Vec<Color32>,
}

/// Applies a frame's texture changes.
fn apply(textures: &mut HashMap<TextureId, Texture>, delta: &mut egui::TexturesDelta) {
    for (id, changes) in &delta.set {
        for change in changes {
            let ImageData::Color(image) = &change.image;
            match change.pos {
                None => {
                    textures.insert(
                        *id,
                        Texture {
                            size: image.size,
                            pixels: image.pixels.clone(),
                        },
                    );
                }
                Some([x0, y0]) => {
                    let texture = textures.get_mut(id).expect("a patch of a known texture");
                    for y in 0..image.size[1] {
                        for x in 0..image.size[0] {
                            texture.pixels[(y0 + y) * texture.size[0] + x0 + x] =
                                image.pixels[y * image.size[0] + x];
                        }
                    }
                }
            }
        }
    }
    delta.clear();
}

/// Rasterises egui's triangles as a GPU would (one sample per pixel
/// centre, colours interpolated, the texture sampled at the nearest texel,
/// premultiplied alpha blending), at one pixel per point.
fn rasterise(
    primitives: &[egui::ClippedPrimitive],
    textures: &HashMap<TextureId, Texture>,
    background: Color32,
) -> Image {
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    let mut canvas = vec![
        [
            f32::from(background.r()),
            f32::from(background.g()),
            f32::from(background.b())
        ];
        w * h
    ];
    for primitive in primitives {
        let Primitive::Mesh(mesh) = &primitive.primitive else {
            continue;
        };
        let texture = textures.get(&mesh.texture_id);
        let clip = primitive.clip_rect;
        for triangle in mesh.indices.chunks_exact(3) {
            let [a, b, c] = [0, 1, 2].map(|i| mesh.vertices[triangle[i] as usize]);
            fill_triangle(&mut canvas, (w, h), clip, [a, b, c], texture);
        }
    }
    Image {
        width: w,
        height: h,
        rgb: canvas
            .into_iter()
            .map(|p| p.map(|v| v.round().clamp(0.0, 255.0) as u8))
            .collect(),
    }
}

fn fill_triangle(
    canvas: &mut [[f32; 3]],
    (w, h): (usize, usize),
    clip: egui::Rect,
    [a, b, c]: [Vertex; 3],
    texture: Option<&Texture>,
) {
    let area = (b.pos - a.pos).x * (c.pos - a.pos).y - (b.pos - a.pos).y * (c.pos - a.pos).x;
    if area.abs() < 1e-6 {
        return;
    }
    let x0 = a
        .pos
        .x
        .min(b.pos.x)
        .min(c.pos.x)
        .max(clip.min.x)
        .max(0.0)
        .floor() as usize;
    let x1 = (a
        .pos
        .x
        .max(b.pos.x)
        .max(c.pos.x)
        .min(clip.max.x)
        .ceil()
        .max(0.0) as usize)
        .min(w);
    let y0 = a
        .pos
        .y
        .min(b.pos.y)
        .min(c.pos.y)
        .max(clip.min.y)
        .max(0.0)
        .floor() as usize;
    let y1 = (a
        .pos
        .y
        .max(b.pos.y)
        .max(c.pos.y)
        .min(clip.max.y)
        .ceil()
        .max(0.0) as usize)
        .min(h);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = egui::pos2(x as f32 + 0.5, y as f32 + 0.5);
            if !clip.contains(p) {
                continue;
            }
            let edge = |u: egui::Pos2, v: egui::Pos2| (v - u).x * (p - u).y - (v - u).y * (p - u).x;
            let (wa, wb, wc) = (
                edge(b.pos, c.pos) / area,
                edge(c.pos, a.pos) / area,
                edge(a.pos, b.pos) / area,
            );
            if wa < -1e-4 || wb < -1e-4 || wc < -1e-4 {
                continue;
            }
            let mix = |f: fn(&Vertex) -> f32| wa * f(&a) + wb * f(&b) + wc * f(&c);
            let mut color = [
                mix(|v| f32::from(v.color.r())),
                mix(|v| f32::from(v.color.g())),
                mix(|v| f32::from(v.color.b())),
                mix(|v| f32::from(v.color.a())),
            ];
            if let Some(texture) = texture {
                let (u, v) = (mix(|v| v.uv.x), mix(|v| v.uv.y));
                let tx = ((u * texture.size[0] as f32) as usize).min(texture.size[0] - 1);
                let ty = ((v * texture.size[1] as f32) as usize).min(texture.size[1] - 1);
                let texel = texture.pixels[ty * texture.size[0] + tx].to_array();
                for (channel, t) in color.iter_mut().zip(texel) {
                    *channel *= f32::from(t) / 255.0;
                }
            }
            let pixel = &mut canvas[y * w + x];
            let keep = 1.0 - color[3] / 255.0;
            for i in 0..3 {
                pixel[i] = color[i] + pixel[i] * keep;
            }
        }
    }
}

/// The window's drawing of `layout`: the chart view in a 1280×720 window,
/// light theme, rasterised.
fn egui_image(chart: &Chart, layout: &Layout) -> (Image, Area) {
    let ctx = egui::Context::default();
    let mut visuals = egui::Visuals::light();
    visuals.extreme_bg_color = PLOT_FILL;
    let background = visuals.panel_fill;
    ctx.set_visuals(visuals);
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(WIDTH as f32, HEIGHT as f32),
        )),
        ..Default::default()
    };
    let mut textures = HashMap::new();
    let mut last = None;
    // A few passes: fonts and the plot's bounds settle after the first.
    for _ in 0..3 {
        let mut output = ctx.run_ui(input.clone(), |ui| {
            egui::CentralPanel::default()
                .frame(egui::Frame::NONE.fill(background))
                .show(ui, |ui| {
                    // The title above, as the window's chart grid has it.
                    ui.heading(&layout.title);
                    let height = ui.available_height() - 8.0;
                    chart_view::layout_plot_ui(ui, chart, layout, WIDTH as f32 - 16.0, height);
                });
        });
        apply(&mut textures, &mut output.textures_delta);
        last = Some(output);
    }
    let output = last.unwrap();
    let primitives = ctx.tessellate(output.shapes, 1.0);
    // Where egui_plot put the plot (inside the axes), at a point a pixel.
    let frame = chart_view::drawn(&ctx, &chart.title)
        .and_then(|drawn| drawn.frame)
        .expect("the chart view keeps its frame");
    let area = Area {
        left: frame.left().round() as usize,
        top: frame.top().round() as usize,
        right: frame.right().round() as usize - 1,
        bottom: frame.bottom().round() as usize - 1,
    };
    (rasterise(&primitives, &textures, background), area)
}

/// The file's drawing of `layout`: plotters' PNG, decoded.
fn plotters_image(chart: &Chart, layout: &Layout) -> Image {
    let style = PlotStyle {
        width: WIDTH,
        height: HEIGHT,
        dark: false,
        text_px: None,
    };
    let png = plot::render_layout(chart, layout, &style, ImageFormat::Png).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut bytes = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut bytes).unwrap();
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    Image {
        width: info.width as usize,
        height: info.height as usize,
        rgb: bytes[..info.buffer_size()]
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect(),
    }
}

/// A rectangle of pixels: left, top, right, bottom (inclusive).
#[derive(Debug, Clone, Copy)]
struct Area {
    left: usize,
    top: usize,
    right: usize,
    bottom: usize,
}

impl Area {
    /// `(x, y)` as fractions of the area: 0 at the left and the bottom.
    fn fraction(&self, x: f64, y: f64) -> (f64, f64) {
        (
            (x - self.left as f64) / (self.right - self.left) as f64,
            (self.bottom as f64 - y) / (self.bottom - self.top) as f64,
        )
    }
}

/// Dark, grey pixels: text and axes (series are in saturated keys).
fn is_ink([r, g, b]: [u8; 3]) -> bool {
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let luma = 0.3 * f64::from(r) + 0.59 * f64::from(g) + 0.11 * f64::from(b);
    luma < 200.0 && max - min < 40
}

fn near(a: [u8; 3], b: (u8, u8, u8)) -> bool {
    let d = |x: u8, y: u8| (f64::from(x) - f64::from(y)).powi(2);
    (d(a[0], b.0) + d(a[1], b.1) + d(a[2], b.2)).sqrt() < 70.0
}

/// The plotters plot's area: its axis lines, the longest dark vertical
/// (left) and horizontal (bottom) runs.
fn plotters_plot_area(image: &Image) -> Area {
    let longest = |len: usize, at: &dyn Fn(usize) -> bool| -> (usize, usize) {
        let (mut best, mut start, mut run) = ((0, 0), 0, 0);
        for i in 0..len {
            if at(i) {
                if run == 0 {
                    start = i;
                }
                run += 1;
                if run > best.1 - best.0 {
                    best = (start, i);
                }
            } else {
                run = 0;
            }
        }
        best
    };
    let (mut left, mut vertical) = (0, (0, 0));
    for x in 0..image.width {
        let run = longest(image.height, &|y| is_ink(image.at(x, y)));
        if run.1 - run.0 > vertical.1 - vertical.0 {
            (left, vertical) = (x, run);
        }
    }
    // The x axis: the row near the foot of the y axis with the longest
    // run (the y axis may go on down as the first x tick mark).
    let (mut bottom, mut horizontal) = (vertical.1, (0, 0));
    for y in vertical.1.saturating_sub(20)..=(vertical.1 + 3).min(image.height - 1) {
        let run = longest(image.width, &|x| is_ink(image.at(x, y)));
        if run.1 - run.0 > horizontal.1 - horizontal.0 {
            (bottom, horizontal) = (y, run);
        }
    }
    Area {
        left,
        top: vertical.0,
        right: horizontal.1,
        bottom,
    }
}

/// Groups of ink pixels outside the plot: glyphs, joined into words where
/// they lie less than 6 pixels apart on the same line.
fn words(image: &Image, plot: Area) -> Vec<Area> {
    let outside = |x: usize, y: usize| {
        x + 3 < plot.left || x > plot.right + 3 || y + 3 < plot.top || y > plot.bottom + 3
    };
    let mut seen = vec![false; image.width * image.height];
    let mut glyphs: Vec<Area> = Vec::new();
    for y in 0..image.height {
        for x in 0..image.width {
            if seen[y * image.width + x] || !outside(x, y) || !is_ink(image.at(x, y)) {
                continue;
            }
            let mut area = Area {
                left: x,
                top: y,
                right: x,
                bottom: y,
            };
            let mut stack = vec![(x, y)];
            seen[y * image.width + x] = true;
            while let Some((px, py)) = stack.pop() {
                area.left = area.left.min(px);
                area.right = area.right.max(px);
                area.top = area.top.min(py);
                area.bottom = area.bottom.max(py);
                for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                    let (nx, ny) = (px as isize + dx, py as isize + dy);
                    if nx < 0 || ny < 0 || nx >= image.width as isize || ny >= image.height as isize
                    {
                        continue;
                    }
                    let (nx, ny) = (nx as usize, ny as usize);
                    if !seen[ny * image.width + nx] && outside(nx, ny) && is_ink(image.at(nx, ny)) {
                        seen[ny * image.width + nx] = true;
                        stack.push((nx, ny));
                    }
                }
            }
            // Tick marks are thin lines, not text.
            let (w, h) = (area.right - area.left + 1, area.bottom - area.top + 1);
            if w > 3 && h > 3 || (w <= 3 && h > 6 && h < 30) {
                glyphs.push(area);
            }
        }
    }
    // Join glyphs into words.
    let mut words: Vec<Area> = Vec::new();
    glyphs.sort_by_key(|g| g.left);
    for glyph in glyphs {
        // On the same line: overlapping by half the smaller height (a y
        // label in the corner stays apart from the x label under it).
        let joined = words.iter_mut().find(|w| {
            let overlap = w.bottom.min(glyph.bottom) as isize - w.top.max(glyph.top) as isize;
            let smaller = (w.bottom - w.top).min(glyph.bottom - glyph.top) as isize;
            glyph.left <= w.right + 6 && overlap * 2 >= smaller
        });
        match joined {
            Some(word) => {
                word.right = word.right.max(glyph.right);
                word.top = word.top.min(glyph.top);
                word.bottom = word.bottom.max(glyph.bottom);
            }
            None => words.push(glyph),
        }
    }
    words
}

/// Where the tick labels land, as fractions of the plot area: the y
/// labels' centres (up the plot) and the x labels' centres (across).
fn tick_labels(image: &Image, plot: Area) -> (Vec<f64>, Vec<f64>) {
    let words = words(image, plot);
    let small = |w: &&Area| w.bottom - w.top < 30;
    // y labels: right-aligned beside the axis; the axis title is further.
    let beside: Vec<&Area> = words
        .iter()
        .filter(small)
        .filter(|w| w.right < plot.left && w.right + 40 > plot.left)
        .filter(|w| {
            (w.top + w.bottom) / 2 + 10 > plot.top && (w.top + w.bottom) / 2 < plot.bottom + 10
        })
        .collect();
    let rightmost = beside.iter().map(|w| w.right).max().unwrap_or(0);
    let mut y: Vec<f64> = beside
        .iter()
        .filter(|w| w.right + 6 >= rightmost)
        .map(|w| plot.fraction(0.0, (w.top + w.bottom) as f64 / 2.0).1)
        .collect();
    // x labels: the first line under the axis; the axis title is lower.
    let under: Vec<&Area> = words
        .iter()
        .filter(small)
        .filter(|w| w.top > plot.bottom && w.top < plot.bottom + 40)
        .filter(|w| w.right + 15 > plot.left && w.left < plot.right + 15)
        .collect();
    let highest = under.iter().map(|w| w.top).min().unwrap_or(0);
    let mut x: Vec<f64> = under
        .iter()
        .filter(|w| w.top <= highest + 6)
        .map(|w| plot.fraction((w.left + w.right) as f64 / 2.0, 0.0).0)
        .collect();
    y.sort_by(f64::total_cmp);
    x.sort_by(f64::total_cmp);
    (y, x)
}

/// Where series `key` runs: its pixels' mean height in each of 40 slices
/// across the plot, as fractions of the plot area (None where it is not).
fn series_path(image: &Image, plot: Area, key: (u8, u8, u8)) -> Vec<Option<f64>> {
    let mut sums = vec![(0.0, 0usize); 40];
    for y in plot.top.saturating_sub(10)..=(plot.bottom + 10).min(image.height - 1) {
        for x in plot.left..=plot.right {
            if near(image.at(x, y), key) {
                let (fx, fy) = plot.fraction(x as f64, y as f64);
                let slice = ((fx * 40.0) as usize).min(39);
                sums[slice].0 += fy;
                sums[slice].1 += 1;
            }
        }
    }
    sums.into_iter()
        .map(|(sum, n)| (n >= 3).then(|| sum / n as f64))
        .collect()
}

/// What an image shows of a chart, read from its pixels.
#[derive(Debug)]
struct Reading {
    plot: (f64, f64, f64, f64),
    y_labels: Vec<f64>,
    x_labels: Vec<f64>,
    paths: Vec<Vec<Option<f64>>>,
}

fn read(image: &Image, plot: Area, series: usize) -> Reading {
    let (y_labels, x_labels) = tick_labels(image, plot);
    let (w, h) = (image.width as f64, image.height as f64);
    Reading {
        plot: (
            plot.left as f64 / w,
            plot.top as f64 / h,
            plot.right as f64 / w,
            plot.bottom as f64 / h,
        ),
        y_labels,
        x_labels,
        paths: KEYS[..series]
            .iter()
            .map(|&key| series_path(image, plot, key))
            .collect(),
    }
}

/// The differences between what the two images show; empty if they agree.
fn disagreements(layout: &Layout, window: &Reading, file: &Reading) -> Vec<String> {
    let mut found = Vec::new();
    let plot = [
        (window.plot.0, file.plot.0),
        (window.plot.1, file.plot.1),
        (window.plot.2, file.plot.2),
        (window.plot.3, file.plot.3),
    ];
    // Margins differ (the file has its title inside): loosely.
    if plot.iter().any(|(a, b)| (a - b).abs() > 0.13) {
        found.push(format!(
            "plot areas: window {:?}, file {:?}",
            window.plot, file.plot
        ));
    }
    // Tick labels where the layout's ticks are, in both.
    let expected = |ticks: &[corescope::chart::layout::Tick], min: f64, max: f64| -> Vec<f64> {
        ticks
            .iter()
            .map(|t| (t.value - min) / (max - min))
            .collect()
    };
    for (axis, want, readings) in [
        (
            "y",
            expected(&layout.y.ticks, layout.y.min, layout.y.max),
            [&window.y_labels, &file.y_labels],
        ),
        (
            "x",
            expected(&layout.x.ticks, layout.x.min, layout.x.max),
            [&window.x_labels, &file.x_labels],
        ),
    ] {
        for (who, got) in ["window", "file"].iter().zip(readings) {
            let apart = got.len() != want.len()
                || got.iter().zip(&want).any(|(g, w)| (g - w).abs() > 0.025);
            if apart {
                found.push(format!(
                    "{who}'s {axis} tick labels at {got:?}, ticks at {want:?}"
                ));
            }
        }
    }
    // Every series runs the same way through both plots.
    for (i, (a, b)) in window.paths.iter().zip(&file.paths).enumerate() {
        let both: Vec<(f64, f64)> = a
            .iter()
            .zip(b)
            .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
            .collect();
        if both.len() < 10 {
            found.push(format!("series {i} is in too few places: {a:?} / {b:?}"));
        }
        if let Some((x, y)) = both.iter().find(|(x, y)| (x - y).abs() > 0.03) {
            found.push(format!(
                "series {i} runs at {x:.3} in the window, {y:.3} in the file"
            ));
        }
        let reach = |p: &Vec<Option<f64>>| {
            (
                p.iter().position(Option::is_some),
                p.iter().rposition(Option::is_some),
            )
        };
        if reach(a) != reach(b) && {
            let (ra, rb) = (reach(a), reach(b));
            let d =
                |x: Option<usize>, y: Option<usize>| x.zip(y).map_or(99, |(x, y)| x.abs_diff(y));
            d(ra.0, rb.0) > 1 || d(ra.1, rb.1) > 1
        } {
            found.push(format!(
                "series {i} spans {:?} in the window, {:?} in the file",
                reach(a),
                reach(b)
            ));
        }
    }
    found
}

/// A real sweep's wall-time chart, its layout for a 1280×720 file, the
/// series recoloured to the keys and the legend left out.
fn keyed(set: &ResultSet) -> (Chart, Layout) {
    let mut chart = build(ChartKind::WallTime, set);
    // Whiskers would pull a series' mean height toward them.
    for series in &mut chart.series {
        for point in &mut series.points {
            point.spread = None;
            point.ci = None;
        }
    }
    chart.references.clear();
    let style = PlotStyle {
        width: WIDTH,
        height: HEIGHT,
        dark: false,
        text_px: None,
    };
    let mut layout = plot::layout_for(&chart, &style, (WIDTH, HEIGHT));
    assert!(chart.series.len() <= KEYS.len(), "{}", chart.series.len());
    for (style, key) in layout.series.iter_mut().zip(KEYS) {
        style.stroke.color = corescope::chart::Rgb(key.0, key.1, key.2);
    }
    layout.references.clear();
    layout.legend.clear();
    layout.legend_place = corescope::chart::layout::LegendPlace::Outside;
    (chart, layout)
}

#[test]
fn the_window_and_the_file_put_plot_ticks_and_series_in_the_same_places() {
    let dir = tempfile::tempdir().unwrap();
    let saved = common::saved_sweep(
        dir.path(),
        "sweep",
        &["--workers", "1..4", "--models", "threads,gil-threads"],
    );
    let mut set = ResultSet::load(&saved).unwrap();
    // The renderers are compared, not the machine: on a loaded machine the
    // measured threads and gil-threads curves can touch, and where two
    // series cross, which is drawn on top differs. Fixed times keep them
    // apart: threads scale, gil-threads do not.
    for run in &mut set.runs {
        let wall = if run.model == corescope::spec::Model::Threads {
            0.4 / f64::from(run.workers)
        } else {
            0.5
        };
        run.wall_seconds.median = wall;
        run.wall_seconds.min = wall;
        run.wall_seconds.max = wall;
    }
    let (chart, layout) = keyed(&set);
    let series = chart.series.len();
    assert!(series >= 2, "{:?}", chart.series);

    let (window, window_plot) = egui_image(&chart, &layout);
    let file = plotters_image(&chart, &layout);
    if let Some(folder) = std::env::var_os("CORESCOPE_IMAGE_TEST_OUT") {
        let folder = std::path::PathBuf::from(folder);
        window.save_png(&folder.join("window.png"));
        file.save_png(&folder.join("file.png"));
    }
    let window = read(&window, window_plot, series);
    let file = read(&file, plotters_plot_area(&file), series);
    let found = disagreements(&layout, &window, &file);
    assert!(
        found.is_empty(),
        "the window and the file drifted apart:\n{}\nwindow {window:?}\nfile {file:?}",
        found.join("\n")
    );
}
