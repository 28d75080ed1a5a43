//! Start-up timing: with [`EXIT_AFTER_FIRST_FRAME`] set, the window closes
//! as soon as its first frame has been drawn and says on stderr how long
//! that took, so start-up can be measured (`benches/startup.rs`) without
//! anyone at the screen.
//!
//! The first frame counts as drawn when the second one begins: eframe
//! paints and presents a frame before it runs the next, and the first
//! frame asks for the second at once.

#![allow(clippy::print_stderr)]

use std::time::Instant;

use eframe::egui;

use super::CorescopeApp;

/// The environment variable that turns the probe on (any value).
pub const EXIT_AFTER_FIRST_FRAME: &str = "CORESCOPE_EXIT_AFTER_FIRST_FRAME";

/// What the probe prints on stderr before the milliseconds.
pub const FIRST_FRAME_LINE: &str = "corescope: first frame drawn after";

/// The app, closed after its first frame.
#[derive(Debug)]
pub struct FirstFrameProbe {
    app: CorescopeApp,
    /// When the window was asked for.
    since: Instant,
    frames: u32,
}

impl FirstFrameProbe {
    pub fn new(app: CorescopeApp, since: Instant) -> FirstFrameProbe {
        FirstFrameProbe {
            app,
            since,
            frames: 0,
        }
    }
}

impl eframe::App for FirstFrameProbe {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        if self.frames == 1 {
            let ms = self.since.elapsed().as_secs_f64() * 1e3;
            eprintln!("{FIRST_FRAME_LINE} {ms:.1} ms");
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        self.app.logic(ctx, frame);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.app.ui(ui, frame);
        self.frames += 1;
        ui.ctx().request_repaint();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.save(storage);
    }
}
