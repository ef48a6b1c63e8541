//! Micro-benchmarks of the hot paths of a build, on this repository's
//! sample site: Markdown of one article, the article template, the tag index.
//!
//!     cargo bench --bench hot_paths

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use mend::render::{PageRef, Views, render_page};
use mend::site::{LoadOptions, Site};
use mend::{markdown, taxonomy};

fn sample_site() -> Site {
    Site::load(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &LoadOptions::default(),
    )
    .expect("the sample site loads")
}

fn hot_paths(c: &mut Criterion) {
    let site = sample_site();
    let longest = site
        .articles
        .iter()
        .max_by_key(|a| a.body.words)
        .expect("the sample site has articles");
    let source = std::fs::read_to_string(&longest.source).unwrap();
    let body = source.splitn(3, "+++").nth(2).unwrap_or(&source);
    let code = markdown::Highlighter::default();
    c.bench_function("markdown: one article", |b| {
        b.iter(|| markdown::render(std::hint::black_box(body), "posts/x/", &code));
    });

    let views = Views::new(&site);
    c.bench_function("template: one article page", |b| {
        b.iter(|| render_page(&site, &views, PageRef::Article(0)).unwrap());
    });

    c.bench_function("tags: the tag index of the site", |b| {
        b.iter(|| taxonomy::collect_tags(std::hint::black_box(&site.articles), &site.urls));
    });
}

criterion_group!(benches, hot_paths);
criterion_main!(benches);
