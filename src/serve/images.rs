//! The preview's images, made aside: pages show at once, each image as it
//! is until its sizes are made (`http` serves the source for a file not
//! made yet); then the pages that show them reload.
//!
//! One thread, `mend-images`, makes them, a reading at a time and only the
//! newest one's, however often the site is read again meanwhile; it works
//! in a rayon pool of its own with half the cores. Not rayon's global
//! pool, which renders: a rendering thread waiting in `join` steals
//! whatever its pool holds, and a photo taken there would hold the
//! preview for seconds.
//!
//! Not for making one image (`images::process`) nor for `build`, which
//! makes them before it renders.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::images::Images;

/// What is done once a reading's images are made.
type Made = Arc<dyn Fn() + Send + Sync>;

/// A reading's images, for the thread to make.
struct Reading {
    images: Images,
    quality: u8,
}

/// Hands the images of each reading to the thread that makes them,
/// which it starts the first time one lacks files.
pub(super) struct Maker {
    made: Made,
    readings: Option<Sender<Reading>>,
}

impl Maker {
    /// One that calls `made` once a reading's images are made.
    pub(super) fn new(made: impl Fn() + Send + Sync + 'static) -> Maker {
        Maker {
            made: Arc::new(made),
            readings: None,
        }
    }

    /// Has the files of `images` the cache lacks made, after those of the
    /// reading being made now; a reading still waiting is passed over.
    pub(super) fn make(&mut self, images: &Images, quality: u8) {
        if images.waiting() == 0 {
            return;
        }
        let reading = Reading {
            images: images.clone(),
            quality,
        };
        let reading = match &self.readings {
            Some(readings) => match readings.send(reading) {
                Ok(()) => return,
                // The thread is gone (it panicked): a new one.
                Err(unsent) => unsent.0,
            },
            None => reading,
        };
        match start(Arc::clone(&self.made)) {
            Ok(readings) => {
                let _ = readings.send(reading);
                self.readings = Some(readings);
            }
            Err(e) => eprintln!(
                "warning: the images are shown as they are: no thread to make their sizes ({e})"
            ),
        }
    }
}

/// Starts the thread, and its pool: half the cores, so that rendering
/// keeps the other half.
fn start(made: Made) -> std::io::Result<Sender<Reading>> {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads((cores / 2).max(1))
        .thread_name(|n| format!("mend-images-{n}"))
        .build()
        .map_err(std::io::Error::other)?;
    let (readings, waiting) = channel();
    std::thread::Builder::new()
        .name("mend-images".into())
        .spawn(move || make_each(&waiting, &pool, &*made))?;
    Ok(readings)
}

/// Makes the images of each reading that comes, the newest of those
/// waiting only, until the preview stops.
fn make_each(readings: &Receiver<Reading>, pool: &rayon::ThreadPool, made: &(dyn Fn() + Sync)) {
    while let Ok(mut reading) = readings.recv() {
        while let Ok(newer) = readings.try_recv() {
            reading = newer;
        }
        // An earlier reading may have made them all.
        let waiting = reading.images.waiting();
        if waiting == 0 {
            continue;
        }
        let started = std::time::Instant::now();
        let Reading { images, quality } = reading;
        for failed in pool.install(|| crate::images::process::make(&images, quality)) {
            eprintln!("warning: {}", failed.warning);
        }
        let _ = images.keep_index();
        let noun = if waiting == 1 { "image" } else { "images" };
        println!(
            "made the sizes of {waiting} {noun} in {} ms",
            started.elapsed().as_millis()
        );
        made();
    }
}
